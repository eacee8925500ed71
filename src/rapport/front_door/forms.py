"""The public referral form: it only reads what was posted; rapport.intake.referrals checks it."""

from django import forms
from django.conf import global_settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from rapport.core import instruments
from rapport.intake.models import ReferredBy
from rapport.intake.referrals import SCREENING, NewReferral

SKIP = ("", _("Skip this question"))
FORMAT_CHOICES = [
    ("", _("No preference")),
    ("individual", _("One to one")),
    ("group", _("In a group")),
    ("couple", _("With my partner")),
    ("adolescent", _("For a young person (12 to 18)")),
    ("online", _("Online")),
    ("in_person", _("In person")),
]
CONTACT_CHOICES = [("email", _("E-mail")), ("phone", _("Phone call")), ("text", _("Text message"))]


def item_field_name(instrument_id: str, item_id: str) -> str:
    return f"{instrument_id}_{item_id}"


class ReferralForm(forms.Form):
    referred_by = forms.ChoiceField(
        label=_("Who is filling in this form?"),
        choices=[
            (ReferredBy.SELF, _("I am asking for help for myself")),
            (ReferredBy.PROFESSIONAL, _("I am a GP or another service referring someone")),
        ],
        widget=forms.RadioSelect,
        initial=ReferredBy.SELF,
    )
    referrer_name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    referrer_role = forms.CharField(label=_("Your role"), required=False, max_length=200)
    referrer_organisation = forms.CharField(
        label=_("Your practice or service"), required=False, max_length=200
    )
    referrer_email = forms.CharField(
        label=_("Your e-mail address"), required=False, max_length=254, widget=forms.EmailInput
    )
    referrer_phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    country = forms.ChoiceField(
        label=_("Country you live in"), choices=[("", "—"), *countries], required=False
    )
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_by = forms.MultipleChoiceField(
        label=_("How may we contact you?"),
        choices=CONTACT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    may_leave_message = forms.BooleanField(label=_("You may leave a message"), required=False)
    concern = forms.CharField(
        label=_("What is troubling you, in your own words"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    preferred_clinician = forms.TypedChoiceField(
        label=_("Preferred clinician (if you have one)"), required=False, coerce=int, empty_value=None
    )
    format = forms.ChoiceField(label=_("How would you like to meet?"), choices=FORMAT_CHOICES, required=False)
    language = forms.ChoiceField(
        label=_("Language you would like to speak"),
        choices=global_settings.LANGUAGES,
        initial="en",
        required=False,
    )
    consent_contact = forms.BooleanField(label=_("You may contact me about this referral"), required=False)
    consent_data = forms.BooleanField(
        label=_("You may keep what I tell you here, to decide how best to help"), required=False
    )
    consent_wording_version = forms.CharField(widget=forms.HiddenInput)
    # The honeypot: hidden from people by the style sheet, filled in by form-filling robots.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_clinician"].choices = [
            ("", _("No preference")),
            *((c.pk, str(c)) for c in clinicians),
        ]
        self.questions = []
        for instrument_id in SCREENING:
            definition = instruments.get(instrument_id)
            names = []
            for item in definition.items:
                name = item_field_name(instrument_id, item.id)
                self.fields[name] = forms.ChoiceField(
                    label=item.text,
                    choices=[*((o.code, o.label) for o in item.options), SKIP],
                    widget=forms.RadioSelect,
                    required=False,
                    initial="",
                )
                names.append((name, item))
            self.questions.append((definition, names))

    def question_groups(self):
        for definition, names in self.questions:
            yield definition, [(self[name], item) for name, item in names]

    def to_referral(self) -> NewReferral:
        data = self.cleaned_data
        screening = {
            instrument_id: {
                item.id: data.get(item_field_name(instrument_id, item.id)) or ""
                for item in instruments.get(instrument_id).items
            }
            for instrument_id in SCREENING
        }
        return NewReferral(
            full_name=data.get("full_name") or "",
            date_of_birth=data.get("date_of_birth"),
            country=data.get("country") or "",
            concern=data.get("concern") or "",
            consent_contact=bool(data.get("consent_contact")),
            consent_data=bool(data.get("consent_data")),
            consent_wording_version=data.get("consent_wording_version") or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            contact_by=tuple(data.get("contact_by") or ()),
            may_leave_message=bool(data.get("may_leave_message")),
            language=data.get("language") or "en",
            format=data.get("format") or "",
            preferred_clinician=data.get("preferred_clinician"),
            referred_by=data.get("referred_by") or ReferredBy.SELF,
            referrer_name=data.get("referrer_name") or "",
            referrer_role=data.get("referrer_role") or "",
            referrer_organisation=data.get("referrer_organisation") or "",
            referrer_email=data.get("referrer_email") or "",
            referrer_phone=data.get("referrer_phone") or "",
            phq9=screening["phq9"],
            gad7=screening["gad7"],
        )


# The service names screening answers "phq9.item9"; the form calls that field "phq9_item9".
def refusal_names() -> dict[str, str]:
    return {
        f"{i}.{item.id}": item_field_name(i, item.id) for i in SCREENING for item in instruments.get(i).items
    }
