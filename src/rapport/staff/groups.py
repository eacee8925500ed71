"""Group IPT pages (issue 13): the list of groups, a group (members, sessions, attendance and
each member's PHQ-9 over the weeks, the summary), creating and editing a group, members joining
and leaving, each member's pre-group session, one session-capture screen for the whole group
(usable on a phone), a session as recorded, and the printable attendance and score sheet."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import rules
from rapport.clinic.models import Client, TimelineEvent
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, invalid, page_errors
from rapport.common.forms import EnteredInErrorForm, posted_version, show_refusal
from rapport.common.records import EnteredInError
from rapport.core import groups as group_rules
from rapport.core import instruments, protocol, triage
from rapport.groups import capture, formation, membership, reads, risk
from rapport.groups.forms import (
    GROUP_NAMES,
    GroupForm,
    LeavingForm,
    MemberForm,
    MemberRecordForm,
    PreGroupForm,
    SessionForm,
)
from rapport.groups.models import PreGroupSession
from rapport.groups.scope import audit_read, facilitates, get_group, supervises, visible_groups
from rapport.staff.offline import keep_offline


@signed_in(rules.is_clinical_staff)
@require_GET
def group_list(request):
    groups = list(visible_groups(request.user).select_related("facilitator", "co_facilitator", "team"))
    return render(request, "staff/groups.html", {"groups": groups})


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def group_add(request):
    form = GroupForm(request.user, request.POST or None, initial={"facilitator": request.user.pk})
    if request.method == "POST":
        try:
            group = formation.create_group(request, form.values())
        except InvalidInput as exc:
            show_refusal(form, exc, GROUP_NAMES)
        else:
            messages.success(request, _("The group was created."))
            return redirect("group_detail", gid=group.pk)
    return render(request, "staff/group_form.html", {"form": form, "group": None})


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def group_edit(request, gid: int):
    group = get_group(request, gid, setup=True)
    form = (
        GroupForm(request.user, request.POST)
        if request.method == "POST"
        else GroupForm.of(request.user, group)
    )
    conflict, version = None, group.version
    if request.method == "POST":
        version = posted_version(request)
        try:
            formation.update_group(request, gid, form.values(group.variant), version)
        except InvalidInput as exc:
            show_refusal(form, exc, GROUP_NAMES)
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The group was saved."))
            return redirect("group_detail", gid=gid)
    context = {"form": form, "group": group, "version": version, "conflict": conflict}
    return render(request, "staff/group_form.html", context)


@signed_in(rules.is_clinical_staff)
@require_GET
def group_detail(request, gid: int):
    group = get_group(request, gid)
    members = reads.memberships(group)
    audit_read(request, group, [m.client for m in members])
    held = reads.sessions(group)
    context = {
        "group": group,
        "variant": group_rules.composition(group.variant),
        "overview": reads.overview(group, members, held),
        "sessions": [(s, protocol.get().phase(capture.phase_of(s)).name) for s in held],
        "next_agenda": reads.next_agenda(group, held),
        "can_change": facilitates(request.user, group),
        "can_set_up": facilitates(request.user, group) or supervises(request.user, group),
        "current_count": sum(1 for m in members if m.left_on is None),
    }
    return render(request, "staff/group_detail.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def member_add(request, gid: int):
    group = get_group(request, gid, change=True)
    taken = group.memberships.filter(entered_in_error_at__isnull=True).values("client_id")
    # The clients the facilitator may change: their own caseload and those they co-treat.
    clients = Client.objects.visible_to(request.user).exclude(pk__in=taken).order_by("full_name")
    form = MemberForm(clients, request.POST or None, initial={"joined_on": timezone.localdate()})
    if request.method == "POST":
        try:
            membership.add_member(request, gid, form.values())
        except InvalidInput as exc:
            show_refusal(form, exc, {"client_id": "client"})
        else:
            messages.success(request, _("The member was added."))
            return redirect("group_detail", gid=gid)
    return render(request, "staff/group_member_form.html", {"form": form, "group": group})


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def member_leave(request, gid: int, mid: int):
    group, member = membership.get_membership(request, gid, mid, change=True)
    form = LeavingForm(request.POST or None, initial={"left_on": timezone.localdate()})
    conflict, version = None, member.version
    if request.method == "POST":
        version = posted_version(request)
        try:
            membership.remove_member(request, gid, mid, form.values(), version)
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The member's leaving was recorded."))
            return redirect("group_detail", gid=gid)
    context = {"form": form, "group": group, "member": member, "version": version, "conflict": conflict}
    return render(request, "staff/group_member_leave.html", context)


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def pre_group(request, gid: int, mid: int):
    """The member's individual pre-group session: its agenda with notes here, and the course
    tools (PHQ-9, problem area, timeline, key relationships) on the member's own course."""
    group, member = membership.get_membership(request, gid, mid, change=request.method == "POST")
    agenda = group_rules.pre_group_agenda(group.variant)
    steps = agenda.steps if agenda else ()
    record = PreGroupSession.objects.filter(membership=member, entered_in_error_at__isnull=True).first()
    initial = {"date": timezone.localdate(), "accepted": True}
    if record is not None:
        initial = {"date": record.date, "accepted": record.accepted, "note": record.note}
        initial.update({f"step_{k}": v for k, v in record.step_notes.items()})
    form = PreGroupForm(steps, request.POST or None, initial=initial)
    conflict, version = None, record.version if record is not None else None
    if request.method == "POST":
        version = posted_version(request, None)
        try:
            membership.save_pre_group(request, gid, mid, form.values(), version)
        except InvalidInput as exc:
            show_refusal(form, exc, {f"step_notes.{s.id}": f"step_{s.id}" for s in steps})
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The pre-group session was saved."))
            return redirect("group_detail", gid=gid)
    else:
        audit_read(request, group, [member.client])
    context = {
        "group": group,
        "member": member,
        "form": form,
        "agenda": agenda,
        "record": record,
        "version": version,
        "conflict": conflict,
        "can_change": facilitates(request.user, group),
        "step_fields": [form[f"step_{s.id}"] for s in steps],
    }
    return render(request, "staff/group_pre_group.html", context)


