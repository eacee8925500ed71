"""Form pieces every app shares: the entered-in-error reason, the date widget, a posted version."""

from typing import overload

from django import forms
from django.utils.translation import gettext_lazy as _

# The browser's date picker speaks ISO dates whatever the page language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was this record entered in error?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 5:
            raise forms.ValidationError(_("Give a reason of at least a few words."))
        return reason


@overload
def posted_version(request, missing: int = -1) -> int: ...
@overload
def posted_version(request, missing: None) -> int | None: ...
def posted_version(request, missing: int | None = -1) -> int | None:
    """The record version an edit form was opened at (its hidden `version` field). A missing or
    garbled one gives `missing`, which no saved record has, so the save reports a conflict rather
    than overwriting blindly."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return missing
