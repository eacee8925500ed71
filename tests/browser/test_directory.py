"""The public directory in a real browser: a person finds a Spanish-speaking online provider
through "help me choose" at phone size, without signing in; every directory page (public, the
clinician's profile, the administrator's) passes axe-core and our page checks at both sizes."""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import PHONE, SCREENS, SCREENSHOTS, Screen, sign_in
from tests.browser.test_portal import AXE, AXE_URL, run_axe
from tests.directory_support import finished_courses, make_profile
from tests.support import request_as

from rapport.directory import profiles


def three_providers(clinic):
    spanish = make_profile(
        clinic.clinician,
        display_name="Dr Cleo Responsible",
        languages=["es", "en"],
        formats=["individual", "online"],
        place="",
        problem_areas=["grief"],
        verified=True,
        statement="Ofrezco IPT en español, en línea.",
    )
    make_profile(clinic.co_clinician, languages=["en"], formats=["individual", "in_person"], place="Leeds")
    make_profile(clinic.other_clinician, languages=["es"], formats=["individual", "in_person"], place="York")
    return spanish


def test_a_person_finds_a_spanish_speaking_online_provider_through_help_me_choose_at_phone_size(
    new_page, clinic, watch
):
    spanish = three_providers(clinic)
    page = new_page(PHONE)
    page.goto("/providers/")
    page.get_by_role("link", name="Help me choose: answer five short questions").click()

    expect(page.get_by_text("Question 1 of 5")).to_be_visible()
    page.get_by_label("In a few words, what would you like help with?").fill(
        "Desde que murió mi padre... my father died"
    )
    page.screenshot(path=SCREENSHOTS / "directory-choose-1-phone.png", full_page=True)
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    page.get_by_label("Which language would you like to speak in your sessions?").select_option(
        label="Spanish"
    )
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Question 3 of 5")).to_be_visible()
    # The keyboard alone: choose "Online" and go on.
    page.get_by_label("Online, by video").focus()
    page.keyboard.press("Space")
    page.screenshot(path=SCREENSHOTS / "directory-choose-3-phone.png", full_page=True)
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Question 4 of 5")).to_be_visible()
    page.get_by_label("Me (an adult)").check()
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Question 5 of 5")).to_be_visible()
    page.get_by_label("Cost is not the main thing for me").check()
    page.get_by_role("button", name="Show me therapists").click()

    expect(page.get_by_role("heading", name="Therapists who fit your answers")).to_be_visible()
    results = page.locator("ol.providers > li")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("link", name="Dr Cleo Responsible")).to_be_visible()
    expect(results.first).to_contain_text("Offers sessions in Spanish")
    expect(results.first).to_contain_text("Offers sessions online")
    expect(results.first).to_contain_text("Has experience of helping with grief")
    page.screenshot(path=SCREENSHOTS / "directory-choose-results-phone.png", full_page=True)

    results.first.get_by_role("link", name="Dr Cleo Responsible").click()
    expect(page).to_have_url(f"{page.url.split('/providers/')[0]}/providers/{spanish.pk}/")
    expect(page.get_by_role("heading", name="Dr Cleo Responsible", level=1)).to_be_visible()
    expect(page.get_by_text("Checked by the clinic").first).to_be_visible()
    # Nothing the person wrote went into an address.
    assert "murió" not in page.url and "died" not in page.url
    page.screenshot(path=SCREENSHOTS / "directory-provider-phone.png", full_page=True)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_directory_page_passes_axe_and_our_page_checks(
    new_page, clinic, live_server, watch, screen: Screen
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test`, which installs axe-core from npm")
    problems: list[str] = []

    def look(page, name):
        page.route(
            f"{live_server.url}{AXE_URL}",
            lambda route: route.fulfill(path=AXE, content_type="text/javascript"),
        )
        check_page(page, f"directory-{name}", screen, problems)
        problems.extend(f"{name} ({screen.name}): axe {v}" for v in run_axe(page))

    page = new_page(screen)
    page.goto("/providers/")
    look(page, "empty")

    spanish = three_providers(clinic)
    profiles.set_outcomes_shown(request_as(clinic.administrator), True)
    long_statement = "I work with people who are grieving, in conflict or facing a change. " * 14
    make_profile(
        clinic.supervisor,
        display_name="Dr Sue Pervisor-Longname-Hyphenated-Consultant",
        profession="Consultant clinical psychologist and IPT supervisor and trainer",
        languages=["en", "fr", "de", "es", "it", "pt"],
        formats=["individual", "group", "couple", "adolescents", "online", "in_person"],
        place="Newcastle upon Tyne, Jesmond and Gosforth",
        statement=long_statement[:1000],
        sliding_scale=True,
        free_places=True,
        show_outcomes=True,
    )
    finished_courses(clinic, clinic.supervisor, 23, responded=13, recovered=10)
    page.goto("/providers/")
    look(page, "list")
    page.get_by_label("What would you like help with? (optional)").fill("We argue all the time")
    page.get_by_label("Language").select_option(label="Spanish")
    page.get_by_label("The most you can pay per session").fill("lots")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Give the most you can pay per session as a whole number.")).to_be_visible()
    look(page, "search-refused")
    page.goto(f"/providers/{spanish.pk}/")
    look(page, "provider")
    page.goto("/providers/")
    page.get_by_role("link", name="Dr Sue Pervisor-Longname-Hyphenated-Consultant").click()
    expect(page.get_by_text("Over 23 finished courses of IPT with this therapist:")).to_be_visible()
    look(page, "provider-long")
    page.goto("/providers/choose/")
    look(page, "choose-1")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    look(page, "choose-3")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Up to an amount (write it below)").check()
    page.get_by_role("button", name="Show me therapists").click()
    expect(
        page.get_by_text("Give the most you can pay per session, or choose another answer.")
    ).to_be_visible()
    look(page, "choose-5-refused")
    page.get_by_label("The most I can pay per session").fill("5")
    page.get_by_role("button", name="Show me therapists").click()
    look(page, "choose-results-none")

    staff = new_page(screen)
    sign_in(staff, clinic.co_clinician.email)
    staff.goto("/my-directory-profile/")
    look(staff, "my-profile")
    staff.get_by_role("link", name="Add a licence or an IPT training").click()
    look(staff, "credential-add")
    staff.goto("/my-directory-profile/")
    staff.get_by_role("link", name="Change IPT UK").click()
    staff.get_by_role("button", name="Take it off").click()
    expect(staff.get_by_text("This field is required.")).to_be_visible()
    look(staff, "credential-edit-refused")

    admin = new_page(screen)
    sign_in(admin, clinic.administrator.email)
    admin.goto("/administration/directory/")
    look(admin, "admin")
    admin.goto(f"/administration/directory/{spanish.pk}/")
    look(admin, "admin-profile")
    assert problems == []
