"""The five roles a person can hold. The access decorators below the accounts app need them, so
they live here; rapport.accounts.models re-exports Role for the models and everyone else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    SUPERVISOR = "supervisor", _("Supervisor")
    CLIENT = "client", _("Client")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Sees the programme's figures across the organisation; a client's record only as a
    # supervisor of the client's team.
    PROGRAMME_LEAD = "programme_lead", _("Programme lead")
