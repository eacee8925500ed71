"""The course of IPT: its contract and its sessions. Every change checks access, validates
against the protocol data (rapport.core.protocol), refuses a stale edit, and is audited.

The services take typed values (Contract, a session's date, SessionNote) and check them here
(check_contract, check_session), so that a page and the API meet the same rules with the same
messages; the forms only read what a page posts."""

import json
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import standing
from rapport.clinic.client_records import get_client_for
from rapport.clinic.measurement import current_course, summarise
from rapport.clinic.models import (
    Client,
    Course,
    CourseFormat,
    CourseStatus,
    EndingReason,
    Response,
    Session,
    SessionStatus,
)
from rapport.common.checks import Problems
from rapport.common.errors import InvalidInput, invalid
from rapport.common.records import deny, save_versioned
from rapport.core import protocol

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "variant",
            "format",
            "status",
            "ending_reason",
            "started_on",
            "planned_end_on",
            "ended_on",
            "planned_sessions",
            "frequency",
            "session_minutes",
            "missed_session_policy",
            "late_cancel_hours",
            "late_cancel_counts",
            "no_show_counts",
            "contract_goals",
            "agreed_on",
        ]
        widgets = {
            "started_on": DATE_INPUT,
            "planned_end_on": DATE_INPUT,
            "ended_on": DATE_INPUT,
            "agreed_on": DATE_INPUT,
            "missed_session_policy": forms.Textarea(attrs={"rows": 2}),
            "contract_goals": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        variants = protocol.get().variants
        self.fields["variant"] = forms.ChoiceField(
            label=_("Variant"),
            choices=[(v.id, v.name) for v in variants],
            help_text=_("Choosing a variant fills in its planned sessions and session length."),
        )
        self.fields["late_cancel_hours"].required = False
        self.fields["planned_sessions"].help_text = "; ".join(
            f"{v.name}: {sessions_text(v.sessions.min, v.sessions.max)}" for v in variants
        )
        # The page's script fills the same defaults as clean() does, as soon as the variant changes.
        self.fields["variant"].widget.attrs["data-defaults"] = json.dumps(
            {v.id: variant_defaults(v) for v in variants}
        )

    # What a contract may say (the variant's sessions, the ending reason, dates in order) is
    # check_contract's to say, for the pages and the API alike.


@dataclass(frozen=True)
class Contract:
    """A course's contract as a page or the API gives it."""

    variant: str
    format: str
    status: str
    ending_reason: str
    started_on: date
    planned_end_on: date | None
    ended_on: date | None
    planned_sessions: int
    frequency: str
    session_minutes: int | None
    missed_session_policy: str
    contract_goals: str
    agreed_on: date | None
    # The missed-session policy's structured part ([U] defaults, see Course).
    late_cancel_hours: int = 24
    late_cancel_counts: bool = True
    no_show_counts: bool = True


CONTRACT_FIELDS = [f.name for f in fields(Contract)]
SMALL = 32767  # the largest a positive small integer column holds
LATE_CANCEL_MAX = 168


def contract_from(form: "ContractForm") -> Contract:
    """The typed contract a page's form read, or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    values = {name: form.cleaned_data[name] for name in CONTRACT_FIELDS}
    if values["late_cancel_hours"] is None:
        # Left out of what was posted: the window stays as it is.
        values["late_cancel_hours"] = form.instance.late_cancel_hours
    return Contract(**values)


def check_contract(given: Contract, course: Course) -> Contract:
    """The contract as it will be stored, or InvalidInput keyed by its fields. A new variant brings
    its own session count, length and frequency wherever the field was left as it was; a value
    the therapist changed is kept (and checked)."""
    spec = protocol.get()
    problems = Problems()
    variant = problems.choice("variant", given.variant, [v.id for v in spec.variants])
    problems.choice("format", given.format, CourseFormat.values)
    problems.choice("status", given.status, CourseStatus.values)
    problems.choice("ending_reason", given.ending_reason, ["", *EndingReason.values])
    checked = replace(
        given,
        frequency=problems.text("frequency", given.frequency, limit=40),
        missed_session_policy=problems.text("missed_session_policy", given.missed_session_policy),
        contract_goals=problems.text("contract_goals", given.contract_goals),
    )
    if "variant" not in problems and variant != course.variant:
        for name, value in variant_defaults(spec.variant(variant)).items():
            if value is not None and getattr(checked, name) == getattr(course, name):
                checked = replace(checked, **{name: value})
    problems.whole("planned_sessions", checked.planned_sessions, 0, SMALL)
    problems.whole("session_minutes", checked.session_minutes, 0, SMALL)
    # A week: a longer window would make almost every cancellation late.
    problems.whole("late_cancel_hours", checked.late_cancel_hours, 0, LATE_CANCEL_MAX)
    if "variant" not in problems and "planned_sessions" not in problems:
        allowed = spec.variant(variant).sessions
        if not allowed.allows(checked.planned_sessions):
            problems.add(
                "planned_sessions",
                _("This variant plans %(sessions)s.") % {"sessions": sessions_text(allowed.min, allowed.max)},
            )
    if "status" not in problems and "ending_reason" not in problems:
        ended = checked.status == CourseStatus.ENDED
        if ended and not checked.ending_reason:
            problems.add("ending_reason", _("Say how the course ended."))
        if not ended and checked.ending_reason:
            problems.add("ending_reason", _("An ending reason belongs to a course that has ended."))
    for name in ("planned_end_on", "ended_on"):
        day = getattr(checked, name)
        if day and day < checked.started_on:
            problems.add(name, _("This date is before the start of the course."))
    problems.raise_any()
    return checked


def variant_defaults(variant) -> dict:
    """The contract values a variant brings; None where the contract must state its own."""
    return {
        "planned_sessions": variant.sessions.default,
        "session_minutes": variant.session_minutes.default,
        "frequency": variant.frequency.default.replace("_", " "),
    }


def sessions_text(low: int, high: int) -> str:
    """ "12 sessions" for a fixed number, "12 to 16 sessions" for a range."""
    if low == high:
        return str(ngettext("%(n)s session", "%(n)s sessions", low) % {"n": low})
    return str(_("%(min)s to %(max)s sessions") % {"min": low, "max": high})


def suggested_variant(client, on: date) -> dict | None:
    """A variant whose age range fits the client better than an adult one, with the reason; only ever
    a suggestion, the therapist chooses. The range reads as from `min` up to, not including, `max`
    (IPT-A: 12 to 17 years, so a client under 18)."""
    age = client.age_on(on)
    for variant in protocol.get().variants:
        if variant.ages and variant.ages[0] <= age < variant.ages[1]:
            reason = _(
                "%(name)s is %(age)s on the contract date; %(variant)s is for ages %(min)s to %(max)s."
            ) % {
                "name": client.display_name,
                "age": age,
                "variant": variant.name,
                "min": variant.ages[0],
                "max": variant.ages[1],
            }
            return {"variant": variant, "age": age, "reason": reason}
    return None


class NewSessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)


@dataclass(frozen=True)
class SessionNote:
    """A session's record as a page or the API gives it: protocol ids for tasks, techniques and
    agenda steps, goal ids (as text) for the ratings."""

    date: date
    status: str
    phase_override: str
    phase_override_reason: str
    tasks_done: list[str]
    techniques: list[str]
    step_notes: dict[str, str]
    problem_area_progress: int | None
    between_session_task: str
    task_review: str
    goal_ratings: dict[str, int]
    note: str


GOAL_RATING = _("Rate progress toward a goal from 0 to 10.")


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "date",
            "status",
            "phase_override",
            "phase_override_reason",
            "task_review",
            "between_session_task",
            "note",
        ]
        widgets = {
            "date": DATE_INPUT,
            "phase_override_reason": forms.Textarea(attrs={"rows": 2}),
            "between_session_task": forms.Textarea(attrs={"rows": 2}),
            "task_review": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 5}),
        }

    problem_area_progress = forms.IntegerField(
        label=_("Progress on the problem area (0 to 10)"), min_value=0, max_value=10, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase_override"] = forms.ChoiceField(
            label=_("Phase (only to override the derived one)"),
            choices=[("", _("As derived from the session number"))]
            + [(p.id, p.name) for p in protocol.get().phases],
            required=False,
        )
        if self.instance.pk:
            self.fields["problem_area_progress"].initial = self.instance.problem_area_progress

    # The reason an override needs, and what the lists may hold, are check_session's to say.


# [U] How far from the course's start a session date may sit, either way. The clinical spec sets no
# bound; this one only catches typing slips (year 1, 9999) and can be widened.
SESSION_DATE_SPAN = timedelta(days=2 * 366)


def session_date_problem(course: Course, day: date, number: int) -> str | None:
    """Why this date cannot be session `number`'s, or None: near the course's start, and in order
    with the sessions before and after it (sessions entered in error do not count)."""
    if course.started_on and abs(day - course.started_on) > SESSION_DATE_SPAN:
        return str(
            _("A session date must be within two years of the course's start (%(start)s).")
            % {"start": course.started_on.isoformat()}
        )
    kept = course.sessions.filter(entered_in_error_at__isnull=True)
    before = kept.filter(number__lt=number).order_by("-number").values_list("date", flat=True).first()
    after = kept.filter(number__gt=number).order_by("number").values_list("date", flat=True).first()
    if before is not None and day < before:
        return str(_("Sessions are in order: this date is before the previous session's (%(day)s).")) % {
            "day": before.isoformat()
        }
    if after is not None and day > after:
        return str(_("Sessions are in order: this date is after the next session's (%(day)s).")) % {
            "day": after.isoformat()
        }
    return None


def check_session(given: SessionNote, session: Session) -> SessionNote:
    """The session's record as it will be stored (text trimmed, empty step notes left out, lists
    sorted), or InvalidInput keyed by its fields ("step_notes.<step>", "goal_ratings.<goal id>").
    Tasks and agenda steps are those of the session's phase, overridden or derived."""
    spec = protocol.get()
    problems = Problems()
    problems.choice("status", given.status, SessionStatus.values)
    override = problems.choice("phase_override", given.phase_override, ["", *spec.phases_by_id])
    reason = problems.text("phase_override_reason", given.phase_override_reason)
    task = problems.text("between_session_task", given.between_session_task)
    review = problems.text("task_review", given.task_review)
    note = problems.text("note", given.note)
    if override and "phase_override" not in problems and not reason:
        problems.add("phase_override_reason", _("Give the reason for overriding the phase."))
    problems.whole("problem_area_progress", given.problem_area_progress, 0, 10)
    if date_problem := session_date_problem(session.course, given.date, session.number):
        problems.add("date", date_problem)
    phase = (override if "phase_override" not in problems else "") or phase_of(session)
    unknown = set(given.tasks_done) - {t.id for t in session_tasks(session, phase)}
    if unknown:
        problems.add("tasks_done", _("Unknown task: %s") % ", ".join(sorted(unknown)))
    unknown = set(given.techniques) - {t.id for t in spec.techniques}
    if unknown:
        problems.add("techniques", _("Unknown technique: %s") % ", ".join(sorted(unknown)))
    agenda = spec.agenda(phase, session.course.variant)
    steps = {s.id for s in agenda.steps} if agenda else set()
    step_notes = {}
    for step, text in given.step_notes.items():
        if step not in steps:
            problems.add(f"step_notes.{step}", _("Not a step of this session's agenda."))
        elif text := problems.text(f"step_notes.{step}", text):
            step_notes[step] = text
    goals = {
        str(pk)
        for pk in session.course.goals.filter(entered_in_error_at__isnull=True).values_list("pk", flat=True)
    }
    ratings = {}
    for goal, rating in given.goal_ratings.items():
        if goal not in goals:
            continue  # a goal entered in error since: its rating is dropped, as the page drops it
        if not 0 <= rating <= 10:
            problems.add(f"goal_ratings.{goal}", GOAL_RATING)
        else:
            ratings[goal] = rating
    problems.raise_any()
    return replace(
        given,
        phase_override_reason=reason,
        between_session_task=task,
        task_review=review,
        note=note,
        tasks_done=sorted(set(given.tasks_done)),
        techniques=sorted(set(given.techniques)),
        step_notes=step_notes,
        goal_ratings=ratings,
    )


