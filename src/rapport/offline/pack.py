"""What a facilitator's device keeps of a group to record a session with no signal: the current
members (membership id and name), the crisis lines of their countries, and the public key that
seals what is recorded. Nothing else of any client: no scores, notes or past sessions."""

from django.utils import timezone

from rapport.core import crisis, instruments
from rapport.groups.capture import MEASURE
from rapport.groups.membership import members_on
from rapport.groups.scope import audit_read, get_group
from rapport.offline import keys


def _lines(resources: crisis.CrisisResources) -> dict:
    return {
        "name": resources.name,
        "lines": [
            {"label": line.label, "number": line.number, "tel_href": line.tel_href, "hours": line.hours}
            for line in resources.lines
        ],
        "directory_url": resources.fallback_directory_url,
    }


def offline_pack(request, group_id: int) -> dict:
    """Only a facilitator of the group gets it (a supervisor records no session: 404 as for a
    group not seen); the read names every member, so it writes one READ row per member."""
    group = get_group(request, group_id, change=True)
    members = list(members_on(group, timezone.localdate()))
    audit_read(request, group, [m.client for m in members])
    countries: dict[str, dict] = {}
    roster = []
    for membership in members:
        found = crisis.for_country(str(membership.client.country) if membership.client.country else None)
        code = found.country or crisis.GENERIC
        countries.setdefault(code, _lines(found))
        roster.append({"id": membership.pk, "name": membership.client.display_name, "crisis": code})
    return {
        "group_id": group.pk,
        "name": group.name,
        "members": roster,
        "crisis": countries,
        "key": keys.current().public_jwk(),
        **_measure(),
    }


def _measure() -> dict:
    """The PHQ-9's item ids and, for each risk item, the answers the instrument counts as positive
    (its own rule, from the core's data), so the device shows crisis lines on exactly those."""
    instrument = instruments.get(MEASURE)
    positive = {
        item.id: [o.code for o in item.options if item.risk_positive_when.holds({item.id: o.code})]
        for item in instrument.risk_items
        if item.risk_positive_when is not None
    }
    return {"phq9_items": [item.id for item in instrument.items], "risk_answers": positive}
