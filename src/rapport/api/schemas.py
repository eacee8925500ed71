from datetime import date
from enum import Enum

from django.conf import global_settings
from django_countries import countries
from ninja import Schema
from pydantic import Field

from rapport.clinic import standing
from rapport.clinic.forms import TIME_ZONE_CHOICES


class MeOut(Schema):
    id: int
    name: str
    role: str
    client_id: int | None = None


class ClientOut(Schema):
    id: int
    full_name: str
    preferred_name: str
    date_of_birth: date
    language: str
    country: str
    time_zone: str
    status: str = Field(
        description="From the current course: referred, assessment, active, maintenance or ended"
    )
    team_id: int
    responsible_clinician_id: int
    version: int

    @staticmethod
    def resolve_country(obj) -> str:
        return obj.country.code

    @staticmethod
    def resolve_status(obj) -> str:
        # Lists set `derived_status` for every client at once; a single client asks on its own.
        derived = getattr(obj, "derived_status", None)
        return derived or standing.statuses([obj.pk])[obj.pk]


# The same choices as the form, so that the OpenAPI schema tells integrators what is valid.
# Their members are built from those lists at import time, which mypy cannot follow.
Country = Enum("Country", {code: code for code, _ in countries})  # type: ignore[misc]
Language = Enum(  # type: ignore[misc]
    "Language", {code.replace("-", "_"): code for code, _ in global_settings.LANGUAGES}
)
TimeZone = Enum(  # type: ignore[misc]
    "TimeZone", {name.replace("/", "__").replace("-", "_"): name for name, _ in TIME_ZONE_CHOICES}
)


class ClientIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: date
    language: Language = Field(Language["en"])
    country: Country = Field(description="ISO 3166-1 alpha-2 code")
    time_zone: TimeZone = Field(description="IANA time zone, e.g. Europe/London")
    team_id: int | None = Field(None, description="One of the caller's teams; required if they have several")


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# Decision support on the formulation


class EvidenceOut(Schema):
    source: str = Field(description="timeline, life_change or inventory")
    ref: str | None = Field(description="The entry it comes from, as inventory:<id> or timeline:<id>")
    label: str
    reason: str
    check_timing: bool = Field(description="A date is missing: check the link to the onset")


class SuggestionOut(Schema):
    problem_area: str
    name: str
    rules: list[str]
    summary: str
    evidence: list[EvidenceOut]


class SetAsideOut(Schema):
    problem_area: str
    name: str
    rules: list[str]
    reason: str = Field(description="Why a rule's area is not suggested, as 'not suggested: ...'")
    evidence: list[EvidenceOut] = Field(description="The entries behind the reason")


class QuestionOut(Schema):
    source: str = Field(description="inventory")
    ref: str | None = Field(description="The entry it is about, as inventory:<id>")
    label: str
    text: str
