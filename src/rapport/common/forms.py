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

    # How long a reason must be is the service's rule (common.records.check_entered_in_error).


def show_refusal(form, exc, names: dict[str, str] | None = None, *, rest_on_form: bool = True) -> dict:
    """A service's refusal (InvalidInput) on the page's form: each message on the field it names,
    by the page's name for it (`names` maps a nested key such as "cues.grief" to "cue_grief").
    A message the form already shows is not repeated. The messages no field takes are returned,
    and shown at the top of the form unless the page shows them itself (`rest_on_form=False`)."""
    rest: dict[str, list[str]] = {}
    for key, messages in exc.errors.items():
        name = (names or {}).get(key, key)
        field = name if name in form.fields else None
        for message in messages:
            if field is None:
                rest.setdefault(key, []).append(message)
                if not rest_on_form:
                    continue
            if message not in form.errors.get(field or "__all__", []):
                form.add_error(field, message)
    return rest


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
