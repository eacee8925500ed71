"""A client's account closed by an administrator, and the stub left when its record is purged."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountClosure(models.Model):
    """One per closed client. It names the client by id only, with no key to the row, so that it
    outlives the purge as the stub the Records Management Code asks for (id, dates, who)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client_ref = models.PositiveIntegerField(unique=True)
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Why, in the administrator's words; cleared by the purge with everything else.
    reason = models.TextField()
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purged_at", "closed_at"], name="closure_pending")]

    def __str__(self) -> str:
        return f"Closure of client #{self.client_ref}"
