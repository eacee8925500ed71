"""Every write to the directory: a clinician's own profile and credentials, an administrator's
verification and publication, and the organisation's outcome choice.

Each service takes a typed value, checks it (`check_*`, worded as the forms word it), checks who
is asking, writes with a version check (`save_versioned`) and records the audit row in the same
transaction. A record someone may not touch is answered 404 like a missing one (`deny`).
"""

import re
from dataclasses import dataclass, fields
from datetime import date

from django.conf import global_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import rules
from rapport.common.checks import Problems
from rapport.common.errors import InvalidInput
from rapport.common.records import EnteredInError, deny, enter_in_error, save_versioned
from rapport.core import protocol
from rapport.core.directory import FORMATS
from rapport.directory.models import (
    Credential,
    CredentialKind,
    DirectorySettings,
    ProviderProfile,
    VerificationMethod,
)

LANGUAGE_CODES = frozenset(code for code, _name in global_settings.LANGUAGES)
FEE_LIMIT = 100_000
CASES_LIMIT = 1000
# A house number followed by a word ("12 High Street"), or a full postcode: the place is a city or
# an area, never a home address (issue 15).
_ADDRESS = re.compile(r"\b\d+[a-z]?\s+[a-z0-9]", re.IGNORECASE)


@dataclass(frozen=True)
class ProfileValues:
    display_name: str
    profession: str
    languages: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    problem_areas: tuple[str, ...] = ()
    place: str = ""
    currency: str = "GBP"
    fee_from: int | None = None
    fee_to: int | None = None
    sliding_scale: bool = False
    free_places: bool = False
    statement: str = ""
    show_outcomes: bool = False
    listed: bool = True


@dataclass(frozen=True)
class CredentialValues:
    kind: str
    issuing_body: str
    number: str = ""
    country: str = ""
    level: str = ""
    completed_on: date | None = None
    supervised_cases: int | None = None


def _choices(problems: Problems, key: str, values: tuple[str, ...], allowed) -> tuple[str, ...]:
    for value in values:
        problems.choice(key, value, allowed)
    return tuple(dict.fromkeys(values))  # in the order given, once each


def check_profile(given: ProfileValues) -> ProfileValues:
    """The profile as it will be kept, or InvalidInput keyed by the fields' names."""
    problems = Problems()
    name = problems.text("display_name", given.display_name, limit=120, required=True)
    profession = problems.text("profession", given.profession, limit=120, required=True)
    languages = _choices(problems, "languages", given.languages, LANGUAGE_CODES)
    if not languages and "languages" not in problems:
        problems.add("languages", _("Choose at least one language you offer sessions in."))
    formats = _choices(problems, "formats", given.formats, FORMATS)
    if "formats" not in problems and not {"online", "in_person"} & set(formats):
        problems.add("formats", _("Say whether you offer sessions online, in person, or both."))
    areas = _choices(
        problems, "problem_areas", given.problem_areas, {a.id for a in protocol.get().problem_areas}
    )
    place = problems.text("place", given.place, limit=120)
    if place and _ADDRESS.search(place):
        problems.add("place", _("Give a city or an area, never a street address or a full postcode."))
    if "in_person" in formats and not place and "place" not in problems:
        problems.add("place", _("Give the city or area where you see people in person."))
    currency = given.currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        problems.add("currency", _("Give the currency as its three-letter code, such as GBP or EUR."))
    problems.whole("fee_from", given.fee_from, 0, FEE_LIMIT)
    problems.whole("fee_to", given.fee_to, 0, FEE_LIMIT)
    if given.fee_from is not None and given.fee_to is not None and given.fee_to < given.fee_from:
        problems.add("fee_to", _("The highest fee cannot be below the lowest."))
    statement = problems.text("statement", given.statement, limit=1000)
    problems.raise_any()
    return ProfileValues(
        display_name=name,
        profession=profession,
        languages=languages,
        formats=formats,
        problem_areas=areas,
        place=place,
        currency=currency,
        fee_from=given.fee_from,
        fee_to=given.fee_to,
        sliding_scale=given.sliding_scale,
        free_places=given.free_places,
        statement=statement,
        show_outcomes=given.show_outcomes,
        listed=given.listed,
    )