def position_of(course: Course, number: int):
    try:
        return protocol.position(number, course.planned_sessions, course.variant)
    except protocol.InvalidSession:
        return None


def phase_of(session: Session) -> str:
    if session.phase_override:
        return session.phase_override
    found = position_of(session.course, session.number)
    return found.phase if found else "middle"


def course_for(request, client_id: int, perm: str = "clinic.view_client", *, audit: bool = True):
    client = get_client_for(request, client_id, perm, audit=audit)
    return client, current_course(client)


def course_by_id(request, client_id: int, course_id: int) -> tuple[Client, Course, Course | None]:
    """One course of the client by its id (an earlier one as well as the current), and the
    client's current course. A course of another client, or one entered in error, is 404 like a
    missing one. The read of an earlier course is audited here; the current course is read on
    its own page, which audits it."""
    client = get_client_for(request, client_id, audit=False)
    course = Course.objects.filter(pk=course_id, client=client, entered_in_error_at__isnull=True).first()
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course", "course": course_id})
    current = current_course(client)
    if current is None or current.pk != course.pk:
        trail.record(request, Action.READ, client=client, obj=course)
    return client, course, current


def course_for_print(request, client_id: int):
    """The current course for its printable summary; printing is audited (a course not yet
    started prints nothing, so writes nothing)."""
    client, course = course_for(request, client_id, audit=False)
    if course is not None:
        trail.record(request, Action.PRINT, client=client, obj=course)
    return client, course


