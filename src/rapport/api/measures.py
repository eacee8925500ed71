"""Instruments, questionnaire responses, change over the course, and risk alerts."""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.api.schemas import Problem, StrictIn
from rapport.clinic import measurement, rules
from rapport.clinic.models import Response
from rapport.core import instruments

router = Router(tags=["measures"])


class OptionOut(Schema):
    code: str
    label: str
    score: int | None


class ItemOut(Schema):
    id: str
    number: str
    text: str
    scored: bool
    optional: bool
    risk_item: bool
    options: list[OptionOut]


class BandOut(Schema):
    id: str
    label: str
    min: int
    max: int


class InstrumentSummary(Schema):
    id: str
    version: str
    title: str
    respondent: str


class InstrumentOut(InstrumentSummary):
    recall: str
    stem: str | None
    licence: str
    scoring_method: str
    items: list[ItemOut]
    bands: list[BandOut]


def _instrument_out(instrument) -> dict:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title,
        "respondent": instrument.respondent,
        "recall": instrument.recall.text,
        "stem": instrument.stem,
        "licence": instrument.licence.terms,
        "scoring_method": instrument.scoring.method,
        "items": [
            {
                "id": item.id,
                "number": item.number,
                "text": item.text,
                "scored": item.scored,
                "optional": item.optional,
                "risk_item": item.is_risk_item,
                "options": [{"code": o.code, "label": o.label, "score": o.score} for o in item.options],
            }
            for item in instrument.items
        ],
        "bands": [{"id": b.id, "label": b.label, "min": b.min, "max": b.max} for b in instrument.bands],
    }


class ResponseIn(StrictIn):
    instrument: str = Field(max_length=32, examples=["phq9"])
    answers: dict[str, str | None] = Field(description="item id to option code; leave an item out to skip it")
    # Bounded by the service (0 to 200), so that a page and the API word a wrong one alike.
    session_number: int | None = Field(None, description="0 to 200")


class ResponseOut(Schema):
    id: int
    instrument: str
    instrument_version: str
    answered_at: datetime
    respondent: str
    session_number: int | None
    answers: dict[str, str]
    complete: bool
    total: int | None
    band: str | None
    risk_flags: list[str]
    unanswered_risk_items: list[str]
    risk_level: str
    alert_id: int | None

    @staticmethod
    def resolve_band(obj, context) -> str | None:
        # Spec 5: a band is never shown to the client as if it were a diagnosis; their own
        # account gets the answers and the total, and the band stays with the clinician.
        request = context["request"] if context else None
        if request is not None and not request.user.has_perm("clinic.view_severity"):
            return None
        return obj.band or None

    @staticmethod
    def resolve_alert_id(obj, context) -> int | None:
        # Alerts are for clinical staff (as GET .../alerts): a client sees their answers, not the triage.
        request = context["request"] if context else None
        if request is not None and not rules.sees_risk_triage(request.user):
            return None
        alert = getattr(obj, "alert", None)
        if alert is not None:
            return alert.pk
        # A follow-up (the C-SSRS) that joined the open alert of its episode.
        trigger = getattr(obj, "alert_trigger", None)
        return trigger.alert_id if trigger is not None else None


class MeasureChangeOut(Schema):
    baseline: int | None
    latest: int | None
    change: int | None
    percent_change: float | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    not_on_track: bool | None


class AlertOut(Schema):
    id: int
    response_id: int | None
    tier: str
    risk_level: str
    reasons: list[str]
    status: str
    created_at: datetime


@router.get("/instruments", response=list[InstrumentSummary], summary="The questionnaires Rapport knows")
def list_instruments(request: HttpRequest):
    return [
        {"id": i.id, "version": i.version, "title": i.title, "respondent": i.respondent}
        for i in instruments.all_instruments()
    ]


@router.get(
    "/instruments/{instrument_id}", response={200: InstrumentOut, 404: Problem}, summary="One definition"
)
def get_instrument(request: HttpRequest, instrument_id: str):
    try:
        return _instrument_out(instruments.get(instrument_id))
    except instruments.UnknownInstrument:
        raise Http404("No such instrument") from None


@router.post(
    "/clients/{client_id}/responses",
    response={201: ResponseOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Record a questionnaire for a client",
)
def create_response(request: HttpRequest, client_id: int, payload: ResponseIn):
    response = measurement.record_response(
        request, client_id, payload.instrument, payload.answers, payload.session_number
    )
    # An alert raised with the response was created with it, which caches it on the response;
    # with none cached there is none, so answering alert_id needs no query.
    if not Response.alert.is_cached(response):
        Response.alert.related.set_cached_value(response, None)
    if not Response.alert_trigger.is_cached(response):
        Response.alert_trigger.related.set_cached_value(response, None)
    return Status(201, response)


@router.get(
    "/clients/{client_id}/responses",
    response={200: list[ResponseOut], 404: Problem},
    summary="A client's responses, oldest first",
)
def list_responses(request: HttpRequest, client_id: int, instrument: str | None = None):
    return measurement.list_responses(request, client_id, instrument)


@router.get(
    "/clients/{client_id}/outcomes",
    response={200: dict[str, MeasureChangeOut | bool | None], 404: Problem},
    summary="Change since baseline in the current course",
    description=(
        "Keyed by instrument id (phq9, gad7, ...), each with baseline, latest, change, percent_change, "
        "response, remission, reliable_improvement, reliable_deterioration and not_on_track; plus "
        "case_at_start, recovery and reliable_recovery (null where they cannot be computed yet)."
    ),
)
def get_outcomes(request: HttpRequest, client_id: int):
    return measurement.course_outcomes(request, client_id)


@router.get(
    "/clients/{client_id}/alerts",
    response={200: list[AlertOut], 404: Problem},
    summary="A client's risk alerts, newest first",
)
def list_alerts(request: HttpRequest, client_id: int):
    return measurement.list_alerts(request, client_id)
