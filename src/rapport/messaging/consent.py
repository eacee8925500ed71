"""The hook to the client's consent to secure messages.

INTEGRATION HOOK: consent records are built in another part of issue 14. Until that service is
wired in here, every client counts as consenting; when it is, a client without a current consent
to messages gets a closed thread (nobody can write in it; what was written stays readable).
"""


def consents_to_messages(client) -> bool:
    return True
