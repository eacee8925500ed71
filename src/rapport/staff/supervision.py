"""The supervisor's workspace (their home page) and case reviews, which the clinician reads."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.accounts.models import Role
from rapport.clinic import rules
from rapport.clinic.models import Client, Notification
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, invalid, messages_of
from rapport.common.forms import posted_version, show_refusal
from rapport.supervision import reviews, scope, workspace


@signed_in(rules.sees_workspace)
@require_GET
def supervision_home(request):
    data = workspace.for_page(request, request.GET.get("team"))
    # Supervisors' notices (escalated alerts, emergency access, transfers) wait here, as on the
    # caseload: a client is named only to someone who may see them.
    notifications = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:20])
    named = Client.objects.visible_to(request.user).filter(
        pk__in=[n.client_id for n in notifications if n.client_id]
    )
    visible = {c.pk: c for c in named}
    for note in notifications:
        note.named_client = visible.get(note.client_id)
    context = {
        "notifications": notifications,
        "ws": data,
        "all_teams": scope.teams_in_view(request.user),
        "chosen": request.GET.get("team", ""),
        "is_lead": request.user.role == Role.PROGRAMME_LEAD,
        "recent": reviews.visible(request.user).select_related("client", "clinician")[:10],
    }
    return render(request, "staff/supervision.html", context)


@signed_in(rules.keeps_case_reviews)
@require_http_methods(["GET", "POST"])
def review_add(request):
    if request.method == "POST":
        form = reviews.ReviewForm(request.POST, user=request.user)
        try:
            review = reviews.create(request, reviews.review_from(form))
        except InvalidInput as exc:
            show_refusal(form, exc, reviews.REVIEW_FIELDS)
        else:
            messages.success(request, _("The case review was saved; the clinician can read it."))
            return redirect("review_detail", pk=review.pk)
    else:
        initial = {"held_on": timezone.localdate()}
        for key in ("client", "clinician"):
            if request.GET.get(key, "").isdigit():
                initial[key] = request.GET[key]
        form = reviews.ReviewForm(initial=initial, user=request.user)
    return render(request, "staff/review_form.html", {"form": form})


def _review_text(form) -> reviews.ReviewText:
    if not form.is_valid():
        raise invalid(form)
    return reviews.ReviewText(**form.cleaned_data)


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def review_detail(request, pk: int):
    # Only the review's supervisors change it: a refusal of access comes before one of input.
    review = reviews.for_change(request, pk) if request.method == "POST" else reviews.get(request, pk)
    conflict, version = None, review.version
    form = reviews.ReviewEditForm(initial={"held_on": review.held_on, "discussion": review.discussion})
    if request.method == "POST":
        version = posted_version(request)
        form = reviews.ReviewEditForm(request.POST)
        try:
            reviews.update(request, pk, _review_text(form), version)
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The case review was saved."))
            return redirect("review_detail", pk=pk)
    context = {
        "review": review,
        "actions": review.actions.filter(entered_in_error_at__isnull=True),
        "form": form if scope.sees_workspace(request.user) else None,
        "action_form": reviews.ActionForm() if scope.sees_workspace(request.user) else None,
        "conflict": conflict,
        "version": version,
        "today": timezone.localdate(),
    }
    return render(request, "staff/review_detail.html", context)


@signed_in(rules.keeps_case_reviews)
@require_POST
def review_action_add(request, pk: int):
    reviews.for_change(request, pk)
    form = reviews.ActionForm(request.POST)
    try:
        if not form.is_valid():
            raise invalid(form)
        reviews.add_action(request, pk, reviews.ActionItem(**form.cleaned_data))
    except InvalidInput as exc:
        for message in messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The action was added."))
    return redirect("review_detail", pk=pk)


@signed_in(rules.is_clinical_staff)
@require_POST
def action_done(request, aid: int):
    done = request.POST.get("done") == "1"
    try:
        action = reviews.set_done(request, aid, done, posted_version(request))
    except EditConflict as exc:
        messages.error(request, _("Someone else changed this action just now; it is shown as saved."))
        return redirect("review_detail", pk=exc.current.review_id)
    messages.success(request, _("Marked done.") if done else _("Marked not done."))
    return redirect("review_detail", pk=action.review_id)
