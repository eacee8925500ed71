"""Everything Rapport holds about a client, for the client themselves (the right of access): one
readable page and one JSON file built from the same sections.

Each kind of record is a section registered here with `@section(key, title)`: a function from
the request and the client to a list of items, each a mapping of plain labels to plain values
(text, numbers, dates, lists). The page and the file lay sections out without knowing what they
hold, so a later record kind (messages, appointments) adds itself by registering a section in its
own module, imported by its app's ready(). Building the copy is one audited export.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import plan as plans
from rapport.clinic import portal
from rapport.clinic.models import Client, Response, SafetyPlan, Session
from rapport.core import instruments
from rapport.core import safety_plan as safety_template

Item = dict[str, object]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    collect: Callable[..., list[Item]]


SECTIONS: dict[str, Section] = {}


def section(key: str, title: str):
    """Register a kind of record in the client's copy (in the order registered)."""

    def register(collect: Callable[..., list[Item]]):
        SECTIONS[key] = Section(key, title, collect)
        return collect

    return register


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class MyData:
    client: Client
    made_at: datetime
    sections: list[tuple[Section, list[Item]]]

    def as_json(self) -> dict:
        return {
            "format": "rapport-my-data-1",
            "made_at": _plain(self.made_at),
            "sections": {
                s.key: {"title": s.title, "items": [{k: _plain(v) for k, v in i.items()} for i in items]}
                for s, items in self.sections
            },
        }

    def for_page(self) -> list[tuple[Section, list[list[tuple[str, str, object]]]]]:
        """Each value as ("none", None), ("list", [text]) or ("text", text), for the page."""

        def shown(value):
            if value is None or value == "" or value == []:
                return "none", None
            if isinstance(value, list | tuple):
                return "list", [str(_plain(v)) for v in value]
            return "text", str(_plain(value))

        return [
            (s, [[(label, *shown(value)) for label, value in item.items()] for item in items])
            for s, items in self.sections
        ]


def my_data(request, *, as_file: bool) -> MyData:
    """The signed-in client's copy of everything held about them; making it is one export row."""
    client = portal.my_record(request)
    found = [(s, s.collect(request, client)) for s in SECTIONS.values()]
    trail.record(
        request,
        Action.EXPORT,
        client=client,
        obj=client,
        detail={"format": "json" if as_file else "html", "sections": list(SECTIONS)},
    )
    return MyData(client=client, made_at=timezone.now(), sections=found)


# --- The record kinds held now ------------------------------------------------------------------


@section("record", "Your details")
def _record(request, client: Client) -> list[Item]:
    return [
        {
            "Full name": client.full_name,
            "Preferred name": client.preferred_name,
            "Date of birth": client.date_of_birth,
            "Language": client.get_language_display(),
            "Country": str(client.country.name) if client.country else "",
            "Time zone": client.time_zone,
            "Clinic": client.organisation.name,
            "Your clinician": client.responsible_clinician.full_name if client.responsible_clinician else "",
            "Record made": client.created_at,
        }
    ]


@section("responses", "Your questionnaires")
def _responses(request, client: Client) -> list[Item]:
    found = []
    for r in Response.objects.filter(client=client, entered_in_error_at__isnull=True).order_by("answered_at"):
        try:
            definition = instruments.get(r.instrument)
            name = definition.title
            texts = {item.id: item.text for item in definition.items}
            labels = {(i.id, o.code): o.label for i in definition.items for o in i.options}
        except Exception:  # an instrument retired since: its answers are still the client's
            name, texts, labels = r.instrument, {}, {}
        found.append(
            {
                "Questionnaire": name,
                "Answered": r.answered_at,
                "Answered by": r.get_respondent_display(),
                "Complete": "yes" if r.complete else "no",
                "Total score": r.total,
                # [U] The stored severity band, which the check-in result page does not show.
                "Band": r.band,
                "Answers": [f"{texts.get(k, k)}: {labels.get((k, v), v)}" for k, v in r.answers.items()],
                "Chose not to answer": [texts.get(k, k) for k in r.declined_items],
            }
        )
    return found


@section("plan", "Your plan")
def _plan(request, client: Client) -> list[Item]:
    plan = plans.my_plan(request, client, audit=False)
    if plan.course is None:
        return []
    course = plan.course
    sessions = Session.objects.filter(course=course, entered_in_error_at__isnull=True).order_by("number")
    return [
        {
            "Course started": course.started_on,
            "Sessions planned": course.planned_sessions,
            "Sessions attended": plan.attended,
            "Problem areas": plan.areas,
            "Goals": [g.text for g in plan.goals],
            "Sessions": [f"{s.number}: {s.date.isoformat()} ({s.get_status_display()})" for s in sessions],
            "Tasks agreed": [s.between_session_task for s in plan.tasks],
        }
    ]


@section("safety_plan", "Your safety plan")
def _safety_plan(request, client: Client) -> list[Item]:
    found = SafetyPlan.objects.filter(client=client).first()
    if found is None:
        return []
    item: Item = {}
    for part in safety_template.template().sections:
        item[part.title] = [
            " — ".join(str(v) for v in (row.get("text"), row.get("phone"), row.get("available_hours")) if v)
            for row in found.sections.get(part.id, [])
        ]
    item["Last changed"] = found.updated_at
    item["Last reviewed with your clinician"] = found.last_reviewed_with_clinician_at
    return [item]
