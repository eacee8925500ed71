"""The public directory through the API: published providers, filtered and ranked as on the
pages (rapport.directory.public), and one provider with their outcome figures where shown.

Open to anyone, no token or session needed: the answers hold only what clinicians chose to
publish. A person's own words about their problem are not taken here, because a query string
ends up in logs; the pages read them from a POST. Pass `problem_area` ids instead."""

from datetime import date
from enum import Enum

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.api.schemas import Problem
from rapport.core import directory as rules
from rapport.core import protocol
from rapport.directory import public
from rapport.directory.availability import Availability
from rapport.directory.models import ProviderProfile
from rapport.directory.profiles import LANGUAGE_CODES

router = Router(tags=["directory"])

Meeting = Enum("Meeting", {"online": "online", "in_person": "in_person"})
Kind = Enum("Kind", {k: k for k in rules.KINDS})  # type: ignore[misc]
ProblemArea = Enum("ProblemArea", {a.id: a.id for a in protocol.get().problem_areas})  # type: ignore[misc]
LanguageCode = Enum("LanguageCode", {c.replace("-", "_"): c for c in sorted(LANGUAGE_CODES)})  # type: ignore[misc]


class ProviderCredentialOut(Schema):
    kind: str = Field(description="licence (or registration) or training (IPT training)")
    issuing_body: str
    number: str
    country: str = Field(description="ISO 3166 code; may be empty for a training")
    level: str
    completed_on: date | None
    supervised_cases: int | None
    verified: bool = Field(description="Checked by an administrator of the clinic; false: self-declared")
    verified_on: date | None
    verification_method: str = Field(description="register, body or certificate; empty when self-declared")


class ProviderRateOut(Schema):
    n: int = Field(description="Finished courses meeting the definition")
    of: int = Field(description="Finished courses the definition applies to")
    rate: float | None
    ci95: list[float] | None = Field(description="95% Wilson score interval, [low, high]")


class ProviderOutcomesOut(Schema):
    finished_courses: int
    response: ProviderRateOut
    recovery: ProviderRateOut


class ProviderOut(Schema):
    id: int
    name: str
    profession: str
    languages: list[str]
    formats: list[str]
    problem_areas: list[str] = Field(description="IPT problem areas the clinician has most experience with")
    place: str = Field(description="A city or an area, never an address")
    currency: str
    fee_from: int | None
    fee_to: int | None
    sliding_scale: bool
    free_places: bool
    statement: str
    next_free_appointment: date | None = Field(description="In the clinic's time zone, within three weeks")
    waiting: int = Field(description="People on the clinician's waiting list now")
    wait_weeks: int | None = Field(description="The waiting list's estimate for someone joining now")
    wait_measured: bool = Field(description="Estimated from the list's own pace; false: the clinic's default")
    credentials: list[ProviderCredentialOut]


class ProviderListed(ProviderOut):
    reasons: list[str] = Field(description="Why the provider fits the filters, in words")


class ProviderDetail(ProviderOut):
    outcomes: ProviderOutcomesOut | None = Field(
        description="Only where the clinician and the clinic chose to show them "
        "and enough courses are finished"
    )


class ProvidersQuery(Schema):
    language: LanguageCode | None = None
    meeting: Meeting | None = Field(None, description="online or in_person; either when absent")
    place: str | None = Field(None, max_length=120, description="A city or an area, for in-person sessions")
    kind: Kind | None = None
    adolescents: bool | None = None
    fee_max: int | None = Field(None, ge=0, le=100_000, description="Most the person can pay per session")
    low_cost: bool | None = None
    problem_area: ProblemArea | None = None


def _credentials(profile: ProviderProfile) -> list[dict]:
    return [
        {
            "kind": c.kind,
            "issuing_body": c.issuing_body,
            "number": c.number,
            "country": c.country,
            "level": c.level,
            "completed_on": c.completed_on,
            "supervised_cases": c.supervised_cases,
            "verified": c.verified,
            "verified_on": c.verified_at.date() if c.verified_at else None,
            "verification_method": c.verification_method,
        }
        for c in public.credentials_of(profile)
    ]


def _provider(profile: ProviderProfile, availability: Availability | None) -> dict:
    return {
        "id": profile.pk,
        "name": profile.display_name,
        "profession": profile.profession,
        "languages": profile.languages,
        "formats": profile.formats,
        "problem_areas": profile.problem_areas,
        "place": profile.place,
        "currency": profile.currency,
        "fee_from": profile.fee_from,
        "fee_to": profile.fee_to,
        "sliding_scale": profile.sliding_scale,
        "free_places": profile.free_places,
        "statement": profile.statement,
        "next_free_appointment": availability.day if availability else None,
        "waiting": availability.waiting if availability else 0,
        "wait_weeks": availability.wait_weeks if availability else None,
        "wait_measured": availability.wait_measured if availability else False,
        "credentials": _credentials(profile),
    }


@router.get(
    "/providers",
    response={200: list[ProviderListed], 422: Problem},
    auth=None,
    summary="Published IPT providers, best fit first (public)",
    description="Filters as query parameters, each optional. Needs (language, meeting, place, kind, "
    "adolescents, fee_max) leave out providers who cannot meet them; the rest weigh. "
    "Never ordered by outcome.",
)
def list_providers(request: HttpRequest, filters: Query[ProvidersQuery]):
    given = {
        key: (value.value if isinstance(value, Enum) else value)
        for key, value in filters.dict().items()
        if value is not None
    }
    for flag in ("adolescents", "low_cost"):
        if flag in given:
            given[flag] = "yes" if given[flag] else "no"
    if "fee_max" in given:
        given["fee_max"] = str(given["fee_max"])
    found = public.parse_search(given, allow_problem_text=False)
    return [
        {**_provider(listing.profile, listing.availability), "reasons": list(listing.reasons)}
        for listing in public.search(found)
    ]


@router.get(
    "/providers/{provider_id}",
    response={200: ProviderDetail, 404: Problem},
    auth=None,
    summary="One published provider, with outcome figures where shown (public)",
)
def get_provider(request: HttpRequest, provider_id: int):
    profile = public.get_public(provider_id)
    availability = public.remembered([profile.clinician]).get(profile.clinician_id)
    outcomes = public.outcomes_for(profile)
    return {
        **_provider(profile, availability),
        "outcomes": None
        if outcomes is None
        else {
            "finished_courses": outcomes.finished,
            "response": outcomes.response.as_dict(),
            "recovery": outcomes.recovery.as_dict(),
        },
    }
