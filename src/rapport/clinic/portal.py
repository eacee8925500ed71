"""What the client does between sessions, and what their clinician sets up for it: scheduled
check-ins answered one question at a time, "since we last met" notes, how a between-session task
went, and messages from the clinic. Free text the client writes is screened for risk phrases."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import alert_chain, alerts, measurement
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import (
    Cadence,
    CheckInDraft,
    CheckInSchedule,
    Client,
    Course,
    MoodChange,
    Preparation,
    Respondent,
    Response,
    Session,
    SessionStatus,
    TaskOutcome,
    TaskReport,
)
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import save_versioned
from rapport.core import cadence, instruments, scoring

DECLINED = "declined"  # "prefer not to say"
TEXT_LIMIT = 5000


def my_record(request) -> Client:
    """The signed-in client's own record (404 when the account is not linked to one)."""
    client = (
        Client.objects.visible_to(request.user)
        .filter(user=request.user)
        .select_related("responsible_clinician", "organisation")
        .first()
    )
    if client is None:
        raise Http404("No record linked to this account")
    return client


def opened(request, client: Client, object_type: str, obj=None, **detail) -> None:
    """The one rule for what counts as a read in the portal: every page a client opens that shows
    anything drawn from their record writes one read row naming what it shows, whether or not
    there is anything yet (an empty page still tells the client what the clinic holds). Pages of
    the product's own content (the learning pages) and redirects show nothing of the record."""
    trail.record(request, Action.READ, client=client, obj=obj, object_type=object_type, detail=detail or None)


def read_help(request):
    """The crisis panel: the client's country's lines and their safety plan, so a read."""
    client = Client.objects.visible_to(request.user).filter(user=request.user).first()
    if client is not None:
        opened(request, client, "SafetyPlan", page="help")
    return client


# --- Check-ins ---------------------------------------------------------------------------------


def client_instrument(instrument_id: str):
    """A questionnaire a client may answer themselves (not clinician-rated, wording we may show)."""
    try:
        instrument = instruments.get(instrument_id)
    except instruments.UnknownInstrument:
        raise Http404("No such questionnaire") from None
    if instrument.respondent == "clinician" or instrument.licence.wording == "descriptor":
        raise Http404("Not a client questionnaire")
    return instrument


