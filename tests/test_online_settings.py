"""The organisation's settings for therapy online: the administrator's page, its checks, the
versioned save, the audit row, and what the settings change (video links, reminders, the note)."""

from datetime import time

import pytest
from django.test import override_settings

from rapport.audit.models import AuditEvent
from rapport.common.errors import EditConflict, InvalidInput
from rapport.messaging import threads
from rapport.scheduling import online_settings, reminders, video
from rapport.scheduling.models import OrganisationScheduling
from tests.support import request_as

GOOD = {
    "video_kind": "jitsi",
    "video_base_url": "https://video.clinic.example/",
    "video_lobby": "on",
    "lead_hours": "48, 3",
    "quiet_from": "22:00",
    "quiet_until": "07:30",
    "reply_within_hours": "8",
    "version": "1",
}


def text(response) -> str:
    return response.content.decode()


def typed(**changes) -> online_settings.OnlineSettings:
    values = {
        "video_base_url": "https://video.clinic.example/",
        "video_kind": "jitsi",
        "video_lobby": True,
        "lead_hours": (24, 2),
        "quiet_from": time(21),
        "quiet_until": time(8),
        "reply_within_hours": None,
    }
    return online_settings.OnlineSettings(**{**values, **changes})


def test_an_administrator_saves_the_settings_and_they_take_effect(clinic, as_user):
    client = as_user(clinic.administrator)
    page = text(client.get("/administration/online/"))
    assert 'value="24, 2"' in page and 'name="version" value="1"' in page
    done = client.post("/administration/online/", GOOD, follow=True)
    assert "The settings for therapy online were saved." in text(done)
    row = OrganisationScheduling.objects.get(organisation=clinic.org)
    assert (row.video_base_url, row.lead_hours, row.version) == ("https://video.clinic.example/", [48, 3], 2)
    assert (row.quiet_from, row.quiet_until, row.reply_within_hours) == (time(22), time(7, 30), 8)
    assert video.base_url(clinic.org) == "https://video.clinic.example/"
    assert reminders.settings_of(clinic.org).lead_hours == [48, 3]
    assert threads.note_for(clinic.client).within_hours == 8
    event = AuditEvent.objects.filter(object_type="OrganisationScheduling").get()
    assert event.actor == clinic.administrator and "lead_hours" in event.detail["fields"]
    assert "https://video" not in str(event.detail)  # field names, never values


def test_an_empty_reply_time_falls_back_to_the_messaging_rules(clinic):
    assert threads.note_for(clinic.client).within_hours == 16
    online_settings.save(request_as(clinic.administrator), typed(reply_within_hours=None), 1)
    assert threads.note_for(clinic.client).within_hours == 16


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("video_base_url", "http://video.clinic.example/", "starting with https://"),
        ("video_base_url", "not an address", "starting with https://"),
        ("video_base_url", "https://video.clinic.example/?room=", "without ? or #"),
        ("lead_hours", "soon", "whole numbers of hours"),
        ("lead_hours", "0", "from 1 to 336"),
        ("lead_hours", "24, 24", "each lead time once"),
        ("lead_hours", "48, 24, 4, 1", "at most 3"),
        ("quiet_until", "22:00", "different time"),
        ("reply_within_hours", "0", "greater than or equal to 1"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message_and_nothing_changes(
    clinic, as_user, field, value, message
):
    refused = as_user(clinic.administrator).post("/administration/online/", {**GOOD, field: value})
    assert refused.status_code == 200
    assert message in text(refused) and "Nothing was saved yet" in text(refused)
    assert not OrganisationScheduling.objects.filter(organisation=clinic.org).exists()
    assert not AuditEvent.objects.filter(object_type="OrganisationScheduling").exists()


def test_plain_http_is_allowed_only_in_development(clinic):
    with override_settings(RAPPORT_ENV="development"):
        saved = online_settings.save(
            request_as(clinic.administrator), typed(video_base_url="http://127.0.0.1:8000/"), 1
        )
    assert saved.video_base_url == "http://127.0.0.1:8000/"
    with pytest.raises(InvalidInput):
        online_settings.save(request_as(clinic.administrator), typed(video_base_url="http://x.org/"), 2)


def test_another_service_needs_an_address(clinic):
    with pytest.raises(InvalidInput) as refused:
        online_settings.save(request_as(clinic.administrator), typed(video_kind="link", video_base_url=""), 1)
    assert "video_base_url" in refused.value.errors


def test_a_stale_version_is_a_conflict_that_keeps_what_was_typed(clinic, as_user):
    online_settings.save(request_as(clinic.administrator), typed(lead_hours=(12,)), 1)
    with pytest.raises(EditConflict):
        online_settings.save(request_as(clinic.administrator), typed(lead_hours=(6,)), 1)
    page = text(as_user(clinic.administrator).post("/administration/online/", {**GOOD, "version": "1"}))
    assert "Someone else changed these settings" in page and 'value="48, 3"' in page
    assert 'name="version" value="2"' in page  # saving again replaces theirs, knowingly
    assert OrganisationScheduling.objects.get().lead_hours == [12]


def test_only_an_administrator_saves(clinic):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        online_settings.save(request_as(clinic.clinician), typed(), 1)
    assert not OrganisationScheduling.objects.exists()


def test_new_lead_times_replan_the_coming_reminders_through_the_worker(
    clinic, django_capture_on_commit_callbacks
):
    from datetime import date, timedelta

    from django.utils import timezone

    from rapport.scheduling import booking, consents
    from rapport.scheduling.models import Reminder
    from tests.support import run_worker

    consents.record(
        request_as(clinic.clinician),
        clinic.client.pk,
        consents.ConsentGiven(
            kind="reminders", wording_version="1", given_on=date(2026, 9, 1), given_by="client"
        ),
    )
    day = timezone.localdate() + timedelta(days=10)
    slot = booking.Slot(
        day=day, at=time(10), time_zone="Europe/London", minutes=None, format="in_person", place="Room 2"
    )
    booking.book(request_as(clinic.clinician), clinic.client.pk, slot)
    assert sorted(Reminder.objects.values_list("lead_hours", flat=True)) == [2, 24]
    with django_capture_on_commit_callbacks(execute=True):
        online_settings.save(request_as(clinic.administrator), typed(lead_hours=(48, 3)), 1)
    assert sorted(Reminder.objects.values_list("lead_hours", flat=True)) == [2, 24]  # the job's to do
    run_worker()
    assert sorted(Reminder.objects.values_list("lead_hours", flat=True)) == [3, 48]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        online_settings.save(
            request_as(clinic.administrator), typed(lead_hours=(48, 3), reply_within_hours=8), 2
        )
    assert queued == []  # nothing about reminders changed: no job
