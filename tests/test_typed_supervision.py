"""The supervision services take typed values and check them themselves: called directly, with no
form in front, they refuse bad values keyed by the typed field names (an agreed action as
"actions.<n>.text", one client of a hand-over as "clients.<id>") and write nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rapport.accounts.models import Team, User
from rapport.audit.models import AuditEvent
from rapport.clinic.models import Client, Notification
from rapport.common.errors import InvalidInput
from rapport.supervision import reviews, service
from rapport.supervision.models import AgreedAction, CaseReview, ClientTransfer, Site
from tests.support import request_as

pytestmark = pytest.mark.django_db

NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."
REQUIRED = "This field is required."
DUE = timezone.localdate() + timedelta(days=3)


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as refused:
        call()
    return refused.value.errors


def a_review(clinic, **change) -> reviews.NewReview:
    values = {
        "held_on": date(2026, 3, 2),
        "client": clinic.client.pk,
        "clinician": None,
        "discussion": "Stuck in the initial phase.",
        "actions": [reviews.ActionItem("Finish the inventory", DUE)],
    }
    return reviews.NewReview(**{**values, **change})


def nothing_written() -> bool:
    return not (
        CaseReview.objects.exists()
        or AgreedAction.objects.exists()
        or Notification.objects.exists()
        or AuditEvent.objects.filter(object_type="CaseReview").exists()
    )


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"client": None}, {"client": ["Choose either a client or a clinician."]}),
        ({"clinician": 0}, {"client": ["Choose either a client or a clinician."]}),
        ({"discussion": "   "}, {"discussion": [REQUIRED]}),
        ({"held_on": None, "discussion": ""}, {"held_on": [REQUIRED], "discussion": [REQUIRED]}),
        ({"discussion": "A\x00B"}, {"discussion": ["Null characters are not allowed."]}),
        (
            {"actions": [reviews.ActionItem("Phone the GP", None)]},
            {"actions.1.due_on": ["Give the action a due date."]},
        ),
        (
            {"actions": [reviews.ActionItem("", None), reviews.ActionItem(" ", DUE)]},
            {"actions.2.text": ["Say what was agreed, or clear the date."]},
        ),
        (
            {"actions": [reviews.ActionItem("x" * 501, DUE)]},
            {"actions.1.text": ["Ensure this value has at most 500 characters (it has 501)."]},
        ),
    ],
)
def test_the_review_service_checks_a_typed_review(change, errors, clinic):
    given = a_review(clinic, **change)
    assert refusal(lambda: reviews.create(request_as(clinic.supervisor), given)) == errors
    assert nothing_written()


def test_a_supervisor_cannot_name_another_teams_client_or_clinician(clinic):
    other_client = a_review(clinic, client=clinic.other_client.pk)
    assert refusal(lambda: reviews.create(request_as(clinic.supervisor), other_client)) == {
        "client": [NOT_A_CHOICE]
    }
    other_clinician = a_review(clinic, client=None, clinician=clinic.other_clinician.pk)
    assert refusal(lambda: reviews.create(request_as(clinic.supervisor), other_clinician)) == {
        "clinician": [NOT_A_CHOICE]
    }
    assert nothing_written()


def test_blank_action_rows_are_no_actions(clinic):
    given = a_review(
        clinic, actions=[reviews.ActionItem("", None), reviews.ActionItem("  Phone the GP ", DUE)]
    )
    review = reviews.create(request_as(clinic.supervisor), given)
    assert [(a.text, a.due_on) for a in review.actions.all()] == [("Phone the GP", DUE)]


def test_an_edit_or_an_added_action_is_checked_and_changes_nothing_when_refused(clinic):
    review = reviews.create(request_as(clinic.supervisor), a_review(clinic))
    supervisor = request_as(clinic.supervisor)
    empty = reviews.ReviewText(date(2026, 3, 3), "")
    assert refusal(lambda: reviews.update(supervisor, review.pk, empty, 1)) == {"discussion": [REQUIRED]}
    assert CaseReview.objects.get(pk=review.pk).version == 1
    assert refusal(lambda: reviews.add_action(supervisor, review.pk, reviews.ActionItem("", None))) == {
        "text": [REQUIRED]
    }
    assert refusal(lambda: reviews.add_action(supervisor, review.pk, reviews.ActionItem("Call", None))) == {
        "due_on": ["Give the action a due date."]
    }
    assert review.actions.count() == 1


def test_the_review_page_shows_a_refusal_on_the_row_it_is_about(clinic, as_user):
    page = as_user(clinic.supervisor).post(
        "/supervision/reviews/new/",
        {
            "held_on": "2026-03-02",
            "client": str(clinic.client.pk),
            "discussion": "Stuck",
            "action_2": "Phone the GP",
        },
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert form.errors == {"due_2": ["Give the action a due date."]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"name": " "}, {"name": [REQUIRED]}),
        ({"name": "x" * 201}, {"name": ["Ensure this value has at most 200 characters (it has 201)."]}),
        (
            "clinician as supervisor",
            {"supervisors": ["Select a valid choice. {} is not one of the available choices."]},
        ),
        (
            "supervisor as member",
            {"members": ["Select a valid choice. {} is not one of the available choices."]},
        ),
    ],
)
def test_the_team_service_checks_a_typed_team(change, errors, clinic):
    given = service.TeamDetails("Team C", [clinic.supervisor.pk], [clinic.co_clinician.pk])
    if change == "clinician as supervisor":
        given = service.TeamDetails("Team C", [clinic.clinician.pk], [])
        errors = {"supervisors": [errors["supervisors"][0].format(clinic.clinician.pk)]}
    elif change == "supervisor as member":
        given = service.TeamDetails("Team C", [], [clinic.supervisor.pk])
        errors = {"members": [errors["members"][0].format(clinic.supervisor.pk)]}
    else:
        given = service.TeamDetails(**{**vars(given), **change})
    assert refusal(lambda: service.save_team(request_as(clinic.administrator), given)) == errors
    assert not Team.objects.filter(name="Team C").exists()
    assert not AuditEvent.objects.filter(object_type="Team").exists()


def test_an_inactive_clinician_joins_no_team_and_a_site_names_only_its_organisations_teams(clinic):
    User.objects.filter(pk=clinic.co_clinician.pk).update(is_active=False)
    admin = request_as(clinic.administrator)
    refused = refusal(
        lambda: service.save_team(admin, service.TeamDetails("Team C", [], [clinic.co_clinician.pk]))
    )
    assert list(refused) == ["members"]
    assert refusal(lambda: service.save_site(admin, service.SiteDetails("North", [999_999]))) == {
        "teams": ["Select a valid choice. 999999 is not one of the available choices."]
    }
    assert not Site.objects.exists()


def a_transfer(clinic, **change) -> service.Transfer:
    values = {"to_clinician": clinic.co_clinician.pk, "to_team": clinic.team_a.pk, "reason": "On leave"}
    return service.Transfer(**{**values, **change})


def nobody_moved(clinic) -> bool:
    client = Client.objects.get(pk=clinic.client.pk)
    return (
        client.responsible_clinician == clinic.clinician
        and client.version == 1
        and not ClientTransfer.objects.exists()
        and not Notification.objects.exists()
    )


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"reason": "  "}, {"reason": [REQUIRED]}),
        (
            {"to_clinician": None, "to_team": None, "reason": ""},
            {"to_clinician": [REQUIRED], "to_team": [REQUIRED], "reason": [REQUIRED]},
        ),
        (
            {"reason": "x" * 2001},
            {"reason": ["Ensure this value has at most 2000 characters (it has 2001)."]},
        ),
        ({"to_clinician": 999_999}, {"to_clinician": ["Choose an active clinician of your organisation."]}),
        ({"to_team": 999_999}, {"to_team": [NOT_A_CHOICE]}),
        ("supervisor", {"to_clinician": ["Choose an active clinician of your organisation."]}),
        ("same", {"to_clinician": ["This clinician is already responsible for the client."]}),
        ("other team", {"to_team": ["The new clinician is not a member of this team."]}),
    ],
)
def test_the_transfer_service_checks_a_typed_transfer(change, errors, clinic):
    if change == "supervisor":
        change = {"to_clinician": clinic.supervisor.pk}
    elif change == "same":
        change = {"to_clinician": clinic.clinician.pk}
    elif change == "other team":
        change = {"to_team": clinic.team_b.pk}
    given = a_transfer(clinic, **change)
    assert (
        refusal(lambda: service.transfer(request_as(clinic.administrator), clinic.client.pk, given, 1))
        == errors
    )
    assert nobody_moved(clinic)


@pytest.mark.parametrize(
    ("given", "errors"),
    [
        (
            lambda c: service.Handover(None, "Leaving"),
            {"to_clinician": ["Choose who takes over: one clinician for every client, or one for each."]},
        ),
        (
            lambda c: service.Handover(c.clinician.pk, "Leaving"),
            {"to_clinician": ["Choose someone who is staying."]},
        ),
        (lambda c: service.Handover(c.co_clinician.pk, ""), {"reason": [REQUIRED]}),
        (
            lambda c: service.Handover(c.co_clinician.pk, "Leaving", {c.other_client.pk: c.co_clinician.pk}),
            {"clients.{other}": ["Choose only clients this clinician holds."]},
        ),
        (
            lambda c: service.Handover(c.co_clinician.pk, "Leaving", {c.client.pk: c.supervisor.pk}),
            {"clients.{client}": ["Choose an active clinician of your organisation."]},
        ),
    ],
)
def test_the_hand_over_service_checks_a_typed_hand_over(given, errors, clinic):
    keys = {"other": clinic.other_client.pk, "client": clinic.client.pk}
    errors = {key.format(**keys): messages for key, messages in errors.items()}
    admin = request_as(clinic.administrator)
    assert (
        refusal(lambda: service.hand_over_and_deactivate(admin, clinic.clinician.pk, given(clinic))) == errors
    )
    assert nobody_moved(clinic)
    assert User.objects.get(pk=clinic.clinician.pk).is_active


def test_the_transfer_page_shows_every_refusal_at_once(clinic, as_user):
    page = as_user(clinic.administrator).post(
        f"/administration/clients/{clinic.client.pk}/transfer/", {"version": "1"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {
        "to_clinician": [REQUIRED],
        "to_team": [REQUIRED],
        "reason": [REQUIRED],
    }
    assert nobody_moved(clinic)
