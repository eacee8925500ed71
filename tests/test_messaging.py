"""Secure messaging: a thread between a client and their care team, never edited, withdrawn with
the original kept, screened for risk phrases, counted unread per person, told by e-mail without
content, and the notices and daily digest that tell clinicians what their clients did."""

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from rapport.accounts.models import Organisation
from rapport.audit.models import Action, AuditEvent
from rapport.clinic import portal
from rapport.clinic.models import (
    AlertSource,
    BreakGlassGrant,
    CheckInSchedule,
    Client,
    Course,
    Notification,
    RiskAlert,
    Session,
    SessionStatus,
)
from rapport.common.errors import EditConflict, InvalidInput
from rapport.core import crisis
from rapport.core import messaging as messaging_rules
from rapport.messaging import clinic_notices, digest, notices, threads
from rapport.messaging.models import DigestSent, Message, Thread
from tests.personas import CANARY, PERSONAS
from tests.support import request_as

ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ALWAYS_CLOSED = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def team(clinic):
    clinic.client.co_clinicians.add(clinic.co_clinician)
    return clinic


def send_as(user, clinic, body, client=None):
    return threads.send(request_as(user), (client or clinic.client).pk, body)


def test_a_client_message_is_kept_audited_and_tells_the_care_team(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_as(team.client_user, team, "Can we talk about my sister on Thursday?")
    message = Message.objects.get()
    assert message.from_client and message.author == team.client_user and message.version == 1
    assert Thread.objects.get(client=team.client).last_message_at == message.created_at
    assert sent.alert is None
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="Message", client_id=team.client.pk
    ).exists()
    told = Notification.objects.filter(client=team.client, kind=notices.MESSAGE)
    assert {n.recipient for n in told} == {team.clinician, team.co_clinician}
    # A second message before the notice is read adds no second notice.
    with django_capture_on_commit_callbacks(execute=True):
        send_as(team.client_user, team, "And about work.")
    assert Notification.objects.filter(client=team.client, kind=notices.MESSAGE).count() == 2


def test_the_email_says_a_message_waits_and_nothing_else(team):
    send_as(team.client_user, team, f"My sister {CANARY} called")
    message = Message.objects.get()
    assert notices.email_about(message.pk) == 2
    for sent in mail.outbox:
        assert CANARY not in sent.body and "sister" not in sent.body
        assert "Cai" not in sent.body and str(team.client.pk) not in sent.subject
        assert sent.body.count("/messages/") == 1 and "/my/" not in sent.body
    # Someone who has read it already is not e-mailed.
    mail.outbox.clear()
    threads.read_thread(request_as(team.clinician), team.client.pk)
    assert notices.email_about(message.pk) == 1
    assert mail.outbox[0].to == [team.co_clinician.email]


def test_a_reply_emails_the_client_to_their_portal(team):
    send_as(team.clinician, team, "See you on Thursday.")
    assert notices.email_about(Message.objects.get().pk) == 1
    assert mail.outbox[0].to == [team.client_user.email]
    assert "/my/messages/" in mail.outbox[0].body and "Thursday" not in mail.outbox[0].body


def test_a_risk_phrase_in_a_client_message_raises_a_free_text_alert(team):
    sent = send_as(team.client_user, team, "Some days I want to kill myself")
    assert sent.alert is not None and sent.alert.tier == "T1"
    alert = RiskAlert.objects.get(client=team.client)
    assert alert.source == AlertSource.FREE_TEXT
    assert alert.source_record == {"type": "Message", "id": sent.message.pk}
    assert threads.support_needed(team.client)
    # The clinicians are told as for any alert.
    assert Notification.objects.filter(alert=alert, recipient=team.clinician).exists()


def test_a_clinicians_words_are_not_screened(team):
    sent = send_as(team.clinician, team, "We talked about when you wanted to kill yourself")
    assert sent.alert is None and not RiskAlert.objects.exists()


@pytest.mark.parametrize(("body", "why"), [("   ", "Write the message."), ("x" * 2001, "under 2,000")])
def test_bad_input_changes_nothing(team, body, why):
    with pytest.raises(InvalidInput) as refused:
        send_as(team.client_user, team, body)
    assert why in refused.value.errors["body"][0]
    assert not Message.objects.exists() and not Thread.objects.exclude(last_message_at=None).exists()


