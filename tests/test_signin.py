"""Sign-in: Argon2, lockout, idle log-off, two-factor for staff, password reset."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

import rapport.settings as real_settings
from rapport.accounts.middleware import SESSION_KEY
from rapport.audit.models import Action, AuditEvent
from tests.personas import PASSWORD


def sign_in(client, email, password=PASSWORD):
    return client.post("/sign-in/", {"username": email, "password": password})


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    assert real_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_new_password_is_stored_as_an_argon2_hash(clinic, settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    clinic.clinician.set_password("a much longer passphrase")
    assert clinic.clinician.password.startswith("argon2$")


def test_ten_wrong_passwords_lock_the_account(clinic, client):
    for _ in range(10):
        sign_in(client, clinic.clinician.email, "wrong password")
    response = sign_in(client, clinic.clinician.email)
    assert "_auth_user_id" not in client.session
    assert b"Sign-in is paused" in response.content
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor=clinic.clinician).exists()


def test_the_lock_lifts_after_the_cool_off(clinic, client):
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        for _ in range(10):
            sign_in(client, clinic.clinician.email, "wrong password")
        traveller.shift(timedelta(minutes=16))
        response = sign_in(client, clinic.clinician.email)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(clinic.clinician.pk)


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(clinic, client):
    unknown = sign_in(client, "nobody@test.rapport", "whatever")
    wrong = sign_in(client, clinic.client_user.email, "whatever")
    assert unknown.status_code == wrong.status_code == 200
    assert b"do not match an account" in unknown.content and b"do not match an account" in wrong.content


def test_staff_are_signed_out_after_the_idle_limit(clinic, client):
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        assert client.get("/caseload/").status_code == 200
        traveller.shift(timedelta(minutes=14))
        assert client.get("/caseload/").status_code == 200
        traveller.shift(timedelta(minutes=16))
        response = client.get("/caseload/")
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
        assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, detail__reason="idle").exists()


def test_clients_have_a_longer_idle_limit_than_staff(clinic, client):
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.client_user.email)
        client.get("/my/")
        traveller.shift(timedelta(minutes=20))
        assert client.get("/my/").status_code == 200


def test_the_session_key_changes_at_sign_in(clinic, client):
    client.get("/sign-in/")
    client.session[SESSION_KEY] = 0
    before = client.cookies.get("sessionid")
    sign_in(client, clinic.clinician.email)
    assert client.cookies["sessionid"].value != (before.value if before else None)


def test_an_old_session_cookie_is_useless_after_sign_out(clinic, client):
    sign_in(client, clinic.clinician.email)
    cookie = client.cookies["sessionid"].value
    client.post("/sign-out/")
    client.cookies["sessionid"] = cookie
    response = client.get("/caseload/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def totp_now(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_staff_with_two_factor_must_enter_a_code_before_seeing_records(clinic, client):
    device = TOTPDevice.objects.create(user=clinic.clinician, name="phone", confirmed=True)
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        response = client.get(f"/clients/{clinic.client.pk}/")
        assert response.status_code == 302 and response["Location"].startswith("/two-factor/verify/")
        wrong = client.post("/two-factor/verify/", {"token": "000000", "next": "/caseload/"})
        assert b"not right" in wrong.content
        # django-otp slows guessing: after a wrong code the next try waits a moment.
        traveller.shift(timedelta(seconds=3))
        right = client.post("/two-factor/verify/", {"token": totp_now(device), "next": "/caseload/"})
        assert right["Location"] == "/caseload/"
        assert client.get(f"/clients/{clinic.client.pk}/").status_code == 200


def test_the_api_refuses_a_staff_session_that_has_not_passed_two_factor(clinic, client):
    TOTPDevice.objects.create(user=clinic.clinician, name="phone", confirmed=True)
    sign_in(client, clinic.clinician.email)
    assert client.get("/api/v1/clients").status_code == 401


def test_when_two_factor_is_required_staff_set_it_up_first(clinic, client, settings):
    settings.RAPPORT_REQUIRE_STAFF_2FA = True
    sign_in(client, clinic.clinician.email)
    response = client.get("/caseload/")
    assert response["Location"] == "/two-factor/setup/"
    page = client.get("/two-factor/setup/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert not TOTPDevice.objects.exists(), "showing the setup page must not write a device"
    device = TOTPDevice(key=client.session["rapport_pending_totp_key"])
    assert client.post("/two-factor/setup/", {"token": "123"}).status_code == 200
    done = client.post("/two-factor/setup/", {"token": totp_now(device)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user=clinic.clinician).confirmed
    assert client.get("/caseload/").status_code == 200


def test_clients_are_not_asked_for_two_factor_even_when_staff_must(clinic, client, settings):
    settings.RAPPORT_REQUIRE_STAFF_2FA = True
    sign_in(client, clinic.client_user.email)
    assert client.get("/my/").status_code == 200


def test_a_client_may_set_up_two_factor_and_is_then_asked_for_a_code(clinic, client):
    sign_in(client, clinic.client_user.email)
    page = client.get("/two-factor/setup/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice(key=client.session["rapport_pending_totp_key"])
    assert client.post("/two-factor/setup/", {"token": totp_now(device)}).status_code == 302
    assert TOTPDevice.objects.get(user=clinic.client_user).confirmed
    client.post("/sign-out/")
    sign_in(client, clinic.client_user.email)
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/two-factor/verify/")
    assert client.get(f"/api/v1/clients/{clinic.client.pk}/responses").status_code == 401


def test_a_password_reset_link_uses_the_configured_site_address(clinic, client, settings):
    settings.RAPPORT_BASE_URL = "https://rapport.example.org/"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "internal"]
    client.post("/password-reset/", {"email": clinic.clinician.email}, HTTP_HOST="internal:8080")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    assert link.startswith("https://rapport.example.org/reset/") and "internal" not in mail.outbox[0].body


def test_a_password_can_be_reset_by_email_once(clinic, client):
    client.post("/password-reset/", {"email": clinic.clinician.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    # The link uses the configured site address, never the host the request came in on.
    path = link.split("http://127.0.0.1:8000", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200 and b"new password" in form.content.lower()
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"}
    )
    assert done.status_code == 302
    assert sign_in(client, clinic.clinician.email, "a fresh long passphrase").status_code == 302
    again = client.get(path, follow=True)
    assert b"expired or was already used" in again.content


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db, client):
    response = client.post("/password-reset/", {"email": "nobody@test.rapport"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_two_factor_never_redirects_off_site(clinic, client, next_url):
    device = TOTPDevice.objects.create(user=clinic.clinician, name="phone", confirmed=True)
    sign_in(client, clinic.clinician.email)
    response = client.post("/two-factor/verify/", {"token": totp_now(device), "next": next_url})
    assert response["Location"] == "/"


def test_activity_on_a_long_form_keeps_a_clinician_signed_in(clinic, client):
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        for _ in range(4):  # an hour of typing, the page telling the server every ten minutes
            traveller.shift(timedelta(minutes=10))
            assert client.post("/session/keep-alive/").status_code == 204
        assert client.get("/caseload/").status_code == 200


def test_a_session_ends_after_the_absolute_limit_however_active(clinic, client, settings):
    settings.RAPPORT_SESSION_MAX_SECONDS = 3600
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        client.get("/caseload/")
        for _ in range(6):
            traveller.shift(timedelta(minutes=11))
            response = client.get("/caseload/")
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, detail__reason="session_limit").exists()


def test_an_htmx_request_after_the_idle_limit_is_sent_to_sign_in(clinic, client):
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        sign_in(client, clinic.clinician.email)
        client.get("/caseload/")
        traveller.shift(timedelta(minutes=16))
        response = client.post("/session/keep-alive/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/sign-in/")


def test_lockout_is_per_account_so_colleagues_behind_one_address_can_still_sign_in(clinic, client):
    for _ in range(10):
        sign_in(client, clinic.clinician.email, "wrong password")
    assert sign_in(client, clinic.co_clinician.email).status_code == 302


def test_behind_the_proxy_the_audit_trail_records_the_callers_address(clinic, client, settings):
    settings.RAPPORT_BEHIND_PROXY = True
    response = client.post(
        "/sign-in/",
        {"username": clinic.clinician.email, "password": "nope"},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7",
    )
    assert AuditEvent.objects.get(request_id=response["X-Request-ID"]).ip == "203.0.113.7"


def test_sign_in_ignores_the_case_of_the_address(clinic, client):
    response = sign_in(client, "  " + clinic.clinician.email.upper())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clinic.clinician.pk)


def test_every_spelling_of_an_address_shares_one_lockout_counter(clinic, client):
    email = clinic.clinician.email
    spellings = [email, email.upper(), email.title(), email.capitalize(), email.swapcase()]
    for i in range(10):
        sign_in(client, spellings[i % len(spellings)], "wrong password")
    assert b"Sign-in is paused" in sign_in(client, email).content
    assert "_auth_user_id" not in client.session


def test_an_account_cannot_be_created_twice_in_two_cases(clinic):
    from django.db import IntegrityError, transaction

    from rapport.accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(clinic.clinician.email.upper(), PASSWORD, organisation=clinic.org)
