"""Risk in a group (issue 13, item 4). A positive PHQ-9 item 9 raises its alert as every answer
does (clinic.measurement, through clinic.alert_chain.raise_alert); a "needs follow-up for risk"
mark raises one here. For a lay-facilitated group the supervisors of the group's team are told
at once, beside the client's clinicians (the facilitators among them), not only on escalation."""

from django.utils.translation import gettext as _

from rapport.clinic import alert_chain
from rapport.clinic.models import AlertDelivery, AlertSource, Notification, RiskAlert
from rapport.core import crisis, triage
from rapport.groups.models import Group

# [U] The spec gives no tier for a facilitator's "needs follow-up for risk" mark; T2 (moderate)
# asks a clinician to acknowledge within the T2 deadline and shows the member's crisis lines.
RISK_MARK_TIER = "T2"


def raise_for_mark(request, group: Group, membership, record, recorded_at) -> RiskAlert:
    rules = triage.triage_rules()
    level = next(level for level in rules.levels if rules.tier_for(level) == RISK_MARK_TIER)
    return alert_chain.raise_alert(
        request,
        membership.client,
        tier=RISK_MARK_TIER,
        risk_level=level,
        source=AlertSource.CLINICIAN,
        reasons=["group_follow_up_for_risk"],
        note=_("Marked as needing follow-up for risk at group session %(n)s.") % {"n": record.session.number},
        source_record=_source(group, record, recorded_at),
    )


def _source(group: Group, record, recorded_at) -> dict:
    # The time the facilitator captured it (perhaps offline, hours before it reached the server).
    return {
        "type": "MemberRecord",
        "id": record.pk,
        "group": group.pk,
        "session": record.session.number,
        "recorded_at": recorded_at.isoformat(),
    }


def note_source(alert: RiskAlert, group: Group, record, recorded_at) -> None:
    """Mark an alert raised by the member's PHQ-9 as coming from this group session, keeping any
    source it had (an alert joined by a later answer keeps its first source)."""
    if not alert.source_record:
        RiskAlert.objects.filter(pk=alert.pk).update(source_record=_source(group, record, recorded_at))


def _supervisors_step() -> int:
    chain = triage.triage_rules().escalation_chain
    return chain.index("team_supervisors") if "team_supervisors" in chain else 1


def tell_supervisors_now(alert: RiskAlert, group: Group) -> int:
    """Tell the group team's supervisors of `alert` at once (in-app, and an e-mail job), unless
    they were told of it already. Returns how many were told."""
    if not group.lay_facilitated:
        return 0
    told = set(AlertDelivery.objects.filter(alert=alert).values_list("recipient_id", flat=True))
    count = 0
    for person in group.team.supervisors.filter(is_active=True):
        if person.pk in told:
            continue
        Notification.objects.create(
            recipient=person,
            client=alert.client,
            alert=alert,
            subject=_("Risk alert (%(tier)s) in a lay-facilitated group, client #%(client)s")
            % {"tier": alert.tier, "client": alert.client_id},
            body=_(
                "A member of a group you supervise has a risk answer or mark. Open the alert now, "
                "and check that the facilitator follows the crisis protocol."
            ),
        )
        delivery = AlertDelivery.objects.create(
            alert=alert, recipient=person, escalation_level=_supervisors_step()
        )
        alert_chain.send_alert_email.enqueue(delivery.pk)
        count += 1
    return count


def crisis_lines(client) -> list[dict]:
    """The member's country's crisis lines (the generic entry's none when it has no file)."""
    found = crisis.for_country(str(client.country) if client.country else None)
    return [
        {"label": line.label, "number": line.number, "tel_href": line.tel_href, "hours": line.hours}
        for line in found.lines
    ]


def directory_url(client) -> str:
    return crisis.for_country(str(client.country) if client.country else None).fallback_directory_url
