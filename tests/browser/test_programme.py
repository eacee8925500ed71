"""The programme outcomes in the browser: a supervisor filters by team, opens the courses behind
a figure; the programme lead sees the organisation's figures and no client; the extract page."""

import pytest
from playwright.sync_api import expect
from tests import programme_fixture
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, sign_in


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_supervisor_filters_the_outcomes_and_opens_the_courses_behind_a_figure(new_page, clinic, screen):
    programme_fixture.build(clinic)
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.supervisor.email)
    page.goto("/programme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme outcomes")
    check_page(page, "programme-outcomes", screen, problems)

    page.get_by_label("Team").select_option(label="Team A")
    page.get_by_label("Rate in the charts").select_option(label="Response")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Team")).to_have_value(str(clinic.team_a.pk))
    rates = page.get_by_role("table").filter(has_text="95% interval").first
    expect(rates.get_by_role("row", name="Response")).to_contain_text("14")
    check_page(page, "programme-outcomes-filtered", screen, problems)

    # The funnel's table: the 17 finished courses behind the figure, names and all.
    page.get_by_role("row", name="Finished (2+ sessions)").get_by_role("link", name="17").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses: Finished (2+ sessions)")
    expect(page.get_by_text("17 courses")).to_be_visible()
    check_page(page, "programme-courses", screen, problems)

    page.goto("/programme/extract/")
    check_page(page, "programme-extract", screen, problems)
    page.get_by_label("Export key").fill("short key")
    page.get_by_role("button", name="Download the extract (CSV)").click()
    expect(page.locator(".errorlist")).to_be_visible()
    check_page(page, "programme-extract-refused", screen, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_the_programme_lead_sees_the_organisation_and_no_client(new_page, clinic, screen):
    programme_fixture.build(clinic)
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.programme_lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme outcomes")
    expect(page.get_by_text("Every course of the organisation.")).to_be_visible()
    expect(page.get_by_role("row", name="Referrals")).to_contain_text("29")
    check_page(page, "programme-outcomes-lead", screen, problems)
    page.goto("/programme/courses/?figure=finished")
    expect(page.get_by_text("A programme lead sees the figures")).to_be_visible()
    expect(page.get_by_text("Cai")).to_have_count(0)
    check_page(page, "programme-courses-lead", screen, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_view_over_many_clinicians_says_how_many_more_there_are(new_page, clinic, screen, monkeypatch):
    """Over a whole organisation the workspace and the programme page list the first clinicians
    by name and say how many more there are (the limit lowered here to two)."""
    from rapport.staff import programme as programme_page
    from rapport.supervision import workspace

    programme_fixture.build(clinic)
    monkeypatch.setattr(workspace, "CLINICIAN_LIMIT", 2)
    monkeypatch.setattr(programme_page, "CLINICIAN_LIMIT", 1)
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.programme_lead.email)
    page.goto("/supervision/")
    expect(page.locator("#more-clinicians")).to_have_text(
        "And 1 more clinician: choose a team above to see each team's clinicians."
    )
    check_page(page, "workspace-lead-more-clinicians", screen, problems)
    page.goto("/programme/")
    expect(page.locator("#more-clinicians")).to_contain_text("And 1 more clinician")
    check_page(page, "programme-lead-more-clinicians", screen, problems)
    assert not problems, "\n".join(problems)
