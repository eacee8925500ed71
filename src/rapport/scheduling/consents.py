"""Consent records: to treatment, online sessions, messages and reminders, with the version of the
wording, the date and any withdrawal. A client under 16 on the day needs the caregiver's consent.
Consent to online sessions carries the telehealth plan (risks explained, what happens if the call
drops, the emergency plan with where the client will be). `has_consent` is what other services
(messaging, reminders, video booking) ask."""

from datetime import date

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import Client
from rapport.common.errors import InvalidInput, invalid
from rapport.common.records import deny
from rapport.scheduling.models import Consent, ConsentKind

CAREGIVER_UNDER = 16
TELEHEALTH_FIELDS = ("dropped_call_plan", "emergency_plan", "client_location")


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_l("Consent to"), choices=ConsentKind.choices)
    wording_version = forms.CharField(label=_l("Version of the wording"), max_length=20)
    given_on = forms.DateField(label=_l("Date given"), widget=forms.DateInput(attrs={"type": "date"}))
    given_by = forms.ChoiceField(
        label=_l("Given by"), choices=[("client", _l("The client")), ("caregiver", _l("A caregiver"))]
    )
    caregiver_name = forms.CharField(label=_l("Caregiver's name"), max_length=200, required=False)
    risks_explained = forms.BooleanField(
        label=_l("Online sessions: the format and its risks were explained"), required=False
    )
    dropped_call_plan = forms.CharField(
        label=_l("Online sessions: if the call drops (for example the number to call back)"),
        max_length=500,
        required=False,
    )
    emergency_plan = forms.CharField(
        label=_l("Online sessions: emergency plan (local emergency service, a contact)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_location = forms.CharField(
        label=_l("Online sessions: where the client will usually be"), max_length=300, required=False
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean(self):
        data = super().clean()
        given_on = data.get("given_on")
        if given_on and given_on > timezone.localdate():
            self.add_error("given_on", _("A consent cannot be dated in the future."))
        under_age = given_on and self.client.age_on(given_on) < CAREGIVER_UNDER
        if under_age and data.get("given_by") != "caregiver":
            self.add_error("given_by", _("The client is under 16: record the caregiver's consent."))
        if data.get("given_by") == "caregiver" and not (data.get("caregiver_name") or "").strip():
            self.add_error("caregiver_name", _("Name the caregiver who gave consent."))
        if data.get("kind") == ConsentKind.ONLINE:
            if not data.get("risks_explained"):
                self.add_error(
                    "risks_explained", _("Online sessions need the format and its risks explained.")
                )
            for name in TELEHEALTH_FIELDS:
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Online sessions need this part of the plan."))
        return data


def record(request, client_id: int, data) -> Consent:
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    form = ConsentForm(data, client=client)
    if not form.is_valid():
        raise invalid(form)
    values = form.cleaned_data
    details = {}
    if values["kind"] == ConsentKind.ONLINE:
        details = {"risks_explained": True, **{name: values[name].strip() for name in TELEHEALTH_FIELDS}}
    with transaction.atomic():
        consent = Consent.objects.create(
            client=client,
            kind=values["kind"],
            wording_version=values["wording_version"],
            given_on=values["given_on"],
            given_by=values["given_by"],
            caregiver_name=values["caregiver_name"].strip() if values["given_by"] == "caregiver" else "",
            details=details,
            recorded_by=request.user,
        )
        trail.record(request, Action.CREATE, client=client, obj=consent)
    return consent


def withdraw(request, client_id: int, consent_id: int, on: date | None = None) -> Consent:
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(pk=consent_id, client=client).first()
        if consent is None:
            deny(request, client_id=client.pk, detail={"object_type": "Consent"})
        if consent.withdrawn_on:
            raise InvalidInput({"consent": [_("This consent was already withdrawn.")]})
        consent.withdrawn_on = on or timezone.localdate()
        consent.save(update_fields=["withdrawn_on"])
        trail.record(request, Action.UPDATE, client=client, obj=consent, detail={"did": "withdraw"})
    return consent


def consents_of(request, client_id: int, *, audit: bool = True) -> tuple[Client, list[Consent]]:
    client = get_client_for(request, client_id, audit=False)
    found = list(Consent.objects.filter(client=client).select_related("recorded_by"))
    if audit:
        trail.record(request, Action.READ, client=client, object_type="Consent")
    return client, found


def has_consent(client: Client, kind: str) -> bool:
    """Whether the client's consent of this kind stands today (given, not withdrawn)."""
    return Consent.objects.filter(client=client, kind=kind, withdrawn_on__isnull=True).exists()
