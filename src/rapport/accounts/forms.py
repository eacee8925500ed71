from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import normalise_email


class SignInForm(AuthenticationForm):
    error_messages = {
        # One message for an unknown address and a wrong password: no way to learn who has an account.
        "invalid_login": _("That e-mail address and password do not match an account."),
        "inactive": _("That e-mail address and password do not match an account."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "type": "email"})

    def clean_username(self):
        # Addresses are stored lower-case; one spelling per account, so one lockout counter too.
        return normalise_email(self.cleaned_data["username"])


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()
