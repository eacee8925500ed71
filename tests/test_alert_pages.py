"""The staff pages of the safety net: the alerts list and an alert's page with its forms, raising
risk, the client's portal settings, the session note's "since we last met", the administration
page and the opening hours."""

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from rapport.accounts.models import Organisation
from rapport.clinic import alert_chain, alerts, measurement, portal
from rapport.clinic.models import (
    AlertStatus,
    ClinicMessage,
    Course,
    Notification,
    Preparation,
    RiskAlert,
    Session,
    TaskReport,
)
from rapport.messaging import clinic_notices
from rapport.messaging.models import Message
from tests.support import request_as

FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def raised(clinic, tier="T2", note="Worried after the call.", by=None):
    return alerts.raise_by_clinician(request_as(by or clinic.clinician), clinic.client.pk, tier, note)


def text(response) -> str:
    return response.content.decode()


# --- The alerts list ----------------------------------------------------------------------------


def test_the_alerts_page_lists_open_alerts_first_marks_the_overdue_and_keeps_a_month_of_resolved(
    clinic, as_user
):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=40), tick=False):
        old = raised(clinic, "T1")
        alerts.resolve(request_as(clinic.clinician), old.pk, "no_risk", "")
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        seen = raised(clinic, "T3")
        alerts.acknowledge(request_as(clinic.clinician), seen.pk, "Calling.")
        overdue = raised(clinic, "T3")
        done = raised(clinic, "T1")
        alerts.resolve(request_as(clinic.clinician), done.pk, "contacted", "Spoke to him.")
    fresh = raised(clinic, "T1")
    page = text(as_user(clinic.clinician).get("/alerts/"))
    order = [page.index(f'id="alert-{a.pk}"') for a in (overdue, fresh, seen)]
    assert order == sorted(order)  # open (by tier) before acknowledged
    assert f'<tr id="alert-{overdue.pk}" class="overdue">' in page
    assert f'<tr id="alert-{fresh.pk}" class="">' in page
    assert "Acknowledged by Cleo Responsible" in page
    assert "Contacted the client; risk assessed" in page
    assert f"/alerts/{old.pk}/" not in page  # resolved more than 30 days ago


def test_each_person_sees_only_the_alerts_of_the_clients_they_see(clinic, as_user):
    mine = raised(clinic)
    theirs = alerts.raise_by_clinician(request_as(clinic.other_clinician), clinic.other_client.pk, "T3", "x")
    for user, shown, hidden in [
        (clinic.co_clinician, mine, theirs),
        (clinic.supervisor, mine, theirs),
        (clinic.other_supervisor, theirs, mine),
    ]:
        page = text(as_user(user).get("/alerts/"))
        assert f'id="alert-{shown.pk}"' in page and f'id="alert-{hidden.pk}"' not in page
    assert as_user(clinic.other_clinician).get(f"/alerts/{mine.pk}/").status_code == 404


def test_the_caseload_links_a_clients_open_alerts_to_the_alerts_page(clinic, as_user):
    raised(clinic)
    page = text(as_user(clinic.clinician).get("/caseload/"))
    # The flag now leads with the highest open tier (issue #11 item 3).
    assert (
        '<a class="badge bad alert-flag alert-flag-t2" href="/alerts/">'
        '<span class="tier tier-t2">T2</span> <span class="flag-text">1 open alert' in page
    )
    # The in-app notification opens the alert.
    assert f'href="/alerts/{RiskAlert.objects.get().pk}/">Open the alert</a>' in page


