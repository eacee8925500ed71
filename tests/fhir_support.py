"""Helpers the FHIR tests share: a course with sessions, goals and responses, and a QR built
from codes alone (never from our own mapping code)."""

from datetime import date, timedelta

from django.utils import timezone

from rapport.clinic import measurement
from rapport.clinic.models import Course, Goal, Session
from rapport.core import instruments
from tests.support import request_as

LOINC = "http://loinc.org"


def a_course(clinic, *, sessions: int = 4, responses: int = 3) -> Course:
    client = clinic.client
    course = Course.objects.create(client=client, status="active", started_on=date(2026, 3, 1))
    for number in range(1, sessions + 1):
        Session.objects.create(
            course=course,
            number=number,
            date=date(2026, 3, 1) + timedelta(weeks=number - 1),
            status="attended",
            between_session_task=f"Call a friend, week {number}",
        )
    Goal.objects.create(course=course, problem_area="grief", text="Talk about my mother", order=1)
    request = request_as(clinic.clinician)
    scores = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]
    for i in range(responses):
        answers = {f"item{n}": scores[(n + i) % 4] for n in range(1, 9)} | {"item9": "not_at_all"}
        measurement.record_response(
            request,
            client.pk,
            "phq9",
            answers,
            session_number=min(i + 1, sessions),
            answered_at=timezone.now() - timedelta(days=30 - i),
        )
    return course


def phq9_qr(client_pk: int, codes_by_item: dict[int, str], *, version: str = "1.0", base: str = "") -> dict:
    """A PHQ-9 QuestionnaireResponse from LOINC codes, as another system would send it."""
    item_codes = [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{base}/Questionnaire/phq9|{version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{client_pk}"},
        "authored": "2026-11-30T10:00:00+00:00",
        "item": [
            {
                "linkId": f"item{n}",
                "code": [{"system": LOINC, "code": item_codes[n - 1]}],
                "answer": [{"valueCoding": {"system": LOINC, "code": code, "display": "Ein paar Tage"}}],
            }
            for n, code in codes_by_item.items()
        ],
    }


def canonical_base() -> str:
    from django.conf import settings

    return settings.RAPPORT_FHIR_CANONICAL_BASE


def instrument(name: str):
    return instruments.get(name)
