"""The administrator's pages: accounts, the client register, opening hours, crisis lines due."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.accounts import services as account_services
from rapport.accounts.models import User
from rapport.accounts.services import StaffForm
from rapport.clinic import client_records, rules
from rapport.clinic.models import Notification
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput
from rapport.core import crisis, hours


@signed_in(rules.is_administrator)
@require_GET
def administration(request):
    org = request.user.organisation
    users = User.objects.filter(organisation=org).order_by("role", "full_name")
    clients = client_records.client_register(request)
    counts = dict(users.values_list("role").annotate(n=Count("pk")).values_list("role", "n"))
    context = {
        "org": org,
        "users": users,
        "clients": clients,
        "counts": counts,
        # Escalated risk alerts reach administrators last; their page is where they see them.
        "notifications": Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:20],
        "today": timezone.localdate(),
        "crisis_due": crisis.due_for_review(timezone.localdate()),
        "opening_hours": hours.describe(org.opening_hours),
    }
    return render(request, "administration/administration.html", context)


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def account_add(request):
    form = StaffForm(request.POST or None, organisation=request.user.organisation)
    if request.method == "POST":
        try:
            user = account_services.add_staff(request, request.POST)
        except InvalidInput:
            pass
        else:
            messages.success(
                request,
                _("%(name)s can now sign in: an e-mail to choose a password is on its way.") % {"name": user},
            )
            return redirect("administration")
    return render(request, "administration/account_form.html", {"form": form})


@signed_in(rules.is_administrator)
@require_POST
def account_deactivate(request, user_id: int):
    held = User.objects.filter(
        pk=user_id, organisation=request.user.organisation, responsible_for__isnull=False
    )
    if held.filter(responsible_for__entered_in_error_at__isnull=True).exists():
        # Where their caseload goes is asked first (HAZ-140).
        return redirect("account_handover", user_id=user_id)
    try:
        user = account_services.deactivate(request, user_id)
    except InvalidInput as exc:
        messages.error(request, exc.errors["account"][0])
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": user})
    return redirect("administration")