def test_the_client_page_links_each_open_alert_and_offers_the_staff_tools(clinic, as_user):
    alert = raised(clinic)
    page = text(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/"))
    assert f'href="/alerts/{alert.pk}/"' in page
    for link in ("safety-plan/", "portal/", "alerts/new/"):
        assert f'href="/clients/{clinic.client.pk}/{link}"' in page
    page = text(as_user(clinic.supervisor).get(f"/clients/{clinic.client.pk}/"))
    assert "safety-plan/" in page and "portal/" not in page and "alerts/new/" not in page


# --- One alert ----------------------------------------------------------------------------------


def test_an_alerts_page_gives_its_reasons_in_words_and_its_chain(clinic, as_user):
    answers = {f"item{i}": FREQ[0] for i in range(1, 9)} | {"item9": FREQ[2]}
    response = measurement.record_response(request_as(clinic.clinician), clinic.client.pk, "phq9", answers)
    alert = response.alert
    page = text(as_user(clinic.clinician).get(f"/alerts/{alert.pk}/"))
    assert "PHQ-9 question 9 answered “More than half the days”." in page
    assert "PHQ-9 risk rule: item 9 more than half the days or more" in page
    assert "A questionnaire answer" in page
    assert "Told the client&#x27;s clinicians" in page
    assert "Cody Co: in-app notification; e-mail" in page
    assert "Escalates to the team&#x27;s supervisors if nobody acknowledges it by then" in page
    assert f'href="/clients/{clinic.client.pk}/responses/{response.pk}/"' in page


def test_an_alert_from_a_check_in_left_unsent_says_so_and_gives_the_answer(clinic, as_user):
    from rapport.clinic.models import CheckInDraft

    draft = CheckInDraft.objects.create(client=clinic.client, instrument="phq9", answers={"item9": FREQ[3]})
    alert = alert_chain.raise_alert(
        None,
        clinic.client,
        tier="T2",
        risk_level="moderate",
        source="questionnaire",
        reasons=["unsent_check_in", "item:item9"],
        source_record={"type": "CheckInDraft", "id": draft.pk},
    )
    page = text(as_user(clinic.clinician).get(f"/alerts/{alert.pk}/"))
    assert "answered a risk question in a check-in and has not sent it" in page
    assert "PHQ-9 question 9 answered “Nearly every day”." in page


def test_a_free_text_alert_shows_the_clients_words_in_full(clinic, as_user):
    Course.objects.create(client=clinic.client, started_on=date(2026, 1, 5), status="active")
    portal.save_preparation(
        request_as(clinic.client_user), {"what_happened": "Work was awful. I want to die some days."}, 0
    )
    page = text(as_user(clinic.supervisor).get(f"/alerts/{RiskAlert.objects.get().pk}/"))
    assert "The client&#x27;s own words touch on: Thoughts of suicide or of wanting to die." in page
    assert "Work was awful. I want to die some days." in page


def test_acknowledging_on_the_page_needs_a_note_then_records_it(clinic, as_user):
    alert = raised(clinic, "T3")
    client = as_user(clinic.co_clinician)
    page = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "  "})
    assert page.status_code == 200
    assert "Write a short note" in text(page)
    assert RiskAlert.objects.get().status == AlertStatus.OPEN
    done = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "Seen; ringing her."}, follow=True)
    assert "it will not be escalated" in text(done)
    assert "Acknowledged</strong>" in text(done) and "Seen; ringing her." in text(done)
    # The second person to try is told, and sees who did.
    again = as_user(clinic.supervisor).post(f"/alerts/{alert.pk}/acknowledge/", {"note": "Me too."})
    assert "Someone else has already acknowledged this alert." in text(again)


def test_resolving_on_the_page_records_the_action_and_a_stale_page_keeps_what_was_typed(clinic, as_user):
    alert = raised(clinic)
    client = as_user(clinic.clinician)
    page = client.post(f"/alerts/{alert.pk}/resolve/", {"note": "Spoke to her.", "version": alert.version})
    assert "Choose what was done." in text(page) and "Spoke to her.</textarea>" in text(page)
    alerts.acknowledge(request_as(clinic.co_clinician), alert.pk, "On it.")
    stale = client.post(
        f"/alerts/{alert.pk}/resolve/", {"action": "no_risk", "note": "All fine.", "version": alert.version}
    )
    assert "changed since you opened it" in text(stale)
    assert "All fine.</textarea>" in text(stale) and 'value="no_risk" checked' in text(stale)
    assert "On it." in text(stale)  # what changed is on the page
    done = client.post(
        f"/alerts/{alert.pk}/resolve/",
        {"action": "contacted", "note": "Spoke to her.", "version": alert.version + 1},
        follow=True,
    )
    assert "The alert is resolved" in text(done)
    assert RiskAlert.objects.get().resolution_action == "contacted"
    assert "Resolve the alert" not in text(done)  # no form left on a resolved alert


