"""One rule for what counts as a read in the portal (clinic/portal.opened): every page a client
opens that shows anything drawn from their record writes exactly one read row, even when there is
nothing in it yet; the learning pages (the product's own content) and redirects write none.
Every portal page is classified here, so a new one must say which it is."""

import pytest
from django.urls import get_resolver

from rapport.audit.models import Action, AuditEvent
from tests.test_read_audit import course  # noqa: F401 - the fixture

# Pages that show the client's record: (path, what the read row names).
READS = {
    "my_home": ("", "Client"),
    "my_help": ("help/", "SafetyPlan"),
    "my_check_ins": ("check-ins/", "CheckIns"),
    "my_check_in_question": ("check-ins/phq9/1/", "CheckInDraft"),
    "my_check_in_review": ("check-ins/phq9/review/", "CheckInDraft"),
    "my_preparation": ("since-we-last-met/", "Preparation"),
    "my_plan": ("plan/", "Plan"),
    "my_safety_plan": ("safety-plan/", "SafetyPlan"),
    "my_safety_plan_edit": ("safety-plan/edit/", "SafetyPlan"),
    "my_safety_plan_history": ("safety-plan/history/", "SafetyPlan"),
}
# The product's own content, redirects, and pages tested elsewhere or reached by POST only.
NO_READ = {"my_learn": "learn/", "my_check_in": "check-ins/phq9/"}
ELSEWHERE = {"my_check_in_result", "my_task", "my_learn_page", "my_data", "my_data_json"}


def portal_pages() -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) == "my/":
            names |= {p.name for p in pattern.url_patterns if p.name}
    return names


def test_every_portal_page_is_classified():
    assert portal_pages() - set(READS) - set(NO_READ) - ELSEWHERE == set()


@pytest.mark.parametrize("name", sorted(READS))
def test_a_portal_page_writes_one_read_even_when_empty(name, clinic, course, as_user):  # noqa: F811
    path, object_type = READS[name]
    response = as_user(clinic.client_user).get("/my/" + path)
    assert response.status_code == 200
    rows = list(AuditEvent.objects.filter(request_id=response["X-Request-ID"]))
    assert [(r.action, r.client_id, r.object_type) for r in rows] == [
        (Action.READ, clinic.client.pk, object_type)
    ]


@pytest.mark.parametrize("name", sorted(NO_READ))
def test_the_learning_pages_and_redirects_write_none(name, clinic, course, as_user):  # noqa: F811
    response = as_user(clinic.client_user).get("/my/" + NO_READ[name])
    assert response.status_code in (200, 302)
    assert not AuditEvent.objects.filter(request_id=response["X-Request-ID"]).exists()
