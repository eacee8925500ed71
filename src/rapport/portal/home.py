"""The client's home page and the help page (the crisis panel, and the "I need help now" button)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.accounts import organisation
from rapport.clinic import alerts, portal, rules
from rapport.common.access import signed_in
from rapport.groups import portal as group_portal
from rapport.messaging import clinic_notices
from rapport.portal.shared import crisis_context, record_or_none


@signed_in(rules.is_client_user)
@require_GET
def my_home(request):
    try:
        context = portal.home(request)
    except Http404:
        # An account not yet linked to a record still gets a page, and the help button.
        return render(request, "portal/home.html", {"client": None})
    # The clinic's latest one-way notice, from the client's thread (messaging.clinic_notices).
    context["message"] = clinic_notices.latest(context["client"])
    context["in_a_group"] = group_portal.in_a_group(context["client"])
    return render(request, "portal/home.html", context)


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_help(request):
    """The crisis panel. Pressing "I need help now" (a POST from any portal page) also tells the
    clinic, with a T3 alert; the page then says so, and says when nobody may see it yet."""
    client = portal.read_help(request) if request.method == "GET" else record_or_none(request)
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
    return render(request, "portal/help.html", {"client": client, **crisis_context(client)})