def start_course(request, client_id: int) -> Course:
    """The client's first course, or a new one after the last has ended (a client can have
    several courses over time); never a second open course."""
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    with transaction.atomic():
        course = current_course(client)
        if course is not None and course.status != CourseStatus.ENDED:
            raise InvalidInput({"course": [str(_("This client already has an open course."))]})
        course = Course.objects.create(client=client)
        trail.record(request, Action.CREATE, client=client, obj=course)
    return course


def update_contract(request, client_id: int, given: Contract, version: int) -> Course:
    client, course = course_for(request, client_id, "clinic.change_client", audit=False)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    course = Course.objects.get(pk=course.pk)
    checked = check_contract(given, course)
    values = {name: getattr(checked, name) for name in CONTRACT_FIELDS}
    changed = [name for name in CONTRACT_FIELDS if getattr(course, name) != values[name]]
    with transaction.atomic():
        save_versioned(Course, course.pk, version, **values)
        trail.record(request, Action.UPDATE, client=client, obj=course, detail={"fields": changed})
    return Course.objects.get(pk=course.pk)


def add_session(request, client_id: int, on: date) -> Session:
    """The course's next session, on the date given."""
    client, course = course_for(request, client_id, "clinic.change_client", audit=False)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    with transaction.atomic():
        # Lock the course row so that two clinicians adding a session at once get different numbers.
        course = Course.objects.select_for_update().get(pk=course.pk)
        last = course.sessions.order_by("-number").values_list("number", flat=True).first() or 0
        if problem := session_date_problem(course, on, last + 1):
            raise InvalidInput({"date": [problem]})
        session = Session.objects.create(course=course, number=last + 1, date=on)
        trail.record(request, Action.CREATE, client=client, obj=session)
    return session


