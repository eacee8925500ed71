"""Risk alerts for clinical staff: the list, one alert's chain, acknowledging, resolving, raising."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import cast

from django.contrib import messages
from django.db.models import Field
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.clinic import alerts, client_records, rules
from rapport.clinic.models import (
    AlertSource,
    AlertStatus,
    AlertTrigger,
    CheckInDraft,
    Preparation,
    ResolutionAction,
    RiskAlert,
    TaskReport,
)
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput, page_errors
from rapport.common.forms import posted_version
from rapport.core import instruments, phrases, triage

STEP_NAMES = {
    "responsible_clinician": gettext_lazy("the client's clinicians"),
    "team_supervisors": gettext_lazy("the team's supervisors"),
    "organisation_administrators": gettext_lazy("the organisation's administrators"),
}


def _is_overdue(alert: RiskAlert, now: datetime) -> bool:
    """Open past its acknowledgement deadline, or already escalated for want of one."""
    if alert.status != AlertStatus.OPEN:
        return False
    return alert.escalated_at is not None or (alert.escalate_at is not None and alert.escalate_at <= now)


@signed_in(rules.is_clinical_staff)
@require_GET
def alert_list(request):
    page = alerts.alerts_page(request)
    now = timezone.now()
    for alert in page["active"]:
        alert.overdue = _is_overdue(alert, now)
    return render(request, "staff/alerts.html", {**page, "now": now})


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


def reasons_in_words(alert: RiskAlert, triggers: list | None = None) -> list[str]:
    """Each reason the alert was first raised for as a sentence a clinician can act on (a later
    trigger's reasons, appended to the alert's, are worded with that trigger: `triggers`)."""
    instrument, answers = None, {}
    if alert.response is not None:
        instrument, answers = instruments.get(alert.response.instrument), alert.response.answers
    elif alert.source_record.get("type") == "CheckInDraft":
        draft = CheckInDraft.objects.filter(client=alert.client, pk=alert.source_record.get("id")).first()
        if draft is not None:
            instrument, answers = instruments.get(draft.instrument), draft.answers
    later = sum(len(t.reasons) for t in triggers or ())
    first = alert.reasons[: len(alert.reasons) - later] if later else alert.reasons
    return _words(first, instrument, answers)


def trigger_words(trigger: AlertTrigger) -> list[str]:
    response = trigger.response
    if response is None:
        return _words(trigger.reasons, None, {})
    return _words(trigger.reasons, instruments.get(response.instrument), response.answers)


def _words(reasons: list[str], instrument, answers: dict) -> list[str]:
    categories = phrases.phrase_list().categories
    entries = {e.id: e for e in phrases.phrase_list().entries}
    words = []
    for reason in reasons:
        if reason.startswith("item:"):
            item_id = reason.removeprefix("item:")
            item = instrument.items_by_id.get(item_id) if instrument else None
            if item is None or instrument is None:
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
        elif reason == "incomplete_referral":
            words.append(
                _(
                    "The referral form was refused for other reasons; its valid risk answer was kept "
                    "with the person's contact details as an incomplete urgent referral."
                )
            )
        elif reason == "refused_group_session":
            words.append(
                _(
                    "A group session was refused for an error elsewhere; this member's risk answer "
                    "was judged on its own and raised this alert before anything else was saved."
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
    record: Preparation | TaskReport | None
    names: tuple[str, ...]
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
        (str(cast(Field, record._meta.get_field(name)).verbose_name), getattr(record, name))
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


def _trigger_title(trigger: AlertTrigger) -> str:
    response = trigger.response
    name = instruments.get(response.instrument).short_title if response else _("A later answer")
    if trigger.raised_tier:
        return _("%(name)s raised this alert from %(before)s to %(after)s") % {
            "name": name,
            "before": trigger.tier_before,
            "after": trigger.tier_after,
        }
    return _("%(name)s added to this alert (its own tier %(tier)s; the alert stays %(after)s)") % {
        "name": name,
        "tier": trigger.tier,
        "after": trigger.tier_after,
    }


def chain_of(alert: RiskAlert, triggers: list | None = None) -> list[Step]:
    """Raised, later triggers of the same episode, told, escalated, acknowledged, resolved: the
    alert's history in order."""
    chain = triage.triage_rules().escalation_chain
    steps = [
        Step(
            alert.created_at,
            _("Raised"),
            who=str(alert.raised_by) if alert.raised_by else "",
            text=alert.get_source_display(),
        )
    ]
    triggers = triggers or []
    raises = [t.created_at for t in triggers if t.raised_tier]

    def told_after(delivery) -> int:
        # How many tier rises came before this e-mail: people told again of a higher tier are a
        # step of their own, after the rise that told them.
        return sum(1 for when in raises if when <= delivery.created_at)

    deliveries = sorted(
        alert.deliveries.select_related("recipient"),
        key=lambda d: (told_after(d), d.escalation_level, d.created_at),
    )
    for (rise, level), grouped in groupby(deliveries, key=lambda d: (told_after(d), d.escalation_level)):
        group = list(grouped)
        to = STEP_NAMES.get(chain[level], chain[level]) if level < len(chain) else str(level)
        if rise:
            title = _("Told %(who)s of the higher tier") % {"who": to}
        elif level == 0:
            title = _("Told %(who)s") % {"who": to}
        else:
            title = _("Escalated to %(who)s") % {"who": to}
        steps.append(Step(group[0].created_at, title, deliveries=group))
    for trigger in triggers:
        text = ""
        if trigger.reopened:
            text = _(
                "The higher tier needs its own acknowledgement: the alert is open again and escalates "
                "without one. It had been acknowledged by %(who)s: %(note)s"
            ) % {"who": trigger.reopened.get("acknowledged_by", ""), "note": trigger.reopened.get("note", "")}
        steps.append(Step(trigger.created_at, _trigger_title(trigger), str(trigger.raised_by or ""), text))
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
    # Stable: what happened at the same moment keeps the order it was added in.
    steps.sort(key=lambda step: cast(datetime, step.when))  # every step so far has happened
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
    triggers = list(alert.triggers.select_related("response", "raised_by"))
    context = {
        "alert": alert,
        "client": alert.client,
        "tier": tier,
        "reasons": reasons_in_words(alert, triggers),
        "later": [(t, _trigger_title(t), trigger_words(t)) for t in triggers],
        "source_text": source_text(alert),
        "chain": chain_of(alert, triggers),
        "overdue": _is_overdue(alert, timezone.now()),
        "can_manage": request.user.has_perm("clinic.manage_alerts", alert.client),
        "actions": ResolutionAction.choices,
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "staff/alert_detail.html", context, status=status)


