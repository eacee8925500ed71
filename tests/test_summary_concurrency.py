"""Two responses for one course at once (PostgreSQL): the course's programme summary is rewritten
by both, one after the other, and neither write fails. Without the course lock the second
transaction deleted nothing (the first had replaced the row meanwhile) and then inserted a second
summary for the course: an IntegrityError, a 500 for a response the client had sent."""

import threading

import pytest
from django.db import connection, connections, transaction

from rapport.clinic import measurement
from rapport.clinic.models import Course, Response, Session
from rapport.programme.models import CourseSummary
from tests.personas import make_clinic
from tests.support import request_as

ANSWERS = {f"item{n}": "several_days" for n in range(1, 10)} | {"item9": "not_at_all"}


@pytest.mark.django_db(transaction=True)
def test_two_responses_for_one_course_at_once_both_store_and_one_summary_remains():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one write at a time: no race to lose")
    clinic = make_clinic()
    course = Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")
    Session.objects.create(course=course, number=1, date="2026-01-12", status="attended")
    first_written = threading.Event()
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                measurement.record_response(request_as(clinic.clinician), clinic.client.pk, "phq9", ANSWERS)
                first_written.set()
                # Hold the transaction open while the second write starts and reaches the summary.
                threading.Event().wait(1.0)
        except BaseException as error:
            errors.append(error)
            first_written.set()
        finally:
            connections.close_all()

    def second():
        first_written.wait(10)
        try:
            measurement.record_response(request_as(clinic.clinician), clinic.client.pk, "phq9", ANSWERS)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Response.objects.filter(course=course).count() == 2
    assert CourseSummary.objects.filter(course=course).count() == 1
