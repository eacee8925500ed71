"""Staff pages of the safety net: risk alerts (list, detail, acknowledge, resolve, raise), the
client's portal settings (account, invitation, check-ins, messages), the safety plan, and the
organisation's opening hours. Thin views: each calls a service and shows what it answers."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.accounts import organisation
from rapport.accounts.models import Role
from rapport.clinic import alerts, invitations, portal, safety_plans, services
from rapport.clinic.models import (
    AlertSource,
    AlertStatus,
    Cadence,
    CheckInDraft,
    CheckInSchedule,
    ClinicMessage,
    Invitation,
    Preparation,
    ResolutionAction,
    RiskAlert,
    TaskReport,
)
from rapport.core import hours, instruments, phrases, triage
from rapport.core import safety_plan as plan_template
from rapport.web.access import clinical_staff, signed_in

# --- Alerts -----------------------------------------------------------------------------------

STEP_NAMES = {
    "responsible_clinician": gettext_lazy("the client's clinicians"),
    "team_supervisors": gettext_lazy("the team's supervisors"),
    "organisation_administrators": gettext_lazy("the organisation's administrators"),
}


def _errors(exc: services.InvalidInput) -> dict[str, list[str]]:
    # Templates cannot read "__all__": the form-wide messages are under "form".
    return {("form" if key == "__all__" else key): [str(m) for m in ms] for key, ms in exc.errors.items()}


def _is_overdue(alert: RiskAlert, now: datetime) -> bool:
    """Open past its acknowledgement deadline, or already escalated for want of one."""
    if alert.status != AlertStatus.OPEN:
        return False
    return alert.escalated_at is not None or (alert.escalate_at is not None and alert.escalate_at <= now)


@signed_in(*clinical_staff)
@require_GET
def alert_list(request):
    page = alerts.alerts_page(request)
    now = timezone.now()
    for alert in page["active"]:
        alert.overdue = _is_overdue(alert, now)
    return render(request, "web/alerts.html", {**page, "now": now})


def _rule_words(rule_id: str, instrument) -> str:
    found = instrument if instrument and any(r.id == rule_id for r in instrument.risk_rules) else None
    if found is None:
        found = next(
            (i for i in instruments.all_instruments() if any(r.id == rule_id for r in i.risk_rules)), None
        )
    words = rule_id.replace("_", " ")
    words = re.sub(r"\bitem(\d+)", r"item \1", words)
    if found is None:
        return _("Risk rule: %(rule)s") % {"rule": words}
    return _("%(instrument)s risk rule: %(rule)s") % {"instrument": found.short_title, "rule": words}


def reasons_in_words(alert: RiskAlert) -> list[str]:
    """Each recorded reason of an alert as a sentence a clinician can act on."""
    instrument, answers = None, {}
    if alert.response is not None:
        instrument, answers = instruments.get(alert.response.instrument), alert.response.answers
    elif alert.source_record.get("type") == "CheckInDraft":
        draft = CheckInDraft.objects.filter(client=alert.client, pk=alert.source_record.get("id")).first()
        if draft is not None:
            instrument, answers = instruments.get(draft.instrument), draft.answers
    categories = phrases.phrase_list().categories
    entries = {e.id: e for e in phrases.phrase_list().entries}
    words = []
    for reason in alert.reasons:
        if reason.startswith("item:"):
            item_id = reason.removeprefix("item:")
            item = instrument.items_by_id.get(item_id) if instrument else None
            if item is None:
                words.append(_("A risk question (%(item)s) was answered positively.") % {"item": item_id})
                continue
            option = item.options_by_code.get(answers.get(item_id, ""))
            words.append(
                _("%(instrument)s question %(number)s answered “%(answer)s”.")
                % {
                    "instrument": instrument.short_title,
                    "number": item.number,
                    "answer": option.label if option else _("positively"),
                }
            )
        elif reason.startswith("phrase:"):
            entry = entries.get(reason.removeprefix("phrase:"))
            label = (
                categories.get(entry.category, entry.category) if entry else reason.removeprefix("phrase:")
            )
            words.append(_("The client's own words touch on: %(what)s.") % {"what": label})
        elif reason == "help_now_button":
            words.append(_("The client pressed “I need help now”."))
        elif reason == "clinician_raised":
            words.append(_("A clinician raised risk by hand (their reason is below)."))
        elif reason == "unsent_check_in":
            words.append(
                _("The client answered a risk question in a check-in and has not sent it; as saved:")
            )
        elif reason == "refused_submission":
            words.append(
                _(
                    "The questionnaire was refused for an error elsewhere; its risk answer was judged "
                    "on its own and still raised this alert."
                )
            )
        else:
            words.append(_rule_words(reason, instrument))
    return words


def source_text(alert: RiskAlert) -> list[tuple[str, str]]:
    """For an alert from the client's free text: the record's fields as the client wrote them,
    so that the reviewer reads the whole sentence, not only the matched words."""
    if alert.source != AlertSource.FREE_TEXT:
        return []
    kind, pk = alert.source_record.get("type"), alert.source_record.get("id")
    if kind == "Preparation":
        record = Preparation.objects.filter(client=alert.client, pk=pk).first()
        names = Preparation.TEXT_FIELDS
    elif kind == "TaskReport":
        record = TaskReport.objects.filter(client=alert.client, pk=pk).first()
        names = ("how_it_went",)
    else:
        return []
    if record is None:
        return []
    return [
        (str(record._meta.get_field(name).verbose_name), getattr(record, name))
        for name in names
        if getattr(record, name)
    ]


@dataclass
class Step:
    when: datetime | None
    title: str
    who: str = ""
    text: str = ""
    deliveries: list = field(default_factory=list)
    pending: bool = False  # a step that has not happened yet


def chain_of(alert: RiskAlert) -> list[Step]:
    """Raised, told, escalated, acknowledged, resolved: the alert's history in order."""
    chain = triage.triage_rules().escalation_chain
    steps = [
        Step(
            alert.created_at,
            _("Raised"),
            who=str(alert.raised_by) if alert.raised_by else "",
            text=alert.get_source_display(),
        )
    ]
    deliveries = list(alert.deliveries.select_related("recipient").order_by("escalation_level", "created_at"))
    for level, group in groupby(deliveries, key=lambda d: d.escalation_level):
        group = list(group)
        to = STEP_NAMES.get(chain[level], chain[level]) if level < len(chain) else str(level)
        title = _("Told %(who)s") % {"who": to} if level == 0 else _("Escalated to %(who)s") % {"who": to}
        steps.append(Step(group[0].created_at, title, deliveries=group))
    if alert.acknowledged_at:
        steps.append(
            Step(
                alert.acknowledged_at,
                _("Acknowledged"),
                str(alert.acknowledged_by),
                alert.acknowledgement_note,
            )
        )
    if alert.resolved_at:
        text = alert.get_resolution_action_display()
        if alert.resolution_note:
            text = f"{text}. {alert.resolution_note}"
        steps.append(Step(alert.resolved_at, _("Resolved"), str(alert.resolved_by), text))
    if alert.status == AlertStatus.OPEN and alert.escalate_at is not None:
        following = next((lvl for lvl in range(alert.escalation_level + 1, len(chain))), None)
        if following is not None:
            steps.append(
                Step(
                    alert.escalate_at,
                    _("Escalates to %(who)s if nobody acknowledges it by then")
                    % {"who": STEP_NAMES.get(chain[following], chain[following])},
                    pending=True,
                )
            )
    return steps


