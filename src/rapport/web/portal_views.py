"""The client portal (/my/) and accepting an invitation to it (/invitation/).

Every page here is the signed-in client's own: each view starts from `portal.my_record`, so an id
in an address that belongs to another client is simply not found. The views are thin; the
writes are in rapport.clinic.portal, safety_plans, alerts and invitations."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.accounts import organisation
from rapport.accounts.models import Role
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import alerts, invitations, measurement, portal, safety_plans
from rapport.clinic.models import (
    AlertSource,
    AlertStatus,
    CheckInDraft,
    CheckInSchedule,
    Formulation,
    Goal,
    MoodChange,
    Preparation,
    Respondent,
    Response,
    RiskAlert,
    SafetyPlan,
    Session,
    SessionStatus,
    TaskOutcome,
    TaskReport,
)
from rapport.clinic.services import EditConflict, InvalidInput
from rapport.core import crisis, instruments, learn, protocol, scoring
from rapport.core import safety_plan as plan_template
from rapport.web import charts
from rapport.web.access import public, signed_in

EMPTY_ROWS = 2  # blank rows offered under each safety plan section, so no script is needed to add
WRONG_CODES_ALLOWED = 10  # wrong invitation codes one browser session may try
INVITATION_KEY = "rapport_invitation_code"
WRONG_CODES_KEY = "rapport_invitation_wrong"
FOLLOW_UP_WITHIN = timedelta(days=7)  # a follow-up questionnaire still offered this long after


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _record_or_none(request):
    try:
        return portal.my_record(request)
    except Http404:
        return None


def _crisis_context(client, *, tier: str = "T3", with_plan: bool = True) -> dict:
    """What every crisis panel needs: the client's country's lines (the generic entry for a
    country without a file), whether the clinic is open now, and the safety plan."""
    plan = None
    if client is not None and with_plan:
        plan = SafetyPlan.objects.filter(client=client, entered_in_error_at__isnull=True).first()
    sections = [(s, items) for s, items in safety_plans.sections_for_display(plan) if items] if plan else []
    return {
        "crisis": crisis.for_country(str(client.country) if client is not None else None),
        "open_now": organisation.is_open(client.organisation) if client is not None else False,
        "tier": tier,
        "plan_sections": sections,
    }


def _report_of(session):
    try:
        return session.task_report
    except TaskReport.DoesNotExist:
        return None


def _open_free_text_alert(client, record) -> bool:
    """Whether what the client wrote in this record raised a review that is still open (the page
    then offers help, as a T1 answer does)."""
    if record is None or record.pk is None:
        return False
    return RiskAlert.objects.filter(
        client=client,
        source=AlertSource.FREE_TEXT,
        source_record__type=type(record).__name__,
        source_record__id=record.pk,
        status=AlertStatus.OPEN,
    ).exists()


# --- Home and help ------------------------------------------------------------------------------


@signed_in(Role.CLIENT)
@require_GET
def my_home(request):
    try:
        context = portal.home(request)
    except Http404:
        # An account not yet linked to a record still gets a page, and the help button.
        return render(request, "portal/home.html", {"client": None})
    context["follow_ups"] = _pending_follow_ups(context["client"])
    return render(request, "portal/home.html", context)


@signed_in(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def my_help(request):
    """The crisis panel. Pressing "I need help now" (a POST from any portal page) also tells the
    clinic, with a T3 alert; the page then says so, and says when nobody may see it yet."""
    client = _record_or_none(request)
    if request.method == "POST":
        alert = alerts.help_now(request)
        if alert is None:
            messages.error(
                request,
                _(
                    "We could not tell your clinic, because your account is not linked to your "
                    "record yet. If you need help now, use the numbers on this page."
                ),
            )
        elif client is not None and not organisation.is_open(client.organisation):
            messages.warning(
                request,
                _(
                    "We have told your clinic that you need help. The clinic is closed now, so no "
                    "clinician may see this until it opens. If you need help now, call a crisis line "
                    "or your local emergency number."
                ),
            )
        else:
            messages.warning(
                request,
                _(
                    "We have told your clinic that you need help. Please do not wait for them to "
                    "contact you: if you need help now, call one of the numbers on this page."
                ),
            )
        return redirect("my_help")
    return render(request, "portal/help.html", {"client": client, **_crisis_context(client)})


# --- Check-ins ----------------------------------------------------------------------------------


def _pending_follow_ups(client) -> list:
    """Follow-up questionnaires (the C-SSRS screener after a positive PHQ-9 item 9) that a
    recent check-in called for and that have not been answered since."""
    since = timezone.now() - FOLLOW_UP_WITHIN
    pending = []
    recent = (
        Response.objects.filter(
            client=client,
            respondent=Respondent.CLIENT,
            entered_in_error_at__isnull=True,
            answered_at__gte=since,
            alert__isnull=False,
        )
        .order_by("-answered_at")
        .only("pk", "instrument", "answers", "answered_at")
    )
    for response in recent:
        for instrument_id in _follow_ups_of(response):
            if instrument_id not in [i.id for i in pending]:
                pending.append(instruments.get(instrument_id))
    return pending


def _follow_ups_of(response) -> list[str]:
    """The follow-ups a response called for and that are still unanswered."""
    try:
        wanted = scoring.score(response.instrument, response.answers).follow_up
    except (scoring.InvalidAnswers, instruments.UnknownInstrument):
        return []
    left = []
    for instrument_id in wanted:
        try:
            portal.client_instrument(instrument_id)
        except Http404:
            continue
        answered = Response.objects.filter(
            client_id=response.client_id,
            instrument=instrument_id,
            entered_in_error_at__isnull=True,
            answered_at__gt=response.answered_at,
        ).exists()
        if not answered:
            left.append(instrument_id)
    return left


@signed_in(Role.CLIENT)
@require_GET
def my_check_ins(request):
    client = portal.my_record(request)
    due = portal.due_check_ins(client)
    due_ids = {d.schedule.instrument for d in due}
    follow_ups = [i for i in _pending_follow_ups(client) if i.id not in due_ids]
    shown = due_ids | {i.id for i in follow_ups}
    started = [
        (instruments.get(d.instrument), d)
        for d in CheckInDraft.objects.filter(client=client, response__isnull=True).order_by("-updated_at")
        if d.instrument not in shown
    ]
    shown |= {i.id for i, _d in started}
    others = [
        instruments.get(s.instrument)
        for s in CheckInSchedule.objects.filter(client=client, active=True)
        if s.instrument not in shown
    ]
    sent = list(
        Response.objects.filter(client=client, respondent=Respondent.CLIENT, entered_in_error_at__isnull=True)
        .order_by("-answered_at")
        .only("instrument", "answered_at")[:5]
    )
    titles = {i.id: i.short_title for i in instruments.all_instruments()}
    context = {
        "client": client,
        "due": due,
        "follow_ups": follow_ups,
        "started": started,
        "others": others,
        "sent": [(titles.get(r.instrument, r.instrument), r.answered_at) for r in sent],
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


@signed_in(Role.CLIENT)
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


@signed_in(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def my_check_in_question(request, instrument: str, number: int):
    """One question on one screen. Each answer is kept as soon as it is given."""
    definition = portal.client_instrument(instrument)
    if not 1 <= number <= len(definition.items):
        raise Http404("No such question")
    item = definition.items[number - 1]
    draft = portal.draft_for(request, definition.id, create=False)
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
                errors = [m for ms in exc.errors.values() for m in ms]
            else:
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
    }
    return render(request, "portal/check_in_question.html", context)


@signed_in(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def my_check_in_review(request, instrument: str):
    definition = portal.client_instrument(instrument)
    errors = []
    if request.method == "POST":
        try:
            sent = portal.submit(request, definition.id)
        except InvalidInput as exc:
            errors = [m for ms in exc.errors.values() for m in ms]
        else:
            return redirect("my_check_in_result", rid=sent.response.pk)
    draft = portal.draft_for(request, definition.id, create=False)
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


@signed_in(Role.CLIENT)
@require_GET
def my_check_in_result(request, rid: int):
    """Thanks, in plain words. Never a score band, a label or a diagnosis (spec 5); when the
    answers raised an alert, the crisis response of its tier (spec 3.2)."""
    client = portal.my_record(request)
    response = Response.objects.filter(
        client=client, pk=rid, respondent=Respondent.CLIENT, entered_in_error_at__isnull=True
    ).first()
    if response is None:
        raise Http404("No such check-in")
    trail.record(request, Action.READ, client=client, obj=response)
    alert = RiskAlert.objects.filter(response=response).first()
    tier = alert.tier if alert is not None else "T0"
    follow_ups = [instruments.get(i) for i in _follow_ups_of(response)] if alert is not None else []
    context = {
        "client": client,
        "title": instruments.get(response.instrument).short_title,
        "response": response,
        "follow_ups": follow_ups,
        **_crisis_context(client, tier=tier),
    }
    return render(request, "portal/check_in_result.html", context)


# --- "Since we last met" ------------------------------------------------------------------------


def _prep_values(prep) -> dict:
    if prep is None:
        return {name: "" for name in Preparation.TEXT_FIELDS} | {"mood_change": ""}
    values = {name: getattr(prep, name) for name in Preparation.TEXT_FIELDS}
    values["mood_change"] = "" if prep.mood_change is None else str(prep.mood_change)
    return values


def _autosaved_key(prep_id) -> str:
    return f"rapport_prep_autosaved_{prep_id}"


@signed_in(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def my_preparation(request):
    """Notes for the next session. An htmx request on every change keeps them as the client
    types; the Save and Send buttons are ordinary form posts, so it works without script."""
    client = portal.my_record(request)
    course = measurement.current_course(client)
    prep = portal.current_preparation(client, course)
    values, version = _prep_values(prep), prep.version if prep else 0
    errors, conflict, saved, saved_now = {}, False, None, None
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in (*Preparation.TEXT_FIELDS, "mood_change")}
        version = _version(request)
        share = request.POST.get("action") == "share"
        try:
            try:
                saved = portal.save_preparation(request, data, version, share=share)
            except EditConflict:
                # The only change since this page was loaded was this browser's own autosave,
                # which raced the button: that is not somebody else's edit, so save over it.
                current = portal.current_preparation(client, course)
                if (
                    request.htmx
                    or current is None
                    or request.session.get(_autosaved_key(current.pk)) != (current.version)
                ):
                    raise
                saved = portal.save_preparation(request, data, current.version, share=share)
        except InvalidInput as exc:
            errors, values = exc.errors, data
        except EditConflict:
            conflict, values = True, data
            current = portal.current_preparation(client, course)
            if not request.htmx:
                # The next press of Save keeps what is on the screen, knowingly.
                version = current.version if current else 0
                prep = saved_now = current
        else:
            if request.htmx:
                request.session[_autosaved_key(saved.pk)] = saved.version
                context = {"version": saved.version, "saved_at": saved.updated_at, "prep": saved}
                context["support"] = _open_free_text_alert(client, saved)
                return render(request, "portal/_preparation_status.html", context)
            request.session.pop(_autosaved_key(saved.pk), None)
            if share:
                messages.success(
                    request,
                    _(
                        "Sent to your clinician. They will see your notes before your next session, "
                        "but may not read them straight away."
                    ),
                )
            else:
                messages.success(request, _("Your notes are saved."))
            return redirect("my_preparation")
        if request.htmx:
            context = {"version": version, "errors": errors, "conflict": conflict}
            return render(request, "portal/_preparation_status.html", context)
    elif prep is not None:
        trail.record(request, Action.READ, client=client, obj=prep)
    context = {
        "client": client,
        "course": course,
        "prep": prep,
        "values": values,
        "version": version,
        "errors": errors,
        "conflict": conflict,
        "moods": MoodChange.choices,
        "support": _open_free_text_alert(client, prep),
        "fields": [
            (name, Preparation._meta.get_field(name).verbose_name, values.get(name, ""), errors.get(name, []))
            for name in Preparation.TEXT_FIELDS
        ],
        "saved_now": saved_now,
        "saved_fields": [
            (name, Preparation._meta.get_field(name).verbose_name, getattr(saved_now, name))
            for name in Preparation.TEXT_FIELDS
        ]
        if saved_now is not None
        else [],
        **(_crisis_context(client, tier="T1", with_plan=False) if prep is not None else {}),
    }
    return render(request, "portal/preparation.html", context)


# --- My plan and progress -----------------------------------------------------------------------


def _progress_charts(course) -> list[dict]:
    """The client's own questionnaires over the course as line charts: scores only, with no
    severity band shaded or named (bands are for the clinician and for shared review)."""
    if course is None:
        return []
    responses = list(
        Response.objects.filter(
            course=course, entered_in_error_at__isnull=True, total__isnull=False
        ).order_by("answered_at", "id")
    )
    shown = []
    for definition in instruments.all_instruments():
        if definition.respondent == "clinician" or definition.scoring.method != "sum":
            continue
        mine = [r for r in responses if r.instrument == definition.id]
        if not mine or not definition.scoring.max:
            continue
        rows = []
        for r in mine:
            when = formats.date_format(timezone.localtime(r.answered_at), "j M")
            label = f"S{r.session_number}" if r.session_number is not None else when
            rows.append((r, label, when))
        chart = charts.trajectory(
            [
                charts.Point(label, r.total, f"{when}: {r.total}", at=r.session_number)
                for r, label, when in rows
            ],
            [],
            maximum=definition.scoring.max,
            label=_("Your %(name)s scores over the course") % {"name": definition.short_title},
        )
        shown.append({"instrument": definition, "chart": chart, "rows": rows})
    return shown


def _plan_context(request, client) -> dict:
    course = measurement.current_course(client)
    formulation = None
    goals, areas = [], []
    attended = planned = 0
    next_session = None
    if course is not None:
        formulation = Formulation.objects.filter(
            course=course, entered_in_error_at__isnull=True, shared_on__isnull=False
        ).first()
        if formulation is not None:
            spec = protocol.get()
            areas = [
                spec.problem_area_name(area, course.variant)
                for area in (formulation.primary_area, formulation.secondary_area)
                if area
            ]
            goals = list(Goal.objects.filter(course=course, entered_in_error_at__isnull=True))
        sessions = Session.objects.filter(course=course, entered_in_error_at__isnull=True)
        attended = sessions.filter(status=SessionStatus.ATTENDED).count()
        planned = course.planned_sessions
        next_session = (
            sessions.filter(status=SessionStatus.SCHEDULED, date__gte=timezone.localdate())
            .order_by("date", "number")
            .first()
        )
    tasks = portal.open_tasks(client, course)
    trail.record(request, Action.READ, client=client, obj=course or client, detail={"object_type": "Plan"})
    return {
        "client": client,
        "course": course,
        "formulation": formulation,
        "areas": areas,
        "goals": goals,
        "attended": attended,
        "planned": planned,
        "left": max(planned - attended, 0),
        "next_session": next_session,
        "tasks": [(s, _report_of(s)) for s in tasks],
        "outcomes": TaskOutcome.choices,
        "charts": _progress_charts(course),
        "task_errors": {},
        "task_values": {},
        "task_conflicts": set(),
        "support": any(_open_free_text_alert(client, _report_of(s)) for s in tasks),
    }


@signed_in(Role.CLIENT)
@require_GET
def my_plan(request):
    client = portal.my_record(request)
    context = _plan_context(request, client)
    if context["support"]:
        context.update(_crisis_context(client, tier="T1", with_plan=False))
    return render(request, "portal/plan.html", context)


@signed_in(Role.CLIENT)
@require_POST
def my_task(request, sid: int):
    """How an agreed between-session task went, written by the client."""
    client = portal.my_record(request)
    outcome = request.POST.get("outcome", "")
    how = request.POST.get("how_it_went", "")
    try:
        portal.save_task_report(request, sid, outcome, how, _version(request))
    except (InvalidInput, EditConflict) as exc:
        context = _plan_context(request, client)
        context["task_values"] = {sid: {"outcome": outcome, "how_it_went": how}}
        if isinstance(exc, InvalidInput):
            context["task_errors"] = {sid: exc.errors}
        else:
            context["task_conflicts"] = {sid}
        if context["support"]:
            context.update(_crisis_context(client, tier="T1", with_plan=False))
        return render(request, "portal/plan.html", context)
    messages.success(
        request, _("Thank you. Your clinician will see this, but may not read it straight away.")
    )
    return redirect(reverse("my_plan") + f"#task-{sid}")


# --- Learn --------------------------------------------------------------------------------------


@signed_in(Role.CLIENT)
@require_GET
def my_learn(request):
    return render(request, "portal/learn.html", {"pages": learn.pages()})


@signed_in(Role.CLIENT)
@require_GET
def my_learn_page(request, slug: str):
    try:
        page = learn.get(slug)
    except learn.UnknownPage:
        raise Http404("No such page") from None
    pages = learn.pages()
    index = pages.index(page)
    context = {
        "page": page,
        "previous": pages[index - 1] if index > 0 else None,
        "next": pages[index + 1] if index + 1 < len(pages) else None,
    }
    return render(request, "portal/learn_page.html", context)


# --- Safety plan --------------------------------------------------------------------------------


@signed_in(Role.CLIENT)
@require_GET
def my_safety_plan(request):
    client = portal.my_record(request)
    client, plan = safety_plans.plan_for(request, client.pk)
    context = {
        "client": client,
        "plan": plan,
        "sections": safety_plans.sections_for_display(plan),
        **_crisis_context(client, with_plan=False),
    }
    return render(request, "portal/safety_plan.html", context)


def _rows_from_post(post) -> tuple[dict, dict]:
    """The plan as posted, and the rows to show again (typed text kept, removals remembered).
    A removed row is sent as a blank one, so the index of every other row, which the service's
    messages name, stays the index on the page."""
    data, rows = {}, {}
    for section in plan_template.template().sections:
        try:
            count = int(post.get(f"{section.id}-rows", 0))
        except ValueError:
            count = 0
        count = max(0, min(count, plan_template.MAX_ITEMS + EMPTY_ROWS + 10))
        items, shown = [], []
        for index in range(count):
            values = {field: post.get(f"{section.id}-{index}-{field}", "") for field in section.fields}
            removed = bool(post.get(f"{section.id}-{index}-remove"))
            items.append({field: "" for field in section.fields} if removed else values)
            shown.append({"values": values, "removed": removed})
        data[section.id], rows[section.id] = items, shown
    return data, rows


def _rows_from_plan(plan) -> dict:
    saved = plan.sections if plan is not None else {}
    return {
        section.id: [{"values": item, "removed": False} for item in saved.get(section.id, [])]
        for section in plan_template.template().sections
    }


def _editor_sections(rows: dict, errors: dict) -> list:
    """Each section with its rows (saved items, then blank ones) and the messages for each."""
    shown = []
    for section in plan_template.template().sections:
        section_rows = list(rows.get(section.id, []))
        filled = [r for r in section_rows if any(str(v).strip() for v in r["values"].values())]
        blanks = max(EMPTY_ROWS - (len(section_rows) - len(filled)), 0)
        section_rows += [{"values": {}, "removed": False, "new": True} for _ in range(blanks)]
        for index, row in enumerate(section_rows):
            row["index"] = index
            row["errors"] = errors.get(f"{section.id}-{index}", [])
            # A row with nothing in it is an offer to add, whether it came back from a post or not.
            row["new"] = not any(str(v).strip() for v in row["values"].values())
            row["fields"] = [(field, row["values"].get(field, "")) for field in section.fields]
        shown.append((section, section_rows, errors.get(section.id, [])))
    return shown


@signed_in(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def my_safety_plan_edit(request):
    client = portal.my_record(request)
    client, plan = safety_plans.plan_for(request, client.pk, audit=request.method == "GET")
    version = plan.version if plan else 0
    rows, errors, conflict, conflicted = _rows_from_plan(plan), {}, None, False
    if request.method == "POST":
        data, rows = _rows_from_post(request.POST)
        version = _version(request)
        try:
            safety_plans.save(request, client.pk, data, version)
        except InvalidInput as exc:
            errors = exc.errors
        except EditConflict:
            # Keep what the client typed; show the plan as it is saved now, and let the next
            # press of Save keep theirs, knowingly.
            conflicted = True
            _client, conflict = safety_plans.plan_for(request, client.pk, audit=False)
            version = conflict.version if conflict else 0
        else:
            messages.success(request, _("Your safety plan is saved."))
            if request.POST.get("action") == "more":
                return redirect("my_safety_plan_edit")
            return redirect("my_safety_plan")
    context = {
        "client": client,
        "plan": plan,
        "version": version,
        "sections": _editor_sections(rows, errors),
        "errors": errors,
        "conflicted": conflicted,
        "conflict_sections": safety_plans.sections_for_display(conflict) if conflict else [],
        "labels": {"text": _("What"), "phone": _("Phone number"), "available_hours": _("When")},
    }
    return render(request, "portal/safety_plan_edit.html", context)


@signed_in(Role.CLIENT)
@require_GET
def my_safety_plan_history(request):
    client = portal.my_record(request)
    client, plan, versions = safety_plans.history(request, client.pk)
    context = {
        "client": client,
        "plan": plan,
        "versions": [(v, safety_plans.sections_for_display(v)) for v in versions],
    }
    return render(request, "portal/safety_plan_history.html", context)


# --- Invitations (public: the code is the credential) ------------------------------------------


def _wrong_code(request) -> None:
    request.session[WRONG_CODES_KEY] = request.session.get(WRONG_CODES_KEY, 0) + 1


def _too_many(request) -> bool:
    return request.session.get(WRONG_CODES_KEY, 0) >= WRONG_CODES_ALLOWED


@public
@require_http_methods(["GET", "POST"])
def invitation_code(request):
    """The printed code, typed in. A browser session that keeps trying wrong codes is stopped."""
    error, code = None, ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()
        if _too_many(request):
            error = "too_many"
        elif not code:
            error = "empty"
        elif invitations.find(code) is None:
            _wrong_code(request)
            error = "too_many" if _too_many(request) else "wrong"
        else:
            request.session[INVITATION_KEY] = invitations.normalise(code)
            return redirect("invitation_accept")
    context = {
        "error": error,
        "code": code,
        "left": WRONG_CODES_ALLOWED - request.session.get(WRONG_CODES_KEY, 0),
    }
    return render(request, "portal/invitation_code.html", context, status=429 if error == "too_many" else 200)


@public
@require_GET
def invitation_link(request, code: str):
    """The link from the e-mail: the code moves into the session and out of the address bar."""
    if _too_many(request):
        return render(request, "portal/invitation_invalid.html", {"too_many": True}, status=429)
    if invitations.find(code) is None:
        _wrong_code(request)
        return render(request, "portal/invitation_invalid.html", {}, status=404)
    request.session[INVITATION_KEY] = invitations.normalise(code)
    return redirect("invitation_accept")


@public
@require_http_methods(["GET", "POST"])
def invitation_accept(request):
    code = request.session.get(INVITATION_KEY)
    if not code:
        return redirect("invitation_code")
    invitation = invitations.find(code)
    if invitation is None:
        request.session.pop(INVITATION_KEY, None)
        return render(request, "portal/invitation_invalid.html", {}, status=404)
    errors, email = {}, ""
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            user = invitations.accept(
                request, code, email, request.POST.get("password", ""), request.POST.get("password_again", "")
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            request.session.pop(INVITATION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Rapport. Your account is ready."))
            return redirect("my_home")
    context = {"invitation": invitation, "email": email, "errors": errors}
    return render(request, "portal/invitation_accept.html", context)
