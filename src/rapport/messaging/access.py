"""Who may read and write a thread. Reading follows the record (clinical staff who see the client,
and the client themselves); writing is for the client and their care team only, so that nobody
outside it (another client, a clinician under emergency access, a supervisor) writes in a thread.
"""

import rules

from rapport.clinic.rules import is_client_user, is_clinical_staff, is_clinician, sees_client


def care_team(client) -> list:
    """The responsible clinician and the co-clinicians, active accounts only."""
    people = [client.responsible_clinician, *client.co_clinicians.all()]
    seen: set[int] = set()
    found = []
    for person in people:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            found.append(person)
    return found


@rules.predicate
def in_care_team(user, client) -> bool:
    if client is None or not user.is_authenticated:
        return False
    return client.responsible_clinician_id == user.pk or client.co_clinicians.filter(pk=user.pk).exists()


rules.add_perm("messaging.read_thread", (is_clinical_staff | is_client_user) & sees_client)
rules.add_perm("messaging.write", sees_client & (is_client_user | (is_clinician & in_care_team)))