def _detail(request, alert: RiskAlert, *, errors=None, typed=None, status: int = 200):
    tier = triage.triage_rules().tier(alert.tier)
    context = {
        "alert": alert,
        "client": alert.client,
        "tier": tier,
        "reasons": reasons_in_words(alert),
        "source_text": source_text(alert),
        "chain": chain_of(alert),
        "overdue": _is_overdue(alert, timezone.now()),
        "can_manage": request.user.has_perm("clinic.manage_alerts", alert.client),
        "actions": ResolutionAction.choices,
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "web/alert_detail.html", context, status=status)


@signed_in(*clinical_staff)
@require_GET
def alert_detail(request, aid: int):
    return _detail(request, alerts.get_alert_for(request, aid))


@signed_in(*clinical_staff)
@require_POST
def alert_acknowledge(request, aid: int):
    note = request.POST.get("note", "")
    try:
        alerts.acknowledge(request, aid, note)
    except services.InvalidInput as exc:
        alert = alerts.get_alert_for(request, aid, audit=False)
        return _detail(request, alert, errors={"acknowledge": _errors(exc)}, typed={"ack_note": note})
    messages.success(request, _("The alert is acknowledged: it will not be escalated."))
    return redirect("alert_detail", aid=aid)


@signed_in(*clinical_staff)
@require_POST
def alert_resolve(request, aid: int):
    action, note = request.POST.get("action", ""), request.POST.get("note", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        alerts.resolve(request, aid, action, note, version=version)
    except services.InvalidInput as exc:
        alert = alerts.get_alert_for(request, aid, audit=False)
        typed = {"action": action, "resolve_note": note}
        return _detail(request, alert, errors={"resolve": _errors(exc)}, typed=typed)
    messages.success(request, _("The alert is resolved and what was done is recorded."))
    return redirect("alert_detail", aid=aid)


@signed_in(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def alert_raise(request, pk: int):
    client = services.get_client_for(request, pk, "clinic.change_client", audit=request.method == "GET")
    errors, typed = {}, {}
    if request.method == "POST":
        typed = {"tier": request.POST.get("tier", ""), "note": request.POST.get("note", "")}
        try:
            alert = alerts.raise_by_clinician(request, client.pk, typed["tier"], typed["note"])
        except services.InvalidInput as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The alert is raised and the people responsible are told."))
            return redirect("alert_detail", aid=alert.pk)
    rules = triage.triage_rules()
    tiers = [rules.tier(t) for t in ("T1", "T2", "T3")]
    context = {"client": client, "tiers": tiers, "errors": errors, "typed": typed}
    return render(request, "web/alert_raise.html", context)


# --- The client's portal settings -------------------------------------------------------------


def client_instruments():
    """Questionnaires a client can answer on their own (the portal's rule, in one place)."""
    return [
        i
        for i in instruments.all_instruments()
        if i.respondent != "clinician" and i.licence.wording != "descriptor"
    ]


def _portal_page(request, client, *, errors=None, typed=None, status: int = 200):
    invitation = Invitation.objects.filter(client=client).select_related("created_by").first()
    context = {
        "client": client,
        "account": client.user,
        "invitation": invitation,
        "invitation_usable": invitation is not None and invitation.usable(),
        "schedules": list(CheckInSchedule.objects.filter(client=client)),
        "instruments": client_instruments(),
        "titles": {i.id: i.short_title for i in instruments.all_instruments()},
        "cadences": Cadence.choices,
        "messages_sent": list(ClinicMessage.objects.filter(client=client).select_related("author")[:20]),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "web/client_portal.html", context, status=status)


@signed_in(Role.CLINICIAN)
@require_GET
def client_portal(request, pk: int):
    client = services.get_client_for(request, pk, "clinic.change_client")
    return _portal_page(request, client)


@signed_in(Role.CLINICIAN)
@require_POST
def client_invite(request, pk: int):
    email = request.POST.get("email", "").strip()
    try:
        invitation, code = invitations.invite(request, pk, email)
    except services.InvalidInput as exc:
        client = services.get_client_for(request, pk, "clinic.change_client", audit=False)
        return _portal_page(request, client, errors={"invite": _errors(exc)}, typed={"email": email})
    if email:
        messages.success(request, _("The invitation is on its way to %(email)s.") % {"email": email})
        return redirect("client_portal", pk=pk)
    # The code exists only in this response: it is stored as a digest and cannot be shown again.
    context = {
        "client": invitation.client,
        "invitation": invitation,
        "code": invitations.formatted(code),
        # The public address, as in the e-mails (the request's own host may be an internal one).
        "address": settings.RAPPORT_BASE_URL.rstrip("/") + reverse("invitation_code"),
    }
    return render(request, "web/invitation_code.html", context)


@signed_in(Role.CLINICIAN)
@require_POST
def client_check_ins(request, pk: int):
    typed = {
        "instrument": request.POST.get("instrument", ""),
        "cadence": request.POST.get("cadence", ""),
        "active": request.POST.get("active") == "on",
    }
    try:
        schedule = portal.set_schedule(request, pk, typed["instrument"], typed["cadence"], typed["active"])
    except services.InvalidInput as exc:
        client = services.get_client_for(request, pk, "clinic.change_client", audit=False)
        return _portal_page(request, client, errors={"check_ins": _errors(exc)}, typed=typed)
    title = instruments.get(schedule.instrument).short_title
    if schedule.active:
        text = _("%(what)s: %(when)s.") % {"what": title, "when": schedule.get_cadence_display().lower()}
    else:
        text = _("%(what)s is paused.") % {"what": title}
    messages.success(request, text)
    return redirect("client_portal", pk=pk)


@signed_in(Role.CLINICIAN)
@require_POST
def client_message(request, pk: int):
    body = request.POST.get("body", "")
    try:
        portal.send_message(request, pk, body)
    except services.InvalidInput as exc:
        client = services.get_client_for(request, pk, "clinic.change_client", audit=False)
        return _portal_page(request, client, errors={"message": _errors(exc)}, typed={"body": body})
    messages.success(request, _("The message is on the client's home page."))
    return redirect("client_portal", pk=pk)


# --- The safety plan --------------------------------------------------------------------------

BLANK_ROWS = 2  # empty rows offered under each section's items, so a plan grows without scripts


def _plan_from_post(post) -> dict[str, list[dict[str, str]]]:
    """The plan as typed: `<section>-<row>-<field>` fields, rows in order."""
    data: dict[str, list[dict[str, str]]] = {}
    for section in plan_template.template().sections:
        try:
            rows = min(int(post.get(f"{section.id}-rows", "0")), plan_template.MAX_ITEMS + BLANK_ROWS)
        except ValueError:
            rows = 0
        data[section.id] = [
            {name: post.get(f"{section.id}-{row}-{name}", "") for name in section.fields}
            for row in range(rows)
        ]
    return data


def _plan_rows(data: dict, errors: dict) -> list[dict]:
    """Each section with its rows to edit (the items, then blank rows) and their errors."""
    sections = []
    for section in plan_template.template().sections:
        items = list(data.get(section.id, []))
        items += [dict.fromkeys(section.fields, "") for _ in range(BLANK_ROWS)]
        rows = [
            {"index": i, "values": item, "errors": errors.get(f"{section.id}-{i}", [])}
            for i, item in enumerate(items)
        ]
        sections.append({"section": section, "rows": rows, "errors": errors.get(section.id, [])})
    return sections


@signed_in(*clinical_staff)
@require_http_methods(["GET", "POST"])
def safety_plan(request, pk: int):
    client, plan = safety_plans.plan_for(request, pk, audit=request.method == "GET")
    version = plan.version if plan else 0
    errors, conflict, reviewed = {}, None, False
    data = plan.sections if plan else {}
    if request.method == "POST":
        data = _plan_from_post(request.POST)
        reviewed = request.POST.get("reviewed_together") == "on"
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            safety_plans.save(request, pk, data, version, reviewed_together=reviewed)
        except services.InvalidInput as exc:
            errors = _errors(exc)
        except services.EditConflict as exc:
            # Someone else saved the plan meanwhile: keep what was typed, show what is saved now.
            conflict = True
            version = exc.current.version if exc.current is not None else 0
        else:
            messages.success(request, _("The safety plan was saved."))
            return redirect("safety_plan", pk=pk)
    context = {
        "client": client,
        "plan": plan,
        "shown": safety_plans.sections_for_display(plan),
        "sections": _plan_rows(data, errors),
        "version": version,
        "errors": errors,
        "conflict": conflict,
        "reviewed": reviewed,
        "can_change": request.user.has_perm("clinic.change_safety_plan", client),
        "template": plan_template.template(),
    }
    return render(request, "web/safety_plan.html", context)


@signed_in(*clinical_staff)
@require_GET
def safety_plan_history(request, pk: int):
    client, plan, versions = safety_plans.history(request, pk)
    template = plan_template.template()
    shown = [
        (v, [(section, v.sections.get(section.id, [])) for section in template.sections]) for v in versions
    ]
    return render(
        request, "web/safety_plan_history.html", {"client": client, "plan": plan, "versions": shown}
    )


# --- Opening hours ----------------------------------------------------------------------------

# Start and end joined by a hyphen, an en or em dash (as hours.describe writes them), or "to".
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,2}:\d{2})\s*$")


