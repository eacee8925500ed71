"""Referrals through the API: `POST /referrals` is public (the same service, checks, limits and
safety net as the form: a risk answer comes back as `"urgent": true` with the crisis lines for
the person's country; a body refused for other fields whose valid risk answers carry risk is kept,
incomplete, when the person can be reached); `GET /referrals` is the intake team's inbox."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.schemas import IsoDate, Problem, StrictIn
from rapport.core import crisis
from rapport.intake import referrals, team, triage

router = Router(tags=["referrals"])


class ReferralIn(StrictIn):
    referred_by: Literal["self", "professional"] = "self"
    referrer_name: str = Field("", max_length=200)
    referrer_role: str = Field("", max_length=200)
    referrer_organisation: str = Field("", max_length=200)
    referrer_email: str = Field("", max_length=254)
    referrer_phone: str = Field("", max_length=40)
    full_name: str = Field(max_length=200)
    date_of_birth: IsoDate
    country: str = Field(
        description="ISO 3166-1 alpha-2 code of the country the person lives in", max_length=2
    )
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    contact_by: list[Literal["email", "phone", "text"]] = Field(description="At least one")
    may_leave_message: bool = False
    concern: str = Field(description="What is wrong, in the person's own words", max_length=5000)
    preferred_clinician: int | None = Field(
        None, description="A clinician's user id (a provider profile names it)"
    )
    format: str = Field("", max_length=20)
    language: str = Field("en", max_length=10)
    consent_contact: bool
    consent_data: bool
    consent_wording_version: str = Field(
        max_length=20, description="The version of the consent wording shown"
    )
    phq9: dict[str, str] = Field(
        default_factory=dict, description="Item id to option code; leave an item out to skip it"
    )
    gad7: dict[str, str] = Field(
        default_factory=dict, description="Item id to option code; leave an item out to skip it"
    )


class LineOut(Schema):
    label: str
    number: str
    channels: list[str]
    hours: str
    tel: str = Field(description="A tel: link, or empty")
    sms: str = Field(description="An sms: link, or empty")


class CrisisOut(Schema):
    country: str = Field(description="Empty for the generic entry (no country file)")
    name: str
    emergency: list[LineOut]
    lines: list[LineOut]
    directory_url: str


class ReferralCreatedOut(Schema):
    reference: str
    urgent: bool
    reply_within_days: int
    crisis: CrisisOut | None = Field(description="Present when a risk answer was positive")
    incomplete: bool = Field(
        description="True when the body was refused for other fields but its valid risk answers "
        "carried risk: only the valid part was kept, as an urgent referral, and intake was told"
    )
    refused: dict[str, list[str]] = Field(description="What was refused and left out (incomplete only)")


class ReferralOut(Schema):
    id: int
    reference: str
    submitted_at: datetime
    urgent: bool
    status: str
    full_name: str
    date_of_birth: date | None = Field(description="None only on an incomplete referral")
    incomplete: bool
    missing: list[str] = Field(description="The fields an incomplete referral lacks")
    phq9_total: int | None
    gad7_total: int | None
    alert_status: str | None = Field(description="open, acknowledged or closed; None without a risk answer")
    possible_duplicate: bool


def _line(line: crisis.Line) -> dict:
    return {
        "label": line.label,
        "number": line.number,
        "channels": list(line.channels),
        "hours": line.hours,
        "tel": line.tel_href,
        "sms": line.sms_href,
    }


def _crisis(resources: crisis.CrisisResources) -> dict:
    return {
        "country": resources.country,
        "name": resources.name,
        "emergency": [_line(x) for x in resources.emergency],
        "lines": [_line(x) for x in resources.crisis_lines + resources.text_lines],
        "directory_url": resources.fallback_directory_url,
    }


@router.post(
    "/referrals",
    auth=None,
    response={201: ReferralCreatedOut, 422: Problem, 429: Problem},
    summary="Ask for help: a self-referral or a referral by a professional (public)",
)
def create_referral(request: HttpRequest, payload: ReferralIn):
    given = referrals.NewReferral(**{**payload.dict(), "contact_by": tuple(payload.contact_by)})
    try:
        sent = referrals.submit(request, given)
    except referrals.RateLimited:
        return Status(
            429, {"detail": "Too many referrals from here just now; nothing was saved. Try again later."}
        )
    return Status(
        201,
        {
            "reference": sent.reference,
            "urgent": sent.urgent,
            "reply_within_days": sent.reply_within_days,
            "crisis": _crisis(sent.crisis) if sent.urgent else None,
            "incomplete": sent.incomplete,
            "refused": sent.refused,
        },
    )


class InboxQuery(Schema):
    show: Literal["open", "all"] = "open"


@router.get("/referrals", response=list[ReferralOut], summary="The referral inbox (the intake team)")
def list_referrals(request: HttpRequest, query: Query[InboxQuery]):
    if not team.does_intake(request.user):
        raise PermissionDenied
    found = triage.inbox(request, show=query.show)
    flagged = triage.duplicate_flags(found)
    return [
        {
            "id": r.pk,
            "reference": r.reference,
            "submitted_at": r.submitted_at,
            "urgent": r.urgent,
            "status": r.status,
            "full_name": r.full_name,
            "date_of_birth": r.date_of_birth,
            "incomplete": r.incomplete,
            "missing": r.missing,
            "phq9_total": r.phq9_total,
            "gad7_total": r.gad7_total,
            "alert_status": r.alert.status if r.alert else None,
            "possible_duplicate": r.pk in flagged,
        }
        for r in found
    ]
