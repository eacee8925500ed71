"""The one-way "From your clinic" message, merged into the client's thread as a notice: the data
migration copies every old record (same author, text and time, the old rows kept), a notice is
never unread, the home page and the thread both show it, and the client's copy of their data
holds it."""

import importlib
from datetime import UTC, datetime

from django.apps import apps

from rapport.clinic.models import ClinicMessage
from rapport.messaging import clinic_notices, threads
from rapport.messaging.models import Message, Thread
from tests.support import request_as

migration = importlib.import_module("rapport.messaging.migrations.0003_clinic_messages_into_threads")
EARLIER = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_the_migration_copies_every_clinic_message_once_and_keeps_the_old_rows(clinic):
    threads.send(request_as(clinic.client_user), clinic.client.pk, "Running late on Monday")
    before = Thread.objects.get(client=clinic.client).last_message_at
    ClinicMessage.objects.create(
        client=clinic.client, author=clinic.clinician, body="See you soon.", created_at=EARLIER
    )
    ClinicMessage.objects.create(client=clinic.other_client, author=clinic.other_clinician, body="Welcome.")
    assert migration.copy_clinic_messages(apps) == 2
    assert migration.copy_clinic_messages(apps) == 0  # run again, nothing doubles
    notice = Message.objects.get(client=clinic.client, kind="notice")
    assert (notice.author, notice.body, notice.created_at, notice.from_client) == (
        clinic.clinician,
        "See you soon.",
        EARLIER,
        False,
    )
    assert Thread.objects.get(client=clinic.client).last_message_at == before  # older than the thread's last
    assert Message.objects.get(client=clinic.other_client).thread.last_message_at is not None
    assert ClinicMessage.objects.count() == 2


def test_a_notice_is_never_unread_and_opens_no_conversation(clinic, as_user):
    clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "See you on Thursday.")
    assert threads.unread_count(clinic.client_user) == 0
    assert threads.unread_count(clinic.co_clinician) == 0
    web = as_user(clinic.client_user)
    home = web.get("/my/").content.decode()
    assert "From your clinic" in home and "See you on Thursday." in home
    thread = web.get("/my/messages/").content.decode()
    assert "See you on Thursday." in thread and "From your clinic (no reply needed)" in thread
    data = web.get("/my/data/my-rapport-data.json").json()["sections"]
    assert any(
        m["Message"] == "See you on Thursday." and m["Kind"] == "From the clinic"
        for m in data["messages"]["items"]
    )


def test_a_withdrawn_notice_leaves_the_home_page(clinic, as_user):
    notice = clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "Wrong client, sorry")
    threads.retract(request_as(clinic.clinician), clinic.client.pk, notice.pk, notice.version, "")
    assert "Wrong client, sorry" not in as_user(clinic.client_user).get("/my/").content.decode()
    assert clinic_notices.latest(clinic.client) is None


def test_the_api_marks_a_notice_as_such(clinic, as_user):
    clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "See you on Thursday.")
    got = as_user(clinic.client_user).get(f"/api/v1/clients/{clinic.client.pk}/messages").json()
    assert [(m["kind"], m["body"]) for m in got] == [("notice", "See you on Thursday.")]
