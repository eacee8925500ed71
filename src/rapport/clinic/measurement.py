"""Questionnaire responses, their risk alerts and change over a course.

Scoring, risk rules and outcome rules live in the pure core (rapport.core); this module checks
access, stores what was answered with what the core computed, and writes the alert in the same
transaction as the response, so that a response never exists without its alert.
"""

from typing import Literal, overload

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import alert_chain, rules
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import Client, Course, Respondent, Response, RiskAlert
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.kept import outlive_refusal
from rapport.common.records import EnteredInError, deny, enter_in_error
from rapport.core import instruments, outcomes, scoring


@overload
def current_course(client, *, create: Literal[True], request=None) -> Course: ...
@overload
def current_course(client, *, create: bool = False, request=None) -> Course | None: ...
def current_course(client, *, create: bool = False, request=None) -> Course | None:
    """The client's current course (see Course.objects.current_first); a follow-up score after a
    course ended still belongs to it while no other course is open."""
    course = Course.objects.filter(client=client).current_first().first()
    if course is None and create:
        course = Course.objects.create(client=client)
        trail.record(request, Action.CREATE, client=client, obj=course)
    return course


def _instrument_for(user, instrument_id: str):
    try:
        instrument = instruments.get(instrument_id)
    except instruments.UnknownInstrument:
        raise InvalidInput(
            {"instrument": [_("There is no questionnaire called “%s”.") % instrument_id]}
        ) from None
    if rules.is_client_user(user) and (
        instrument.respondent == "clinician" or instrument.licence.wording == "descriptor"
    ):
        # Clinician-rated scales, and forms whose wording we may not show, are not for clients.
        raise InvalidInput({"instrument": [_("This questionnaire is filled in by a clinician.")]})
    return instrument


def record_response(
    request,
    client_id: int,
    instrument_id: str,
    answers: dict,
    session_number=None,
    answered_at=None,
    *,
    raised_already: RiskAlert | None = None,
) -> Response:
    """Score and store one questionnaire; `answered_at` back-dates a paper form (never the future).
    `raised_already`: the alert these same answers raised when an earlier send was refused (a group
    session, groups.capture): the response joins it instead of raising a second one, unless its
    risk is of a higher tier."""
    client = get_client_for(request, client_id, "clinic.record_response", audit=False)
    instrument = _instrument_for(request.user, instrument_id)
    if not isinstance(answers, dict) or not all(isinstance(k, str) for k in answers):
        raise InvalidInput({"answers": [_("Answers must map item ids to option codes.")]})
    try:
        result = scoring.score(instrument, answers)
    except scoring.InvalidAnswers as exc:
        raised = _alert_on_refused(request, client, instrument, answers)
        raise InvalidInput(
            {
                "answers": [
                    _("Item “%(item)s”: %(problem)s") % {"item": i, "problem": p} for i, p in exc.problems
                ]
            },
            kept=(_("The risk answer was judged on its own: an alert has been raised."),) if raised else (),
        ) from None
    if session_number is not None and not (isinstance(session_number, int) and 0 <= session_number <= 200):
        raise InvalidInput({"session_number": [_("The session number must be between 0 and 200.")]})
    if answered_at is not None and answered_at > timezone.now():
        raise InvalidInput({"answered_at": [_("A questionnaire cannot be answered in the future.")]})
    respondent = Respondent.CLIENT if rules.is_client_user(request.user) else Respondent.CLINICIAN
    with transaction.atomic():
        course = current_course(client, create=True, request=request)
        response = Response.objects.create(
            client=client,
            course=course,
            session_number=session_number,
            instrument=instrument.id,
            instrument_version=instrument.version,
            answered_by=request.user,
            respondent=respondent,
            answered_at=answered_at or timezone.now(),
            answers={k: v for k, v in answers.items() if v is not None},
            complete=result.complete,
            total=result.total,
            band=result.band or "",
            risk_flags=list(result.risk_flags),
            unanswered_risk_items=list(result.unanswered_risk_items),
            risk_level=result.risk_level,
        )
        trail.record(request, Action.CREATE, client=client, obj=response)
        if alert_chain.carries_risk(result) and not alert_chain.join_raised(
            request, raised_already, result, response
        ):
            alert_chain.raise_for_result(request, client, result, response=response)
    return response


def _alert_on_refused(request, client, instrument, answers: dict) -> bool:
    """A submission refused for a problem elsewhere still carries its valid risk answers: judge
    those alone, so that a typo in one item never hides a positive risk item."""
    result = alert_chain.risk_in_valid_answers(instrument, answers)
    if result is None:
        return False
    # Committed whatever becomes of the refused request, even under the API's idempotency
    # wrapper, which rolls a refused request back (common/kept.py).
    outlive_refusal(
        request,
        lambda: alert_chain.raise_for_result(request, client, result, why=("refused_submission",)),
    )
    return True


