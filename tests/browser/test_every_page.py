"""Every page, at a desktop and at a phone size: no sideways scrolling, every field labelled,
readable contrast, one main heading; and a full-page screenshot of each, to look at, in
test-results/screenshots/."""

from datetime import date

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, sign_in
from tests.personas import PASSWORD

from rapport.accounts.models import Role, User
from rapport.clinic.models import Client, Notification

pytestmark = pytest.mark.browser

LONG_NAME = (
    "Maximiliana Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessen "
    "Featherstonehaugh-Cholmondeley"
)


def more_of_the_clinic(clinic):
    """A client with a very long name, a clinician with none yet, a notification to read."""
    long_client = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name=LONG_NAME,
        preferred_name="Max",
        date_of_birth=date(2001, 12, 31),
        country="DE",
        time_zone="Europe/Berlin",
        status="referred",
    )
    newcomer = User.objects.create_user(
        "newcomer@test.rapport",
        PASSWORD,
        full_name="Bartholomew Alexander Montgomery-Fitzwilliam",
        role=Role.CLINICIAN,
        organisation=clinic.org,
    )
    clinic.team_a.members.add(newcomer)
    Notification.objects.create(
        recipient=clinic.supervisor,
        client=clinic.client,
        subject="Emergency access to a client record",
        body=(
            f"Otto Other opened the record of client #{clinic.client.pk} under emergency access "
            "until 2026-01-01 12:00 UTC. Reason given: the client rang the crisis line and their "
            "own clinician could not be reached."
        ),
    )
    return long_client, newcomer


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_page_fits_the_screen_labels_its_fields_and_reads_clearly(new_page, clinic, screen, watch):
    long_client, newcomer = more_of_the_clinic(clinic)
    problems: list[str] = []
    client = clinic.client

    def look(page, name):
        check_page(page, name, screen, problems)

    # Nobody signed in.
    page = new_page(screen)
    page.goto("/sign-in/")
    look(page, "sign-in")
    sign_in(page, clinic.clinician.email, "wrong password", succeed=False)
    expect(page.get_by_role("alert")).to_be_visible()
    look(page, "sign-in-refused")
    page.get_by_role("link", name="Forgotten your password?").click()
    look(page, "password-reset")
    page.get_by_label("E-mail address").fill(clinic.clinician.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    look(page, "password-reset-sent")
    uid = urlsafe_base64_encode(force_bytes(clinic.co_clinician.pk))
    page.goto(f"/reset/{uid}/{default_token_generator.make_token(clinic.co_clinician)}/")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    look(page, "password-reset-choose")
    page.goto(f"/reset/{uid}/not-a-token/")
    look(page, "password-reset-expired")

    # A member of staff with two-factor sign-in set up is asked for a code.
    TOTPDevice.objects.create(user=clinic.co_clinician, name="phone", confirmed=True)
    page = new_page(screen)
    sign_in(page, clinic.co_clinician.email)
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    look(page, "two-factor-verify")

    # The responsible clinician.
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    look(page, "caseload")
    page.goto(f"/clients/{client.pk}/")
    look(page, "client-detail")
    page.goto(f"/clients/{long_client.pk}/")
    look(page, "client-detail-long-name")
    page.goto(f"/clients/{client.pk}/print/")
    look(page, "client-print")
    page.emulate_media(media="print")
    page.screenshot(path=SCREENSHOTS / f"client-print-on-paper-{screen.name}.png", full_page=True)
    page.emulate_media(media="screen")
    page.goto("/clients/new/")
    look(page, "client-add")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    look(page, "client-add-errors")
    page.goto(f"/clients/{client.pk}/edit/")
    look(page, "client-edit")
    # Someone else saves meanwhile: the form keeps what was typed and shows what is saved now.
    page.get_by_label("Preferred name").fill("Caio")
    Client.objects.filter(pk=client.pk).update(preferred_name="Kai", version=client.version + 1)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Someone else saved this record")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="differs from yours")).to_have_text(
        "Kai differs from yours"
    )
    look(page, "client-edit-conflict")
    page.goto(f"/clients/{client.pk}/entered-in-error/")
    look(page, "entered-in-error")
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.locator(".errorlist")).to_be_visible()
    look(page, "entered-in-error-errors")
    page.goto("/emergency-access/")
    look(page, "emergency-access")
    page.get_by_label("Client's full name").fill("Nobody Known")
    page.get_by_label("Client's date of birth").fill("1970-01-01")
    page.get_by_label("Why do you need emergency access?").fill("The client rang and is at risk tonight.")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_text("No client in your organisation matches")).to_be_visible()
    look(page, "emergency-access-no-match")
    page.goto("/two-factor/setup/")
    look(page, "two-factor-setup")
    qr = page.locator(".qr svg")
    shown = qr.bounding_box()
    assert shown is not None
    assert shown["width"] >= float(qr.get_attribute("width")), "the QR code is cropped: it cannot be scanned"
    # Refusals: a record outside the caseload does not exist; a page for another role is refused.
    watch.allow(rf"status of 404 .*\[.*/clients/{clinic.other_client.pk}/\]$")
    watch.allow(r"status of 403 .*\[.*/administration/\]$")
    assert page.goto(f"/clients/{clinic.other_client.pk}/").status == 404
    expect(page.get_by_text(clinic.other_client.full_name)).to_have_count(0)
    look(page, "not-found")
    assert page.goto("/administration/").status == 403
    look(page, "forbidden")

    # A clinician with no clients yet.
    page = new_page(screen)
    sign_in(page, newcomer.email)
    expect(page.get_by_text("No clients yet.")).to_be_visible()
    look(page, "caseload-empty")

    # The supervisor, with a notification waiting.
    page = new_page(screen)
    sign_in(page, clinic.supervisor.email)
    expect(page.get_by_text("Emergency access to a client record")).to_be_visible()
    look(page, "supervision-workspace")
    page.goto("/caseload/")
    look(page, "team-clients")
    page.goto("/supervision/reviews/new/")
    look(page, "case-review-new")
    page.goto(f"/clients/{client.pk}/audit/")
    look(page, "audit-trail")

    # The administrator.
    page = new_page(screen)
    sign_in(page, clinic.administrator.email)
    look(page, "administration")
    page.goto("/administration/teams/")
    look(page, "teams-and-sites")
    page.goto(f"/administration/teams/{clinic.team_a.pk}/")
    look(page, "team-edit")
    page.goto(f"/administration/clients/{client.pk}/transfer/")
    look(page, "client-transfer")
    page.goto(f"/administration/accounts/{clinic.other_clinician.pk}/hand-over/")
    look(page, "account-hand-over")

    # The client.
    page = new_page(screen)
    sign_in(page, clinic.client_user.email)
    look(page, "my-page")

    # Last, as it also pauses sign-in from this address: the lock-out page.
    watch.allow(r"status of (403|429) .*\[.*/sign-in/\]$")
    page = new_page(screen)
    for _ in range(10):
        sign_in(page, newcomer.email, "wrong password", succeed=False)
    expect(page.get_by_role("heading", name="Sign-in is paused for this account")).to_be_visible()
    look(page, "locked-out")

    assert problems == [], "\n".join(problems)
