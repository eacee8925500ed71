"""Invitations to the client portal: a single-use secret that expires, by e-mail or on paper,
stored only as a digest, opening one client's account once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.audit.models import Action, AuditEvent
from rapport.clinic import invitations
from rapport.clinic.models import Client, Invitation
from rapport.common.errors import InvalidInput

GOOD_PASSWORD = "a long walk by the river"


def request_as(user=None):
    request = RequestFactory().post("/")
    if user is not None:
        request.user = user
    else:
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
    return request


def test_a_printed_code_reads_in_groups_of_four_without_easily_confused_letters(clinic, newcomer):
    invitation, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    assert re.fullmatch(r"[0-9A-Z]{12}", code) and not set(code) & set("ILOU")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", invitations.formatted(code))
    assert invitation.email == ""
    assert invitation.expires_at == invitation.created_at + timedelta(days=7)


def test_only_a_digest_of_the_secret_is_stored(clinic, newcomer):
    invitation, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert code not in str(stored)
    assert stored["digest"] == invitations.digest(code)


def test_a_code_is_found_however_it_is_typed(clinic, newcomer):
    _, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    typed = " ".join(invitations.formatted(code).lower().split("-"))
    assert invitations.find(typed).client == newcomer
    # O for zero and I or L for one are read as the digits people meant.
    if "0" in code or "1" in code:
        misread = code.replace("0", "O").replace("1", "l")
        assert invitations.find(misread).client == newcomer
    assert invitations.find("ZZZZ-ZZZZ-ZZZZ") is None


def test_an_invitation_by_e_mail_sends_a_link_that_names_nobody(clinic, newcomer, mailoutbox):
    invitation, code = invitations.invite(request_as(clinic.clinician), newcomer.pk, " noor@example.org ")
    assert invitation.email == "noor@example.org"
    (message,) = mailoutbox
    assert message.to == ["noor@example.org"]
    assert f"/invitation/{code}/" in message.body
    assert "Noor" not in message.body and "not a crisis service" in message.body
    event = AuditEvent.objects.get(object_type="Invitation")
    assert (event.action, event.client_id, event.detail) == (Action.CREATE, newcomer.pk, {"by_email": True})


def test_a_new_invitation_replaces_the_old_one(clinic, newcomer):
    first, first_code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    _, second_code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    assert invitations.find(first_code) is None
    assert invitations.find(second_code).client == newcomer
    first.refresh_from_db()
    assert first.revoked_at is not None


def test_an_invitation_expires(clinic, newcomer):
    _, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert invitations.find(code) is None


def test_an_invitation_that_cannot_be_e_mailed_is_undone_and_the_earlier_one_still_works(
    clinic, newcomer, settings
):
    _, printed = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    settings.EMAIL_BACKEND = "tests.test_alerts.RefusingBackend"
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(request_as(clinic.clinician), newcomer.pk, "noor@example.org")
    assert "could not be sent" in refused.value.errors["email"][0]
    assert newcomer.invitations.count() == 1
    assert invitations.find(printed).client == newcomer


@pytest.mark.parametrize(
    ("email", "message"),
    [("not an address", "Enter a valid e-mail address."), ("CO@test.rapport", "already has an account")],
)
def test_a_bad_or_taken_address_is_refused(clinic, newcomer, email, message):
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(request_as(clinic.clinician), newcomer.pk, email)
    assert message in refused.value.errors["email"][0]
    assert not Invitation.objects.exists()


def test_a_client_with_an_account_is_not_invited_again(clinic):
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(request_as(clinic.clinician), clinic.client.pk)
    assert refused.value.errors == {"__all__": ["This client already has an account."]}


@pytest.mark.parametrize("who", ["supervisor", "other_clinician", "other_supervisor", "client_user"])
def test_only_the_clients_clinicians_invite(clinic, newcomer, who):
    with pytest.raises(Http404):
        invitations.invite(request_as(getattr(clinic, who)), newcomer.pk)
    assert not Invitation.objects.exists()


def test_accepting_opens_the_clients_own_account_once(clinic, newcomer):
    _, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    user = invitations.accept(request_as(), code, "noor@example.org", GOOD_PASSWORD, GOOD_PASSWORD)
    newcomer.refresh_from_db()
    assert newcomer.user == user
    assert (user.role, user.organisation, user.full_name) == (Role.CLIENT, clinic.org, "Noor Newcomer")
    assert user.check_password(GOOD_PASSWORD)
    assert list(Client.objects.visible_to(user)) == [newcomer]
    assert Invitation.objects.get().used_at is not None
    with pytest.raises(InvalidInput) as refused:
        invitations.accept(request_as(), code, "other@example.org", GOOD_PASSWORD, GOOD_PASSWORD)
    assert "expired or been used" in refused.value.errors["__all__"][0]
    event = AuditEvent.objects.get(detail__step="invitation_accepted")
    assert (event.actor, event.client_id) == (user, newcomer.pk)


def test_an_e_mailed_invitation_uses_the_address_it_was_sent_to(clinic, newcomer):
    _, code = invitations.invite(request_as(clinic.clinician), newcomer.pk, "noor@example.org")
    user = invitations.accept(request_as(), code, "someone.else@example.org", GOOD_PASSWORD, GOOD_PASSWORD)
    assert user.email == "noor@example.org"


def test_a_weak_or_mistyped_password_is_refused_and_the_invitation_kept(clinic, newcomer):
    _, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    with pytest.raises(InvalidInput) as refused:
        invitations.accept(request_as(), code, "noor@example.org", "short", "shorter")
    assert {"password", "password_again"} <= set(refused.value.errors)
    assert invitations.find(code) is not None
    assert not User.objects.filter(email="noor@example.org").exists()


def test_an_address_taken_meanwhile_is_refused_cleanly(clinic, newcomer):
    _, code = invitations.invite(request_as(clinic.clinician), newcomer.pk)
    with pytest.raises(InvalidInput) as refused:
        invitations.accept(request_as(), code, "co@test.rapport", GOOD_PASSWORD, GOOD_PASSWORD)
    assert "already has an account" in refused.value.errors["email"][0]
    newcomer.refresh_from_db()
    assert newcomer.user is None and invitations.find(code) is not None


def test_e_mailed_and_printed_invitations_use_the_configured_site_address(
    clinic, newcomer, mailoutbox, client, settings
):
    settings.RAPPORT_BASE_URL = "https://rapport.example.org/"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "internal"]
    _invitation, code = invitations.invite(request_as(clinic.clinician), newcomer.pk, "noor@example.org")
    assert f"https://rapport.example.org/invitation/{code}/" in mailoutbox[0].body
    client.force_login(clinic.clinician)
    slip = client.post(f"/clients/{newcomer.pk}/portal/invite/", HTTP_HOST="internal").content.decode()
    assert "<strong>https://rapport.example.org/invitation/</strong>" in slip and "internal" not in slip
