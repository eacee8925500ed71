"""Consent records: to treatment, online sessions, messages and reminders, with the version of the
wording, the date and any withdrawal. A client under 16 on the day needs the caregiver's consent.
Consent to online sessions carries the telehealth plan (risks explained, what happens if the call
drops, the emergency plan with where the client will be). `has_consent` is what other services
(messaging, reminders, video booking) ask."""

from dataclasses import dataclass, fields, replace
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
from rapport.common.checks import Problems
from rapport.common.errors import InvalidInput, invalid
from rapport.common.records import deny
from rapport.scheduling.models import Consent, ConsentKind

CAREGIVER_UNDER = 16
TELEHEALTH_FIELDS = ("dropped_call_plan", "emergency_plan", "client_location")
GIVEN_BY_CHOICES = [("client", _l("The client")), ("caregiver", _l("A caregiver"))]
GIVEN_BY = [value for value, _label in GIVEN_BY_CHOICES]


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_l("Consent to"), choices=ConsentKind.choices)
    wording_version = forms.CharField(label=_l("Version of the wording"), max_length=20)
    given_on = forms.DateField(label=_l("Date given"), widget=forms.DateInput(attrs={"type": "date"}))
    given_by = forms.ChoiceField(label=_l("Given by"), choices=GIVEN_BY_CHOICES)
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

    # The checks that need the client (age, the telehealth plan) are the service's (check_consent).


@dataclass(frozen=True)
class ConsentGiven:
    """A consent as a page, the API or the demo records it."""

    kind: str
    wording_version: str
    given_on: date
    given_by: str
    caregiver_name: str = ""
    risks_explained: bool = False
    dropped_call_plan: str = ""
    emergency_plan: str = ""
    client_location: str = ""


def consent_from(form: ConsentForm) -> ConsentGiven:
    """The typed consent a page's form read, or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    return ConsentGiven(**{f.name: form.cleaned_data[f.name] for f in fields(ConsentGiven)})


def check_consent(given: ConsentGiven, client: Client) -> ConsentGiven:
    """The consent as it will be stored, or InvalidInput keyed by its fields."""
    problems = Problems()
    problems.choice("kind", given.kind, ConsentKind.values)
    version = problems.text("wording_version", given.wording_version, limit=20, required=True)
    problems.choice("given_by", given.given_by, GIVEN_BY)
    caregiver = problems.text("caregiver_name", given.caregiver_name, limit=200)
    plan = {
        "dropped_call_plan": problems.text("dropped_call_plan", given.dropped_call_plan, limit=500),
        "emergency_plan": problems.text("emergency_plan", given.emergency_plan, limit=1000),
        "client_location": problems.text("client_location", given.client_location, limit=300),
    }
    if given.given_on > timezone.localdate():
        problems.add("given_on", _("A consent cannot be dated in the future."))
    if client.age_on(given.given_on) < CAREGIVER_UNDER and given.given_by != "caregiver":
        problems.add("given_by", _("The client is under 16: record the caregiver's consent."))
    if given.given_by == "caregiver" and not caregiver:
        problems.add("caregiver_name", _("Name the caregiver who gave consent."))
    if given.kind == ConsentKind.ONLINE:
        if not given.risks_explained:
            problems.add("risks_explained", _("Online sessions need the format and its risks explained."))
        for name, value in plan.items():
            if not value and name not in problems:
                problems.add(name, _("Online sessions need this part of the plan."))
    problems.raise_any()
    return replace(
        given,
        wording_version=version,
        caregiver_name=caregiver if given.given_by == "caregiver" else "",
        dropped_call_plan=plan["dropped_call_plan"],
        emergency_plan=plan["emergency_plan"],
        client_location=plan["client_location"],
    )


def record(request, client_id: int, given: ConsentGiven) -> Consent:
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    checked = check_consent(given, client)
    details: dict = {}
    if checked.kind == ConsentKind.ONLINE:
        details = {"risks_explained": True, **{name: getattr(checked, name) for name in TELEHEALTH_FIELDS}}
    with transaction.atomic():
        consent = Consent.objects.create(
            client=client,
            kind=checked.kind,
            wording_version=checked.wording_version,
            given_on=checked.given_on,
            given_by=checked.given_by,
            caregiver_name=checked.caregiver_name,
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


# [U] The wording a client agrees to in the portal; its version is stored with the consent.
MESSAGES_WORDING_VERSION = "portal-1"


def may_give_own(client: Client) -> bool:
    return client.age_on(timezone.localdate()) >= CAREGIVER_UNDER


def give_own_messages_consent(request, client: Client) -> Consent:
    """The signed-in client agrees to secure messages from the portal. A client under 16 cannot:
    the caregiver's consent is recorded by the clinician."""
    if not may_give_own(client):
        raise InvalidInput(
            {"consent": [_("You are under 16: your clinician records this with your parent or carer.")]}
        )
    with transaction.atomic():
        standing = Consent.objects.filter(client=client, kind=ConsentKind.MESSAGES, withdrawn_on__isnull=True)
        if existing := standing.first():
            return existing  # a second click, or another tab: one consent is enough
        consent = Consent.objects.create(
            client=client,
            kind=ConsentKind.MESSAGES,
            wording_version=MESSAGES_WORDING_VERSION,
            given_on=timezone.localdate(),
            given_by="client",
            recorded_by=request.user,
        )
        trail.record(request, Action.CREATE, client=client, obj=consent, detail={"by": "client"})
    return consent


def latest(client: Client, kind: str) -> Consent | None:
    """The client's most recent consent of this kind, standing or withdrawn."""
    return Consent.objects.filter(client=client, kind=kind).order_by("-given_on", "-pk").first()