def test_nobody_outside_the_client_and_care_team_writes(team):
    # Another client, or a clinician of another team, cannot even see the thread.
    with pytest.raises(Http404):
        send_as(team.other_client_user, team, "hello")
    with pytest.raises(Http404):
        send_as(team.other_clinician, team, "hello")
    # A supervisor reads the thread but does not write in it.
    with pytest.raises(PermissionDenied):
        send_as(team.supervisor, team, "hello")
    assert not Message.objects.exists()
    threads.read_thread(request_as(team.supervisor), team.client.pk)
    # A client writes only in their own thread: the other client's id is not theirs.
    with pytest.raises(Http404):
        send_as(team.client_user, team, "hello", client=team.other_client)


def test_unread_counts_are_per_person(team):
    send_as(team.client_user, team, "One")
    send_as(team.client_user, team, "Two")
    assert threads.unread_count(team.clinician) == 2
    assert threads.unread_count(team.co_clinician) == 2
    assert threads.unread_count(team.client_user) == 0
    assert threads.unread_count(team.other_clinician) == 0
    view = threads.read_thread(request_as(team.clinician), team.client.pk)
    assert view.first_unread_id == view.messages[0].pk
    assert threads.unread_count(team.clinician) == 0
    assert threads.unread_count(team.co_clinician) == 2
    send_as(team.clinician, team, "Thanks")
    assert threads.unread_count(team.client_user) == 1
    assert threads.unread_count(team.co_clinician) == 3
    threads.read_thread(request_as(team.client_user), team.client.pk)
    assert threads.unread_count(team.client_user) == 0


def test_a_withdrawn_message_keeps_its_words_in_the_record(team):
    sent = send_as(team.client_user, team, "Sorry, wrong person")
    request = request_as(team.client_user)
    withdrawn = threads.retract(request, team.client.pk, sent.message.pk, 1, "meant for my friend")
    assert withdrawn.retracted_at is not None and withdrawn.body == "Sorry, wrong person"
    assert withdrawn.retracted_by == team.client_user and withdrawn.version == 2
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="Message", detail__retracted=True
    ).exists()
    # Withdrawn messages are not unread; withdrawing twice, or from a stale page, changes nothing.
    assert threads.unread_count(team.clinician) == 0
    with pytest.raises(InvalidInput):
        threads.retract(request, team.client.pk, sent.message.pk, 2, "")
    Message.objects.filter(pk=sent.message.pk).update(retracted_at=None)
    with pytest.raises(EditConflict):
        threads.retract(request, team.client.pk, sent.message.pk, 1, "")


def test_only_the_author_withdraws(team):
    sent = send_as(team.client_user, team, "Hello")
    with pytest.raises(Http404):
        threads.retract(request_as(team.clinician), team.client.pk, sent.message.pk, 1, "")
    assert Message.objects.get().retracted_at is None


def test_the_note_follows_the_opening_hours(team):
    Organisation.objects.filter(pk=team.org.pk).update(opening_hours=ALWAYS_CLOSED)
    team.client.organisation.refresh_from_db()
    note = threads.note_for(team.client)
    assert note.open_now is False
    assert note.within_hours == messaging_rules.rules().reply_within_working_hours
    Organisation.objects.filter(pk=team.org.pk).update(opening_hours=ALWAYS_OPEN)
    team.client.organisation.refresh_from_db()
    assert threads.note_for(team.client).open_now is True


def test_the_inbox_lists_visible_threads_unread_first(team):
    send_as(team.client_user, team, "One")
    rows = threads.inbox(request_as(team.clinician))
    assert [(r.client, r.unread) for r in rows] == [(team.client, 1)]
    assert threads.inbox(request_as(team.other_clinician)) == []
    assert AuditEvent.objects.filter(action=Action.LIST, object_type="MessageInbox").exists()


def test_a_shared_preparation_tells_the_care_team(team, django_capture_on_commit_callbacks):
    Course.objects.create(client=team.client, planned_sessions=12)
    request = request_as(team.client_user)
    with django_capture_on_commit_callbacks(execute=True):
        prep = portal.save_preparation(request, {"what_happened": "A hard week"}, 0)
    assert not Notification.objects.filter(kind=notices.PREPARATION).exists()  # only typed
    with django_capture_on_commit_callbacks(execute=True):
        portal.save_preparation(request, {"what_happened": "A hard week"}, prep.version, share=True)
    assert set(Notification.objects.filter(kind=notices.PREPARATION).values_list("recipient", flat=True)) == {
        team.clinician.pk,
        team.co_clinician.pk,
    }


