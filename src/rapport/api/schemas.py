"""The API's shared schemas, and the strict base every request body is read with.

One validation path: a body's unknown fields, NUL characters and values of the wrong type are
refused by `StrictIn` (strict types; dates from ISO strings only, `IsoDate`), and what pydantic
refuses is worded as the pages' forms word it (`form_message`), so that the same bad input gets
the same message through a page and through the API. The routes then build the services' typed
input from the body; what the values mean (the protocol's ids, dates in order, the course's
inventory) is checked by the services, for the pages and the API alike."""

import re
from datetime import date, time
from enum import Enum
from typing import Annotated

from django import forms
from django.conf import global_settings
from django.core import validators
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

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


def _nul_paths(value, path=()):
    """Where a NUL character hides in a JSON body: (path, value) for each string holding one."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                yield (*path, key), key
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, index))


def _django_message(validator, value) -> str:
    try:
        validator(value)
    except DjangoValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _iso_date(value):
    """JSON has no date type, so a date comes as an ISO string: that, and only that, is read as one
    (strict mode alone would refuse the string; lax mode would take 0 as 1970-01-01)."""
    if isinstance(value, date) or not isinstance(value, str):
        return value  # a date passes; anything else meets the strict check and is refused
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise PydanticCustomError("date_parsing", "Input should be a valid date as YYYY-MM-DD")


# A date in a request body: an ISO string ("2026-12-07"), never a number.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _iso_time(value):
    """A wall time as JSON gives it: "HH:MM" or "HH:MM:SS", and only that."""
    if isinstance(value, time) or not isinstance(value, str):
        return value
    try:
        if re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value):
            return time.fromisoformat(value)
    except ValueError:
        pass
    raise PydanticCustomError("time_parsing", "Input should be a valid time as HH:MM")


# A wall time in a request body: an ISO string ("10:30"), never a number.
IsoTime = Annotated[time, BeforeValidator(_iso_time)]


class StrictIn(Schema):
    """A request body: a field the schema does not name is refused rather than dropped, and so
    is a NUL character anywhere (the database refuses one; the forms say so in these words).

    Types are strict: nothing is converted silently ("12" is not a number, false is not 0, 0 is
    not a date). Dates are the one conversion kept, from ISO strings only (`IsoDate`); a choice
    from a list (an Enum) is read from its value with `Field(strict=False)`, as JSON gives it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_nul_characters(cls, data, handler):
        found = list(_nul_paths(data)) if isinstance(data, dict) else []
        if found:
            message = _django_message(validators.ProhibitNullCharactersValidator(), "\x00")
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("null_characters", message), loc=path, input=value
                    )
                    for path, value in found
                ],
            )
        return handler(data)


def form_message(error: dict) -> str:
    """A pydantic error about one value, in the words a page's form uses for the same mistake."""
    kind, ctx, given = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return str(forms.Field.default_error_messages["required"])
    if kind == "string_too_long" and isinstance(given, str):
        return _django_message(validators.MaxLengthValidator(ctx["max_length"]), given)
    if kind == "string_too_short" and isinstance(given, str):
        return _django_message(validators.MinLengthValidator(ctx["min_length"]), given)
    if kind in ("less_than_equal", "less_than") and "le" in ctx:
        return _django_message(validators.MaxValueValidator(ctx["le"]), ctx["le"] + 1)
    if kind in ("greater_than_equal", "greater_than") and "ge" in ctx:
        return _django_message(validators.MinValueValidator(ctx["ge"]), ctx["ge"] - 1)
    if kind.startswith("date_"):
        return str(forms.DateField.default_error_messages["invalid"])
    if kind.startswith("time_"):
        return str(forms.TimeField.default_error_messages["invalid"])
    if kind.startswith("int_"):
        return str(forms.IntegerField.default_error_messages["invalid"])
    if kind in ("literal_error", "enum"):
        return str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": given}
    if kind == "extra_forbidden":
        return _("This field is not known here; nothing was saved under it.")
    return error.get("msg", _("This value is not valid."))


class ClientIn(StrictIn):
    full_name: str = Field(min_length=1, max_length=200)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: IsoDate
    # Values of a closed list of strings: lax reads "en" as the member, and a number never matches.
    language: Language = Field(Language["en"], strict=False)
    country: Country = Field(description="ISO 3166-1 alpha-2 code", strict=False)
    time_zone: TimeZone = Field(description="IANA time zone, e.g. Europe/London", strict=False)
    team_id: int | None = Field(None, description="One of the caller's teams; required if they have several")


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    kept: list[str] = Field(
        [],
        description="What was kept although the request was refused: the alert a valid risk answer "
        "raised before the rest was refused (in words for the person who sent it)",
    )


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
