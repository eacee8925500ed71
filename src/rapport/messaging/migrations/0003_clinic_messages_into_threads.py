"""Each one-way "From your clinic" message (clinic.ClinicMessage) becomes a notice in its client's
thread, with the same author, text and time. The old rows are kept, readable where they are; the
copy is never undone (reversing this migration leaves the notices, so nothing is lost)."""

from django.db import migrations
from django.db.models import Max

NOTICE = "notice"  # messaging.models.MessageKind.NOTICE, fixed here as the migration wrote it


def copy_clinic_messages(apps, schema_editor=None) -> int:
    old = apps.get_model("clinic", "ClinicMessage")
    thread_model = apps.get_model("messaging", "Thread")
    message_model = apps.get_model("messaging", "Message")
    copied = 0
    for record in old.objects.order_by("created_at", "id").iterator():
        thread, _created = thread_model.objects.get_or_create(
            client_id=record.client_id, defaults={"created_at": record.created_at}
        )
        # Run twice (a restored backup migrated again), a record is copied once.
        if message_model.objects.filter(
            thread=thread,
            kind=NOTICE,
            author_id=record.author_id,
            created_at=record.created_at,
            body=record.body,
        ).exists():
            continue
        message_model.objects.create(
            thread=thread,
            client_id=record.client_id,
            author_id=record.author_id,
            from_client=False,
            kind=NOTICE,
            body=record.body,
            created_at=record.created_at,
            updated_at=record.created_at,
        )
        copied += 1
    for thread in thread_model.objects.filter(messages__kind=NOTICE).distinct():
        newest = message_model.objects.filter(thread=thread).aggregate(at=Max("created_at"))["at"]
        if thread.last_message_at is None or thread.last_message_at < newest:
            thread_model.objects.filter(pk=thread.pk).update(last_message_at=newest)
    return copied


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_message_kind"),
        ("clinic", "0008_portal_safety_alerts"),
    ]

    operations = [migrations.RunPython(copy_clinic_messages, migrations.RunPython.noop, elidable=False)]
