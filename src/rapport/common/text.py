"""The checks every service makes on text it stores, worded as Django's forms word them, so that a
page and the API refuse the same text with the same message."""

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError


def check_text(value: str, key: str, *, limit: int | None = None, required: bool = False) -> dict:
    """Problems with one text value, keyed `key` ({} when it is fine): required and empty, longer
    than `limit`, or holding a NUL character (which the database refuses)."""
    if required and not value.strip():
        return {key: [str(forms.Field.default_error_messages["required"])]}
    checks: list = [validators.ProhibitNullCharactersValidator()]
    if limit is not None:
        checks.append(validators.MaxLengthValidator(limit))
    for check in checks:
        try:
            check(value)
        except ValidationError as exc:
            return {key: [str(m) for m in exc.messages]}
    return {}
