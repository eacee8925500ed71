"""The administrator's side of the public directory: publishing clinicians' profiles, checking
their credentials (who, when, how), and the organisation's choice on outcome figures."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, messages_of
from rapport.common.forms import posted_version
from rapport.directory import profiles
from rapport.directory.forms import VerifyForm
from rapport.directory.models import ProviderProfile


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def directory_admin(request):
    if request.method == "POST":
        show = request.POST.get("show_outcomes") == "yes"
        profiles.set_outcomes_shown(request, show)
        messages.success(
            request,
            _("Clinicians who opt in may now show their outcome figures.")
            if show
            else _("No clinician's outcome figures are shown."),
        )
        return redirect("directory_admin")
    found = (
        ProviderProfile.objects.filter(
            organisation_id=request.user.organisation_id, entered_in_error_at__isnull=True
        )
        .select_related("clinician")
        .prefetch_related("credentials")
        .order_by("display_name", "pk")
    )
    rows = []
    for profile in found:
        live = [c for c in profile.credentials.all() if c.entered_in_error_at is None]
        rows.append((profile, sum(c.verified for c in live), sum(not c.verified for c in live)))
    context = {"rows": rows, "settings": profiles.settings_of(request.user.organisation_id)}
    return render(request, "administration/directory.html", context)


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def directory_admin_profile(request, profile_id: int):
    profile = profiles.administered(request, ProviderProfile, profile_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                publish = request.POST.get("publish") == "yes"
                profiles.set_published(request, profile.pk, publish, posted_version(request))
                messages.success(
                    request, _("The profile is published.") if publish else _("The profile is withdrawn.")
                )
            elif action == "verify" and request.POST.get("credential", "").isdigit():
                form = VerifyForm(request.POST)
                method = form.cleaned_data["method"] if form.is_valid() else request.POST.get("method", "")
                profiles.verify_credential(
                    request, int(request.POST["credential"]), method, posted_version(request)
                )
                messages.success(request, _("The credential's check was recorded."))
            else:
                messages.error(request, _("Nothing was changed: the request was not understood."))
        except InvalidInput as exc:
            for message in messages_of(exc):
                messages.error(request, message)
        except EditConflict:
            messages.error(
                request,
                _("Nothing was changed: someone else changed this a moment ago. Check it again below."),
            )
        return redirect("directory_admin_profile", profile_id=profile.pk)
    credentials = list(
        profile.credentials.filter(entered_in_error_at__isnull=True).select_related("verified_by")
    )
    context = {"profile": profile, "credentials": credentials, "verify_form": VerifyForm()}
    return render(request, "administration/directory_profile.html", context)
