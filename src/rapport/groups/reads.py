"""What the group pages and the API read: a group, its members, its sessions with each member's
record, as plain values. Every read of members' records is audited, one row per member."""

from rapport.clinic.measurement import summarise
from rapport.core import groups as group_rules
from rapport.core import protocol
from rapport.drawings.group_chart import member_weeks
from rapport.groups import capture, risk
from rapport.groups.models import Group, GroupSession, MemberRecord, Membership
from rapport.groups.scope import audit_read, get_group


def group_out(group: Group) -> dict:
    return {
        "id": group.pk,
        "name": group.name,
        "variant": group.variant,
        "planned_sessions": group.planned_sessions,
        "facilitator_id": group.facilitator_id,
        "facilitator_name": group.facilitator.full_name,
        "co_facilitator_id": group.co_facilitator_id,
        "team_id": group.team_id,
        "lay_facilitated": group.lay_facilitated,
        "meeting_place": group.meeting_place,
        "meeting_day": group.meeting_day,
        "meeting_time": group.meeting_time,
        "planned_start": group.planned_start,
        "status": group.status,
        "version": group.version,
    }


def member_out(m: Membership) -> dict:
    return {
        "id": m.pk,
        "client_id": m.client_id,
        "name": m.client.display_name,
        "course_id": m.course_id,
        "joined_on": m.joined_on,
        "join_reason": m.join_reason,
        "left_on": m.left_on,
        "leave_reason": m.leave_reason,
        "current": m.left_on is None,
        "version": m.version,
    }


def memberships(group: Group) -> list[Membership]:
    return list(
        Membership.objects.filter(group=group, entered_in_error_at__isnull=True)
        .select_related("client")
        .order_by("joined_on", "id")
    )


def sessions(group: Group) -> list[GroupSession]:
    return list(GroupSession.objects.filter(group=group, entered_in_error_at__isnull=True).order_by("number"))


def next_agenda(group: Group, held: list[GroupSession]) -> dict | None:
    numbers = {s.number for s in held}
    free = [n for n in range(1, group.planned_sessions + 1) if n not in numbers]
    if not free:
        return None
    return agenda_out(group, free[0])


def agenda_out(group: Group, number: int) -> dict:
    try:
        agenda = group_rules.agenda(number, group.variant)
        phase = group_rules.phase(number, group.variant)
    except protocol.InvalidSession:
        agenda, phase = None, ""
    return {
        "number": number,
        "phase": phase,
        "name": agenda.name if agenda else "",
        "steps": [{"id": s.id, "name": s.name, "description": s.description} for s in agenda.steps]
        if agenda
        else [],
    }


def group_detail(request, group_id: int) -> dict:
    group = get_group(request, group_id)
    members = memberships(group)
    audit_read(request, group, [m.client for m in members])
    held = sessions(group)
    limits = group_rules.composition(group.variant)
    return {
        **group_out(group),
        "members": [member_out(m) for m in members],
        "sessions": [
            {
                "id": s.pk,
                "number": s.number,
                "date": s.date,
                "phase": capture.phase_of(s),
                "version": s.version,
            }
            for s in held
        ],
        "next_session": next_agenda(group, held),
        "min_members": limits.min_members,
        "max_members": limits.max_members,
    }


def record_out(record) -> dict:
    response = record.response
    alert = capture.alert_of(record)
    return {
        "membership_id": record.membership_id,
        "client_id": record.membership.client_id,
        "name": record.membership.client.display_name,
        "attended": record.attended,
        "phq9_total": response.total if response is not None else None,
        "phq9_answers": response.answers if response is not None else None,
        "risk": bool(response is not None and (response.risk_flags or response.risk_level != "none"))
        or record.needs_follow_up_for_risk,
        "alert_id": alert.pk if alert is not None else None,
        "mood_change": record.mood_change,
        "mood_event_ids": sorted(e.pk for e in record.mood_events.all()),
        "mood_note": record.mood_note,
        "task_set": record.task_set,
        "task_reviewed": record.task_reviewed,
        "note": record.note,
        "needs_follow_up": record.needs_follow_up,
        "needs_follow_up_for_risk": record.needs_follow_up_for_risk,
    }


def at_risk_out(at_risk) -> list[dict]:
    return [
        {
            "membership_id": m.pk,
            "client_id": m.client_id,
            "name": m.client.display_name,
            "alert_id": alert.pk,
            "crisis_lines": risk.crisis_lines(m.client),
        }
        for m, alert in at_risk
    ]


def session_out(session: GroupSession, at_risk=()) -> dict:
    session = GroupSession.objects.select_related("group").get(pk=session.pk)
    return {
        "id": session.pk,
        "number": session.number,
        "date": session.date,
        "phase": capture.phase_of(session),
        "notes": session.notes,
        "paper_filled_on": session.paper_filled_on,
        "recorded_at": session.recorded_at,
        "version": session.version,
        "records": [record_out(r) for r in capture.records_of(session)],
        "at_risk": at_risk_out(at_risk),
    }


def sessions_out(request, group_id: int) -> list[dict]:
    group = get_group(request, group_id)
    audit_read(request, group, [m.client for m in memberships(group)])
    return [session_out(s) for s in sessions(group)]


def overview(group: Group, members: list[Membership], held: list[GroupSession]) -> dict:
    """The group page's figures: each member's attendance and PHQ-9 by session (with a small
    chart), and the group's summary. Outcomes per member come from the clinic's outcome rules on
    the member's own course, as for any course."""
    weeks = group.planned_sessions
    by_number = {s.pk: s.number for s in held}
    records = MemberRecord.objects.filter(session__in=held, entered_in_error_at__isnull=True).select_related(
        "response"
    )
    table: dict[int, dict] = {m.pk: {"scores": [None] * weeks, "attended": [None] * weeks} for m in members}
    for r in records:
        row = table.get(r.membership_id)
        number = by_number[r.session_id]
        if row is None or not 1 <= number <= weeks:
            continue
        row["attended"][number - 1] = r.attended
        if r.response is not None and r.response.entered_in_error_at is None:
            row["scores"][number - 1] = r.response.total
    rows, improved, reliable = [], 0, 0
    attended_total = possible = 0
    for m in members:
        row = table[m.pk]
        outcome = summarise(m.course).get("phq9") or {}
        came = [a for a in row["attended"] if a is not None]
        attended_total += sum(came)
        possible += len(came)
        if outcome.get("change") is not None and outcome["change"] < 0:
            improved += 1
        if outcome.get("reliable_improvement"):
            reliable += 1
        rows.append(
            {
                "membership": m,
                "attended": row["attended"],
                "scores": row["scores"],
                "attended_count": sum(came),
                "outcome": outcome,
                "chart": member_weeks(
                    row["scores"],
                    row["attended"],
                    label=f"{m.client.display_name}: PHQ-9 and attendance by session",
                ),
            }
        )
    held_count = len(held)
    scored = [r["outcome"] for r in rows if r["outcome"].get("latest") is not None]
    return {
        "rows": rows,
        "weeks": list(range(1, weeks + 1)),
        "summary": {
            "members": sum(1 for m in members if m.left_on is None),
            "left": sum(1 for m in members if m.left_on is not None),
            "held": held_count,
            "attendance_percent": round(100 * attended_total / possible) if possible else None,
            "mean_baseline": _mean([o["baseline"] for o in scored if o.get("baseline") is not None]),
            "mean_latest": _mean([o["latest"] for o in scored]),
            "improved": improved,
            "reliable_improvement": reliable,
            "scored": len(scored),
        },
    }


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None