def _member_forms(request, group, members, initial_by_member=None):
    events: dict[int, list] = {}
    for event in TimelineEvent.objects.filter(
        course__client__in=[m.client_id for m in members], entered_in_error_at__isnull=True
    ).select_related("course"):
        events.setdefault(event.course.client_id, []).append(event)
    data = request.POST if request.method == "POST" else None
    return [
        MemberRecordForm(
            m,
            events.get(m.client_id, []),
            data,
            initial=(initial_by_member or {}).get(m.pk, {"attended": True}),
        )
        for m in members
    ]


def _capture(request, group, *, session=None):
    """The one session-capture screen, for a new session or an edit of a recorded one."""
    if session is None:
        held = reads.sessions(group)
        nxt = reads.next_agenda(group, held)
        number = nxt["number"] if nxt else group.planned_sessions
        form = SessionForm(
            request.POST or None,
            initial={"number": number, "date": timezone.localdate(), "submission_key": SessionForm.new_key()},
        )
        day = timezone.localdate()
        initial_by_member = None
    else:
        form = SessionForm(
            request.POST or None,
            initial={
                "number": session.number,
                "date": session.date,
                "notes": session.notes,
                "paper_filled_on": session.paper_filled_on,
            },
        )
        day = session.date
        records = capture.records_of(session)
        initial_by_member = {r.membership_id: MemberRecordForm.initial_of(r) for r in records}
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
    members = list(membership.members_on(group, day))
    member_forms = _member_forms(request, group, members, initial_by_member)
    errors, conflict = {}, None
    kept: tuple[str, ...] = ()
    version = session.version if session is not None else None
    if request.method == "POST":
        version = posted_version(request) if session is not None else None
        # Every part is read, so that a refused page still judges each member's risk answers.
        if all([form.is_valid(), *(f.is_valid() for f in member_forms)]):
            data = form.cleaned_data
            given = capture.SessionValues(
                number=data["number"],
                date=data["date"],
                notes=data["notes"],
                paper_filled_on=data["paper_filled_on"],
                recorded_at=None,
                members=[f.entry() for f in member_forms],
                submission_key=data["submission_key"] if session is None else "",
            )
            try:
                if session is None:
                    saved, _at_risk = capture.record_session(request, group.pk, given)
                else:
                    saved, _at_risk = capture.update_session(request, group.pk, session.pk, given, version)
            except InvalidInput as exc:
                errors = _place_errors(form, member_forms, exc)
                kept = exc.kept
            except EditConflict as exc:
                conflict, version = exc.current, exc.current.version
                kept = exc.kept
            else:
                messages.success(request, _("The session was saved."))
                return redirect("group_session", gid=group.pk, sid=saved.pk)
        else:
            errors = {"form": [_("Please correct what is marked below.")]}
            # Refused before the service could see it: a member's valid risk answer still raises
            # its alert now, whatever else is wrong.
            kept = capture.alert_on_answers(
                request,
                group,
                {f.member.pk: f.readable_answers() for f in member_forms},
                number=form.cleaned_data.get("number"),
                day=form.cleaned_data.get("date") or timezone.localdate(),
            )
    else:
        audit_read(request, group, [m.client for m in members])
    number = form["number"].value()
    try:
        agenda = reads.agenda_out(group, int(number))
    except (TypeError, ValueError):
        agenda = None
    context = {
        "group": group,
        "session": session,
        "form": form,
        "member_forms": member_forms,
        "agenda": agenda,
        "errors": errors,
        "conflict": conflict,
        "kept": kept,
        "version": version,
        "instrument": instruments.get(capture.MEASURE),
    }
    return render(request, "staff/group_session_form.html", context)


