"""Secure messages between a client and their care team, who has read them, and each
clinician's choice of a daily digest."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models import ClinicalRecord


class Thread(models.Model):
    """The one conversation between a client and their care team (responsible clinician and
    co-clinicians, whoever they are at the time)."""

    client = models.OneToOneField("clinic.Client", on_delete=models.PROTECT, related_name="message_thread")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-last_message_at"], name="thread_latest")]

    def __str__(self) -> str:
        return f"thread {self.pk}"


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    # One-way, from the clinic: shown on the client's home page ("From your clinic") and in the
    # thread, sent without opening the conversation (no consent to messages needed), never unread.
    NOTICE = "notice", _("From the clinic")


class Message(ClinicalRecord):
    """One message. Never edited: `body` is written once. A retraction marks it withdrawn and
    keeps the original, with who withdrew it and why, like entered-in-error."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.MESSAGE)
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_client = models.BooleanField()
    body = models.TextField(_("message"))
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retraction_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "id"], name="message_thread_order")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class ReadMark(models.Model):
    """How far one person has read a thread: every message after `last_read_id` by someone
    else is unread for them."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="read_mark_unique")]

    def __str__(self) -> str:
        return f"read mark {self.pk}"


class DigestChoice(models.Model):
    """A clinician's choice about the daily digest e-mail (on unless they turn it off)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    daily_digest = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"digest choice {self.pk}"


class DigestSent(models.Model):
    """One digest per clinician per local day, so that a job run twice sends it once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    since = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"digest {self.pk}"
