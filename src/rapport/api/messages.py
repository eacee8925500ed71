"""Secure messages through the API: a client's thread with their care team.

A client account reads and writes its own thread with its own client id (from GET /me); clinical
staff who see the client read it, and the care team writes. Anyone else meets a 404, like a record
that does not exist; administrators are refused by role (403). Reading marks the thread read for
the caller, as opening the page does. A client's message is screened for risk phrases as on the
page; a match raises an alert for the clinicians (never shown to the client through the API).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.api.schemas import Problem, StrictIn
from rapport.clinic import rules
from rapport.messaging import threads

router = Router(tags=["messages"])


class MessageIn(StrictIn):
    body: str = Field(description="The message, up to 2,000 characters (messaging.yaml)")


class MessageOut(Schema):
    id: int
    author_id: int
    author_name: str
    from_client: bool
    body: str | None = Field(
        description="Null for a withdrawn message, unless the caller wrote it or is staff"
    )
    created_at: datetime
    retracted_at: datetime | None
    version: int


def _out(message, user) -> dict:
    shown = message.retracted_at is None or message.author_id == user.pk or rules.is_clinical_staff(user)
    return {
        "id": message.pk,
        "author_id": message.author_id,
        "author_name": message.author.full_name,
        "from_client": message.from_client,
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
    response={201: MessageOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Send a message in a client's thread",
)
def send_message(request: HttpRequest, client_id: int, payload: MessageIn):
    _refuse_administrators(request)
    sent = threads.send(request, client_id, payload.body)
    return Status(201, _out(sent.message, request.user))
