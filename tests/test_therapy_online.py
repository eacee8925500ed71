"""Issue 14's pieces acting as one: the thread opens and closes with the consent records."""

import html
from datetime import date

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.common.errors import InvalidInput
from rapport.messaging import threads
from rapport.scheduling import consents
from rapport.scheduling.models import Consent, ConsentKind
from tests.support import request_as


def withdraw_messages_consent(clinic):
    standing = Consent.objects.get(client=clinic.client, kind=ConsentKind.MESSAGES)
    consents.withdraw(request_as(clinic.clinician), clinic.client.pk, standing.pk, on=date(2026, 11, 2))


def test_without_consent_the_thread_is_closed_to_both_sides_and_each_is_told_why(clinic, as_user):
    threads.send(request_as(clinic.client_user), clinic.client.pk, "Before")
    withdraw_messages_consent(clinic)
    for who in (clinic.client_user, clinic.clinician):
        with pytest.raises(InvalidInput) as refused:
            threads.send(request_as(who), clinic.client.pk, "After")
        assert "no consent" in str(refused.value.errors["body"])
    page = html.unescape(as_user(clinic.client_user).get("/my/messages/").content.decode())
    assert "Before" in page, "what was written stays readable"
    assert "I agree to secure messages" in page and 'name="body"' not in page
    staff = html.unescape(
        as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/messages/").content.decode()
    )
    assert "withdrew consent to secure messages on 2" in staff, staff[staff.find("thread-closed") :][:300]
    assert 'name="body"' not in staff


def test_the_client_agrees_in_the_portal_and_the_thread_opens(clinic, as_user):
    withdraw_messages_consent(clinic)
    signed_in = as_user(clinic.client_user)
    assert signed_in.post("/my/messages/consent/").status_code == 302
    signed_in.post("/my/messages/consent/")  # a second click records nothing more
    standing = Consent.objects.get(client=clinic.client, kind=ConsentKind.MESSAGES, withdrawn_on__isnull=True)
    assert standing.given_by == "client" and standing.recorded_by == clinic.client_user
    assert standing.wording_version == consents.MESSAGES_WORDING_VERSION
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_type="Consent", client=clinic.client).count()
        == 1
    )
    assert signed_in.post("/my/messages/", {"body": "Open again"}).status_code == 302


def test_a_client_under_16_cannot_agree_alone(clinic, as_user):
    withdraw_messages_consent(clinic)
    clinic.client.date_of_birth = date(2015, 1, 1)
    clinic.client.save()
    page = html.unescape(as_user(clinic.client_user).get("/my/messages/").content.decode())
    assert "I agree to secure messages" not in page and "parent or carer" in page
    refused = as_user(clinic.client_user).post("/my/messages/consent/")
    assert refused.status_code == 200 and "under 16" in html.unescape(refused.content.decode())
    assert not consents.has_consent(clinic.client, ConsentKind.MESSAGES)