def _place_errors(form, member_forms, exc: InvalidInput) -> dict:
    """A service refusal keyed "members.<id>.<field>" on each member's form; the rest on the
    session's form or at the top."""
    by_id = {f.member.pk: f for f in member_forms}
    rest: dict[str, list[str]] = {}
    for key, found in exc.errors.items():
        parts = key.split(".")
        if parts[0] == "members" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in by_id:
            target = by_id[int(parts[1])]
            field = parts[2] if len(parts) > 2 else None
            if field == "phq9":
                field = None
            elif field == "mood_event_ids":
                field = "mood_events"
            for message in found:
                target.add_error(field if field in target.fields else None, message)
        elif key in form.fields:
            for message in found:
                form.add_error(key, message)
        else:
            rest[key] = found
    return page_errors(InvalidInput(rest)) or {"form": [_("Please correct what is marked below.")]}


@keep_offline
@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def session_add(request, gid: int):
    group = get_group(request, gid, change=True)
    return _capture(request, group)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def session_edit(request, gid: int, sid: int):
    group, session = capture.get_session(request, gid, sid, change=True)
    return _capture(request, group, session=session)


@signed_in(rules.is_clinical_staff)
@require_GET
def session_detail(request, gid: int, sid: int):
    group, session = capture.get_session(request, gid, sid)
    records = capture.records_of(session)
    audit_read(request, group, [r.membership.client for r in records])
    rows = [(r, reads.record_out(r)) for r in records]
    tiers = triage.triage_rules()
    at_risk = [
        {
            "record": r,
            "alert_id": out["alert_id"],
            "tier": tiers.tier(alert.tier) if (alert := capture.alert_of(r)) is not None else None,
            "lines": risk.crisis_lines(r.membership.client),
            "directory": risk.directory_url(r.membership.client),
        }
        for r, out in rows
        if out["risk"]
    ]
    context = {
        "group": group,
        "session": session,
        "phase": capture.phase_of(session),
        "agenda": reads.agenda_out(group, session.number),
        "rows": rows,
        "at_risk": at_risk,
        "can_change": facilitates(request.user, group),
    }
    return render(request, "staff/group_session.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def session_entered_in_error(request, gid: int, sid: int):
    group, session = capture.get_session(request, gid, sid, change=True)
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise invalid(form)
            capture.enter_session_in_error(request, gid, sid, EnteredInError(form.cleaned_data["reason"]))
        except InvalidInput as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The session was marked as entered in error."))
            return redirect("group_detail", gid=gid)
    return render(
        request,
        "staff/group_session_entered_in_error.html",
        {"group": group, "session": session, "form": form},
    )


@signed_in(rules.is_clinical_staff)
@require_GET
def session_sheet(request, gid: int, number: int):
    """The printable attendance and score sheet for session `number`: the members of the group
    today, a box per PHQ-9 item, and room for the task. Filled in on paper when there is no
    phone, entered later on the capture screen with the day it was filled in."""
    group = get_group(request, gid)
    if not 1 <= number <= group.planned_sessions:
        raise Http404("No such session")
    members = list(membership.current_members(group))
    audit_read(request, group, [m.client for m in members])
    context = {
        "group": group,
        "number": number,
        "agenda": reads.agenda_out(group, number),
        "members": members,
        "instrument": instruments.get(capture.MEASURE),
    }
    return render(request, "staff/group_sheet.html", context)
