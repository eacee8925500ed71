"""A group session with every member's record, in one write (issue 13, item 3).

`record_session` and `update_session` take a typed `SessionValues` (one `MemberEntry` per member
of the group on the session's date), check it all before writing anything (`check_session`), and
then, in one transaction: the group session, each member's record, each PHQ-9 as a normal
Response of the member's course (scored, and alerting through clinic.alert_chain), each member's
course Session (attended or missed), the alerts for "needs follow-up for risk" marks, the
supervisors of a lay-facilitated group told at once, and the audit rows.

A session refused as a whole (bad input anywhere, or a stale edit) still raises, first, the alert
of each member's valid positive risk answer, each in its own committed transaction
(`alert_on_refused`, hazard log HAZ-287), and the refusal says so (`InvalidInput.kept`). Saving
the corrected session then joins that alert instead of raising a second one (by member, group,
session number and time: `raised_for`).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import alert_chain, measurement
from rapport.clinic.models import AlertStatus, MoodChange, RiskAlert, Session, SessionStatus, TimelineEvent
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.kept import outlive_refusal
from rapport.common.records import EnteredInError, deny, enter_in_error, save_versioned
from rapport.core import groups as group_rules
from rapport.core import instruments, protocol, scoring, triage
from rapport.groups import risk
from rapport.groups.membership import members_on
from rapport.groups.models import Group, GroupSession, MemberRecord, Membership
from rapport.groups.scope import get_group
from rapport.programme import summaries

Day = date  # a field named `date` hides the type inside the dataclasses
MEASURE = "phq9"  # the weekly score of a WHO group session (spec 1.11: symptom review by PHQ-9)
KEY_LIMIT = 100
REFUSED = "refused_group_session"  # the reason on an alert raised from a refused session
# [U] How long an alert raised from a refused session stands for the same member's risk at the same
# session: a correction saved (or refused again) within it joins that alert instead of raising
# another; later, a new alert is raised. The spec sets no figure; a facilitator corrects the same day.
SAME_RISK_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class MemberEntry:
    membership_id: int
    attended: bool
    phq9: dict[str, str] | None
    mood_change: int | None
    mood_event_ids: list[int]
    mood_note: str
    task_set: str
    task_reviewed: str
    note: str
    needs_follow_up: bool
    needs_follow_up_for_risk: bool


@dataclass(frozen=True)
class SessionValues:
    number: int
    date: date
    notes: str
    paper_filled_on: Day | None
    recorded_at: datetime | None
    members: list[MemberEntry]
    submission_key: str = ""


def check_session(group: Group, given: SessionValues, session: GroupSession | None = None) -> SessionValues:
    """The session as it will be stored, or InvalidInput keyed by the body's names
    ("members.<membership id>.phq9" ...). Nothing is written before every check has passed."""
    problems = Problems()
    notes = problems.text("notes", given.notes)
    total = group.planned_sessions
    if not 1 <= given.number <= total:
        problems.add("number", _("A session number is from 1 to %(n)s.") % {"n": total})
    elif session is not None and session.number != given.number:
        # Each member's course holds the session under its number: a renumbering would leave them
        # out of step, so a session recorded under the wrong number is recorded again instead.
        problems.add("number", _("A recorded session keeps its number."))
    elif session is None:
        taken = GroupSession.objects.filter(
            group=group, number=given.number, entered_in_error_at__isnull=True
        )
        if taken.exists():
            problems.add(
                "number", _("Session %(n)s is recorded already: open it to change it.") % {"n": given.number}
            )
    today = timezone.localdate()
    if given.date > today:
        problems.add("date", _("A session cannot be recorded before it is held."))
    if given.paper_filled_on is not None and not given.date <= given.paper_filled_on <= today:
        problems.add(
            "paper_filled_on", _("The sheet is filled in on or after the session, and not in the future.")
        )
    if given.recorded_at is not None and given.recorded_at > timezone.now():
        problems.add("recorded_at", _("A session cannot be recorded in the future."))
    if given.submission_key:
        problems.text("submission_key", given.submission_key, limit=KEY_LIMIT)
    members = {m.pk: m for m in members_on(group, given.date)}
    seen: set[int] = set()
    entries = []
    instrument = instruments.get(MEASURE)
    for entry in given.members:
        key = f"members.{entry.membership_id}"
        membership = members.get(entry.membership_id)
        if membership is None:
            problems.add(key, _("Not a member of this group on the session's date."))
            continue
        if entry.membership_id in seen:
            problems.add(key, _("Each member is recorded once."))
            continue
        seen.add(entry.membership_id)
        answers = None
        if entry.phq9:
            if not entry.attended:
                problems.add(f"{key}.phq9", _("A member who did not attend has no score at this session."))
            else:
                try:
                    scoring.score(instrument, entry.phq9)
                    answers = dict(entry.phq9)
                except scoring.InvalidAnswers as exc:
                    for item, problem in exc.problems:
                        problems.add(
                            f"{key}.phq9",
                            _("Item “%(item)s”: %(problem)s") % {"item": item, "problem": problem},
                        )
        if entry.mood_change is not None and entry.mood_change not in MoodChange.values:
            problems.add(f"{key}.mood_change", _("Choose a mood change from -2 to 2."))
        events = set(entry.mood_event_ids)
        if events:
            mine = set(
                TimelineEvent.objects.filter(
                    pk__in=events, course__client_id=membership.client_id, entered_in_error_at__isnull=True
                ).values_list("pk", flat=True)
            )
            if events - mine:
                problems.add(f"{key}.mood_event_ids", _("Link only events of this member's own timeline."))
        entries.append(
            replace(
                entry,
                phq9=answers,
                mood_event_ids=sorted(events),
                mood_note=problems.text(f"{key}.mood_note", entry.mood_note),
                task_set=problems.text(f"{key}.task_set", entry.task_set),
                task_reviewed=problems.text(f"{key}.task_reviewed", entry.task_reviewed),
                note=problems.text(f"{key}.note", entry.note),
            )
        )
    for missing in sorted(set(members) - seen):
        problems.add(f"members.{missing}", _("Give this member's record (attended or not)."))
    problems.raise_any()
    return replace(given, notes=notes, members=entries)


def phase_of(session: GroupSession) -> str:
    try:
        return group_rules.phase(session.number, session.group.variant)
    except protocol.InvalidSession:
        return "middle"


def record_session(request, group_id: int, given: SessionValues) -> tuple[GroupSession, list]:
    """Record a held session. A form posted twice (same `submission_key`) finds the first."""
    group = get_group(request, group_id, change=True)
    if given.submission_key:
        earlier = GroupSession.objects.filter(group=group, submission_key=given.submission_key).first()
        if earlier is not None:
            return earlier, []
    try:
        checked = check_session(group, given)
    except InvalidInput as exc:
        raise InvalidInput(exc.errors, kept=alert_on_refused(request, group, given)) from None
    recorded_at = checked.recorded_at or timezone.now()
    with transaction.atomic():
        session = GroupSession.objects.create(
            group=group,
            number=checked.number,
            date=checked.date,
            notes=checked.notes,
            paper_filled_on=checked.paper_filled_on,
            recorded_at=recorded_at,
            recorded_by=request.user,
            submission_key=checked.submission_key,
        )
        trail.record(request, Action.CREATE, obj=session, detail={"group": group.pk})
        at_risk = _write_records(request, group, session, checked, recorded_at)
        if group.status == "forming":
            Group.objects.filter(pk=group.pk, status="forming").update(status="running")
    return session, at_risk


def get_session(request, group_id: int, session_id: int, *, change: bool = False):
    group = get_group(request, group_id, change=change)
    session = GroupSession.objects.filter(
        pk=session_id, group=group, entered_in_error_at__isnull=True
    ).first()
    if session is None:
        deny(request, detail={"object_type": "GroupSession", "id": session_id})
    return group, session


def update_session(
    request, group_id: int, session_id: int, given: SessionValues, version: int
) -> tuple[GroupSession, list]:
    group, session = get_session(request, group_id, session_id, change=True)
    try:
        checked = check_session(group, given, session)
    except InvalidInput as exc:
        raise InvalidInput(exc.errors, kept=alert_on_refused(request, group, given)) from None
    recorded_at = checked.recorded_at or timezone.now()
    try:
        with transaction.atomic():
            # The compare-and-set on the session guards its member records too: they change only
            # under a session version that was current.
            save_versioned(
                GroupSession,
                session.pk,
                version,
                number=checked.number,
                date=checked.date,
                notes=checked.notes,
                paper_filled_on=checked.paper_filled_on,
            )
            trail.record(request, Action.UPDATE, obj=session, detail={"group": group.pk})
            session.refresh_from_db()
            at_risk = _write_records(request, group, session, checked, recorded_at)
    except EditConflict as exc:
        # A stale edit is refused whole too; its risk answers are not.
        raise EditConflict(exc.current, kept=alert_on_refused(request, group, given)) from None
    return session, at_risk


def risky_answers(answers) -> scoring.Result | None:
    """The member's valid risk answers scored on their own, when they carry risk: whatever else
    in the session is wrong, these are judged (as clinic.measurement does for one questionnaire)."""
    return alert_chain.risk_in_valid_answers(instruments.get(MEASURE), answers)


def raised_for(
    client_id: int, group: Group, number: int | None, *, refused_only: bool = True, now=None
) -> RiskAlert | None:
    """The unresolved alert a refused send of this session raised for this member, if recent;
    with `refused_only=False`, any alert of this member at this session (a saved one's too)."""
    now = now or timezone.now()
    found = RiskAlert.objects.filter(
        client_id=client_id,
        source_record__group=group.pk,
        source_record__session=number,
        created_at__gte=now - SAME_RISK_WITHIN,
    ).exclude(status=AlertStatus.CLOSED)
    if refused_only:
        found = found.filter(source_record__type="RefusedGroupSession")
    return found.order_by("-created_at", "-id").first()


def alert_on_refused(request, group: Group, given: SessionValues) -> tuple[str, ...]:
    """Before a session is refused: raise the alert of each member's valid positive risk answer
    (`alert_on_answers`). Returns what to tell the facilitator."""
    return alert_on_answers(
        request,
        group,
        {entry.membership_id: entry.phq9 for entry in given.members if entry.phq9},
        number=given.number,
        day=given.date,
        recorded_at=given.recorded_at,
    )


def alert_on_answers(
    request, group: Group, answers: dict, *, number: int | None, day: Day, recorded_at=None
) -> tuple[str, ...]:
    """Raise the alert of each member's valid positive risk answer among `answers` (membership
    id -> PHQ-9 answers, as far as they could be read) of a session that is being refused, each
    in its own committed transaction with its audit row (common/kept.py), once per member and
    session (`raised_for`). Returns what to tell the facilitator. A page that could not read the
    session's number passes None."""
    memberships = {
        m.pk: m
        for m in Membership.objects.filter(group=group, entered_in_error_at__isnull=True).select_related(
            "client"
        )
    }
    told = []
    for membership_id, given in answers.items():
        membership = memberships.get(membership_id)
        result = risky_answers(given)
        if membership is None or result is None:
            continue
        source = {
            "type": "RefusedGroupSession",
            "group": group.pk,
            "session": number,
            "date": day.isoformat(),
            "membership": membership.pk,
            "recorded_at": (recorded_at or timezone.now()).isoformat(),
        }
        outlive_refusal(request, partial(_raise_refused, request, group, membership, result, source))
        words = (
            _(
                "%(name)s's answer to the risk question carries risk: an alert has been raised and "
                "their clinician and the group's supervisors told, although nothing else of this "
                "session was saved."
            )
            if group.lay_facilitated
            else _(
                "%(name)s's answer to the risk question carries risk: an alert has been raised and "
                "their clinician told, although nothing else of this session was saved."
            )
        )
        told.append(words % {"name": membership.client.display_name})
    return tuple(told)


def alert_on_unread_body(request, group_id: int, raw) -> tuple[str, ...]:
    """A session body refused before it could be read into SessionValues (the API's schema, a
    sealed body that does not fit it): each member's risk answers are still judged, read as far
    as the raw JSON allows, for a caller who may record this group's sessions."""
    if not isinstance(raw, dict) or not isinstance(raw.get("members"), list):
        return ()
    try:
        group = get_group(request, group_id, change=True)
    except Http404:
        return ()
    answers: dict[int, dict[str, str]] = {}
    for member in raw["members"]:
        if not isinstance(member, dict) or not isinstance(member.get("phq9"), dict):
            continue
        membership_id = member.get("membership_id")
        if isinstance(membership_id, int) and not isinstance(membership_id, bool):
            answers[membership_id] = {
                k: v for k, v in member["phq9"].items() if isinstance(k, str) and isinstance(v, str)
            }
    number = raw.get("number")
    try:
        day = date.fromisoformat(raw.get("date") or "")
    except (TypeError, ValueError):
        day = timezone.localdate()
    return alert_on_answers(
        request,
        group,
        answers,
        number=number if isinstance(number, int) and not isinstance(number, bool) else None,
        day=day,
    )


def _raise_refused(request, group: Group, membership: Membership, result, source: dict) -> None:
    rules = triage.triage_rules()
    earlier = raised_for(membership.client_id, group, source["session"], refused_only=False)
    if (
        earlier is not None
        and rules.higher_tier(earlier.tier, rules.tier_for(alert_chain.level_of(result))) == earlier.tier
    ):
        return  # raised already by an earlier refused send of this session
    alert = alert_chain.raise_for_result(
        request, membership.client, result, why=(REFUSED,), source_record=source
    )
    risk.tell_supervisors_now(alert, group)


def _write_records(request, group, session, checked: SessionValues, recorded_at) -> list:
    # Each member's course is saved twice (the response, the course session): its programme
    # summary is rewritten once, at the end, still inside the session's transaction.
    with summaries.deferred():
        return _write_each(request, group, session, checked, recorded_at)


def _write_each(request, group, session, checked: SessionValues, recorded_at) -> list:
    memberships = {m.pk: m for m in Membership.objects.filter(group=group).select_related("client", "course")}
    existing = {r.membership_id: r for r in MemberRecord.objects.filter(session=session)}
    at_risk = []
    for entry in checked.members:
        membership = memberships[entry.membership_id]
        client = membership.client
        record = existing.get(entry.membership_id)
        old_response = record.response if record is not None else None
        old_mark = record.needs_follow_up_for_risk if record is not None else False
        values = {
            "attended": entry.attended,
            "mood_change": entry.mood_change,
            "mood_note": entry.mood_note,
            "task_set": entry.task_set,
            "task_reviewed": entry.task_reviewed,
            "note": entry.note,
            "needs_follow_up": entry.needs_follow_up,
            "needs_follow_up_for_risk": entry.needs_follow_up_for_risk,
        }
        if record is None:
            record = MemberRecord.objects.create(session=session, membership=membership, **values)
            trail.record(request, Action.CREATE, client=client, obj=record)
        else:
            for name, value in values.items():
                setattr(record, name, value)
            record.version += 1
            record.updated_at = timezone.now()
            record.save()
            trail.record(request, Action.UPDATE, client=client, obj=record)
        record.mood_events.set(entry.mood_event_ids)
        alert = None
        # The PHQ-9: a new one is a Response of the member's course; a changed one replaces it.
        if old_response is not None and (entry.phq9 or {}) != old_response.answers:
            enter_in_error(
                request,
                old_response,
                EnteredInError(str(_("Replaced by an edit of group session %(n)s.") % {"n": session.number})),
                client=client,
            )
            old_response = None
            record.response = None
        if entry.phq9 and old_response is None:
            response = measurement.record_response(
                request,
                client.pk,
                MEASURE,
                entry.phq9,
                session_number=session.number,
                answered_at=recorded_at,
                raised_already=raised_for(client.pk, group, session.number),
            )
            record.response = response
            alert = alert_chain.alert_of_response(response)
            if alert is not None:
                risk.note_source(alert, group, record, recorded_at)
        MemberRecord.objects.filter(pk=record.pk).update(response=record.response)
        if entry.needs_follow_up_for_risk and not old_mark and alert is None:
            alert = risk.raise_for_mark(request, group, membership, record, recorded_at)
        if alert is not None:
            risk.tell_supervisors_now(alert, group)
            at_risk.append((membership, alert))
        record.course_session = _mirror(request, membership, session, entry, record.course_session_id)
        MemberRecord.objects.filter(pk=record.pk).update(course_session=record.course_session)
    return at_risk


def enter_session_in_error(request, group_id: int, session_id: int, given: EnteredInError) -> bool:
    """A session that should never have been recorded (the wrong group, the wrong number): it is
    hidden with the reason kept, and so are its member records, their PHQ-9 responses and their
    course sessions; any alert raised stays, as every alert does. False when already marked."""
    _group, session = get_session(request, group_id, session_id, change=True)
    with transaction.atomic():
        records = list(MemberRecord.objects.filter(session=session).select_related("membership__client"))
        if not enter_in_error(request, session, given, client=None):
            return False
        for record in records:
            client = record.membership.client
            enter_in_error(request, record, given, client=client)
            if record.response_id is not None:
                enter_in_error(request, record.response, given, client=client)
            if record.course_session_id is not None:
                enter_in_error(request, record.course_session, given, client=client)
    return True


def _mirror(request, membership, session: GroupSession, entry: MemberEntry, session_id) -> Session:
    """The member's course Session for this group session: attended or missed, with the week's
    task and its review, so that the course and the programme's figures see it."""
    values = {
        "date": session.date,
        "status": SessionStatus.ATTENDED if entry.attended else SessionStatus.MISSED,
        "between_session_task": entry.task_set,
        "task_review": entry.task_reviewed,
    }
    found = Session.objects.filter(pk=session_id).first() if session_id else None
    if found is None:
        found = Session.objects.filter(
            course=membership.course, number=session.number, entered_in_error_at__isnull=True
        ).first()
    if found is None:
        number = session.number
        if Session.objects.filter(course=membership.course, number=number).exists():
            # A course session entered in error keeps its number (the clinic's numbers are never
            # reused): the re-recorded one takes the course's next number instead.
            number = (
                (Session.objects.filter(course=membership.course).aggregate(Max("number"))["number__max"]) + 1
            )
        found = Session.objects.create(course=membership.course, number=number, **values)
        trail.record(request, Action.CREATE, client=membership.client, obj=found)
        return found
    for name, value in values.items():
        setattr(found, name, value)
    found.version += 1
    found.updated_at = timezone.now()
    found.save()  # post_save keeps the programme's summary of the course in step
    trail.record(request, Action.UPDATE, client=membership.client, obj=found)
    return found


def records_of(session: GroupSession) -> list[MemberRecord]:
    return list(
        MemberRecord.objects.filter(session=session, entered_in_error_at__isnull=True)
        .select_related("membership__client", "response")
        .prefetch_related("mood_events")
        .order_by("membership__joined_on", "membership_id")
    )


def alert_of(record: MemberRecord):
    """The alert this member record raised or joined: its PHQ-9's, else its risk mark's."""
    if record.response is not None:
        found = alert_chain.alert_of_response(record.response)
        if found is not None:
            return found
    return (
        RiskAlert.objects.filter(
            client_id=record.membership.client_id,
            source_record__type="MemberRecord",
            source_record__id=record.pk,
        )
        .order_by("-created_at")
        .first()
    )
