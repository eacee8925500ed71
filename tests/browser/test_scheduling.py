"""Appointments in Debian's chromium: a clinician books a weekly series across the spring clock
change and every session stays at 10:00; the client asks for another time at phone size; the
worker sends the reminder with a one-time check-in link that works once; the join button appears
10 minutes before a video session. Every page is checked by axe-core and our page checks.

Screenshots go to test-results/screenshots/scheduling-*.png.
"""

from datetime import UTC, date, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.browser.checks import check_page
from tests.browser.conftest import DESKTOP, PHONE, SCREENS, Screen, sign_in
from tests.browser.test_portal import AXE, AXE_URL, run_axe
from tests.support import run_worker

from rapport.clinic.models import CheckInSchedule, Course
from rapport.scheduling import times, video
from rapport.scheduling.models import Appointment, AppointmentStatus, Consent, WorkingHours

pytestmark = pytest.mark.browser


def with_axe(page: Page, live_server) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test`, which installs axe-core from npm")
    page.route(
        f"{live_server.url}{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )


def looker(page: Page, screen: Screen, problems: list[str]):
    def look(name: str) -> None:
        check_page(page, f"scheduling-{name}", screen, problems)
        problems.extend(f"{name} ({screen.name}): axe {v}" for v in run_axe(page))

    return look


def consent(clinic, kind: str, **details) -> None:
    Consent.objects.create(
        client=clinic.client,
        kind=kind,
        wording_version="1",
        given_on=date(2026, 11, 2),
        recorded_by=clinic.clinician,
        details=details,
    )


def appointment(clinic, start, **values) -> Appointment:
    local = times.local(start, "Europe/London")
    return Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.clinician,
        starts_at=start,
        time_zone="Europe/London",
        local_date=local.date(),
        local_time=local.time().replace(second=0, microsecond=0),
        minutes=50,
        **values,
    )


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_clinician_books_a_weekly_series_across_the_clock_change_at_one_local_time(
    new_page, clinic, live_server, screen
):
    Course.objects.create(client=clinic.client, status="active", session_minutes=50, planned_sessions=12)
    WorkingHours.objects.create(clinician=clinic.clinician, weekday=2, starts=time(9), ends=time(17))
    problems: list[str] = []
    page = new_page(screen)
    with_axe(page, live_server)
    look = looker(page, screen, problems)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/")
    page.get_by_role("link", name="Appointments and consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointments")
    look("appointments-empty")
    series = page.locator("section", has=page.get_by_role("heading", name="Book the weekly series"))
    # Wednesdays 17 March to 7 April 2027: the clocks go forward on Sunday 28 March.
    series.get_by_label("Date").fill("2027-03-17")
    series.get_by_label("Start time").fill("10:00")
    series.get_by_label("Number of weekly sessions").fill("4")
    series.get_by_label("Format").select_option("in_person")
    series.get_by_label("Place or phone number").fill("Room 2")
    series.get_by_role("button", name="Book the series").click()
    expect(page.get_by_text("4 appointment(s) booked.")).to_be_visible()
    rows = page.locator("table.appointments tbody tr")
    expect(rows).to_have_count(4)
    for n, day in enumerate(("Wed 17 Mar 2027", "Wed 24 Mar 2027", "Wed 31 Mar 2027", "Wed 7 Apr 2027")):
        expect(rows.nth(n)).to_contain_text(f"{day}, 10:00")
    look("appointments-series")
    made = list(Appointment.objects.order_by("starts_at"))
    assert [a.starts_at.astimezone(UTC).hour for a in made] == [10, 10, 9, 9]
    assert {a.local_time for a in made} == {time(10)}

    # A clash books nothing and says which date.
    series.get_by_label("Date").fill("2027-03-31")
    series.get_by_label("Start time").fill("10:30")
    series.get_by_label("Number of weekly sessions").fill("2")
    series.get_by_label("Place or phone number").fill("Room 2")
    series.get_by_role("button", name="Book the series").click()
    expect(page.get_by_role("alert")).to_contain_text("31 Mar 2027: The clinician already has an appointment")
    assert Appointment.objects.count() == 4
    look("appointments-clash")

    rows.first.get_by_role("link", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an appointment")
    look("appointment-edit")
    page.goto("/my-schedule/")
    page.get_by_role("button", name="Make my feed address").click()
    expect(page.locator("code.feed-url")).to_contain_text("/calendar/")
    look("my-schedule")
    assert not problems, "\n".join(problems)


def test_the_client_asks_for_another_time_at_phone_size(new_page, clinic, live_server):
    for weekday in range(7):
        WorkingHours.objects.create(
            clinician=clinic.clinician, weekday=weekday, starts=time(9), ends=time(17)
        )
    day = timezone.localdate() + timedelta(days=3)
    appt = appointment(clinic, times.instant(day, time(10), "Europe/London"), place="Room 2")
    consent(clinic, "treatment")
    problems: list[str] = []
    page = new_page(PHONE)
    with_axe(page, live_server)
    look = looker(page, PHONE, problems)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/appointments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My appointments")
    expect(page.get_by_text("Treatment: agreed on 2 November 2026")).to_be_visible()
    look("portal-appointments")
    page.get_by_role("link", name="Ask for another time").click()
    look("portal-reschedule")
    choice = page.get_by_role("radio").first
    wanted = choice.get_attribute("value")
    choice.check()
    page.get_by_role("button", name="Ask for this time").click()
    expect(page.get_by_text("Your request is sent")).to_be_visible()
    expect(page.locator(".appointment .appointment-status")).to_contain_text("Client asked to reschedule")
    look("portal-reschedule-asked")
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.RESCHEDULE_ASKED and appt.reschedule_to.isoformat() == wanted
    assert clinic.clinician.notifications.filter(subject="Appointment changed by the client").exists()
    assert clinic.co_clinician.notifications.filter(subject="Appointment changed by the client").exists()
    # The clinician accepts the asked time with one click, on a desktop; the client is told.
    desk = new_page(DESKTOP)
    with_axe(desk, live_server)
    sign_in(desk, clinic.clinician.email)
    desk.goto(f"/clients/{clinic.client.pk}/appointments/")
    check_page(desk, "scheduling-reschedule-to-accept", DESKTOP, problems)
    problems.extend(f"to accept: axe {v}" for v in run_axe(desk))
    desk.get_by_role("button", name="Accept the new time").click()
    expect(desk.get_by_text("The appointment is moved to the time the client asked for")).to_be_visible()
    expect(desk.locator(f'tr[data-appointment="{appt.pk}"]')).to_contain_text("Confirmed")
    check_page(desk, "scheduling-reschedule-accepted", DESKTOP, problems)
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CONFIRMED and appt.starts_at.isoformat() == wanted
    assert clinic.client_user.notifications.filter(subject="Appointment changed").exists()
    assert not problems, "\n".join(problems)


def test_the_join_button_appears_ten_minutes_before_for_both_sides(new_page, clinic, live_server):
    now = timezone.now()
    soon = appointment(clinic, now + timedelta(minutes=9), format="video", room="rapport-" + "a" * 32)
    later = appointment(clinic, now + timedelta(minutes=90), format="video", room="rapport-" + "b" * 32)
    for user, url in (
        (clinic.client_user, "/my/appointments/"),
        (clinic.clinician, f"/clients/{clinic.client.pk}/appointments/"),
    ):
        page = new_page(DESKTOP)
        sign_in(page, user.email)
        page.goto(url)
        join = page.locator(f"[data-appointment='{soon.pk}']").get_by_role("link", name="Join")
        # Jitsi's lobby is on by default: the link asks for the pre-join screen and a knock.
        expect(join).to_have_attribute("href", f"https://meet.example.org/{soon.room}{video.LOBBY_FRAGMENT}")
        expect(join).to_have_attribute("target", "_blank")
        expect(
            page.locator(f"[data-appointment='{later.pk}']").get_by_role("link", name="Join")
        ).to_have_count(0)
    expect(page.locator("iframe")).to_have_count(0)  # nothing of the video service is embedded


def test_the_worker_sends_the_reminder_with_a_link_that_works_once(new_page, clinic, live_server, watch):
    watch.allow(r"status of 410 .*/check-in-link/")
    consent(clinic, "reminders")
    CheckInSchedule.objects.create(
        client=clinic.client, instrument="phq9", cadence="weekly", created_by=clinic.clinician
    )
    day = timezone.localdate() + timedelta(days=3)
    start = times.instant(day, time(14), "Europe/London")
    from rapport.scheduling import reminders

    appt = appointment(clinic, start, place="Room 2")
    reminders.plan(appt)
    mail.outbox.clear()
    with time_machine.travel(start - timedelta(hours=23, minutes=50)):
        run_worker()
        sent = [m for m in mail.outbox if m.subject == "Appointment reminder"]
        assert len(sent) == 1, [m.subject for m in mail.outbox]
        body = sent[0].body
        assert "Cleo" in body and "Responsible" not in body and "PHQ" not in body
        link = body[body.index("http") :].split()[0]
        path = link[link.index("/check-in-link/") :]
        page = new_page(PHONE)
        page.goto(path)
        check_page(page, "scheduling-check-in-link", PHONE, [])
        page.get_by_role("button", name="Continue to my check-in").click()
        expect(page).to_have_url(f"{live_server.url}/my/check-ins/phq9/1/")
        # Used twice: refused, nothing changes, and it says so.
        other = new_page(PHONE)
        other.goto(path)
        expect(other.get_by_text("This link has already been used.")).to_be_visible()
        expect(other.get_by_text("Nothing was changed.")).to_be_visible()
        check_page(other, "scheduling-check-in-link-used", PHONE, [])
