"""The client's messages in their own copy of what Rapport holds (clinic/my_data.py): every
message of their thread, as the client sees it on the portal (a clinician's withdrawn message
shows only that it was withdrawn; the client's own withdrawn ones keep their text), with the
clinic's one-way notices among them."""

from rapport.clinic.my_data import Item, section
from rapport.messaging.models import Message


@section("messages", "Your messages")
def _messages(request, client) -> list[Item]:
    found = []
    for message in (
        Message.objects.filter(client=client).select_related("author").order_by("created_at", "id")
    ):
        withdrawn = message.retracted_at is not None
        found.append(
            {
                "Sent": message.created_at,
                "From": "You" if message.from_client else message.author.full_name,
                "Kind": message.get_kind_display(),
                "Message": "" if withdrawn and not message.from_client else message.body,
                "Withdrawn": message.retracted_at if withdrawn else None,
            }
        )
    return found
