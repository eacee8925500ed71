"""What anyone may read of the directory, signed in or not: published profiles, their
credentials, the next free appointment, honest outcome figures, and the search.

Nothing here reads a client's record: outcome figures are counts from the programme's course
summaries, computed by the programme's own code (rapport.programme.figures)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import global_settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from rapport.common.errors import InvalidInput
from rapport.core import directory as rules
from rapport.core import protocol
from rapport.core.programme import Rate
from rapport.directory.availability import Availability, next_free, remembered
from rapport.directory.models import Credential, CredentialKind, DirectorySettings, ProviderProfile
from rapport.directory.profiles import FEE_LIMIT, LANGUAGE_CODES
from rapport.programme import figures
from rapport.programme.models import CourseSummary

LANGUAGE_NAMES = dict(global_settings.LANGUAGES)
FORMAT_NAMES = {
    "individual": _l("Individual sessions"),
    "group": _l("Group IPT"),
    "couple": _l("Couples (conjoint IPT)"),
    "adolescents": _l("Young people aged 12 to 18 (IPT-A)"),
    "online": _l("Online"),
    "in_person": _l("In person"),
}


def public_profiles() -> QuerySet[ProviderProfile]:
    """Published profiles whose clinician still wants to be listed and still works here."""
    live = Credential.objects.filter(entered_in_error_at__isnull=True)
    return (
        ProviderProfile.objects.filter(
            listed=True,
            published_at__isnull=False,
            entered_in_error_at__isnull=True,
            clinician__is_active=True,
        )
        .select_related("clinician__organisation")
        .prefetch_related(Prefetch("credentials", queryset=live, to_attr="live_credentials"))
        .order_by("pk")
    )


def credentials_of(profile: ProviderProfile) -> list[Credential]:
    """The credentials public_profiles() fetched with the profile (none entered in error)."""
    return profile.live_credentials  # type: ignore[attr-defined]


def get_public(profile_id: int) -> ProviderProfile:
    """A published profile; an unpublished or withdrawn one is answered exactly as a missing one."""
    found = public_profiles().filter(pk=profile_id).first()
    if found is None:
        raise Http404("No such provider")
    return found


@dataclass(frozen=True)
class ProfileOutcomes:
    finished: int
    response: Rate
    recovery: Rate
    minimum: int


def outcomes_for(profile: ProviderProfile) -> ProfileOutcomes | None:
    """The clinician's response and recovery rates over their finished courses, computed by the
    programme figures' code; None unless the clinician and the organisation both opted in and
    enough courses are finished and counted for each rate (HAZ-241)."""
    if not profile.show_outcomes:
        return None
    org = DirectorySettings.objects.filter(organisation_id=profile.organisation_id, show_outcomes=True)
    if not org.exists():
        return None
    found = figures.outcomes(
        CourseSummary.objects.filter(
            live=True, clinician_id=profile.clinician_id, organisation_id=profile.organisation_id
        )
    )
    if not (
        rules.shows_outcomes(found.finished, found.response.of)
        and rules.shows_outcomes(found.finished, found.recovery.of)
    ):
        return None
    return ProfileOutcomes(
        found.finished, found.response, found.recovery, rules.directory_rules().minimum_courses
    )


def _verified(profile: ProviderProfile, kind: str) -> bool:
    return any(c.kind == kind and c.verified for c in credentials_of(profile))


def provider_of(profile: ProviderProfile, availability: Availability | None) -> rules.Provider:
    return rules.Provider(
        id=profile.pk,
        languages=tuple(profile.languages),
        formats=frozenset(profile.formats),
        place=profile.place,
        fee_from=profile.fee_from,
        sliding_scale=profile.sliding_scale,
        free_places=profile.free_places,
        problem_areas=frozenset(profile.problem_areas),
        verified_licence=_verified(profile, CredentialKind.LICENCE),
        verified_training=_verified(profile, CredentialKind.TRAINING),
        days_to_next=availability.days if availability else None,
    )


@dataclass(frozen=True)
class Listing:
    profile: ProviderProfile
    availability: Availability | None
    reasons: tuple[str, ...]  # why this provider fits, in words


@dataclass(frozen=True)
class Search:
    wishes: rules.Wishes
    matched_words: dict[str, tuple[str, ...]]  # problem area -> the person's words that point at it
    problem: str = ""  # the person's own words, kept only for this page


def parse_search(data, *, allow_problem_text: bool = True) -> Search:
    """A search from a form's or the API's parameters; InvalidInput names each bad one. Empty
    values mean no filter. `problem` (the person's own words) is read for this answer only."""
    errors: dict[str, list[str]] = {}
    problem = (data.get("problem") or "").strip() if allow_problem_text else ""
    if len(problem) > 500:
        errors["problem"] = [_("Describe it in 500 characters or fewer.")]
        problem = ""
    if "\x00" in problem:
        errors["problem"] = [_("Null characters are not allowed.")]
        problem = ""
    matched = rules.areas_in(problem) if problem else {}
    areas = set(matched)
    known_areas = {a.id for a in protocol.get().problem_areas}
    for area in _list(data, "problem_area"):
        if area not in known_areas:
            errors.setdefault("problem_area", []).append(_("Choose a problem area from the list."))
        else:
            areas.add(area)
    language = (data.get("language") or "").strip()
    if language and language not in LANGUAGE_CODES:
        errors["language"] = [_("Choose a language from the list.")]
    meeting = (data.get("meeting") or "").strip()
    if meeting not in rules.MEETING:
        errors["meeting"] = [_("Choose online, in person, or either.")]
    place = (data.get("place") or "").strip()
    if len(place) > 120 or "\x00" in place:
        errors["place"] = [_("Give a city or an area in 120 characters or fewer.")]
    kind = (data.get("kind") or "").strip()
    if kind and kind not in rules.KINDS:
        errors["kind"] = [_("Choose individual, group or couple.")]
    fee_max = None
    raw_fee = str(data.get("fee_max") or "").strip()
    if raw_fee:
        if raw_fee.isdigit() and int(raw_fee) <= FEE_LIMIT:
            fee_max = int(raw_fee)
        else:
            errors["fee_max"] = [_("Give the most you can pay per session as a whole number.")]
    flags = {}
    for name in ("adolescents", "low_cost"):
        raw = str(data.get(name) or "").strip().lower()
        if raw not in ("", "on", "true", "1", "false", "0", "yes", "no"):
            errors[name] = [_("Answer yes or no.")]
        flags[name] = raw in ("on", "true", "1", "yes")
    if errors:
        raise InvalidInput(errors)
    wishes = rules.Wishes(
        problem_areas=frozenset(areas),
        language=language,
        meeting=meeting,
        place="" if meeting == "online" else place,
        kind=kind,
        adolescents=flags["adolescents"],
        fee_max=fee_max,
        low_cost=flags["low_cost"],
    )
    return Search(wishes, matched, problem)


def _list(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [v.strip() for v in data.getlist(name) if v.strip()]
    value = data.get(name)
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [value.strip()] if isinstance(value, str) and value.strip() else []


def describe(reason: rules.Reason, profile: ProviderProfile) -> str:
    """A reason in plain words, for the person choosing."""
    value = reason.value
    if reason.code == "language":
        return _("Offers sessions in %(language)s") % {"language": LANGUAGE_NAMES.get(value, value)}
    if reason.code == "online":
        return _("Offers sessions online")
    if reason.code == "near":
        return _("Sees people in person in %(place)s") % {"place": value}
    if reason.code == "kind":
        return str(FORMAT_NAMES[value])
    if reason.code == "adolescents":
        return _("Works with young people aged 12 to 18")
    if reason.code == "problem_area":
        name = protocol.get().problem_area(value).names["standard"]
        return _("Has experience of helping with %(area)s") % {"area": name.lower()}
    if reason.code == "verified_training":
        return _("IPT training checked by the clinic")
    if reason.code == "verified_licence":
        return _("Licence or registration checked by the clinic")
    if reason.code == "fee_fits":
        return _("Fees from %(fee)s %(currency)s a session") % {"fee": value, "currency": profile.currency}
    if reason.code == "free_places":
        return _("Has free places")
    if reason.code == "sliding_scale":
        return _("Offers a sliding scale of fees")
    if reason.code == "soon":
        days = int(value)
        return ngettext("Could see you within %(days)s day", "Could see you within %(days)s days", days) % {
            "days": days
        }
    raise ValueError(f"no wording for reason {reason.code}")


def search(found: Search, now: datetime | None = None) -> list[Listing]:
    """The published providers who meet the person's needs, best fit first, each with why."""
    profiles = {p.pk: p for p in public_profiles()}
    free = (
        next_free([p.clinician for p in profiles.values()], now=now)
        if now
        else remembered(p.clinician for p in profiles.values())
    )
    providers = [provider_of(p, free.get(p.clinician_id)) for p in profiles.values()]
    return [
        Listing(
            profile=profiles[f.provider.id],
            availability=free.get(profiles[f.provider.id].clinician_id),
            reasons=tuple(describe(r, profiles[f.provider.id]) for r in f.reasons),
        )
        for f in rules.rank(providers, found.wishes)
    ]


def clinician_of(profile_id: int):
    """The clinician behind a published profile, or None: for a referral's preferred provider."""
    found = public_profiles().filter(pk=profile_id).first()
    return found.clinician if found else None
