"""Account changes by an organisation's administrator: add a member of staff, deactivate one."""

import secrets

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.errors import InvalidInput, invalid

STAFF_CHOICES = [
    (r.value, r.label) for r in (Role.CLINICIAN, Role.SUPERVISOR, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR)
]


class StaffForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_CHOICES)
    clinician_title = forms.CharField(
        label=_("Title"),
        max_length=100,
        required=False,
        help_text=_("For example: IPT therapist, lay counsellor."),
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Member of"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supervises = forms.ModelMultipleChoiceField(
        label=_("Supervises"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(organisation=organisation)
        self.fields["supervises"].queryset = Team.objects.filter(organisation=organisation)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.CLINICIAN and not data.get("teams"):
            self.add_error("teams", _("A clinician belongs to at least one team."))
        if data.get("role") == Role.SUPERVISOR and not data.get("supervises"):
            self.add_error("supervises", _("A supervisor supervises at least one team."))
        return data


def add_staff(request, data) -> User:
    """Create the account with a password nobody knows and send the person a link to choose one."""
    admin = request.user
    if not admin.has_perm("accounts.manage_accounts"):
        raise PermissionDenied
    form = StaffForm(data, organisation=admin.organisation)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        user = User.objects.create_user(
            form.cleaned_data["email"],
            secrets.token_urlsafe(32),
            full_name=form.cleaned_data["full_name"],
            role=form.cleaned_data["role"],
            clinician_title=form.cleaned_data["clinician_title"],
            organisation=admin.organisation,
        )
        user.teams.set(form.cleaned_data["teams"])
        user.supervised_teams.set(form.cleaned_data["supervises"])
        trail.record(request, Action.CREATE, obj=user, detail={"role": user.role})
        reset = PasswordResetForm({"email": user.email})
        reset.is_valid()
        transaction.on_commit(
            lambda: reset.save(
                request=request,
                use_https=request.is_secure(),
                email_template_name="accounts/welcome_email.txt",
                subject_template_name="accounts/welcome_subject.txt",
            )
        )
    return user


def deactivate(request, user_id: int) -> User:
    """Sign-in stops at once; the records the person wrote, and the audit trail, stay."""
    admin = request.user
    if not admin.has_perm("accounts.manage_accounts"):
        raise PermissionDenied
    user = User.objects.filter(pk=user_id, organisation=admin.organisation).first()
    if user is None:
        raise Http404("No such account")
    if user.pk == admin.pk:
        raise InvalidInput({"account": [str(_("You cannot deactivate your own account."))]})
    # A client is never left with nobody responsible (HAZ-140): their caseload moves first, on
    # the hand-over page, in the same transaction as this deactivation.
    if user.responsible_for.filter(entered_in_error_at__isnull=True).exists():
        raise InvalidInput(
            {
                "account": [
                    str(
                        _("%(name)s still holds clients: choose where their caseload goes first.")
                        % {"name": user}
                    )
                ]
            }
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.api_tokens.active().update(revoked_at=timezone.now())
        trail.record(request, Action.UPDATE, obj=user, detail={"fields": ["is_active"]})
    return user
