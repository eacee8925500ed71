"""A clinician's own entry in the public directory: opting in, the profile, the credentials.

Publication and verification are the administrator's (administration/directory.py); a change
here to a checked credential makes it self-declared again."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import EnteredInErrorForm, posted_version, show_refusal
from rapport.common.records import EnteredInError
from rapport.directory import forms, profiles


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def directory_profile(request):
    profile = profiles.own_profile(request)
    conflict = False
    version = profile.version if profile else None
    if request.method == "POST":
        form = forms.ProfileForm(request.POST)
        if form.is_valid():
            try:
                profiles.save_profile(
                    request, forms.profile_from(form), posted_version(request) if profile else None
                )
            except InvalidInput as exc:
                show_refusal(form, exc)
            except EditConflict as exc:
                conflict, version = True, exc.current.version
            else:
                messages.success(request, _("Your directory profile was saved."))
                return redirect("directory_profile")
    elif profile:
        form = forms.ProfileForm(initial=forms.profile_initial(profile))
    else:
        form = forms.ProfileForm(
            initial={"display_name": request.user.full_name, "currency": "GBP", "listed": True}
        )
    credentials = list(profile.credentials.filter(entered_in_error_at__isnull=True)) if profile else []
    context = {
        "profile": profile,
        "form": form,
        "version": version,
        "conflict": conflict,
        "credentials": credentials,
    }
    return render(request, "staff/directory_profile.html", context)


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def credential_add(request):
    form = forms.CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profiles.add_credential(request, forms.credential_from(form))
        except InvalidInput as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request, _("The credential was added. It shows as self-declared until the clinic checks it.")
            )
            return redirect("directory_profile")
    return render(request, "staff/directory_credential.html", {"form": form, "credential": None})


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def credential_edit(request, cid: int):
    credential = profiles.own_credential(request, cid)
    withdrawing = request.method == "POST" and request.POST.get("action") == "withdraw"
    form = forms.CredentialForm(
        None if withdrawing else (request.POST or None), initial=forms.credential_initial(credential)
    )
    conflict, version = False, credential.version
    withdraw_form = EnteredInErrorForm(request.POST if withdrawing else None)
    if withdrawing and withdraw_form.is_valid():
        try:
            profiles.withdraw_credential(request, cid, EnteredInError(withdraw_form.cleaned_data["reason"]))
        except InvalidInput as exc:
            show_refusal(withdraw_form, exc)
        else:
            messages.success(request, _("The credential was taken off your profile."))
            return redirect("directory_profile")
    elif request.method == "POST" and not withdrawing and form.is_valid():
        try:
            saved = profiles.edit_credential(
                request, cid, forms.credential_from(form), posted_version(request)
            )
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict as exc:
            conflict, version = True, exc.current.version
        else:
            if credential.verified and not saved.verified:
                messages.warning(
                    request,
                    _(
                        "The credential was changed, so it shows as self-declared until the clinic "
                        "checks it again."
                    ),
                )
            else:
                messages.success(request, _("The credential was saved."))
            return redirect("directory_profile")
    context = {
        "form": form,
        "credential": credential,
        "version": version,
        "conflict": conflict,
        "withdraw_form": withdraw_form,
    }
    return render(request, "staff/directory_credential.html", context)
