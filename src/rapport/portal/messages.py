"""The client's secure messages with their care team (/my/messages/)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.clinic import rules
from rapport.clinic.portal import my_record
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, page_errors
from rapport.common.forms import posted_version
from rapport.messaging import threads
from rapport.portal.shared import crisis_context
from rapport.scheduling import consents


def _page(request, *, errors=None, typed: str = "", status: int = 200):
    view = threads.read_thread(request, threads.client_id_of(request))
    support = threads.support_needed(view.client)
    context = {
        "view": view,
        "client": view.client,
        "team": threads.care_team_names(view.client),
        "support": support,
        "errors": errors or {},
        "typed": typed,
        "can_give_consent": consents.may_give_own(view.client),
        **crisis_context(view.client, tier="T1", with_plan=False),
    }
    return render(request, "portal/messages.html", context, status=status)


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_messages(request):
    if request.method == "GET":
        return _page(request)
    body = request.POST.get("body", "")
    try:
        sent = threads.send(request, threads.client_id_of(request), body)
    except InvalidInput as exc:
        return _page(request, errors=page_errors(exc), typed=body)
    if sent.alert is not None:
        messages.warning(request, threads.risk_reply())
    else:
        messages.success(request, _("Your message is sent."))
    return redirect("my_messages")


@signed_in(rules.is_client_user)
@require_POST
def my_message_withdraw(request, mid: int):
    try:
        threads.retract(
            request,
            threads.client_id_of(request),
            mid,
            posted_version(request),
            request.POST.get("reason", ""),
        )
    except InvalidInput as exc:
        return _page(request, errors=page_errors(exc))
    except EditConflict:
        return _page(
            request,
            errors={"__all__": [_("This message changed in another window; look again.")]},
            status=409,
        )
    messages.success(request, _("Your message is withdrawn. It stays in your record, marked as withdrawn."))
    return redirect("my_messages")


@signed_in(rules.is_client_user)
@require_POST
def my_messages_consent(request):
    """The client agrees to secure messages, in the words the page shows them."""
    client = my_record(request)
    try:
        consents.give_own_messages_consent(request, client)
    except InvalidInput as exc:
        return _page(request, errors=page_errors(exc))
    messages.success(request, _("Thank you: messages are open. You can write to your care team below."))
    return redirect("my_messages")