def test_a_supervisor_may_acknowledge_and_resolve_an_alert_of_their_team(clinic, as_user):
    alert = raised(clinic, "T3")
    client = as_user(clinic.supervisor)
    assert client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "Escalation seen."}).status_code == 302
    assert RiskAlert.objects.get().acknowledged_by == clinic.supervisor


def test_raising_risk_from_the_page_keeps_what_was_typed_until_it_is_complete(clinic, as_user):
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/alerts/new/"
    page = text(client.get(url))
    assert "T3 · High or imminent" in page
    refused = client.post(url, {"note": "She gave her cat away."})
    assert "Choose a tier" in text(refused) and "She gave her cat away.</textarea>" in text(refused)
    assert not RiskAlert.objects.exists()
    done = client.post(url, {"tier": "T3", "note": "She gave her cat away."})
    alert = RiskAlert.objects.get()
    assert done["Location"] == f"/alerts/{alert.pk}/"
    assert (alert.tier, alert.note, alert.source) == ("T3", "She gave her cat away.", "clinician")


# --- The client's portal settings ----------------------------------------------------------------


def test_the_portal_page_shows_the_account_the_check_ins_and_the_messages(clinic, as_user):
    portal.set_schedule(request_as(clinic.clinician), clinic.client.pk, "gad7", "fortnightly", True)
    clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "See you on Tuesday.")
    page = text(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/portal/"))
    assert "The client signs in as client@test.rapport." in page
    assert "They have not signed in yet." in page
    assert "GAD-7" in page and "Every other week" in page
    assert "See you on Tuesday." in page
    assert "Send the invitation" not in page  # the client has an account already


def test_a_printed_invitation_code_is_shown_once_in_groups_of_four(clinic, newcomer, as_user, mailoutbox):
    client = as_user(clinic.clinician)
    page = text(client.post(f"/clients/{newcomer.pk}/portal/invite/"))
    import re

    code = re.search(r'<p class="code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</p>', page).group(1)
    assert "http://127.0.0.1:8000/invitation/" in page
    assert "shown only once" in page
    from rapport.clinic import invitations

    assert invitations.find(code).client == newcomer
    again = text(client.get(f"/clients/{newcomer.pk}/portal/"))
    assert code not in again and "a printed code made on" in again and "Not used yet" in again
    assert mailoutbox == []


def test_an_invitation_by_e_mail_is_sent_and_a_new_one_replaces_the_old(
    clinic, newcomer, as_user, mailoutbox
):
    client = as_user(clinic.clinician)
    url = f"/clients/{newcomer.pk}/portal/invite/"
    client.post(url)
    done = client.post(url, {"email": "noor@example.org"}, follow=True)
    assert "The invitation is on its way to noor@example.org." in text(done)
    assert [m.to for m in mailoutbox] == [["noor@example.org"]]
    assert "/invitation/" in mailoutbox[0].body and newcomer.full_name not in mailoutbox[0].body
    first, second = newcomer.invitations.order_by("pk")
    assert first.revoked_at is not None and second.usable()
    bad = client.post(url, {"email": "not an address"})
    assert "Enter a valid e-mail address." in text(bad) and 'value="not an address"' in text(bad)


def test_an_invitation_whose_e_mail_cannot_be_sent_is_undone(clinic, newcomer, as_user, settings):
    settings.EMAIL_BACKEND = "tests.test_alerts.RefusingBackend"
    page = as_user(clinic.clinician).post(
        f"/clients/{newcomer.pk}/portal/invite/", {"email": "noor@example.org"}
    )
    assert page.status_code == 200
    assert "could not be sent just now" in text(page)
    assert not newcomer.invitations.exists()


def test_check_ins_are_scheduled_paused_and_refused_for_a_clinician_rated_scale(clinic, as_user):
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/portal/check-ins/"
    done = client.post(url, {"instrument": "phq9", "cadence": "before_session", "active": "on"}, follow=True)
    assert "PHQ-9: before every session." in text(done)
    done = client.post(url, {"instrument": "phq9", "cadence": "weekly"}, follow=True)
    assert "PHQ-9 is paused." in text(done)
    schedule = clinic.client.check_in_schedules.get()
    assert (schedule.cadence, schedule.active) == ("weekly", False)
    refused = client.post(url, {"instrument": "hamd17", "cadence": "weekly", "active": "on"})
    assert "Choose a questionnaire the client can answer themselves." in text(refused)


def test_a_message_to_the_client_is_sent_or_refused_when_empty(clinic, as_user):
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/portal/message/"
    assert "Write the message." in text(client.post(url, {"body": " "}))
    client.post(url, {"body": "Remember the plan we made."})
    notice = Message.objects.get()
    assert (notice.body, notice.kind, notice.from_client) == ("Remember the plan we made.", "notice", False)
    assert not ClinicMessage.objects.exists()  # the old table is no longer written


# --- "Since we last met" at the top of the session note ------------------------------------------


def test_the_session_note_opens_with_what_the_client_sent_and_how_their_task_went(clinic, as_user):
    course = Course.objects.create(client=clinic.client, started_on=date(2026, 1, 5), status="active")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 1, 12, 10)), tick=False):
        last = Session.objects.create(
            course=course,
            number=2,
            date=date(2026, 1, 12),
            status="attended",
            between_session_task="Ring Sam",
        )
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 1, 15, 20)), tick=False):
        prep = Preparation.objects.create(
            client=clinic.client,
            course=course,
            what_happened="Sam and I argued again.",
            topics="The argument",
            mood_change=-1,
            shared_at=timezone.now(),
        )
        TaskReport.objects.create(
            session=last, client=clinic.client, outcome="partly", how_it_went="Texted instead."
        )
    session = Session.objects.create(course=course, number=3, date=date(2026, 1, 19), status="scheduled")
    page = text(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/sessions/{session.pk}/"))
    top = page.index("From the client: since we last met")
    assert top < page.index("Measures at session 3")
    for words in (
        "Sam and I argued again.",
        "A bit worse",
        "The argument",
        "I did some of it",
        "Texted instead.",
    ):
        assert words in page
    # A draft the client has not sent is not shown, only mentioned.
    Preparation.objects.filter(pk=prep.pk).update(shared_at=None)
    page = text(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/sessions/{session.pk}/"))
    assert "Sam and I argued again." not in page and "has not sent them yet" in page


# --- Administration -----------------------------------------------------------------------------


def test_the_administration_page_lists_crisis_lines_due_for_checking_and_escalations(clinic, as_user):
    alert = raised(clinic, "T3")
    Notification.objects.create(
        recipient=clinic.administrator,
        client=clinic.client,
        alert=alert,
        subject="Escalated: T3",
        body="Reach Cleo.",
    )
    page = text(as_user(clinic.administrator).get("/administration/"))
    assert "Crisis lines due for checking" in page
    assert "United Kingdom (GB)" in page and "GB.yaml" in page and "nobody yet" in page
    assert "Escalated: T3" in page and "Reach Cleo." in page
    assert f"/alerts/{alert.pk}/" not in page  # administrators cannot open it; the trail link instead
    assert 'href="/administration/opening-hours/"' in page


def test_opening_hours_are_set_by_an_administrator_and_bad_ones_refused(clinic, as_user):
    client = as_user(clinic.administrator)
    page = text(client.get("/administration/opening-hours/"))
    assert 'value="09:00-17:00"' in page
    done = client.post(
        "/administration/opening-hours/",
        {"mon": "08:30-12:30, 13:30-18:00", "tue": "9:00-17:00", "sat": "10:00\u201312:00"},
        follow=True,
    )
    assert "The opening hours were saved." in text(done)
    org = Organisation.objects.get()
    assert org.opening_hours["mon"] == [["08:30", "12:30"], ["13:30", "18:00"]]
    assert org.opening_hours["tue"] == [["09:00", "17:00"]]
    assert (org.opening_hours["sat"], org.opening_hours["wed"]) == ([["10:00", "12:00"]], [])
    refused = client.post("/administration/opening-hours/", {"mon": "9 till 5", "tue": "17:00-09:00"})
    assert "Write each opening as start-end" in text(refused) and 'value="9 till 5"' in text(refused)
    refused = client.post("/administration/opening-hours/", {"mon": "09:00-12:00, 11:00-13:00"})
    assert "overlaps" in text(refused)
    assert Organisation.objects.get().opening_hours["mon"] == [["08:30", "12:30"], ["13:30", "18:00"]]
