"""The intake team's triage and the watched waiting list, through the services and the pages."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from rapport.audit.models import AuditEvent
from rapport.clinic.models import AlertStatus, Client, Course, Notification, Response
from rapport.common.errors import EditConflict, InvalidInput
from rapport.intake import referrals, triage, watch
from rapport.intake.models import IntakeWorker, Recheck, Referral, Status
from tests.support import request_as

pytestmark = pytest.mark.django_db

PHQ9 = {f"item{n}": "more_than_half_the_days" for n in range(1, 9)} | {"item9": "not_at_all"}  # 16
GAD7 = {f"item{n}": "several_days" for n in range(1, 8)}  # 7


def public(ip="203.0.113.7"):
    request = RequestFactory().post("/refer/", REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    request.session = {}
    return request


def refer(**overrides) -> Referral:
    values = dict(
        full_name="Noor Haddad",
        date_of_birth=date(1988, 6, 1),
        country="GB",
        concern="Since moving here I have nobody to talk to.",
        consent_contact=True,
        consent_data=True,
        consent_wording_version="1",
        email="noor@example.org",
        contact_by=("email",),
        phq9=dict(PHQ9),
        gad7=dict(GAD7),
    )
    values.update(overrides)
    sent = referrals.submit(public(), referrals.NewReferral(**values))
    return Referral.objects.get(reference=sent.reference)


@pytest.fixture
def intake(clinic):
    # The personas' co-clinician does intake (tests/personas.py).
    assert IntakeWorker.objects.filter(user=clinic.co_clinician).exists()
    return clinic


def test_accepting_makes_a_client_with_a_referred_course_and_the_screening_as_baseline(intake):
    referral = refer()
    worker = request_as(intake.co_clinician)
    client = triage.accept(
        worker, referral.pk, triage.Accept(clinician=intake.clinician.pk, version=referral.version)
    )
    assert client.responsible_clinician == intake.clinician and client.team == intake.team_a
    course = Course.objects.get(client=client)
    assert course.status == "referred"
    baseline = {r.instrument: r for r in Response.objects.filter(client=client)}
    assert (baseline["phq9"].total, baseline["gad7"].total) == (16, 7)
    assert baseline["phq9"].answers == PHQ9 and baseline["phq9"].course == course
    assert baseline["phq9"].answered_at == referral.submitted_at
    referral.refresh_from_db()
    assert (referral.status, referral.client, referral.version) == (Status.ACCEPTED, client, 2)
    # The client is on the clinician's caseload.
    assert client in Client.objects.visible_to(intake.clinician)
    steps = AuditEvent.objects.filter(object_type="Referral", object_id=str(referral.pk)).values_list(
        "detail", flat=True
    )
    assert {"step": "accepted", "client": client.pk} in list(steps)


def test_an_accepted_urgent_referrals_open_alert_becomes_the_clients_alert(intake):
    referral = refer(phq9=PHQ9 | {"item9": "several_days"})
    client = triage.accept(
        request_as(intake.co_clinician), referral.pk, triage.Accept(clinician=intake.clinician.pk, version=1)
    )
    referral.alert.refresh_from_db()
    assert referral.alert.client == client and referral.alert.status == AlertStatus.OPEN
    assert Notification.objects.filter(recipient=intake.clinician, alert=referral.alert).exists()


def test_a_stale_version_is_a_conflict_and_a_decided_referral_cannot_be_decided_again(intake):
    referral = refer()
    worker = request_as(intake.co_clinician)
    triage.decline(worker, referral.pk, triage.Decision(note="Lives outside our area.", version=1))
    with pytest.raises(InvalidInput):
        triage.accept(worker, referral.pk, triage.Accept(clinician=intake.clinician.pk, version=2))
    other = refer(full_name="Sam Other")
    with pytest.raises(EditConflict):
        triage.signpost(worker, other.pk, triage.Decision(note="See the local service.", version=7))
    with pytest.raises(InvalidInput) as refused:
        triage.signpost(worker, other.pk, triage.Decision(note="  ", version=1))
    assert "note" in refused.value.errors


def test_someone_not_in_intake_is_answered_as_if_the_referral_did_not_exist(intake):
    referral = refer()
    for person in (intake.clinician, intake.supervisor, intake.administrator, intake.client_user):
        with pytest.raises(Http404):
            triage.get_referral(request_as(person), referral.pk)
    assert AuditEvent.objects.filter(action="denied").count() == 4


def test_duplicates_are_flagged_by_name_and_date_of_birth(intake):
    same = refer(full_name="  cai zebedee-canary-7731 ", date_of_birth=intake.client.date_of_birth)
    twin_a = refer(full_name="Ana Twin", date_of_birth=date(2000, 1, 1))
    twin_b = refer(full_name="ana twin", date_of_birth=date(2000, 1, 1))
    alone = refer(full_name="Ana Twin", date_of_birth=date(2000, 1, 2))
    found = triage.possible_duplicates(same)
    assert found["clients"] == [intake.client.pk] and found["referrals"] == []
    assert triage.possible_duplicates(twin_a)["referrals"] == [twin_b.reference]
    flags = triage.duplicate_flags([same, twin_a, twin_b, alone])
    assert flags == {same.pk, twin_a.pk, twin_b.pk}


def test_the_waiting_list_link_shows_the_place_and_lets_the_person_leave(intake, client):
    first = refer(full_name="First Waiting")
    second = refer(full_name="Second Waiting")
    worker = request_as(intake.co_clinician)
    triage.place_on_list(
        worker, first.pk, triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1)
    )
    _referral, secret = triage.place_on_list(
        worker, second.pk, triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1)
    )
    answer = client.get(f"/waiting/{secret}/")
    assert answer.status_code == 302 and answer["Location"] == "/waiting/"
    page = client.get("/waiting/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "You are number 2 on the list." in text and second.reference in text
    assert "Second Waiting" not in text and "Noor" not in text
    assert client.get("/waiting/learn/depression/").status_code == 200  # the Learn pages while waiting
    assert client.get("/waiting/learn/no-such-page/").status_code == 404
    left = client.post("/waiting/", {"step": "cancel"})
    assert left.status_code == 200
    second.refresh_from_db()
    assert second.status == Status.CANCELLED and second.link_digest == ""
    assert client.get("/waiting/").status_code == 404
    assert client.get(f"/waiting/{secret}/", follow=True).status_code == 404


def test_a_worse_recheck_moves_the_person_up_and_tells_intake(intake):
    ahead = refer(full_name="Ahead Person")
    worse = refer(full_name="Worse Person")
    worker = request_as(intake.co_clinician)
    triage.place_on_list(
        worker, ahead.pk, triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1)
    )
    _r, secret = triage.place_on_list(
        worker, worse.pk, triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1)
    )
    check = watch.recheck(
        public(), secret, {f"item{n}": "nearly_every_day" for n in range(1, 9)} | {"item9": "not_at_all"}
    )
    assert (check.total, check.moved_up) == (24, True)  # 16 -> 24: a reliable rise (6 points or more)
    worse.refresh_from_db()
    assert watch.place_of(worse).position == 1
    assert Notification.objects.filter(recipient=intake.co_clinician, kind="referral").exists()


def test_a_risk_answer_in_a_recheck_raises_an_urgent_alert_for_intake(intake):
    referral = refer()
    _r, secret = triage.place_on_list(
        request_as(intake.co_clinician),
        referral.pk,
        triage.PlaceOnList(clinician=None, team=intake.team_a.pk, version=1),
    )
    watch.recheck(public(), secret, {"item9": "nearly_every_day"})
    referral.refresh_from_db()
    assert referral.urgent and referral.priority == 2
    assert referral.alert is not None and referral.alert.tier in ("T2", "T3")
    assert Recheck.objects.get(referral=referral).risk_flags == ["item9"]


def test_the_recheck_job_sends_a_new_link_when_due_and_the_old_one_stops(intake, client):
    referral = refer()
    _r, old = triage.place_on_list(
        request_as(intake.co_clinician),
        referral.pk,
        triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1),
    )
    mail.outbox.clear()
    assert watch.send_due_recheck(referral.pk) == "not due"
    later = timezone.now() + timedelta(weeks=5)
    assert watch.send_due_recheck(referral.pk, now=later) == "sent"
    assert watch.send_due_recheck(referral.pk, now=later) == "not due"  # claimed once
    (sent,) = mail.outbox
    assert "/waiting/" in sent.body and "Noor" not in sent.body
    assert watch.find(old) is None
    new = sent.body.split("/waiting/")[1].split("/")[0]
    assert watch.find(new) == referral


def test_the_intake_pages_show_urgent_first_and_accept_through_the_form(intake, as_user):
    calm = refer(full_name="Calm Person")
    urgent = refer(full_name="Urgent Person", phq9=PHQ9 | {"item9": "several_days"})
    browser = as_user(intake.co_clinician)
    inbox = browser.get("/intake/").content.decode()
    assert inbox.index(urgent.reference) < inbox.index(calm.reference)
    assert "not yet acknowledged" in inbox
    page = browser.post(f"/intake/referrals/{urgent.pk}/", {"step": "acknowledge", "note": ""})
    assert page.status_code == 200 and "Write what you saw" in page.content.decode()
    browser.post(f"/intake/referrals/{urgent.pk}/", {"step": "acknowledge", "note": "Phoned; safe for now."})
    urgent.alert.refresh_from_db()
    assert urgent.alert.status == AlertStatus.ACKNOWLEDGED and urgent.alert.escalate_at is None
    done = browser.post(
        f"/intake/referrals/{calm.pk}/", {"step": "accept", "clinician": intake.clinician.pk, "version": 1}
    )
    assert done.status_code == 302
    calm.refresh_from_db()
    assert calm.status == Status.ACCEPTED


def test_an_administrator_chooses_who_does_intake_and_each_change_is_audited(clinic, as_user):
    browser = as_user(clinic.administrator)
    page = browser.get("/administration/intake/").content.decode()
    assert "Cody Co" in page and f'value="{clinic.administrator.pk}"' not in page
    browser.post("/administration/intake/", {"chosen": [clinic.clinician.pk]})
    from rapport.intake import team

    assert list(team.workers(clinic.org.pk)) == [clinic.clinician]
    ended = IntakeWorker.objects.get(user=clinic.co_clinician)
    assert ended.ended_at is not None  # kept, ended
    assert AuditEvent.objects.filter(detail__intake=False, detail__user=clinic.co_clinician.pk).exists()
    refused = browser.post("/administration/intake/", {"chosen": [clinic.client_user.pk]})
    assert "Choose clinicians or supervisors" in refused.content.decode()
    assert list(team.workers(clinic.org.pk)) == [clinic.clinician]


def test_a_person_without_e_mail_is_rung_instead_intake_is_told_when_the_recheck_is_due(intake):
    referral = refer(email="", phone="07700 900456", contact_by=("phone",))
    triage.place_on_list(
        request_as(intake.co_clinician),
        referral.pk,
        triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1),
    )
    later = timezone.now() + timedelta(weeks=5)
    assert watch.send_due_recheck(referral.pk, now=later) == "intake told"
    assert watch.send_due_recheck(referral.pk, now=later) == "not due"
    note = Notification.objects.get(recipient=intake.co_clinician, kind="referral")
    assert referral.reference in note.body and "Noor" not in note.body


def test_accepting_can_send_the_portal_invitation_to_the_address_given(intake):
    from rapport.clinic.models import Invitation

    referral = refer()
    mail.outbox.clear()
    client = triage.accept(
        request_as(intake.co_clinician),
        referral.pk,
        triage.Accept(clinician=intake.clinician.pk, version=1, invite=True),
    )
    invitation = Invitation.objects.get(client=client)
    assert invitation.email == "noor@example.org" and invitation.created_by == intake.co_clinician
    assert mail.outbox[-1].to == ["noor@example.org"] and "/invitation/" in mail.outbox[-1].body
    # An address that already has an account: refused, and nothing of the acceptance is kept.
    other = refer(full_name="Has Account", email=intake.client_user.email)
    with pytest.raises(InvalidInput):
        triage.accept(
            request_as(intake.co_clinician),
            other.pk,
            triage.Accept(clinician=intake.clinician.pk, version=1, invite=True),
        )
    other.refresh_from_db()
    assert other.status == Status.NEW and not Client.objects.filter(full_name="Has Account").exists()


def test_the_public_form_lists_no_staff_unless_the_directory_names_one(intake, client):
    page = client.get("/refer/").content.decode()
    assert intake.clinician.full_name not in page and intake.other_clinician.full_name not in page
    named = client.get(f"/refer/?clinician={intake.clinician.pk}").content.decode()
    assert intake.clinician.full_name in named and intake.other_clinician.full_name not in named
    assert f'<option value="{intake.clinician.pk}" selected>' in named


def test_a_recheck_through_the_page_with_a_risk_answer_shows_the_crisis_lines(intake, client):
    referral = refer()
    _r, secret = triage.place_on_list(
        request_as(intake.co_clinician),
        referral.pk,
        triage.PlaceOnList(clinician=intake.clinician.pk, team=None, version=1),
    )
    client.get(f"/waiting/{secret}/")
    refused = client.post("/waiting/", {"step": "recheck", "phq9_item1": "sometimes"})
    assert "Nothing was kept" in refused.content.decode() and not Recheck.objects.exists()
    answer = client.post("/waiting/", {"step": "recheck", "phq9_item9": "more_than_half_the_days"})
    text = answer.content.decode()
    assert "Where to get help now" in text and "116 123" in text
    assert Recheck.objects.get().risk_flags == ["item9"]


def test_the_menu_offers_referrals_to_the_intake_team_only(intake, as_user):
    assert 'href="/intake/"' in as_user(intake.co_clinician).get("/caseload/").content.decode()
    assert 'href="/intake/"' not in as_user(intake.clinician).get("/caseload/").content.decode()


def test_a_refused_form_with_a_risk_answer_still_shows_the_crisis_lines_at_once(intake, client):
    answer = client.post(
        "/refer/",
        {
            "referred_by": "self",
            "country": "IE",
            "phq9_item9": "nearly_every_day",
            "consent_wording_version": "1",
        },
    )
    text = answer.content.decode()
    assert "Where to get help now" in text and "nobody has been told" in text
    assert "116 123" in text  # Ireland's Samaritans
    assert not Referral.objects.exists()
    calm = client.post("/refer/", {"referred_by": "self", "country": "IE", "consent_wording_version": "1"})
    assert "Where to get help now" not in calm.content.decode()


def test_over_every_limit_the_form_says_so_keeps_nothing_and_still_shows_help(intake, client, settings):
    # Over the urgent cap too (a risk answer over the ordinary limit alone is kept: see
    # test_intake_referrals).
    settings.RAPPORT_REFERRALS_PER_IP = 0
    settings.RAPPORT_URGENT_REFERRALS_PER_IP = 0
    answer = client.post(
        "/refer/",
        {
            "referred_by": "self",
            "full_name": "Late Person",
            "date_of_birth": "1990-01-01",
            "country": "GB",
            "contact_by": ["email"],
            "email": "late@example.org",
            "concern": "Low.",
            "consent_contact": "on",
            "consent_data": "on",
            "consent_wording_version": "1",
            "phq9_item9": "several_days",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 429 and "Too many referrals" in text and "116 123" in text
    assert "nobody has been told" in text
    assert not Referral.objects.exists()


# Incomplete urgent referrals (hazard log HAZ-285): the front door's pages and the inbox.

FORM = {
    "referred_by": "self",
    "full_name": "Tam Okafor",
    "date_of_birth": "1990-01-01",
    "country": "GB",
    "contact_by": ["email"],
    "email": "tam@example.org",
    "concern": "Low since the winter.",
    "consent_contact": "on",
    "consent_data": "on",
    "consent_wording_version": "1",
    "phq9_item9": "more_than_half_the_days",
}


def test_a_form_without_a_date_of_birth_but_with_item_9_is_kept_and_the_person_told_what_happened(
    intake, client
):
    answer = client.post("/refer/", {**FORM, "date_of_birth": ""})
    assert answer.status_code == 302 and answer["Location"] == "/refer/sent/"
    referral = Referral.objects.get()
    assert referral.incomplete and referral.urgent and referral.missing == ["date_of_birth"]
    assert Notification.objects.filter(alert=referral.alert, recipient=intake.co_clinician).exists()
    text = client.get("/refer/sent/").content.decode()
    assert "Where to get help now" in text and "116 123" in text
    assert "told our intake team now" in text and "date of birth" in text
    assert referral.reference in text


def test_a_date_the_form_cannot_read_is_refused_but_the_risk_answer_still_kept(intake, client):
    answer = client.post("/refer/", {**FORM, "date_of_birth": "31/31/1990", "language": "xx"})
    assert answer.status_code == 302
    referral = Referral.objects.get()
    assert set(referral.missing) == {"date_of_birth", "language"}
    assert referral.language == "en" and referral.date_of_birth is None


def test_an_invalid_e_mail_and_no_phone_keeps_nothing_and_says_nobody_was_told(intake, client):
    answer = client.post("/refer/", {**FORM, "email": "tam-at-example", "date_of_birth": ""})
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "nobody has been told about your answers" in text and "116 123" in text
    assert "Enter a valid email address." in text
    assert not Referral.objects.exists() and not Notification.objects.exists()


def test_a_filled_honeypot_on_a_refused_form_with_a_risk_answer_stores_nothing(intake, client):
    answer = client.post("/refer/", {**FORM, "date_of_birth": "", "website": "http://spam.example"})
    assert answer.status_code == 302
    assert not Referral.objects.exists() and not Notification.objects.exists()


def test_over_the_ordinary_limit_the_form_keeps_a_risk_answer(intake, client, settings):
    settings.RAPPORT_REFERRALS_PER_IP = 0
    answer = client.post("/refer/", FORM)
    assert answer.status_code == 302
    assert Referral.objects.get().alert is not None


def test_the_inbox_shows_an_incomplete_referral_and_intake_completes_it(intake, as_user):
    referral = refer(date_of_birth=None, consent_data=False, phq9={"item9": "several_days"})
    assert referral.incomplete and set(referral.missing) == {"date_of_birth", "consent_data"}
    page = as_user(intake.co_clinician)
    inbox = page.get("/intake/").content.decode()
    assert "Incomplete: kept for its risk answer" in inbox
    detail = page.get(f"/intake/referrals/{referral.pk}/").content.decode()
    assert "date of birth" in detail and "Complete the referral" in detail
    # It cannot be accepted while the person's details are missing.
    worker = request_as(intake.co_clinician)
    with pytest.raises(InvalidInput):
        triage.accept(
            worker, referral.pk, triage.Accept(clinician=intake.clinician.pk, version=referral.version)
        )
    refused = page.post(
        f"/intake/referrals/{referral.pk}/",
        {"step": "complete", "version": referral.version, "date_of_birth": "", "country": "GB"},
    )
    assert "This field is required." in refused.content.decode()
    assert "Ask the person whether we may contact them" in refused.content.decode()
    assert Referral.objects.get().incomplete
    stale = referral.version
    done = page.post(
        f"/intake/referrals/{referral.pk}/",
        {
            "step": "complete",
            "version": stale,
            "date_of_birth": "1990-02-03",
            "country": "GB",
            "consent_confirmed": "on",
        },
    )
    assert done.status_code == 302
    referral.refresh_from_db()
    assert (referral.incomplete, referral.missing, referral.date_of_birth) == (False, [], date(1990, 2, 3))
    assert referral.consent_data and referral.urgent
    assert AuditEvent.objects.filter(object_type="Referral", detail__step="completed").exists()
    # A second completion from the same stale page is refused, not written over.
    again = page.post(
        f"/intake/referrals/{referral.pk}/",
        {"step": "complete", "version": stale, "date_of_birth": "1991-01-01", "country": "GB"},
    )
    assert again.status_code == 409
    triage.accept(worker, referral.pk, triage.Accept(clinician=intake.clinician.pk, version=referral.version))
    assert Client.objects.get(full_name="Noor Haddad").date_of_birth == date(1990, 2, 3)


def test_someone_not_in_intake_cannot_complete_an_incomplete_referral(intake, as_user, client):
    referral = refer(date_of_birth=None, phq9={"item9": "several_days"})
    form = {"step": "complete", "version": referral.version, "date_of_birth": "1990-02-03", "country": "GB"}
    url = f"/intake/referrals/{referral.pk}/"
    assert as_user(intake.clinician).post(url, form).status_code == 403  # not in intake
    assert as_user(intake.other_clinician).post(url, form).status_code == 403
    assert client.post(url, form).status_code in (302, 403)  # anonymous: to the sign-in page
    assert Referral.objects.get().incomplete and Referral.objects.get().date_of_birth is None