def get_session(
    request, client_id: int, session_id: int, perm: str = "clinic.view_client", *, audit: bool = False
):
    client = get_client_for(request, client_id, perm, audit=False)
    session = (
        Session.objects.select_related("course")
        .filter(pk=session_id, course__client=client, entered_in_error_at__isnull=True)
        .first()
    )
    if session is None:
        deny(request, client_id=client.pk, detail={"object_type": "Session"})
    if audit:
        trail.record(request, Action.READ, client=client, obj=session)
    return client, session


def update_session(request, client_id: int, session_id: int, given: SessionNote, version: int) -> Session:
    client, session = get_session(request, client_id, session_id, "clinic.change_client")
    if session.course_id != cast(Course, current_course(client)).pk:
        raise InvalidInput(
            {"session": [str(_("This session belongs to an earlier course: it can be read, not changed."))]}
        )
    checked = check_session(given, session)
    values = {f.name: getattr(checked, f.name) for f in fields(SessionNote)}
    with transaction.atomic():
        save_versioned(Session, session.pk, version, **values)
        trail.record(request, Action.UPDATE, client=client, obj=session)
    return Session.objects.get(pk=session.pk)


def course_overview(course: Course) -> dict:
    """Session N of M and whether to raise the ending, from the sessions held so far."""
    sessions = list(course.sessions.filter(entered_in_error_at__isnull=True).order_by("number"))
    held = [s for s in sessions if s.status == SessionStatus.ATTENDED]
    reached = held[-1].number if held else 0
    current = position_of(course, reached) if reached else None
    nxt = position_of(course, reached + 1)
    is_open = course.status != CourseStatus.ENDED
    joint = joint_sessions_of(course)
    return {
        "sessions": [(s, phase_of(s), joint.get(s.number)) for s in sessions],
        "joint_sessions": sorted(joint.items()),
        "attended": len(held),
        "reached": reached,
        "position": current,
        "next_position": nxt,
        "sessions_left": max(course.planned_sessions - reached, 0),
        # The ending is raised before the sessions that are left, never after the last one is held.
        "termination_due": bool(nxt and nxt.termination_due and not nxt.beyond_contract and is_open),
        "first_reminder": bool(nxt and current and nxt.termination_due and not current.termination_due),
        "contract_complete": bool(reached and reached >= course.planned_sessions and is_open),
    }


