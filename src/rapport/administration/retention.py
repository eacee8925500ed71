"""Closing a client's account (with a confirmation step) and the organisation's retention period."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput
from rapport.core import retention
from rapport.retention import service


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the account closed?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=service.REASON_MAX,
        help_text=gettext_lazy("Kept with the closure until the record is purged. No clinical detail."),
    )


class RetentionForm(forms.Form):
    retention_years = forms.IntegerField(
        label=gettext_lazy("Retention period (years)"),
        help_text=gettext_lazy("Counted from the later of the closure and the record's last change."),
    )


def _with_errors(form, exc: InvalidInput):
    for field, msgs in exc.errors.items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)
    return form


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def client_close(request, client_id: int):
    client = service.client_to_close(request, client_id)
    closure = service.closure_of(client.pk)
    form, confirming = CloseForm(), False
    if request.method == "POST" and closure is None:
        form = CloseForm(request.POST)
        if request.POST.get("step") == "confirm":
            try:
                service.close_account(
                    request, client.pk, reason=request.POST.get("reason", ""), confirmed=True
                )
            except InvalidInput as exc:
                _with_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The account of #%(ref)s is closed: the client can no longer sign in.")
                    % {"ref": client.pk},
                )
                return redirect("retention")
        elif form.is_valid():
            # The first step only checks the reason: nothing changes until it is confirmed.
            confirming = True
    context = {"client": client, "closure": closure, "form": form, "confirming": confirming}
    return render(request, "administration/client_close.html", context)


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def retention_settings(request):
    org = request.user.organisation
    form = RetentionForm(initial={"retention_years": org.retention_years})
    if request.method == "POST":
        form = RetentionForm(request.POST)
        try:
            service.set_retention(request, request.POST.get("retention_years"))
        except InvalidInput as exc:
            form.is_valid()
            _with_errors(form, exc)
        else:
            messages.success(request, _("The retention period was saved."))
            return redirect("retention")
    context = {
        "org": org,
        "form": form,
        "rules": retention.rules(),
        "closures": service.closures(request),
    }
    return render(request, "administration/retention.html", context)
