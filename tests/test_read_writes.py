"""What a served read writes (#17 item 3): a page read writes its audit row, and the session only
when the activity it notes has moved by a thirtieth of the idle limit, so that reads do not take
the database's write lock twice; idle log-off still comes on time (tests/test_signin.py)."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_signin import sign_in


def session_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for q in captured if q["sql"].startswith("UPDATE") and "django_session" in q["sql"])


def test_a_page_read_saves_the_session_only_when_the_activity_moved_by_a_thirtieth_of_the_limit(
    clinic, client, settings
):
    settings.RAPPORT_STAFF_IDLE_SECONDS = 15 * 60  # a thirtieth: 30 s
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        client.get("/caseload/")
        traveller.shift(timedelta(seconds=20))
        assert session_writes(client, "/caseload/") == 0
        traveller.shift(timedelta(seconds=11))
        assert session_writes(client, "/caseload/") == 1
        traveller.shift(timedelta(seconds=5))
        assert session_writes(client, "/caseload/") == 0


def test_with_a_short_limit_every_read_notes_the_activity(clinic, client, settings):
    settings.RAPPORT_STAFF_IDLE_SECONDS = 20  # a thirtieth is under a second
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        client.get("/caseload/")
        for _ in range(3):
            traveller.shift(timedelta(seconds=15))
            assert session_writes(client, "/caseload/") == 1
