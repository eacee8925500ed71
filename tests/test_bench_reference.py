"""The write path's reference (bench/reference/) is bare Django: one INSERT, none of Rapport's work."""

import json

from bench.reference.urls import record
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from rapport.clinic.models import Course, Response


def test_the_reference_is_one_insert_and_nothing_else(clinic):
    course = Course.objects.create(client=clinic.client, status="active")
    answers = {f"item{i}": "several_days" for i in range(1, 10)}
    body = json.dumps({"instrument": "phq9", "answers": answers, "session_number": 1})
    request = RequestFactory().post("/reference", body, "application/json")
    with CaptureQueriesContext(connection) as queries:
        answer = record(request, clinic.client.pk, course.pk, clinic.clinician.pk)
    assert answer.status_code == 201
    assert Response.objects.filter(pk=json.loads(answer.content)["id"], course=course).exists()
    # Not Rapport's post_save receiver rewriting the course's programme summary (eight queries more).
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
