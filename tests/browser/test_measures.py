"""A clinician records questionnaires and sees the trajectory, the band and the change badges."""

import re

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, sign_in

from rapport.clinic.models import Client, RiskAlert

pytestmark = pytest.mark.browser

FREQ = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


def record_phq9(page, client, scores, session):
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="PHQ-9", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Patient Health Questionnaire")
    for number, score in enumerate(scores, start=1):
        group = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        group.get_by_role("radio", name=f"{FREQ[score]} {score}", exact=True).check()
    page.get_by_label("Session number (optional)").fill(str(session))
    page.get_by_role("button", name="Save and see the result").click()


def test_a_clinician_records_three_phq9s_and_sees_the_chart_the_band_and_the_badges(page, clinic):
    sign_in(page, clinic.clinician.email)
    client = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Noor Fresh",
        date_of_birth="1992-02-02",
        country="GB",
        status="active",
    )
    record_phq9(page, client, [3, 3, 3, 3, 2, 2, 2, 2, 0], 1)  # 20: severe
    expect(page.get_by_text("Total 20 out of 27")).to_be_visible()
    expect(page.locator(".result strong")).to_have_text("Severe")
    record_phq9(page, client, [2, 2, 2, 2, 1, 1, 1, 1, 0], 4)  # 12: moderate
    record_phq9(page, client, [1, 1, 0, 1, 0, 0, 0, 0, 0], 8)  # 3: minimal
    expect(page.get_by_text("Total 3 out of 27")).to_be_visible()

    page.get_by_role("link", name="Back to the client").click()
    measure = page.get_by_role("region", name="PHQ-9")
    expect(measure.get_by_text("Latest 3")).to_be_visible()
    expect(measure.locator("strong", has_text="None to minimal")).to_be_visible()
    expect(measure.get_by_text("change since baseline (20): -17")).to_be_visible()
    for badge in ("Response (≥50% fall)", "Remission", "Reliable improvement"):
        expect(measure.locator(".badge", has_text=badge)).to_be_visible()
    chart = measure.get_by_role("img", name="PHQ-9 scores over the course")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(3)
    measure.get_by_text("Scores as a table").click()
    expect(measure.get_by_role("table").get_by_role("row")).to_have_count(4)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    measure.screenshot(path=SCREENSHOTS / "phq9-chart-desktop.png")
    page.screenshot(path=SCREENSHOTS / "client-with-measures-desktop.png", full_page=True)


def test_a_risk_answer_inside_a_low_total_shows_the_alert_on_the_result_and_the_client_page(page, clinic):
    sign_in(page, clinic.clinician.email)
    record_phq9(page, clinic.client, [0, 0, 0, 0, 0, 0, 0, 0, 1], 2)
    expect(page.get_by_text("Total 1 out of 27")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("A risk alert (T1, low) was raised.")
    expect(page.locator("tr.flagged")).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "phq9-risk-result-desktop.png", full_page=True)
    page.get_by_role("link", name="Back to the client").click()
    expect(page.get_by_role("alert")).to_contain_text("1 open risk alert")
    assert RiskAlert.objects.filter(client=clinic.client, status="open").count() == 1


def test_a_questionnaire_can_be_saved_with_every_question_left_unanswered(page, clinic):
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/questionnaires/phq9/")
    page.get_by_role("button", name="Save and see the result").click()
    expect(page.get_by_text("No total: some scored questions were not answered")).to_be_visible()
    expect(page.get_by_text("was not answered. Please follow it up")).to_be_visible()


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_the_measure_pages_fit_the_screen_and_label_their_fields(new_page, clinic, screen):
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    for instrument in ("phq9", "gad7", "cssrs_screen", "epds", "wsas", "hamd17", "phq2"):
        page.goto(f"/clients/{clinic.client.pk}/questionnaires/{instrument}/")
        check_page(page, f"questionnaire-{instrument}", screen, problems)
    record_phq9(page, clinic.client, [2, 2, 1, 1, 1, 1, 0, 0, 2], 3)
    check_page(page, "response-result", screen, problems)
    record_phq9(page, clinic.client, [1, 1, 1, 1, 1, 1, 0, 0, 0], 5)
    page.goto(f"/clients/{clinic.client.pk}/")
    check_page(page, "client-with-measures", screen, problems)
    page.goto("/caseload/")
    check_page(page, "caseload-with-phq9", screen, problems)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_clinician_withdraws_a_response_and_its_alert_stays_open(new_page, clinic, screen):
    from tests.support import request_as

    from rapport.clinic import measurement
    from rapport.clinic.models import Response

    risky = {f"item{n}": "nearly_every_day" for n in range(1, 9)} | {"item9": "several_days"}
    response = measurement.record_response(
        request_as(clinic.clinician), clinic.client.pk, "phq9", risky, session_number=2
    )
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/responses/{response.pk}/")
    page.get_by_role("link", name="Mark as entered in error").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark as entered in error")
    expect(page.get_by_text("It stays open until a clinician resolves it")).to_be_visible()
    check_page(page, "response-entered-in-error", screen, problems)
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.locator(".errorlist")).to_be_visible()
    check_page(page, "response-entered-in-error-errors", screen, problems)
    assert Response.objects.get(pk=response.pk).entered_in_error_at is None

    page.get_by_label("Why was this record entered in error?").fill("Recorded for the wrong client.")
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.get_by_text("The response was marked as entered in error.")).to_be_visible()
    check_page(page, "response-entered-in-error-done", screen, problems)
    assert f"/responses/{response.pk}/" not in page.content().split("open risk alert")[-1]
    expect(page.get_by_role("alert").filter(has_text="open risk alert")).to_be_visible()
    marked = Response.objects.get(pk=response.pk)
    assert marked.entered_in_error_reason == "Recorded for the wrong client." and marked.version == 2
    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.status == "open"
    page.goto(f"/alerts/{alert.pk}/")
    expect(page.get_by_text("These answers were later marked as entered in error")).to_be_visible()
    check_page(page, "alert-of-a-withdrawn-response", screen, problems)
    assert problems == []
