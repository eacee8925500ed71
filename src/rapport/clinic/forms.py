"""Validation of client records, shared by the pages and the API so both say the same."""

import zoneinfo
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Team
from rapport.clinic.models import Client
from rapport.common.forms import DATE_INPUT

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


class ClientForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=TIME_ZONE_CHOICES)

    class Meta:
        model = Client
        fields = ["full_name", "preferred_name", "date_of_birth", "language", "country", "time_zone", "team"]
        widgets = {"date_of_birth": DATE_INPUT}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # A clinician files a client in one of their own teams; the server, not the form, owns the rest.
        self.fields["team"].queryset = Team.objects.filter(
            organisation_id=actor.organisation_id, members=actor
        )
        self.fields["team"].empty_label = None
        self.fields["full_name"].error_messages["required"] = _("Enter the client's full name.")
        self.fields["date_of_birth"].error_messages["required"] = _("Enter the client's date of birth.")
        self.fields["country"].choices = [
            ("", _("Choose a country")),
            *list(self.fields["country"].choices)[1:],
        ]

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the client's full name."))
        return name

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if dob < date(1900, 1, 1):
            raise forms.ValidationError(_("Check the year: the date of birth is before 1900."))
        return dob


class BreakGlassForm(forms.Form):
    full_name = forms.CharField(label=_("Client's full name"), max_length=200)
    date_of_birth = forms.DateField(label=_("Client's date of birth"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Why do you need emergency access?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Your supervisor is told at once, and the access is recorded."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(_("Describe the emergency in a sentence."))
        return reason