def _parse_hours(post) -> tuple[dict, dict[str, list[str]]]:
    """Day fields written as "09:00-12:30, 13:30-17:00" (empty: closed) to the hours mapping."""
    parsed, errors = {}, {}
    for day in hours.DAYS:
        text = post.get(day, "").strip()
        ranges = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = _RANGE.match(part)
            if match is None:
                errors[day] = [
                    _("Write each opening as start-end, such as 09:00-17:00; separate several with commas.")
                ]
                break
            ranges.append([match.group(1).zfill(5), match.group(2).zfill(5)])
        parsed[day] = ranges
    return parsed, errors


def _hours_text(stored: dict) -> dict[str, str]:
    return {day: ", ".join(f"{a}-{b}" for a, b in stored.get(day, [])) for day in hours.DAYS}


@signed_in(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def opening_hours(request):
    org = request.user.organisation
    typed, errors = _hours_text(org.opening_hours), {}
    if request.method == "POST":
        typed = {day: request.POST.get(day, "").strip() for day in hours.DAYS}
        parsed, errors = _parse_hours(request.POST)
        if not errors:
            try:
                organisation.set_opening_hours(request, parsed)
            except services.InvalidInput as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("The opening hours were saved."))
                return redirect("opening_hours")
    days = [(day, hours.DAY_NAMES[day], typed.get(day, ""), errors.get(day, [])) for day in hours.DAYS]
    context = {
        "org": org,
        "days": days,
        "errors": errors,
        "described": hours.describe(org.opening_hours),
        "open_now": organisation.is_open(org),
    }
    return render(request, "web/opening_hours.html", context)
