"""Secure messages on the staff side: the inbox across the caseload, a client's thread, and the
clinician's choice of a daily digest."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, page_errors
from rapport.common.forms import posted_version
from rapport.messaging import consent, digest, threads
from rapport.messaging.models import DigestChoice


@signed_in(rules.is_clinical_staff)
@require_GET
def messages_inbox(request):
    choice = DigestChoice.objects.filter(user=request.user).first()
    context = {
        "rows": threads.inbox(request),
        "digest_on": digest.wants_digest(request.user),
        "digest_version": choice.version if choice else 0,
    }
    return render(request, "staff/messages_inbox.html", context)


@signed_in(rules.is_clinician)
@require_POST
def digest_choice(request):
    on = request.POST.get("daily_digest") == "on"
    try:
        digest.choose(request, on, posted_version(request))
    except EditConflict:
        messages.error(request, _("Your choice changed in another window; here it is now. Choose again."))
        return redirect("messages_inbox")
    if on:
        messages.success(request, _("You will get a daily summary by e-mail."))
    else:
        messages.success(request, _("You will no longer get the daily summary by e-mail."))
    return redirect("messages_inbox")


def _thread_page(request, pk: int, *, errors=None, typed: str = "", status: int = 200):
    view = threads.read_thread(request, pk)
    context = {
        "view": view,
        "client": view.client,
        "team": threads.care_team_names(view.client),
        "support": False,
        "errors": errors or {},
        "typed": typed,
        "closed_because": "" if view.consented else consent.closed_because(view.client),
    }
    return render(request, "staff/client_thread.html", context, status=status)


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def client_thread(request, pk: int):
    if request.method == "GET":
        return _thread_page(request, pk)
    body = request.POST.get("body", "")
    try:
        threads.send(request, pk, body)
    except InvalidInput as exc:
        return _thread_page(request, pk, errors=page_errors(exc), typed=body)
    messages.success(request, _("Your message is sent. The client is told by e-mail, without its content."))
    return redirect("client_thread", pk=pk)


@signed_in(rules.is_clinician)
@require_POST
def client_thread_withdraw(request, pk: int, mid: int):
    try:
        threads.retract(request, pk, mid, posted_version(request), request.POST.get("reason", ""))
    except InvalidInput as exc:
        return _thread_page(request, pk, errors=page_errors(exc))
    except EditConflict:
        return _thread_page(
            request,
            pk,
            errors={"__all__": [_("This message changed in another window; look again.")]},
            status=409,
        )
    messages.success(request, _("The message is withdrawn. It stays in the record, marked as withdrawn."))
    return redirect("client_thread", pk=pk)