def check_credential(given: CredentialValues, today: date | None = None) -> CredentialValues:
    problems = Problems()
    kind = problems.choice("kind", given.kind, CredentialKind.values)
    body = problems.text("issuing_body", given.issuing_body, limit=200, required=True)
    number = problems.text("number", given.number, limit=80)
    country = given.country.strip().upper()
    level = problems.text("level", given.level, limit=120)
    if kind == CredentialKind.LICENCE:
        if not number and "number" not in problems:
            problems.add("number", _("Give the licence or registration number."))
        if country not in dict(countries):
            problems.add("country", _("Choose the country that issued the licence."))
    elif kind == CredentialKind.TRAINING:
        if not level and "level" not in problems:
            problems.add("level", _("Give the level of the training, as the trainer names it."))
        if country and country not in dict(countries):
            problems.add("country", _("Choose a country from the list."))
    today = today or timezone.localdate()
    if given.completed_on is not None and given.completed_on > today:
        problems.add("completed_on", _("The date cannot be in the future."))
    problems.whole("supervised_cases", given.supervised_cases, 0, CASES_LIMIT)
    problems.raise_any()
    return CredentialValues(
        kind=kind,
        issuing_body=body,
        number=number,
        country=country,
        level=level,
        completed_on=given.completed_on,
        supervised_cases=given.supervised_cases,
    )


def _profile_fields(values: ProfileValues) -> dict:
    out = {f.name: getattr(values, f.name) for f in fields(values)}
    for key in ("languages", "formats", "problem_areas"):
        out[key] = list(out[key])
    return out


def own_profile(request) -> ProviderProfile | None:
    if not rules.is_clinical_staff(request.user):
        deny(request, detail={"wanted": "provider profile"})
    return ProviderProfile.objects.filter(clinician=request.user, entered_in_error_at__isnull=True).first()


def save_profile(request, given: ProfileValues, version: int | None = None) -> ProviderProfile:
    """Create the caller's profile (their opt-in) or change it. A change never touches
    publication: an administrator published the clinician, who stays responsible for the text."""
    values = _profile_fields(check_profile(given))
    with transaction.atomic():
        profile = own_profile(request)
        if profile is None:
            profile = ProviderProfile.objects.create(
                clinician=request.user, organisation_id=request.user.organisation_id, **values
            )
            trail.record(request, Action.CREATE, obj=profile)
            return profile
        if version is None:
            raise InvalidInput({"version": [_("Reload the page: the profile already exists.")]})
        changed = sorted(k for k, v in values.items() if getattr(profile, k) != v)
        save_versioned(ProviderProfile, profile.pk, version, **values)
        trail.record(request, Action.UPDATE, obj=profile, detail={"fields": changed})
    profile.refresh_from_db()
    return profile


def own_credential(request, credential_id: int) -> Credential:
    found = Credential.objects.filter(
        pk=credential_id,
        profile__clinician=request.user,
        entered_in_error_at__isnull=True,
    ).first()
    if found is None:
        deny(request, detail={"wanted": "credential"})
    return found


def add_credential(request, given: CredentialValues) -> Credential:
    values = check_credential(given)
    with transaction.atomic():
        profile = own_profile(request)
        if profile is None:
            raise InvalidInput({"profile": [_("Save your profile before adding credentials.")]})
        credential = Credential.objects.create(profile=profile, **_credential_fields(values))
        trail.record(request, Action.CREATE, obj=credential)
    return credential


def _credential_fields(values: CredentialValues) -> dict:
    return {f.name: getattr(values, f.name) for f in fields(values)}