def test_a_check_in_tells_the_care_team(team, django_capture_on_commit_callbacks):
    from rapport.clinic import measurement

    Course.objects.create(client=team.client, planned_sessions=12)
    with django_capture_on_commit_callbacks(execute=True):
        measurement.record_response(
            request_as(team.client_user), team.client.pk, "phq9", {"item1": "not_at_all"}
        )
    assert Notification.objects.filter(kind=notices.CHECK_IN, recipient=team.clinician).exists()


def _at_local(hour: int, day_offset: int = 0) -> datetime:
    today = timezone.now().astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=day_offset)
    return datetime(today.year, today.month, today.day, hour, 5, tzinfo=ZoneInfo("Europe/London"))


def test_the_daily_digest_counts_without_names_once_a_day(team):
    send_as(team.client_user, team, f"{CANARY} here")
    course = Course.objects.create(client=team.client, planned_sessions=12)
    CheckInSchedule.objects.create(client=team.client, instrument="phq9", created_by=team.clinician)
    # The next 07:05 after the message was sent, so that the message falls in the digest's day.
    morning = _at_local(7) if _at_local(7) > timezone.now() else _at_local(7, day_offset=1)
    Session.objects.create(course=course, number=1, date=morning.date(), status=SessionStatus.SCHEDULED)
    assert digest.send_due(morning - timedelta(hours=1)) == 0  # not yet the digest hour
    handled = digest.send_due(morning + timedelta(hours=0))
    assert handled >= 2  # every active clinician of the organisation is handled, once
    to_clinician = [m for m in mail.outbox if m.to == [team.clinician.email]]
    assert len(to_clinician) == 1
    body = to_clinician[0].body
    assert "Messages from clients: 1" in body
    assert "Check-ins not done before today's sessions: 1" in body
    assert CANARY not in body and "Cai" not in body and "here" not in body
    assert Notification.objects.filter(kind=notices.MISSED_CHECK_IN, recipient=team.clinician).exists()
    # Nothing happened for the other clinician: no e-mail, but the day is recorded.
    assert not [m for m in mail.outbox if m.to == [team.other_clinician.email]]
    assert DigestSent.objects.filter(user=team.other_clinician).exists()
    assert digest.send_due(morning + timedelta(hours=3)) == 0


def test_a_clinician_can_turn_the_digest_off(team):
    request = request_as(team.clinician)
    choice = digest.choose(request, False, 0)
    assert choice.daily_digest is False
    with pytest.raises(EditConflict):
        digest.choose(request, True, 0)
    send_as(team.client_user, team, "hello")
    # The next 08:05 after the message, so that the message falls in the digest's day.
    digest.send_due(_at_local(8) if _at_local(8) > timezone.now() else _at_local(8, day_offset=1))
    assert not [m for m in mail.outbox if m.to == [team.clinician.email]]
    assert [m for m in mail.outbox if m.to == [team.co_clinician.email]]


def test_the_digest_job_is_queued_once(team):
    from django_tasks_db.models import DBTaskResult

    assert digest.ensure_scheduled() is True
    assert digest.ensure_scheduled() is False
    queued = DBTaskResult.objects.get(task_path=digest.send_daily_digests.module_path)
    local = queued.run_after.astimezone(ZoneInfo("Europe/London"))
    assert local.time() == messaging_rules.rules().digest_at and queued.run_after > timezone.now()