def list_responses(request, client_id: int, instrument_id: str | None = None) -> list[Response]:
    client = get_client_for(request, client_id, "clinic.view_responses", audit=False)
    responses = Response.objects.filter(client=client, entered_in_error_at__isnull=True)
    if instrument_id:
        responses = responses.filter(instrument=instrument_id)
    found = list(responses.select_related("alert", "alert_trigger").order_by("answered_at", "id"))
    trail.record(request, Action.READ, client=client, detail={"object_type": "Response", "count": len(found)})
    return found


def get_response(request, client_id: int, response_id: int) -> tuple[Client, Response]:
    client = get_client_for(request, client_id, "clinic.view_responses", audit=False)
    response = Response.objects.filter(
        client=client, pk=response_id, entered_in_error_at__isnull=True
    ).first()
    if response is None:
        deny(request, client_id=client.pk, detail={"object_type": "Response"})
    trail.record(request, Action.READ, client=client, obj=response)
    return client, response


def response_for_change(request, response_id: int) -> tuple[Client, Response]:
    """A response (live or already entered in error) and its client, for someone who may record
    responses for that client (the clinicians who see them, and the client themself); anyone
    else is answered as for a response that does not exist."""
    client_id = Response.objects.filter(pk=response_id).values_list("client_id", flat=True).first()
    if client_id is None:
        deny(request, detail={"object_type": "Response"})
    client = get_client_for(request, client_id, "clinic.record_response", audit=False)
    return client, Response.objects.get(pk=response_id)


def enter_response_in_error(
    request, client_id: int, response_id: int, given: EnteredInError, version: int
) -> Response:
    """Withdraw a response that should never have been recorded (the wrong client, the wrong
    form, answers mistyped); a correction is recorded as a new response. It leaves the scores,
    charts, outcomes and the programme's figures (rewritten in this transaction through
    record_changed: HAZ-280); any risk alert it raised stays open until a clinician closes it
    (HAZ-282). EditConflict when it is no longer at `version` (changed or withdrawn meanwhile).
    The FHIR update and the therapist's page both call this."""
    client = get_client_for(request, client_id, "clinic.record_response", audit=False)
    response = Response.objects.filter(client=client, pk=response_id).first()
    if response is None:
        deny(request, client_id=client.pk, detail={"object_type": "Response"})
    if not enter_in_error(request, response, given, client=client, version=version):
        raise EditConflict(Response.objects.get(pk=response.pk))
    return Response.objects.get(pk=response.pk)


def course_outcomes(request, client_id: int) -> dict:
    client = get_client_for(request, client_id, "clinic.view_responses", audit=False)
    course = current_course(client)
    trail.record(request, Action.READ, client=client, detail={"object_type": "Outcomes"})
    return summarise(course)


def summarise(course: Course | None, responses: list[Response] | None = None) -> dict:
    """Change since baseline for each scored instrument of the course (core outcome rules).

    `responses` (the course's, oldest first) saves a query when the caller has them already."""
    if course is None:
        return outcomes.summarise({}).as_dict()
    if responses is None:
        responses = list(
            Response.objects.filter(course=course, entered_in_error_at__isnull=True).order_by(
                "answered_at", "id"
            )
        )
    series: dict[str, list] = {}
    for r in responses:
        if r.total is not None:
            when = r.session_number if r.session_number is not None else r.answered_at.date()
            series.setdefault(r.instrument, []).append((when, r.total))
    try:
        return outcomes.summarise(series).as_dict()
    except outcomes.InvalidCourseData:
        # Mixed session numbers and dates: fall back to the order the scores were taken in.
        ordered = {k: [(i, total) for i, (_, total) in enumerate(v, start=1)] for k, v in series.items()}
        return outcomes.summarise(ordered).as_dict()


def list_alerts(request, client_id: int) -> list[RiskAlert]:
    client = get_client_for(request, client_id, "clinic.view_alerts", audit=False)
    alerts = list(RiskAlert.objects.filter(client=client).order_by("-created_at", "-id"))
    trail.record(
        request, Action.READ, client=client, detail={"object_type": "RiskAlert", "count": len(alerts)}
    )
    return alerts


def follow_ups_left(response: Response) -> list[str]:
    """The follow-up questionnaires a response's answers call for (spec 3.1 and 3.2: the C-SSRS
    screener after a positive PHQ-9 item 9 or EPDS item 10) that nobody has recorded for the
    client since. The stored response does not keep them, so they come from its stored answers
    by the same scoring that stored it."""
    try:
        wanted = scoring.score(response.instrument, response.answers).follow_up
    except (scoring.InvalidAnswers, instruments.UnknownInstrument):
        return []
    if not wanted:
        return []
    done = set(
        Response.objects.filter(
            client_id=response.client_id,
            instrument__in=wanted,
            entered_in_error_at__isnull=True,
            answered_at__gt=response.answered_at,
        ).values_list("instrument", flat=True)
    )
    return [i for i in wanted if i not in done]