def session_tasks(session: Session, phase: str) -> list:
    """The phase's checklist, and the mid-course review on its session (spec 2.9): the review is
    recorded by ticking it, like the protocol's tasks."""
    tasks: list[Any] = list(protocol.get().tasks(phase, session.course.variant))
    if session.number == standing.review_session(session.course):
        tasks.append(standing.review_task())
    return tasks


def joint_sessions_of(course: Course) -> dict:
    """Session number to the task of a session the parent or caregiver joins (IPT-A)."""
    try:
        return protocol.joint_sessions(course.planned_sessions, course.variant)
    except (protocol.InvalidSession, protocol.UnknownProtocolItem):
        return {}


def measures_at(session: Session) -> dict:
    """The course's outcomes as they stood at this session: the scores filed under this session or
    an earlier one (or, without a session number, taken by its date), so that an old session's page
    never shows today's scores. `here` names the instruments scored at this very session."""
    responses = Response.objects.filter(course=session.course, entered_in_error_at__isnull=True).order_by(
        "answered_at", "id"
    )
    upto, here = [], set()
    for r in responses:
        if r.session_number is not None:
            if r.session_number > session.number:
                continue
            if r.session_number == session.number:
                here.add(r.instrument)
        else:
            day = timezone.localdate(r.answered_at)
            if day > session.date:
                continue
            if day == session.date:
                here.add(r.instrument)
        upto.append(r)
    return {"outcomes": summarise(session.course, upto), "scored_here": here}


def session_context(session: Session) -> dict:
    phase = phase_of(session)
    spec = protocol.get()
    agenda = spec.agenda(phase, session.course.variant)
    previous = (
        Session.objects.filter(
            course=session.course, number__lt=session.number, entered_in_error_at__isnull=True
        )
        .exclude(between_session_task="")
        .order_by("-number")
        .first()
    )
    return {
        "goals": [
            (goal, session.goal_ratings.get(str(goal.pk)))
            for goal in session.course.goals.filter(entered_in_error_at__isnull=True)
        ]
        if phase in ("middle", "maintenance")
        else [],
        "previous_task": previous,
        "phase": spec.phase(phase),
        "position": position_of(session.course, session.number),
        "tasks": session_tasks(session, phase),
        "agenda": agenda,
        "techniques": spec.techniques if phase in ("middle", "maintenance") else (),
    }
