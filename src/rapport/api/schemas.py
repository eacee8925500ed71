from datetime import date

from ninja import Schema
from pydantic import Field


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
    status: str
    team_id: int
    responsible_clinician_id: int
    version: int

    @staticmethod
    def resolve_country(obj) -> str:
        return obj.country.code


class ClientIn(Schema):
    full_name: str = Field(max_length=200)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: date
    language: str = Field("en", max_length=10)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code")
    time_zone: str = Field(max_length=64, description="IANA time zone, e.g. Europe/London")
    team_id: int | None = Field(None, description="One of the caller's teams; required if they have several")


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