def test_a_client_account_uses_its_own_client_id_through_the_api(team, as_user):
    api = as_user(team.client_user)
    url = f"/api/v1/clients/{team.client.pk}/messages"
    made = api.post(url, {"body": "Hello from the app"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["from_client"] is True
    assert [m["body"] for m in api.get(url).json()] == ["Hello from the app"]
    refused = api.post(url, {"body": " "}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"]["body"] == ["Write the message."]
    assert api.get(f"/api/v1/clients/{team.other_client.pk}/messages").status_code == 404
    assert Message.objects.count() == 1


def test_a_withdrawn_message_shows_no_words_to_the_other_side_through_the_api(team, as_user):
    sent = send_as(team.clinician, team, "Wrong client, sorry")
    threads.retract(request_as(team.clinician), team.client.pk, sent.message.pk, 1, "")
    url = f"/api/v1/clients/{team.client.pk}/messages"
    assert as_user(team.client_user).get(url).json()[0]["body"] is None
    assert as_user(team.co_clinician).get(url).json()[0]["body"] == "Wrong client, sorry"


def test_the_portal_menu_counts_unread_replies(team, as_user):
    send_as(team.clinician, team, "See you Thursday")
    page = as_user(team.client_user).get("/my/").content.decode()
    assert 'id="unread-badge"' in page
    as_user(team.client_user).get("/my/messages/")
    assert 'id="unread-badge"' not in as_user(team.client_user).get("/my/").content.decode()


def test_the_caseload_notice_links_to_the_thread_and_names_no_one_in_its_subject(
    team, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_as(team.client_user, team, "Hello")
    page = as_user(team.clinician).get("/caseload/").content.decode()
    assert f"New message from client #{team.client.pk}" in page
    assert f'href="/clients/{team.client.pk}/messages/"' in page
    notice = Notification.objects.get(recipient=team.clinician, kind=notices.MESSAGE)
    assert CANARY not in notice.subject + notice.body


def test_a_risk_message_through_the_api_answers_with_the_crisis_lines_as_the_page_does(team, as_user):
    Organisation.objects.filter(pk=team.org.pk).update(opening_hours=ALWAYS_CLOSED)
    api = as_user(team.client_user)
    url = f"/api/v1/clients/{team.client.pk}/messages"
    made = api.post(url, {"body": "Some days I want to kill myself"}, content_type="application/json")
    assert made.status_code == 201
    support = made.json()["support"]
    assert support["message"] == threads.risk_reply()
    assert support["clinic_open"] is False and support["reply_within_working_hours"] == 16
    assert support["not_a_crisis_service"] == "This is not a crisis service."
    lines = crisis.for_country(str(team.client.country))
    assert [x["number"] for x in support["emergency"]] == [x.number for x in lines.emergency]
    assert [x["number"] for x in support["crisis_lines"]] == [x.number for x in lines.crisis_lines]
    assert support["crisis_lines"] and support["crisis_lines"][0]["tel"].startswith("tel:")
    assert "alert" not in str(made.json()).lower()  # the review itself is the clinicians'
    assert RiskAlert.objects.filter(client=team.client, source=AlertSource.FREE_TEXT).count() == 1
    # The page shows the same words and the same lines.
    page = html.unescape(as_user(team.client_user).get("/my/messages/").content.decode())
    assert lines.crisis_lines[0].number in page
    calm = as_user(team.client_user).post(url, {"body": "See you Thursday"}, content_type="application/json")
    assert calm.status_code == 201 and calm.json()["support"] is None
    reply = as_user(team.clinician).post(url, {"body": "Thank you"}, content_type="application/json")
    assert reply.json()["support"] is None


def test_the_hand_written_unread_counts_agree_with_their_definition(team):
    """unread_count and unread_for_client are one SQL statement each, for speed; their meaning
    is unread_queryset and _unread_filter. The two agree for every persona through a thread's
    life: messages both ways, a notice, a withdrawn message, read marks, a break-glass reader,
    a co-clinician removed and a client entered in error."""
    people = [team.persona(name) for name in PERSONAS if name != "anonymous"]

    def agree():
        for person in people:
            expected = (
                threads.unread_queryset(person).count() if person.role in ("client", "clinician") else 0
            )
            assert threads.unread_count(person) == expected, person.email
            for client in (team.client, team.other_client):
                expected = threads._unread_filter(person).filter(client=client).count()
                assert threads.unread_for_client(person, client) == expected, (person.email, client.pk)

    agree()
    send_as(team.client_user, team, "One")
    send_as(team.other_client_user, team, "Elsewhere", client=team.other_client)
    send_as(team.clinician, team, "Reply")
    clinic_notices.send(request_as(team.clinician), team.client.pk, "See you on Tuesday.")
    withdrawn = send_as(team.client_user, team, "Wrong person")
    threads.retract(request_as(team.client_user), team.client.pk, withdrawn.message.pk, 1, "")
    agree()
    threads.read_thread(request_as(team.co_clinician), team.client.pk)
    send_as(team.client_user, team, "Two")
    BreakGlassGrant.objects.create(
        client=team.client,
        clinician=team.other_clinician,
        reason="Covering the crisis line tonight",
        expires_at=timezone.now() + timedelta(hours=4),
    )
    agree()
    team.client.co_clinicians.remove(team.co_clinician)
    agree()
    Client.objects.filter(pk=team.client.pk).update(entered_in_error_at=timezone.now())
    agree()
    inactive = team.clinician
    inactive.is_active = False
    assert threads.unread_count(inactive) == 0
