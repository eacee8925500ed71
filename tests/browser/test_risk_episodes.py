"""Risk shown as risk, in Debian's chromium: a clinician records an EPDS with item 10 positive
and goes on to the C-SSRS the result page offers; a client whose PHQ-9 item 9 and C-SSRS in one
check-in make one alert at the higher tier, with the tier's help on the question that raised it;
the caseload with a T3 flag at desktop and phone size.

Screenshots go to test-results/screenshots/risk-*.png.
"""

import re

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import PHONE, SCREENS, sign_in
from tests.browser.test_portal import a_course
from tests.support import request_as

from rapport.clinic import alerts
from rapport.clinic.models import AlertTrigger, Response, RiskAlert
from rapport.core import instruments

pytestmark = pytest.mark.browser


def test_a_clinician_records_an_epds_with_item_10_positive_then_the_offered_c_ssrs(page, clinic):
    problems: list[str] = []
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/questionnaires/epds/")
    for item in instruments.get("epds").items:
        score = 2 if item.id == "item10" else 0
        code = next(o.code for o in item.options if o.score == score)
        page.locator(f'input[name="{item.id}"][value="{code}"]').check()
    page.get_by_role("button", name="Save and see the result").click()
    expect(page.get_by_role("alert")).to_contain_text("A risk alert (T2, moderate) was raised.")
    offer = page.get_by_role("link", name="Record the C-SSRS screener now")
    expect(offer).to_be_visible()
    for screen in SCREENS:
        page.set_viewport_size({"width": screen.width, "height": screen.height})
        check_page(page, "risk-epds-result-offers-c-ssrs", screen, problems)

    offer.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Columbia")
    for item, answer in {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no", "q6": "no"}.items():
        page.locator(f'input[name="{item}"][value="{answer}"]').check()
    page.get_by_role("button", name="Save and see the result").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "These answers were added to the open risk alert of the same check-in or visit, now T3 (high)."
    )
    check_page(page, "risk-c-ssrs-joined", PHONE, problems)

    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.tier == "T3" and alert.response.instrument == "epds"
    assert AlertTrigger.objects.get(alert=alert).response.instrument == "cssrs_screen"
    page.get_by_role("link", name="Open the alert").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("T3 risk alert for Cai")
    chain = page.locator(".alert-chain")
    expect(chain).to_contain_text("C-SSRS screener raised this alert from T2 to T3")
    expect(chain).to_contain_text("Told the client's clinicians of the higher tier")
    expect(page.get_by_text("EPDS question 10 answered")).to_be_visible()
    for screen in SCREENS:
        page.set_viewport_size({"width": screen.width, "height": screen.height})
        check_page(page, "risk-alert-history", screen, problems)
    # The result page no longer offers a screener that has been recorded.
    epds = Response.objects.get(client=clinic.client, instrument="epds")
    page.goto(f"/clients/{clinic.client.pk}/responses/{epds.pk}/")
    expect(page.get_by_role("link", name="Record the C-SSRS screener now")).to_have_count(0)
    assert problems == []


PHQ9_ITEM9 = ["Not at all"] * 8 + ["Several days", "Not difficult at all"]


def test_a_clients_phq9_item_9_and_c_ssrs_in_one_check_in_make_one_alert_at_the_higher_tier(new_page, clinic):
    a_course(clinic, clinic.client)
    problems: list[str] = []
    page = new_page(PHONE)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/check-ins/phq9/")
    for number, answer in enumerate(PHQ9_ITEM9, start=1):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        page.get_by_role("radio", name=answer, exact=True).check()
        page.get_by_role("button", name="Next").click()
        if number == 9:
            # The T1 help on item 9's own screen, before anything is sent.
            expect(page.get_by_text("Question 9 of 10")).to_be_visible()
            expect(page.locator(".tier-help-t1 .crisis-panel")).to_be_visible()
            expect(page.get_by_role("link", name="Call 116 123")).to_be_visible()
            check_page(page, "risk-portal-item9-help", PHONE, problems)
            assert not RiskAlert.objects.filter(client=clinic.client).exists()
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.get_by_role("link", name=re.compile("^Continue")).click()

    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    # Yes to 1 and 2 (low, the alert's tier already: on), No to 3, Yes to 4 (high: the T3 help).
    for number, answer, help_tier in [(1, "Yes", ""), (2, "Yes", ""), (3, "No", ""), (4, "Yes", "t3")]:
        expect(page.get_by_text(re.compile(rf"Question {number} of \d"))).to_be_visible()
        page.get_by_role("radio", name=answer, exact=True).check()
        page.get_by_role("button", name="Next").click()
        if help_tier:
            expect(page.get_by_text(re.compile(rf"Question {number} of \d"))).to_be_visible()
            expect(page.locator(f".tier-help-{help_tier} .crisis-panel")).to_be_visible()
            if help_tier == "t3":
                expect(
                    page.get_by_text("If you feel unsafe now, please contact a crisis line now.")
                ).to_be_visible()
                check_page(page, "risk-portal-c-ssrs-t3-help", PHONE, problems)
            page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 5 of 6")).to_be_visible()
    for answer in ("No", "No"):
        page.get_by_role("radio", name=answer, exact=True).check()
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help is here, right now")

    alert = RiskAlert.objects.get(client=clinic.client)
    assert (alert.tier, alert.response.instrument, alert.triggers.count()) == ("T3", "phq9", 1)
    assert problems == []


def test_the_caseload_shows_a_t3_flag_that_stands_out(new_page, clinic):
    alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Said she has a plan.")
    problems: list[str] = []
    for screen in SCREENS:
        page = new_page(screen)
        sign_in(page, clinic.clinician.email)
        flag = page.get_by_role("row", name="Cai").locator(".alert-flag-t3")
        expect(flag).to_contain_text("T3")
        expect(flag).to_contain_text("High risk:")
        expect(page.locator(".notice-client").first).to_contain_text("Cai")
        check_page(page, "risk-caseload-t3", screen, problems)
    assert problems == []