def edit_credential(request, credential_id: int, given: CredentialValues, version: int) -> Credential:
    """A clinician's change to their credential. Any change makes it self-declared again: what an
    administrator verified is no longer what is claimed (HAZ-240)."""
    values = _credential_fields(check_credential(given))
    with transaction.atomic():
        credential = own_credential(request, credential_id)
        changed = sorted(k for k, v in values.items() if getattr(credential, k) != v)
        cleared = bool(changed) and credential.verified
        if cleared:
            values.update(verified_at=None, verified_by=None, verification_method="")
        save_versioned(Credential, credential.pk, version, **values)
        trail.record(
            request,
            Action.UPDATE,
            obj=credential,
            detail={"fields": changed, "verification_cleared": cleared},
        )
    credential.refresh_from_db()
    return credential


def withdraw_credential(request, credential_id: int, given: EnteredInError) -> bool:
    """A clinician takes a credential off their profile (a lapsed licence, a mistake): it is
    hidden everywhere and kept with the reason, never deleted."""
    credential = own_credential(request, credential_id)
    return enter_in_error(request, credential, given, client=None)


def administered(request, model, pk: int):
    """A record of the administrator's own organisation, or a 404 for anyone else."""
    if not rules.is_administrator(request.user):
        deny(request, detail={"wanted": model.__name__})
    organisation = "profile__organisation_id" if model is Credential else "organisation_id"
    found = (
        model.objects.filter(pk=pk, entered_in_error_at__isnull=True)
        .filter(**{organisation: request.user.organisation_id})
        .first()
    )
    if found is None:
        deny(request, detail={"wanted": model.__name__})
    return found


def verify_credential(request, credential_id: int, method: str, version: int) -> Credential:
    """An administrator verifies a credential by one of the fixed methods (who and when are
    recorded), or withdraws the verification with an empty method."""
    problems = Problems()
    problems.choice("method", method, ["", *VerificationMethod.values])
    problems.raise_any()
    with transaction.atomic():
        credential = administered(request, Credential, credential_id)
        if method:
            values = {
                "verified_at": timezone.now(),
                "verified_by": request.user,
                "verification_method": method,
            }
        else:
            values = {"verified_at": None, "verified_by": None, "verification_method": ""}
        save_versioned(Credential, credential.pk, version, **values)
        trail.record(request, Action.UPDATE, obj=credential, detail={"verification": method or "withdrawn"})
    credential.refresh_from_db()
    return credential


def set_published(request, profile_id: int, publish: bool, version: int) -> ProviderProfile:
    with transaction.atomic():
        profile = administered(request, ProviderProfile, profile_id)
        if publish:
            values = {"published_at": profile.published_at or timezone.now(), "published_by": request.user}
        else:
            values = {"published_at": None, "published_by": None}
        save_versioned(ProviderProfile, profile.pk, version, **values)
        trail.record(request, Action.UPDATE, obj=profile, detail={"published": publish})
    profile.refresh_from_db()
    return profile


def settings_of(organisation_id: int) -> DirectorySettings:
    """The organisation's choices; unsaved defaults until an administrator first chooses, so that
    reading them writes nothing."""
    found = DirectorySettings.objects.filter(organisation_id=organisation_id).first()
    return found or DirectorySettings(organisation_id=organisation_id)


def set_outcomes_shown(request, show: bool) -> DirectorySettings:
    """The organisation's half of the outcome opt-in; each clinician gives the other half."""
    if not rules.is_administrator(request.user):
        deny(request, detail={"wanted": "directory settings"})
    with transaction.atomic():
        found, _created = DirectorySettings.objects.update_or_create(
            organisation_id=request.user.organisation_id,
            defaults={"show_outcomes": show, "changed_at": timezone.now()},
        )
        trail.record(request, Action.UPDATE, obj=found, detail={"show_outcomes": show})
    return found