@signed_in(rules.is_clinical_staff)
@require_GET
def alert_detail(request, aid: int):
    return _detail(request, alerts.get_alert_for(request, aid))


@signed_in(rules.is_clinical_staff)
@require_POST
def alert_acknowledge(request, aid: int):
    note = request.POST.get("note", "")
    try:
        alerts.acknowledge(request, aid, note)
    except InvalidInput as exc:
        alert = alerts.get_alert_for(request, aid, audit=False)
        return _detail(request, alert, errors={"acknowledge": page_errors(exc)}, typed={"ack_note": note})
    messages.success(request, _("The alert is acknowledged: it will not be escalated."))
    return redirect("alert_detail", aid=aid)


@signed_in(rules.is_clinical_staff)
@require_POST
def alert_resolve(request, aid: int):
    action, note = request.POST.get("action", ""), request.POST.get("note", "")
    version = posted_version(request, missing=None)
    try:
        alerts.resolve(request, aid, action, note, version=version)
    except InvalidInput as exc:
        alert = alerts.get_alert_for(request, aid, audit=False)
        typed = {"action": action, "resolve_note": note}
        return _detail(request, alert, errors={"resolve": page_errors(exc)}, typed=typed)
    messages.success(request, _("The alert is resolved and what was done is recorded."))
    return redirect("alert_detail", aid=aid)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def alert_raise(request, pk: int):
    client = client_records.get_client_for(request, pk, "clinic.change_client", audit=request.method == "GET")
    errors, typed = {}, {}
    if request.method == "POST":
        typed = {"tier": request.POST.get("tier", ""), "note": request.POST.get("note", "")}
        try:
            alert = alerts.raise_by_clinician(request, client.pk, typed["tier"], typed["note"])
        except InvalidInput as exc:
            errors = page_errors(exc)
        else:
            messages.success(request, _("The alert is raised and the people responsible are told."))
            return redirect("alert_detail", aid=alert.pk)
    triage_rules = triage.triage_rules()
    tiers = [triage_rules.tier(t) for t in ("T1", "T2", "T3")]
    context = {"client": client, "tiers": tiers, "errors": errors, "typed": typed}
    return render(request, "staff/alert_raise.html", context)
