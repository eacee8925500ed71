"""Closing a client's account in Debian's chromium, on a phone and a desktop: the administrator
gives a reason, confirms, and the closed account is listed with its purge date; the client can no
longer sign in. Screenshots: test-results/screenshots/retention-*.png."""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, Screen, sign_in, sign_out
from tests.browser.test_portal import AXE, AXE_URL, run_axe

from rapport.retention.models import AccountClosure

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_an_administrator_closes_a_clients_account_after_confirming(
    new_page, clinic, live_server, screen: Screen
):
    page = new_page(screen)
    page.route(
        f"{live_server.url}{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    problems: list[str] = []
    sign_in(page, clinic.administrator.email)
    page.goto(f"/administration/clients/{clinic.client.pk}/close/")
    expect(page.get_by_role("heading", name="Close a client's account", level=1)).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Nothing was closed")).to_be_visible()
    check_page(page, "retention-close-errors", screen, problems)
    page.get_by_label("Why is the account closed?").fill("The client asked for the account to be closed")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm the closure")).to_be_visible()
    assert not AccountClosure.objects.exists()
    check_page(page, "retention-confirm", screen, problems)
    problems.extend(f"axe {v}" for v in run_axe(page))
    page.get_by_role("button", name="Close the account").click()
    expect(page.get_by_role("heading", name="Closed accounts and retention", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name=f"#{clinic.client.pk}")).to_be_visible()
    check_page(page, "retention", screen, problems)
    problems.extend(f"axe {v}" for v in run_axe(page))
    assert problems == []
    assert AccountClosure.objects.get().client_ref == clinic.client.pk
    sign_out(page)
    sign_in(page, clinic.client_user.email, succeed=False)
