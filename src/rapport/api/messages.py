"""Secure messages through the API: a client's thread with their care team.

A client account reads and writes its own thread with its own client id (from GET /me); clinical
staff who see the client read it, and the care team writes. Anyone else meets a 404, like a record
that does not exist; administrators are refused by role (403). Reading marks the thread read for
the caller, as opening the page does. A client's message is screened for risk phrases as on the
page; a match raises an alert for the clinicians. The alert itself is never shown to the client,
but the answer carries what the page then shows them: the same words, the note that this is not a
crisis service, whether the clinic is open, and the crisis lines of the client's country.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from rapport.api.schemas import Problem, StrictIn
from rapport.clinic import rules
from rapport.core import crisis
from rapport.messaging import threads

router = Router(tags=["messages"])


class MessageIn(StrictIn):
    body: str = Field(description="The message, up to 2,000 characters (messaging.yaml)")


class MessageOut(Schema):
    id: int
    author_id: int
    author_name: str
    from_client: bool
    kind: str = Field(
        description='"message", or "notice": a one-way note from the clinic, shown on the home page'
    )
    body: str | None = Field(
        description="Null for a withdrawn message, unless the caller wrote it or is staff"
    )
    created_at: datetime
    retracted_at: datetime | None
    version: int


class CrisisLineOut(Schema):
    label: str
    number: str
    channels: list[str] = Field(description="phone, text or chat")
    hours: str
    text_keyword: str = Field(description="The word to text, when the line asks for one")
    tel: str = Field(description="A tel: link, empty when the line takes no calls")
    sms: str = Field(description="An sms: link, empty when the line takes no texts")


class SupportOut(Schema):
    message: str = Field(description="What the page tells the client, in the same words")
    not_a_crisis_service: str
    reply_within_working_hours: int
    clinic_open: bool = Field(description="Whether the clinic is open now (its opening hours)")
    country: str = Field(description="Whose lines these are; empty for the international entry")
    emergency: list[CrisisLineOut]
    crisis_lines: list[CrisisLineOut]
    text_lines: list[CrisisLineOut]
    directory_url: str = Field(description="A directory of crisis lines in other countries")


class MessageSentOut(MessageOut):
    support: SupportOut | None = Field(
        description=(
            "Present when the client's message raised a review (a risk phrase): where to get help "
            "now, as the page shows it. Null otherwise."
        )
    )


def _line(line) -> dict:
    return {
        "label": line.label,
        "number": line.number,
        "channels": list(line.channels),
        "hours": line.hours,
        "text_keyword": line.text_keyword,
        "tel": line.tel_href,
        "sms": line.sms_href,
    }


def _support(client) -> dict:
    resources = crisis.for_country(str(client.country) if client.country else None)
    note = threads.note_for(client)
    return {
        "message": threads.risk_reply(),
        "not_a_crisis_service": _("This is not a crisis service."),
        "reply_within_working_hours": note.within_hours,
        "clinic_open": note.open_now,
        "country": resources.country,
        "emergency": [_line(x) for x in resources.emergency],
        "crisis_lines": [_line(x) for x in resources.crisis_lines],
        "text_lines": [_line(x) for x in resources.text_lines],
        "directory_url": resources.fallback_directory_url,
    }


def _out(message, user) -> dict:
    shown = message.retracted_at is None or message.author_id == user.pk or rules.is_clinical_staff(user)
    return {
        "id": message.pk,
        "author_id": message.author_id,
        "author_name": message.author.full_name,
        "from_client": message.from_client,
        "kind": message.kind,
        "body": message.body if shown else None,
        "created_at": message.created_at,
        "retracted_at": message.retracted_at,
        "version": message.version,
    }


def _refuse_administrators(request) -> None:
    if rules.is_administrator(request.user):
        raise PermissionDenied


@router.get(
    "/clients/{client_id}/messages",
    response={200: list[MessageOut], 403: Problem, 404: Problem},
    summary="A client's messages with their care team, oldest first",
)
def list_messages(request: HttpRequest, client_id: int):
    _refuse_administrators(request)
    view = threads.read_thread(request, client_id)
    return [_out(m, request.user) for m in view.messages]


@router.post(
    "/clients/{client_id}/messages",
    response={201: MessageSentOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Send a message in a client's thread",
    description=(
        "A client's message is screened for risk phrases; when one raises a review for the "
        "clinicians, `support` carries where to get help now, as the page shows it."
    ),
)
def send_message(request: HttpRequest, client_id: int, payload: MessageIn):
    _refuse_administrators(request)
    sent = threads.send(request, client_id, payload.body)
    support = _support(sent.message.client) if sent.alert is not None else None
    return Status(201, {**_out(sent.message, request.user), "support": support})