def set_schedule(
    request, client_id: int, instrument_id: str, cadence_value: str, active: bool
) -> CheckInSchedule:
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    errors = {}
    try:
        client_instrument(instrument_id)
    except Http404:
        errors["instrument"] = [_("Choose a questionnaire the client can answer themselves.")]
    if cadence_value not in Cadence.values:
        errors["cadence"] = [_("Choose how often.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        schedule, created = CheckInSchedule.objects.get_or_create(
            client=client,
            instrument=instrument_id,
            defaults={"cadence": cadence_value, "active": active, "created_by": request.user},
        )
        if not created:
            CheckInSchedule.objects.filter(pk=schedule.pk).update(
                cadence=cadence_value, active=active, version=schedule.version + 1
            )
            schedule.refresh_from_db()
        trail.record(request, Action.CREATE if created else Action.UPDATE, client=client, obj=schedule)
    return schedule


@dataclass
class Due:
    schedule: CheckInSchedule
    title: str
    draft: CheckInDraft | None = None


def _session_dates(course: Course | None, today: date) -> tuple[date | None, date | None]:
    if course is None:
        return None, None
    sessions = Session.objects.filter(course=course, entered_in_error_at__isnull=True)
    nxt = (
        sessions.filter(status=SessionStatus.SCHEDULED, date__gte=today)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    last = (
        sessions.filter(status=SessionStatus.ATTENDED, date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return nxt, last


def due_check_ins(client: Client, course: Course | None = None, today: date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    course = course if course is not None else measurement.current_course(client)
    next_session, last_session = _session_dates(course, today)
    schedules = list(CheckInSchedule.objects.filter(client=client, active=True))
    last = dict(
        Response.objects.filter(
            client=client, entered_in_error_at__isnull=True, instrument__in=[s.instrument for s in schedules]
        )
        .values("instrument")
        .annotate(last=Max("answered_at"))
        .values_list("instrument", "last")
    )
    drafts = {d.instrument: d for d in CheckInDraft.objects.filter(client=client, response__isnull=True)}
    due = []
    for schedule in schedules:
        answered = last.get(schedule.instrument)
        answered_on = timezone.localtime(answered).date() if answered else None
        if cadence.is_due(schedule.cadence, today, answered_on, next_session, last_session):
            due.append(
                Due(
                    schedule,
                    instruments.get(schedule.instrument).short_title,
                    drafts.get(schedule.instrument),
                )
            )
    return due


def asked_items(instrument, answers: dict) -> list:
    """The items to put to the client, in order, given the answers so far (C-SSRS branches)."""
    return [item for item in instrument.items if item.ask_when is None or item.ask_when.holds(answers)]


def draft_for(
    request, instrument_id: str, *, create: bool = True, client=None, audit: bool = False
) -> CheckInDraft | None:
    """The client's unsent answers to a questionnaire. `audit`: a page showing them (a question
    with its answer, the review) is a read of the draft, even before there is one."""
    # A caller that has fetched the client's own record already passes it in.
    client = client if client is not None else my_record(request)
    instrument = client_instrument(instrument_id)
    draft = CheckInDraft.objects.filter(
        client=client, instrument=instrument.id, response__isnull=True
    ).first()
    if draft is None and create:
        draft, _created = CheckInDraft.objects.get_or_create(
            client=client, instrument=instrument.id, response__isnull=True, defaults={}
        )
    if audit:
        trail.record(
            request,
            Action.READ,
            client=client,
            obj=draft,
            object_type="CheckInDraft",
            detail={"instrument": instrument.id},
        )
    return draft


def save_answer(request, instrument_id: str, item_id: str, code: str | None) -> CheckInDraft:
    """Keep one answer (an option code, DECLINED, or None for "later") as soon as it is given.
    An answer that the branching no longer asks for is dropped, so the draft is always valid."""
    instrument = client_instrument(instrument_id)
    draft = cast(CheckInDraft, draft_for(request, instrument_id))  # created when missing
    answers = dict(draft.answers)
    declined = [i for i in draft.declined if i != item_id]
    item = instrument.items_by_id.get(item_id)
    if item is None or item not in asked_items(instrument, answers):
        raise InvalidInput({"answer": [_("This question is not part of this check-in.")]})
    answers.pop(item_id, None)
    if code == DECLINED:
        declined.append(item_id)
    elif code:
        if code not in item.options_by_code:
            raise InvalidInput({"answer": [_("Choose one of the answers, or skip the question.")]})
        answers[item_id] = code
    still_asked = {i.id for i in asked_items(instrument, answers)}
    answers = {k: v for k, v in answers.items() if k in still_asked}
    declined = [i for i in declined if i in still_asked]
    now = timezone.now()
    values: dict[str, Any] = {"answers": answers, "declined": declined, "updated_at": now}
    if draft.risk_answered_at is None and _carries_risk(instrument, answers):
        # Whether or not the client ever presses Send, this answer reaches a person.
        values["risk_answered_at"] = now
        alert_chain.check_escalations.using(run_after=now + alert_chain.UNSENT_DRAFT_AFTER).enqueue()
    with transaction.atomic():
        CheckInDraft.objects.filter(pk=draft.pk).update(**values)
    draft.answers, draft.declined = answers, declined
    draft.risk_answered_at = values.get("risk_answered_at", draft.risk_answered_at)
    return draft


def _carries_risk(instrument, answers: dict) -> bool:
    return alert_chain.carries_risk(scoring.score(instrument, answers))


@dataclass
class Submitted:
    response: Response
    tier: str
    follow_up: list[str] = field(default_factory=list)


def submit(request, instrument_id: str) -> Submitted:
    """Send the draft: scored and stored like any response (alerts included), draft closed."""
    client = my_record(request)
    draft = draft_for(request, instrument_id, create=False, client=client)
    if draft is None:
        raise InvalidInput({"__all__": [_("There is nothing to send yet.")]})
    refused = None
    with transaction.atomic():
        closed = CheckInDraft.objects.filter(pk=draft.pk, response__isnull=True)
        try:
            response = measurement.record_response(request, client.pk, draft.instrument, dict(draft.answers))
        except InvalidInput as exc:
            # A refused submission may still have raised an alert for a valid risk answer: leave
            # this block normally so that the alert is kept, then pass the refusal on.
            refused = exc
        else:
            if draft.declined:
                Response.objects.filter(pk=response.pk).update(declined_items=list(draft.declined))
            if closed.update(response=response) != 1:
                raise InvalidInput({"__all__": [_("This check-in has already been sent.")]})
    if refused is not None:
        raise refused
    # The alert the answers raised, or the open alert of the episode they joined (a C-SSRS after
    # a positive PHQ-9 item 9): its tier, raised by these answers or not, is what the client sees.
    risky = response.risk_level != "none" or response.risk_flags
    alert = alert_chain.alert_of_response(response) if risky else None
    follow_up = []
    if alert is not None:
        # Spec 3.1 and 3.2: a positive screen is followed by the C-SSRS screener.
        follow_up = list(scoring.score(draft.instrument, draft.answers).follow_up)
    return Submitted(response=response, tier=alert.tier if alert else "T0", follow_up=follow_up)


FOLLOW_UP_WITHIN = timedelta(days=7)  # a follow-up questionnaire still offered this long after


def follow_ups_of(response: Response) -> list[str]:
    """The follow-ups a response called for that are still unanswered (the C-SSRS screener after a
    positive PHQ-9 item 9), among the questionnaires a client fills in themselves."""
    left = []
    for instrument_id in measurement.follow_ups_left(response):
        try:
            client_instrument(instrument_id)
        except Http404:
            continue
        left.append(instrument_id)
    return left


def pending_follow_ups(client: Client) -> list:
    """Follow-up questionnaires that a recent check-in with an alert called for and that have not
    been answered since, newest call first."""
    since = timezone.now() - FOLLOW_UP_WITHIN
    recent = (
        Response.objects.filter(
            client=client,
            respondent=Respondent.CLIENT,
            entered_in_error_at__isnull=True,
            answered_at__gte=since,
            alert__isnull=False,
        )
        .order_by("-answered_at")
        .only("pk", "client_id", "instrument", "answers", "answered_at")
    )
    pending: list = []
    for response in recent:
        for instrument_id in follow_ups_of(response):
            if instrument_id not in [i.id for i in pending]:
                pending.append(instruments.get(instrument_id))
    return pending


@dataclass
class CheckIns:
    """The check-ins page: what is due, follow-ups asked for, drafts started, the other
    scheduled questionnaires, and the last few sent (titles and times only)."""

    client: Client
    due: list[Due]
    follow_ups: list
    started: list  # (instrument, draft)
    others: list
    sent: list[tuple[str, object]]  # (short title, answered at)


def my_check_ins(request) -> CheckIns:
    """The signed-in client's check-ins; opening the list is one audited read."""
    client = my_record(request)
    due = due_check_ins(client)
    due_ids = {d.schedule.instrument for d in due}
    follow_ups = [i for i in pending_follow_ups(client) if i.id not in due_ids]
    shown = due_ids | {i.id for i in follow_ups}
    started = [
        (instruments.get(d.instrument), d)
        for d in CheckInDraft.objects.filter(client=client, response__isnull=True).order_by("-updated_at")
        if d.instrument not in shown
    ]
    shown |= {i.id for i, _d in started}
    others = [
        instruments.get(s.instrument)
        for s in CheckInSchedule.objects.filter(client=client, active=True)
        if s.instrument not in shown
    ]
    sent = list(
        Response.objects.filter(client=client, respondent=Respondent.CLIENT, entered_in_error_at__isnull=True)
        .order_by("-answered_at")
        .only("instrument", "answered_at")[:5]
    )
    titles = {i.id: i.short_title for i in instruments.all_instruments()}
    trail.record(request, Action.READ, client=client, object_type="CheckIns", detail={"count": len(sent)})
    return CheckIns(
        client=client,
        due=due,
        follow_ups=follow_ups,
        started=started,
        others=others,
        sent=[(titles.get(r.instrument, r.instrument), r.answered_at) for r in sent],
    )


@dataclass
class CheckInResult:
    client: Client
    response: Response
    tier: str  # of the alert the answers raised; T0 without one
    follow_ups: list


def my_check_in_result(request, response_id: int) -> CheckInResult:
    """A check-in the client sent, read back to them (audited); 404 for anything else."""
    client = my_record(request)
    response = Response.objects.filter(
        client=client, pk=response_id, respondent=Respondent.CLIENT, entered_in_error_at__isnull=True
    ).first()
    if response is None:
        raise Http404("No such check-in")
    trail.record(request, Action.READ, client=client, obj=response)
    alert = alert_chain.alert_of_response(response)
    follow_ups = [instruments.get(i) for i in follow_ups_of(response)] if alert is not None else []
    return CheckInResult(client, response, alert.tier if alert is not None else "T0", follow_ups)


# --- "Since we last met" -----------------------------------------------------------------------


def _last_attended(course: Course):
    return (
        Session.objects.filter(course=course, status=SessionStatus.ATTENDED, entered_in_error_at__isnull=True)
        .order_by("-date", "-number")
        .first()
    )


def read_preparation(request, client: Client, course: Course | None) -> Preparation | None:
    """The notes for the coming session as the page opens: a read, even before there are any."""
    prep = current_preparation(client, course)
    opened(request, client, "Preparation", prep)
    return prep


def current_preparation(client: Client, course: Course | None = None) -> Preparation | None:
    """The notes for the coming session: written after the last attended session."""
    course = course if course is not None else measurement.current_course(client)
    if course is None:
        return None
    found = Preparation.objects.filter(course=course, entered_in_error_at__isnull=True)
    last = _last_attended(course)
    if last is not None:
        found = found.filter(created_at__date__gt=last.date)
    return found.order_by("-created_at").first()


def save_preparation(request, data: dict, version: int, *, share: bool = False) -> Preparation:
    """Save as the client types (version guards two tabs); `share` marks it sent."""
    client = my_record(request)
    course = measurement.current_course(client)
    if course is None:
        raise InvalidInput({"__all__": [_("Your course has not started yet.")]})
    values: dict[str, Any] = {}
    errors: dict[str, list] = {}
    for name in Preparation.TEXT_FIELDS:
        text = str(data.get(name, "") or "").strip()
        if len(text) > TEXT_LIMIT:
            errors[name] = [_("Keep this under 5,000 characters.")]
        values[name] = text
    mood: Any = data.get("mood_change")
    if mood in (None, ""):
        values["mood_change"] = None
    else:
        try:
            values["mood_change"] = int(mood)
        except (TypeError, ValueError):
            values["mood_change"] = "bad"
        if values["mood_change"] not in MoodChange.values:
            errors["mood_change"] = [_("Choose one of the answers.")]
    if errors:
        raise InvalidInput(errors)
    if share:
        values["shared_at"] = timezone.now()
    with transaction.atomic():
        current = current_preparation(client, course)
        if current is None:
            if version not in (0, None):
                raise EditConflict(None)
            prep = Preparation.objects.create(client=client, course=course, **values)
            trail.record(request, Action.CREATE, client=client, obj=prep)
        else:
            save_versioned(Preparation, current.pk, version, **values)
            prep = Preparation.objects.get(pk=current.pk)
            trail.record(request, Action.UPDATE, client=client, obj=prep, detail={"shared": share})
        alerts.screen_text(request, client, prep, [values[n] for n in Preparation.TEXT_FIELDS])
    return prep


def preparations_before(session: Session) -> list[Preparation]:
    """What the client wrote for this session: after the previous attended one, up to its day."""
    earlier = (
        Session.objects.filter(
            course_id=session.course_id,
            status=SessionStatus.ATTENDED,
            entered_in_error_at__isnull=True,
            number__lt=session.number,
        )
        .order_by("-number")
        .values_list("date", flat=True)
        .first()
    )
    found = Preparation.objects.filter(
        course_id=session.course_id, entered_in_error_at__isnull=True, created_at__date__lte=session.date
    )
    if earlier is not None:
        found = found.filter(created_at__date__gt=earlier)
    return list(found.order_by("created_at"))


# --- Between-session tasks ---------------------------------------------------------------------


def open_tasks(client: Client, course: Course | None = None) -> list[Session]:
    """Attended sessions of the current course with an agreed task, newest first."""
    course = course if course is not None else measurement.current_course(client)
    if course is None:
        return []
    return list(
        Session.objects.filter(course=course, status=SessionStatus.ATTENDED, entered_in_error_at__isnull=True)
        .exclude(between_session_task="")
        .select_related("task_report")
        .order_by("-number")
    )


def save_task_report(request, session_id: int, outcome: str, how_it_went: str, version: int) -> TaskReport:
    client = my_record(request)
    course = measurement.current_course(client)
    session = next((s for s in open_tasks(client, course) if s.pk == session_id), None)
    if session is None:
        raise Http404("No such task")
    errors = {}
    if outcome and outcome not in TaskOutcome.values:
        errors["outcome"] = [_("Choose one of the answers.")]
    how_it_went = (how_it_went or "").strip()
    if len(how_it_went) > TEXT_LIMIT:
        errors["how_it_went"] = [_("Keep this under 5,000 characters.")]
    if not outcome and not how_it_went:
        errors["__all__"] = [_("Say whether you did it, or how it went.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        report = TaskReport.objects.filter(session=session).first()
        if report is None:
            if version not in (0, None):
                raise EditConflict(None)
            report = TaskReport.objects.create(
                session=session, client=client, outcome=outcome, how_it_went=how_it_went
            )
            trail.record(request, Action.CREATE, client=client, obj=report)
        else:
            save_versioned(TaskReport, report.pk, version, outcome=outcome, how_it_went=how_it_went)
            report.refresh_from_db()
            trail.record(request, Action.UPDATE, client=client, obj=report)
        alerts.screen_text(request, client, report, [how_it_went])
    return report


# --- Home --------------------------------------------------------------------------------------


def home(request) -> dict:
    client = my_record(request)
    course = measurement.current_course(client)
    today = timezone.localdate()
    next_session, _last = _session_dates(course, today)
    tasks = open_tasks(client, course)
    task_due = tasks[0] if tasks and _no_report(tasks[0]) else None
    prep = current_preparation(client, course)
    trail.record(request, Action.READ, client=client, obj=client)
    return {
        "client": client,
        "follow_ups": pending_follow_ups(client),
        "course": course,
        "next_session": next_session,
        "due": due_check_ins(client, course, today),
        "preparation": prep,
        "preparation_due": course is not None
        and next_session is not None
        and (prep is None or prep.shared_at is None),
        "task_due": task_due,
    }


def _no_report(session: Session) -> bool:
    try:
        session.task_report  # noqa: B018 - reading the reverse one-to-one
    except TaskReport.DoesNotExist:
        return True
    return False
