"""Access-matrix rows for secure messages (see tests/access_matrix.py).

A client reads and writes their own thread (the other client gets their own page, or a 404 for
an id of the first client's record). Clinical staff who see the client read the thread; only the
care team (the responsible clinician and the co-clinician) writes, so the team's supervisor meets
a 403 when they try. A message is withdrawn by its author only: anyone else meets a 404.
"""

from rapport.messaging.models import Message, Thread
from tests.access_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, UNAUTHORISED, Route, expect
from tests.matrix.portal import client_page


def a_message(clinic, author):
    thread, _created = Thread.objects.get_or_create(client=clinic.client)
    return Message.objects.create(
        thread=thread,
        client=clinic.client,
        author=author,
        from_client=author == clinic.client_user,
        body="Hello",
    )


CLINICAL_STAFF = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    clinician=OK,
    co_clinician=OK,
    other_clinician=OK,
    supervisor=OK,
    other_supervisor=OK,
)
THREAD_READERS = expect(
    NOT_FOUND,
    anonymous=LOGIN,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    administrator=FORBIDDEN,
    client_user=FORBIDDEN,
    other_client_user=FORBIDDEN,
)
THREAD_WRITERS = {**THREAD_READERS, "clinician": REDIRECT, "co_clinician": REDIRECT, "supervisor": FORBIDDEN}
API_READERS = expect(
    NOT_FOUND,
    anonymous=UNAUTHORISED,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    client_user=OK,
    administrator=FORBIDDEN,
)
API_WRITERS = {
    **API_READERS,
    "clinician": 201,
    "co_clinician": 201,
    "client_user": 201,
    "supervisor": FORBIDDEN,
}
API_PATH = "API {method} /api/v1/clients/{{client_id}}/messages"

ROUTES = [
    Route("my_messages", "GET", lambda c: "/my/messages/", client_page(OK)),
    Route(
        "my_messages", "POST", lambda c: "/my/messages/", client_page(REDIRECT), data=lambda c: {"body": "Hi"}
    ),
    Route(
        "my_message_withdraw",
        "POST",
        lambda c: f"/my/messages/{a_message(c, c.client_user).pk}/withdraw/",
        client_page(REDIRECT, NOT_FOUND),
        data=lambda c: {"version": "1", "reason": ""},
    ),
    Route("my_messages_consent", "POST", lambda c: "/my/messages/consent/", client_page(REDIRECT)),
    # A programme lead passes as a supervisor and sees the threads of the teams they are named
    # supervisor of: none, for the persona, so an empty inbox.
    Route("messages_inbox", "GET", lambda c: "/messages/", {**CLINICAL_STAFF, "programme_lead": OK}),
    Route(
        "digest_choice",
        "POST",
        lambda c: "/messages/digest/",
        expect(
            FORBIDDEN, anonymous=LOGIN, clinician=REDIRECT, co_clinician=REDIRECT, other_clinician=REDIRECT
        ),
        data=lambda c: {"version": "0", "daily_digest": "on"},
    ),
    Route(
        "client_thread",
        "GET",
        lambda c: f"/clients/{c.client.pk}/messages/",
        THREAD_READERS,
        read_audited=True,
    ),
    Route(
        "client_thread",
        "POST",
        lambda c: f"/clients/{c.client.pk}/messages/",
        THREAD_WRITERS,
        data=lambda c: {"body": "See you Thursday"},
    ),
    Route(
        "client_thread_withdraw",
        "POST",
        lambda c: f"/clients/{c.client.pk}/messages/{a_message(c, c.clinician).pk}/withdraw/",
        # The author only: the co-clinician sees the thread but did not write this message.
        {
            **THREAD_READERS,
            "clinician": REDIRECT,
            "co_clinician": NOT_FOUND,
            "supervisor": FORBIDDEN,
            "other_supervisor": FORBIDDEN,
            "programme_lead": FORBIDDEN,
        },
        data=lambda c: {"version": "1", "reason": "wrong client"},
    ),
    Route(
        API_PATH.format(method="GET"),
        "GET",
        lambda c: f"/api/v1/clients/{c.client.pk}/messages",
        API_READERS,
        read_audited=True,
    ),
    Route(
        API_PATH.format(method="POST"),
        "POST",
        lambda c: f"/api/v1/clients/{c.client.pk}/messages",
        API_WRITERS,
        data=lambda c: {"body": "Hello"},
        json=True,
    ),
]
