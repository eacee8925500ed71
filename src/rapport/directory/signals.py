"""Forget a clinician's cached next free appointment when their schedule changes.

Bookings are created with save() (post_save) and changed with one UPDATE (common.records'
record_changed); working hours and absences are saved or deleted."""

from django.db.models.signals import post_delete, post_save

from rapport.common.records import record_changed
from rapport.directory.availability import forget
from rapport.scheduling.models import Absence, Appointment, WorkingHours


def _saved(sender, instance, **kwargs) -> None:
    forget(instance.clinician_id)


def _changed(sender, pk, **kwargs) -> None:
    forget(Appointment.objects.filter(pk=pk).values_list("clinician_id", flat=True).first())


def connect() -> None:
    for model in (Appointment, WorkingHours, Absence):
        post_save.connect(_saved, sender=model, dispatch_uid=f"directory-forget-{model.__name__}")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"directory-forget-del-{model.__name__}")
    record_changed.connect(_changed, sender=Appointment, dispatch_uid="directory-forget-changed")
