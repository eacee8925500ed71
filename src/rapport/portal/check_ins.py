"""Check-ins: what is due, one question per screen, the review and the result (never a band)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import alert_chain, portal, rules
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput, messages_of
from rapport.core import instruments, triage
from rapport.portal.shared import crisis_context


@signed_in(rules.is_client_user)
@require_GET
def my_check_ins(request):
    found = portal.my_check_ins(request)
    context = {
        "client": found.client,
        "due": found.due,
        "follow_ups": found.follow_ups,
        "started": found.started,
        "others": found.others,
        "sent": found.sent,
    }
    return render(request, "portal/check_ins.html", context)


def _number(instrument, item) -> int:
    """A question's number in the address: its place in the questionnaire, which branching never
    changes (its place among the questions asked can)."""
    return instrument.items.index(item) + 1


def _answers(draft) -> tuple[dict, list]:
    return (dict(draft.answers), list(draft.declined)) if draft is not None else ({}, [])


def _risk_answered(definition, answers: dict) -> bool:
    """A risk item answered positively in this draft: the pages that follow point to help at once,
    before the answers are sent (sending is what tells the clinician)."""
    return any(
        item.risk_positive_when is not None and item.id in answers and item.risk_positive_when.holds(answers)
        for item in definition.items
    )


@signed_in(rules.is_client_user)
@require_GET
def my_check_in(request, instrument: str):
    """Carry on where the client left off: the first question asked and not yet answered (nor
    declined), or the review page when every one is."""
    definition = portal.client_instrument(instrument)
    draft = portal.draft_for(request, definition.id, create=False)
    answers, declined = _answers(draft)
    for item in portal.asked_items(definition, answers):
        if item.id not in answers and item.id not in declined:
            return redirect(
                "my_check_in_question", instrument=definition.id, number=_number(definition, item)
            )
    return redirect("my_check_in_review", instrument=definition.id)


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_check_in_question(request, instrument: str, number: int):
    """One question on one screen. Each answer is kept as soon as it is given."""
    definition = portal.client_instrument(instrument)
    if not 1 <= number <= len(definition.items):
        raise Http404("No such question")
    item = definition.items[number - 1]
    draft = portal.draft_for(request, definition.id, create=False, audit=request.method == "GET")
    answers, declined = _answers(draft)
    asked = portal.asked_items(definition, answers)
    if item not in asked:
        # An earlier answer means this question is not asked (C-SSRS branching).
        return redirect("my_check_in", instrument=definition.id)
    errors = []
    chosen = answers.get(item.id, "")
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if action == "declined":
            code = portal.DECLINED
        elif action == "later":
            code = None
        else:
            code = request.POST.get("answer", "")
            chosen = code
            if not code:
                errors = [_('Choose one of the answers, or press "Prefer not to say" or "Later" to move on.')]
        if not errors:
            try:
                draft = portal.save_answer(request, definition.id, item.id, code)
            except InvalidInput as exc:
                errors = messages_of(exc)
            else:
                floor = _episode_tier(request, definition)
                before = _shown_tier(definition, answers, floor)
                if _tier_rank(_shown_tier(definition, draft.answers, floor)) > _tier_rank(before):
                    # The answer raised the risk tier: its help shows on this question's screen now,
                    # before the client moves on (and well before they send the check-in).
                    return redirect("my_check_in_question", instrument=definition.id, number=number)
                asked = portal.asked_items(definition, draft.answers)
                following = asked[asked.index(item) + 1 :] if item in asked else []
                if following:
                    return redirect(
                        "my_check_in_question",
                        instrument=definition.id,
                        number=_number(definition, following[0]),
                    )
                return redirect("my_check_in_review", instrument=definition.id)
    position = asked.index(item)
    previous = asked[position - 1] if position > 0 else None
    # The questionnaire's stem leads the questions that share the first one's answers (not the
    # PHQ-9's closing question about difficulty, which carries its own).
    stem = definition.stem if definition.stem and item.options == definition.items[0].options else ""
    context = {
        "definition": definition,
        "stem": stem.replace("{problem}", _("difficulties")),
        "item": item,
        "number": number,
        "position": position + 1,
        "count": len(asked),
        "chosen": chosen,
        "declined": item.id in declined,
        "risk_answered": _risk_answered(definition, answers),
        "previous_number": _number(definition, previous) if previous else None,
        "errors": errors,
        **_tier_help(request, definition, item, answers),
    }
    return render(request, "portal/check_in_question.html", context)


def _tier_rank(tier: str) -> int:
    return triage.triage_rules().tier_rank(tier)


def _episode_tier(request, definition) -> str:
    """The tier of the open alert of the same check-in that this questionnaire follows up (the
    PHQ-9 item 9 before this C-SSRS): the client has had its help already."""
    if definition.id not in alert_chain.follow_up_instruments():
        return "T0"
    episode = alert_chain.episode_alert(portal.my_record(request), definition.id)
    return episode.tier if episode is not None else "T0"


def _shown_tier(definition, answers: dict, floor: str) -> str:
    return triage.triage_rules().higher_tier(alert_chain.tier_of_answers(definition, answers), floor)


def _tier_help(request, definition, item, answers: dict) -> dict:
    """On the screen of the question whose answer raised the risk tier: that tier's crisis help
    (spec 3.2). Within an episode the tier starts from the open alert's (the help never steps
    down, and repeats only when it rises)."""
    if item.risk_positive_when is None or item.id not in answers:
        return {"tier_help": False}
    floor = _episode_tier(request, definition)
    tier = _shown_tier(definition, answers, floor)
    without = _shown_tier(definition, {k: v for k, v in answers.items() if k != item.id}, floor)
    if _tier_rank(tier) <= _tier_rank(without):
        return {"tier_help": False}
    return {"tier_help": True, **crisis_context(portal.my_record(request), tier=tier)}


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_check_in_review(request, instrument: str):
    definition = portal.client_instrument(instrument)
    errors = []
    if request.method == "POST":
        try:
            sent = portal.submit(request, definition.id)
        except InvalidInput as exc:
            errors = messages_of(exc)
        else:
            return redirect("my_check_in_result", rid=sent.response.pk)
    draft = portal.draft_for(request, definition.id, create=False, audit=request.method == "GET")
    answers, declined = _answers(draft)
    rows = []
    for item in portal.asked_items(definition, answers):
        code = answers.get(item.id)
        option = item.options_by_code.get(code) if code else None
        rows.append(
            {
                "item": item,
                "number": _number(definition, item),
                "answer": option.label if option else None,
                "declined": item.id in declined,
            }
        )
    context = {
        "definition": definition,
        "rows": rows,
        "later": sum(1 for r in rows if r["answer"] is None and not r["declined"]),
        "has_draft": draft is not None,
        "risk_answered": _risk_answered(definition, answers),
        "errors": errors,
    }
    return render(request, "portal/check_in_review.html", context)


@signed_in(rules.is_client_user)
@require_GET
def my_check_in_result(request, rid: int):
    """Thanks, in plain words. Never a score band, a label or a diagnosis (spec 5); when the
    answers raised an alert, the crisis response of its tier (spec 3.2)."""
    found = portal.my_check_in_result(request, rid)
    context = {
        "client": found.client,
        "title": instruments.get(found.response.instrument).short_title,
        "response": found.response,
        "follow_ups": found.follow_ups,
        **crisis_context(found.client, tier=found.tier),
    }
    return render(request, "portal/check_in_result.html", context)
