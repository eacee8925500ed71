"""The pages' forms for a profile and a credential. They only read what was posted (types,
widgets, choices); the services' `check_*` functions hold the rules, for the pages and the API."""

from django import forms
from django.conf import global_settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from rapport.common.forms import DATE_INPUT
from rapport.core import protocol
from rapport.directory.models import CredentialKind, VerificationMethod
from rapport.directory.profiles import CredentialValues, ProfileValues
from rapport.directory.public import FORMAT_NAMES

LANGUAGE_CHOICES = sorted(((c, str(n)) for c, n in global_settings.LANGUAGES), key=lambda item: item[1])


def _areas():
    return [(a.id, a.names["standard"]) for a in protocol.get().problem_areas]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name as the public sees it"), max_length=120)
    profession = forms.CharField(
        label=_("Profession"),
        max_length=120,
        help_text=_("For example: clinical psychologist, psychiatric nurse."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you offer sessions in"),
        choices=LANGUAGE_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose several with Ctrl (Cmd on a Mac) or, on a phone, by tapping each."),
    )
    formats = forms.MultipleChoiceField(
        label=_("What you offer"), choices=list(FORMAT_NAMES.items()), widget=forms.CheckboxSelectMultiple
    )
    problem_areas = forms.MultipleChoiceField(
        label=_("Problem areas you have most experience with (optional)"),
        choices=_areas,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(
        label=_("City or area where you see people in person"),
        max_length=120,
        required=False,
        help_text=_("A city or an area only, never a street address."),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="GBP")
    fee_from = forms.IntegerField(label=_("Fee per session from"), required=False, min_value=0)
    fee_to = forms.IntegerField(label=_("Fee per session up to"), required=False, min_value=0)
    sliding_scale = forms.BooleanField(label=_("I offer a sliding scale"), required=False)
    free_places = forms.BooleanField(label=_("I have free places"), required=False)
    statement = forms.CharField(
        label=_("A short statement in your own words"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    show_outcomes = forms.BooleanField(
        label=_(
            "Show my outcome figures (only once 20 or more courses are finished, and if the clinic agrees)"
        ),
        required=False,
    )
    listed = forms.BooleanField(label=_("List me in the public directory"), required=False, initial=True)


def profile_from(form: ProfileForm) -> ProfileValues:
    data = form.cleaned_data
    return ProfileValues(
        display_name=data.get("display_name", ""),
        profession=data.get("profession", ""),
        languages=tuple(data.get("languages", ())),
        formats=tuple(data.get("formats", ())),
        problem_areas=tuple(data.get("problem_areas", ())),
        place=data.get("place", ""),
        currency=data.get("currency", ""),
        fee_from=data.get("fee_from"),
        fee_to=data.get("fee_to"),
        sliding_scale=data.get("sliding_scale", False),
        free_places=data.get("free_places", False),
        statement=data.get("statement", ""),
        show_outcomes=data.get("show_outcomes", False),
        listed=data.get("listed", False),
    )


def profile_initial(profile) -> dict:
    return {name: getattr(profile, name) for name in ProfileForm.base_fields}


class CredentialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CredentialKind.choices, widget=forms.RadioSelect)
    issuing_body = forms.CharField(
        label=_("Issuing body, or where you trained"),
        max_length=200,
        help_text=_("For example: Health and Care Professions Council; IPT UK; ISIPT; IPT Institute."),
    )
    number = forms.CharField(label=_("Licence or registration number"), max_length=80, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries], required=False)
    level = forms.CharField(
        label=_("Training level"),
        max_length=120,
        required=False,
        help_text=_("As the trainer names it, for example: IPT UK practitioner; IPT Institute Level B."),
    )
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE_INPUT)
    supervised_cases = forms.IntegerField(label=_("Supervised IPT cases"), required=False, min_value=0)


def credential_from(form: CredentialForm) -> CredentialValues:
    data = form.cleaned_data
    return CredentialValues(
        kind=data.get("kind", ""),
        issuing_body=data.get("issuing_body", ""),
        number=data.get("number", ""),
        country=data.get("country", ""),
        level=data.get("level", ""),
        completed_on=data.get("completed_on"),
        supervised_cases=data.get("supervised_cases"),
    )


def credential_initial(credential) -> dict:
    return {name: getattr(credential, name) for name in CredentialForm.base_fields}


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How you checked it"),
        choices=[("", _("Not checked (self-declared)")), *VerificationMethod.choices],
        required=False,
    )
