"""The front door in Debian's chromium: a person asks for help with a positive PHQ-9 item 9 at
phone size and sees the crisis lines for their country at once, while the intake team sees the
referral as urgent; intake accepts a referral and the client appears on the clinician's caseload
with the referral's answers as the baseline; the waiting list's private link. Every page passes
axe-core (no serious or critical violation) and our page checks.

Screenshots go to test-results/screenshots/front-door-*.png and intake-*.png.
"""

import re
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import DESKTOP, PHONE, SCREENS, SCREENSHOTS, sign_in
from tests.browser.test_portal import AXE, AXE_URL, run_axe
from tests.support import request_as

from rapport.intake import referrals, triage
from rapport.intake.models import Referral

pytestmark = pytest.mark.browser

PHQ9 = {f"item{n}": "more_than_half_the_days" for n in range(1, 9)} | {"item9": "not_at_all"}  # 16
GAD7 = {f"item{n}": "several_days" for n in range(1, 8)}  # 7


def allow_axe(page, live_server):
    page.route(
        f"{live_server.url}{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )


def look(page, name, screen, problems):
    check_page(page, name, screen, problems)
    problems.extend(f"{name} ({screen.name}): axe {v}" for v in run_axe(page))


def a_referral(**overrides) -> Referral:
    request = RequestFactory().post("/refer/", REMOTE_ADDR="203.0.113.20")
    request.user = AnonymousUser()
    values = dict(
        full_name="Noor Haddad",
        date_of_birth=date(1988, 6, 1),
        country="GB",
        concern="Since moving here I have nobody to talk to. " * 30,  # long text
        consent_contact=True,
        consent_data=True,
        consent_wording_version="1",
        email="noor@example.org",
        contact_by=("email",),
        phq9=dict(PHQ9),
        gad7=dict(GAD7),
    )
    values.update(overrides)
    sent = referrals.submit(request, referrals.NewReferral(**values))
    return Referral.objects.get(reference=sent.reference)


def test_a_person_with_item_9_positive_sees_the_crisis_lines_at_once_and_intake_sees_it_urgent(
    new_page, clinic, live_server, watch
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test`, which installs axe-core from npm")
    problems: list[str] = []
    page = new_page(PHONE)
    allow_axe(page, live_server)
    page.goto("/refer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for help")
    look(page, "front-door-form", PHONE, problems)
    # Sent empty: clear messages, nothing kept.
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was sent")
    expect(page.get_by_text("Tell us in a few words what is troubling you.")).to_be_visible()
    look(page, "front-door-form-errors", PHONE, problems)
    assert not Referral.objects.exists()

    page.get_by_label("Full name").fill("Rowan Ashdown")
    page.get_by_label("Date of birth").fill("1991-03-04")
    page.get_by_label("Country you live in").select_option("GB")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("E-mail address", exact=True).fill("rowan@example.org")
    page.get_by_label("What is troubling you, in your own words").fill("I cannot see a way forward.")
    item9 = page.get_by_role("group", name=re.compile(r"^9\. Thoughts that you would be better off dead"))
    item9.get_by_label("Several days").check()
    # The note beside the question stands out as soon as the answer is chosen (CSS, no script).
    expect(item9.locator(".risk-now")).to_have_css("font-weight", "600")
    page.get_by_label("You may contact me about this referral").check()
    page.get_by_label("You may keep what I tell you here").check()
    page.get_by_role("button", name="Send").click()

    # The crisis lines come first, before the thanks.
    expect(page.get_by_role("heading", name="Where to get help now")).to_be_visible()
    panel = page.locator(".crisis-panel")
    expect(panel.get_by_role("link", name=re.compile("Call 999"))).to_be_visible()
    expect(panel).to_contain_text("116 123")
    headings = page.get_by_role("heading").all_inner_texts()
    assert headings.index("Where to get help now") < headings.index("Thank you: we have your referral")
    referral = Referral.objects.get()
    expect(page.locator(".reference")).to_have_text(referral.reference)
    look(page, "front-door-sent-urgent", PHONE, problems)
    assert referral.urgent and referral.alert is not None

    # The intake team (the co-clinician) sees it as urgent, not yet acknowledged.
    staff = new_page(DESKTOP)
    allow_axe(staff, live_server)
    sign_in(staff, clinic.co_clinician.email)
    expect(staff.get_by_text("Urgent referral (T2): a risk answer in the screening")).to_be_visible()
    staff.get_by_role("link", name="Open the referral inbox").first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Referrals")
    row = staff.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("not yet acknowledged")
    for screen in SCREENS:
        staff.set_viewport_size({"width": screen.width, "height": screen.height})
        look(staff, "intake-inbox", screen, problems)
    staff.set_viewport_size({"width": DESKTOP.width, "height": DESKTOP.height})
    row.get_by_role("link", name=referral.reference).click()
    expect(staff.get_by_role("heading", name="Risk answer in the screening (T2)")).to_be_visible()
    look(staff, "intake-referral-urgent", DESKTOP, problems)
    staff.get_by_label("What you saw and what you will do").fill(
        "Rang Rowan; safe tonight, seeing GP tomorrow."
    )
    staff.get_by_role("button", name="Acknowledge").click()
    expect(staff.get_by_role("status")).to_contain_text("escalation has stopped")
    assert problems == [], "\n".join(problems)


def test_intake_accepts_a_referral_and_the_client_is_on_the_clinicians_caseload_with_the_baseline(
    new_page, clinic, live_server, watch
):
    problems: list[str] = []
    referral = a_referral()
    a_referral(full_name=clinic.client.full_name, date_of_birth=clinic.client.date_of_birth)  # a duplicate
    page = new_page(DESKTOP)
    allow_axe(page, live_server)
    sign_in(page, clinic.co_clinician.email)
    page.goto("/intake/")
    expect(page.get_by_text("possible duplicate")).to_be_visible()
    page.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", name="PHQ-9: 16 (Moderately severe)")).to_be_visible()
    for screen in SCREENS:
        page.set_viewport_size({"width": screen.width, "height": screen.height})
        look(page, "intake-referral", screen, problems)
    page.set_viewport_size({"width": DESKTOP.width, "height": DESKTOP.height})
    page.get_by_label("Clinician", exact=True).select_option(label=str(clinic.clinician))
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("Noor Haddad is now on Cleo Responsible's caseload")

    clinician = new_page(DESKTOP)
    sign_in(clinician, clinic.clinician.email)
    row = clinician.get_by_role("row", name=re.compile("Noor Haddad"))
    expect(row).to_contain_text("16")
    row.get_by_role("link", name=re.compile("Noor Haddad")).click()
    expect(clinician.get_by_text("Referred").first).to_be_visible()
    expect(clinician.locator("body")).to_contain_text("PHQ-9")
    expect(clinician.locator("body")).to_contain_text("GAD-7")
    assert problems == [], "\n".join(problems)


def test_a_person_on_the_waiting_list_sees_their_place_checks_in_and_can_leave(
    new_page, clinic, live_server, watch
):
    problems: list[str] = []
    ahead = a_referral(full_name="Ahead Person")
    worker = request_as(clinic.co_clinician)
    triage.place_on_list(
        worker, ahead.pk, triage.PlaceOnList(clinician=clinic.clinician.pk, team=None, version=1)
    )
    mine = a_referral()
    _r, secret = triage.place_on_list(
        worker, mine.pk, triage.PlaceOnList(clinician=clinic.clinician.pk, team=None, version=1)
    )
    for screen in SCREENS:
        page = new_page(screen)
        allow_axe(page, live_server)
        page.goto(f"/waiting/{secret}/")
        assert page.url.endswith("/waiting/")  # the secret has left the address bar
        expect(page.get_by_text("You are number 2 on the list.")).to_be_visible()
        look(page, "front-door-waiting", screen, problems)
    page.get_by_role("link", name="What IPT is").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What IPT is")
    expect(page.get_by_role("link", name="Back to your place on the list")).to_be_visible()
    look(page, "front-door-waiting-learn", PHONE, problems)
    page.get_by_role("link", name="Back to your place on the list").click()
    page.get_by_role("button", name="Leave the waiting list").click()
    expect(page.get_by_role("heading", name="You have left the waiting list")).to_be_visible()
    look(page, "front-door-waiting-left", PHONE, problems)
    mine.refresh_from_db()
    assert mine.status == "cancelled"
    assert problems == [], "\n".join(problems)


def test_an_administrator_chooses_who_does_intake(new_page, clinic, live_server, watch):
    problems: list[str] = []
    page = new_page(PHONE)
    allow_axe(page, live_server)
    sign_in(page, clinic.administrator.email)
    page.get_by_role("link", name="Who does intake").click()
    expect(page.get_by_label(re.compile("Cody Co"))).to_be_checked()
    look(page, "intake-team", PHONE, problems)
    page.get_by_label(re.compile("Cleo Responsible")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("1 added to intake")
    expect(page.get_by_label(re.compile("Cleo Responsible"))).to_be_checked()
    assert problems == [], "\n".join(problems)


def fill_the_person(page, *, email="rowan@example.org"):
    page.get_by_label("Full name").fill("Rowan Ashdown")
    page.get_by_label("Country you live in").select_option("GB")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("What is troubling you, in your own words").fill("I cannot see a way forward.")
    item9 = page.get_by_role("group", name=re.compile(r"^9\. Thoughts that you would be better off dead"))
    item9.get_by_label("More than half the days").check()
    page.get_by_label("You may contact me about this referral").check()
    page.get_by_label("You may keep what I tell you here").check()


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_form_without_a_date_of_birth_but_with_item_9_is_kept_and_intake_completes_it(
    new_page, clinic, live_server, watch, screen
):
    problems: list[str] = []
    page = new_page(screen)
    allow_axe(page, live_server)
    page.goto("/refer/")
    fill_the_person(page)  # no date of birth
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Where to get help now")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("We have your details and have told our team")
    kept = page.locator(".incomplete-kept")
    expect(kept).to_contain_text("told our intake team now")
    expect(kept).to_contain_text("date of birth")
    referral = Referral.objects.get()
    expect(page.locator(".reference")).to_have_text(referral.reference)
    look(page, "front-door-sent-incomplete", screen, problems)
    assert referral.incomplete and referral.alert is not None

    staff = new_page(screen)
    allow_axe(staff, live_server)
    sign_in(staff, clinic.co_clinician.email)
    staff.goto("/intake/")
    row = staff.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text("Incomplete: kept for its risk answer")
    look(staff, "intake-inbox-incomplete", screen, problems)
    row.get_by_role("link", name=referral.reference).click()
    expect(staff.get_by_role("heading", name="Incomplete: kept for its risk answer")).to_be_visible()
    look(staff, "intake-referral-incomplete", screen, problems)
    staff.locator(".incomplete-referral").scroll_into_view_if_needed()
    staff.screenshot(path=SCREENSHOTS / f"intake-referral-incomplete-section-{screen.name}.png")
    staff.get_by_role("button", name="Complete the referral").click()
    expect(staff.get_by_role("alert").first).to_contain_text("This field is required.")
    assert Referral.objects.get().incomplete
    staff.get_by_label("Date of birth").fill("1991-03-04")
    staff.get_by_role("button", name="Complete the referral").click()
    expect(staff.get_by_role("status")).to_contain_text("Completed")
    assert not Referral.objects.get().incomplete
    assert problems == [], "\n".join(problems)


def test_a_risk_answer_with_no_way_to_reach_the_person_says_nobody_was_told(
    new_page, clinic, live_server, watch
):
    problems: list[str] = []
    page = new_page(PHONE)
    allow_axe(page, live_server)
    page.goto("/refer/")
    fill_the_person(page, email="rowan-at-example")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Where to get help now")).to_be_visible()
    expect(page.locator(".not-told")).to_contain_text("nobody has been told about your answers")
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    look(page, "front-door-not-told", PHONE, problems)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / "front-door-not-told-top-phone.png")
    assert not Referral.objects.exists()
    assert problems == [], "\n".join(problems)
