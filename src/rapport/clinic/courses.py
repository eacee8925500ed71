"""The course of IPT: its contract and its sessions. Every change checks access, validates
against the protocol data (rapport.core.protocol), refuses a stale edit, and is audited."""

import json
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
from rapport.clinic.models import Course, CourseStatus, Response, Session, SessionStatus
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
        self.fields["planned_sessions"].help_text = "; ".join(
            f"{v.name}: {sessions_text(v.sessions.min, v.sessions.max)}" for v in variants
        )
        # The page's script fills the same defaults as clean() does, as soon as the variant changes.
        self.fields["variant"].widget.attrs["data-defaults"] = json.dumps(
            {v.id: variant_defaults(v) for v in variants}
        )

    def clean(self):
        data = super().clean()
        variant = data.get("variant")
        if variant and "variant" in self.changed_data:
            self._fill_variant_defaults(data, protocol.get().variant(variant))
        planned = data.get("planned_sessions")
        if variant and planned is not None:
            allowed = protocol.get().variant(variant).sessions
            if not allowed.allows(planned):
                self.add_error(
                    "planned_sessions",
                    _("This variant plans %(sessions)s.")
                    % {"sessions": sessions_text(allowed.min, allowed.max)},
                )
        ended = data.get("status") == CourseStatus.ENDED
        if ended and not data.get("ending_reason"):
            self.add_error("ending_reason", _("Say how the course ended."))
        if not ended and data.get("ending_reason"):
            self.add_error("ending_reason", _("An ending reason belongs to a course that has ended."))
        for field in ("planned_end_on", "ended_on"):
            if data.get(field) and data.get("started_on") and data[field] < data["started_on"]:
                self.add_error(field, _("This date is before the start of the course."))
        return data

    def _fill_variant_defaults(self, data, variant) -> None:
        """A new variant brings its own session count, length and frequency, wherever the therapist
        left the field as it was; a value the therapist typed is kept (and checked)."""
        for name, value in variant_defaults(variant).items():
            if name not in self.changed_data and value is not None:
                data[name] = value


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


# [U] How far from the course's start a session date may sit, either way. The clinical spec sets no
# bound; this one only catches typing slips (year 1, 9999) and can be widened.
SESSION_DATE_SPAN = timedelta(days=2 * 366)


def session_date_problem(course: Course, day: date, number: int) -> str | None:
    """Why this date cannot be session `number`'s, or None: near the course's start, and in order
    with the sessions before and after it (sessions entered in error do not count)."""
    if abs(day - course.started_on) > SESSION_DATE_SPAN:
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

    def clean(self):
        data = super().clean()
        if data.get("phase_override") and not (data.get("phase_override_reason") or "").strip():
            self.add_error("phase_override_reason", _("Give the reason for overriding the phase."))
        return data


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


def update_contract(request, client_id: int, data, version: int) -> Course:
    client, course = course_for(request, client_id, "clinic.change_client", audit=False)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    form = ContractForm(data, instance=Course.objects.get(pk=course.pk))
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        values = {name: form.cleaned_data[name] for name in ContractForm.Meta.fields}
        save_versioned(Course, course.pk, version, **values)
        trail.record(request, Action.UPDATE, client=client, obj=course, detail={"fields": form.changed_data})
    return Course.objects.get(pk=course.pk)


def add_session(request, client_id: int, data) -> Session:
    client, course = course_for(request, client_id, "clinic.change_client", audit=False)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    form = NewSessionForm(data)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        # Lock the course row so that two clinicians adding a session at once get different numbers.
        course = Course.objects.select_for_update().get(pk=course.pk)
        last = course.sessions.order_by("-number").values_list("number", flat=True).first() or 0
        if problem := session_date_problem(course, form.cleaned_data["date"], last + 1):
            raise InvalidInput({"date": [problem]})
        session = Session.objects.create(course=course, number=last + 1, date=form.cleaned_data["date"])
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


def update_session(request, client_id: int, session_id: int, data, version: int) -> Session:
    client, session = get_session(request, client_id, session_id, "clinic.change_client")
    if session.course_id != cast(Course, current_course(client)).pk:
        raise InvalidInput(
            {"session": [str(_("This session belongs to an earlier course: it can be read, not changed."))]}
        )
    form = SessionForm(data, instance=Session.objects.get(pk=session.pk))
    if not form.is_valid():
        raise invalid(form)
    phase = form.cleaned_data["phase_override"] or phase_of(session)
    known_tasks = {t.id for t in session_tasks(session, phase)}
    known_techniques = {t.id for t in protocol.get().techniques}
    agenda = protocol.get().agenda(phase, session.course.variant)
    known_steps = {s.id for s in agenda.steps} if agenda else set()
    tasks = (
        [t for t in data.getlist("tasks_done")]
        if hasattr(data, "getlist")
        else list(data.get("tasks_done", []))
    )
    techniques = data.getlist("techniques") if hasattr(data, "getlist") else list(data.get("techniques", []))
    problems = {}
    if set(tasks) - known_tasks:
        problems["tasks_done"] = [str(_("Unknown task: %s")) % ", ".join(sorted(set(tasks) - known_tasks))]
    if set(techniques) - known_techniques:
        problems["techniques"] = [
            str(_("Unknown technique: %s")) % ", ".join(sorted(set(techniques) - known_techniques))
        ]
    goal_ratings = {}
    for goal in session.course.goals.filter(entered_in_error_at__isnull=True):
        raw = (data.get(f"goal_{goal.pk}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 0 <= int(raw) <= 10:
            problems[f"goal_{goal.pk}"] = [str(_("Rate progress toward a goal from 0 to 10."))]
        else:
            goal_ratings[str(goal.pk)] = int(raw)
    unknown_steps = sorted(
        k.removeprefix("step_")
        for k in data
        if k.startswith("step_") and k.removeprefix("step_") not in known_steps
    )
    if unknown_steps:
        problems["step_notes"] = [
            str(_("These are not steps of this session's agenda: %s")) % ", ".join(unknown_steps)
        ]
    if any("\x00" in (data.get(f"step_{step}") or "") for step in known_steps):
        problems["step_notes"] = [str(_("A note cannot contain a null character."))]
    if problem := session_date_problem(session.course, form.cleaned_data["date"], session.number):
        problems["date"] = [problem]
    if problems:
        raise InvalidInput(problems)
    step_notes = {
        step: (data.get(f"step_{step}") or "").strip()
        for step in known_steps
        if (data.get(f"step_{step}") or "").strip()
    }
    values = {name: form.cleaned_data[name] for name in SessionForm.Meta.fields}
    values.update(
        tasks_done=sorted(set(tasks)),
        techniques=sorted(set(techniques)),
        step_notes=step_notes,
        goal_ratings=goal_ratings,
        problem_area_progress=form.cleaned_data.get("problem_area_progress"),
    )
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
