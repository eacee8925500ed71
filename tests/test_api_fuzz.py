"""The OpenAPI schema, fuzzed: no server error and no response that breaks the schema.

schemathesis generates requests (valid and invalid) for every operation and sends them to the
application in-process, signed in with a clinician's token; examples are bounded per operation.
"""

import io

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from tests.personas import make_clinic

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    # Django's test client does the same: a real request ends by closing a connection that is
    # inside a transaction, which would end the test's own transaction on PostgreSQL.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    clinic = make_clinic()
    out = io.StringIO()
    call_command("issue_token", clinic.clinician.email, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_the_api_answers_every_generated_request_within_its_schema(operation, token):
    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def fuzz(case):
        # A schema-valid body may still be refused (a team the caller is not in): that is a 422,
        # not a fault, so positive-data acceptance is not checked.
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[schemathesis.checks.positive_data_acceptance],
        )

    fuzz()
