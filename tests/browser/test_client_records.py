"""Adding a client through the form, and stored text that must never run as script."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.conftest import sign_in

from rapport.clinic.models import Client

pytestmark = pytest.mark.browser

SCRIPT_NAME = "<img src=x onerror=alert(1)><script>alert(2)</script>"
SCRIPT_PREFERRED = "\"'><svg onload=alert(3)>"


def test_adding_a_client_with_a_future_birth_date_says_why_and_saves_nothing_then_a_valid_one_is_saved(
    page, clinic
):
    before = Client.objects.count()
    sign_in(page, clinic.clinician.email)
    page.get_by_role("link", name="Add a client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a client")

    page.get_by_label("Full name").fill("Nadia Newcome")
    page.get_by_label("Preferred name").fill("Nadia")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Date of birth").fill(tomorrow.isoformat())
    page.get_by_label("Country").select_option(label="Ireland")
    page.get_by_label("Time zone").select_option("Europe/Dublin")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert").first).to_have_text(
        "Nothing was saved yet. Please correct what is marked below."
    )
    date_field = page.get_by_label("Date of birth")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(date_field).to_have_accessible_description(re.compile("cannot be in the future"))
    expect(page.get_by_text("The date of birth cannot be in the future.")).to_be_visible()
    # What was typed is kept, and only the date is marked.
    expect(page.get_by_label("Full name")).to_have_value("Nadia Newcome")
    expect(page.get_by_label("Country")).to_have_value("IE")
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    assert Client.objects.count() == before

    date_field.fill("1988-03-04")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("status")).to_have_text("The client was added to your caseload.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia Newcome (Nadia)")
    page.get_by_text("Client details").click()  # the details sit behind a fold below the picture
    expect(page.get_by_role("definition").filter(has_text="4 March 1988")).to_be_visible()
    assert Client.objects.count() == before + 1
    added = Client.objects.get(full_name="Nadia Newcome")
    assert page.url.endswith(f"/clients/{added.pk}/")
    assert added.responsible_clinician == clinic.clinician
    assert added.team == clinic.team_a


def test_stored_text_is_shown_as_text_and_never_runs_as_script(page, new_page, clinic):
    Client.objects.filter(pk=clinic.client.pk).update(full_name=SCRIPT_NAME, preferred_name=SCRIPT_PREFERRED)
    display = f"{SCRIPT_NAME} ({SCRIPT_PREFERRED})"
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    sign_in(page, clinic.clinician.email)
    link = page.get_by_role("table").locator("tbody").get_by_role("link")
    expect(link).to_have_text(display)

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(display)
    page.get_by_text("Client details").click()  # the details sit behind a fold below the picture
    expect(page.get_by_role("definition").filter(has_text="onerror")).to_have_text(SCRIPT_NAME)
    assert page.locator("main img, main script, main svg").count() == 0

    page.get_by_role("link", name="Edit details").click()
    expect(page.get_by_label("Full name")).to_have_value(SCRIPT_NAME)
    expect(page.get_by_label("Preferred name")).to_have_value(SCRIPT_PREFERRED)
    assert page.locator("main img, main svg").count() == 0

    # The administrator's register and the audit trail name the client too.
    admin = new_page()
    admin.on("dialog", lambda dialog: dialogs.append(dialog.message))
    sign_in(admin, clinic.administrator.email)
    expect(admin.get_by_role("cell", name=SCRIPT_NAME)).to_be_visible()
    admin.get_by_role("link", name=f"Open #{clinic.client.pk}").click()
    expect(admin.get_by_text(SCRIPT_NAME)).to_be_visible()
    assert admin.locator("main img, main script, main svg").count() == 0

    page.wait_for_timeout(200)  # give any injected handler its chance to fire
    assert dialogs == []
