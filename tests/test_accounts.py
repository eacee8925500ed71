"""An administrator adds and deactivates staff accounts, and reads no clinical record doing it."""

import re

from django.core import mail

from rapport.accounts.models import User
from rapport.audit.models import Action, AuditEvent

NEW = {
    "full_name": "Lara Newstaff",
    "email": "Lara@Test.Rapport",
    "role": "clinician",
    "clinician_title": "Lay counsellor",
}


def test_an_administrator_adds_a_clinician_who_gets_a_link_to_choose_a_password(
    clinic, as_user, django_capture_on_commit_callbacks
):
    client = as_user(clinic.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/administration/accounts/new/", {**NEW, "teams": [clinic.team_a.pk]})
    assert response.status_code == 302
    user = User.objects.get(email="lara@test.rapport")
    assert (user.role, user.organisation, list(user.teams.all())) == (
        "clinician",
        clinic.org,
        [clinic.team_a],
    )
    assert [m.to for m in mail.outbox] == [["lara@test.rapport"]]
    # The link uses the configured site address, never the host the request came in on.
    path = re.search(r"http://127\.0\.0\.1:8000(/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    assert b"Choose a new password" in form.content
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="User", object_id=str(user.pk)
    ).exists()


def test_a_clinician_must_belong_to_a_team_and_a_taken_address_is_refused(clinic, as_user):
    client = as_user(clinic.administrator)
    no_team = client.post("/administration/accounts/new/", NEW)
    assert b"A clinician belongs to at least one team." in no_team.content
    taken = client.post(
        "/administration/accounts/new/", {**NEW, "email": clinic.clinician.email, "teams": [clinic.team_a.pk]}
    )
    assert b"already exists" in taken.content
    assert not User.objects.filter(full_name="Lara Newstaff").exists()


def test_a_deactivated_clinician_is_signed_out_and_cannot_sign_in(clinic, as_user, client):
    from django.test import Client as Browser

    theirs = Browser()
    theirs.force_login(clinic.other_clinician)
    assert theirs.get("/caseload/").status_code == 200
    admin = as_user(clinic.administrator)
    response = admin.post(f"/administration/accounts/{clinic.other_clinician.pk}/deactivate/")
    # They hold a client: where the caseload goes is asked first, then both happen together.
    assert response["Location"] == f"/administration/accounts/{clinic.other_clinician.pk}/hand-over/"
    assert theirs.get("/caseload/").status_code == 200
    response = admin.post(
        response["Location"], {"to_clinician": clinic.clinician.pk, "reason": "Left the service"}
    )
    assert response.status_code == 302
    assert theirs.get("/caseload/").status_code == 302
    refused = Browser().post(
        "/sign-in/", {"username": clinic.other_clinician.email, "password": "correct horse battery"}
    )
    assert refused.status_code == 200 and b"do not match an account" in refused.content
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(clinic.other_clinician.pk)).exists()


def test_an_administrator_cannot_deactivate_themselves_or_another_organisations_account(clinic, as_user):
    from rapport.accounts.models import Organisation

    elsewhere = Organisation.objects.create(name="Elsewhere")
    stranger = User.objects.create_user(
        "x@else.test", "pw-long-enough", full_name="X", role="clinician", organisation=elsewhere
    )
    client = as_user(clinic.administrator)
    client.post(f"/administration/accounts/{clinic.administrator.pk}/deactivate/")
    assert client.post(f"/administration/accounts/{stranger.pk}/deactivate/").status_code == 404
    assert (
        User.objects.get(pk=clinic.administrator.pk).is_active and User.objects.get(pk=stranger.pk).is_active
    )
