"""The checks a service makes on the typed values it is given, worded as Django's forms word the
same mistakes, so that a page and the API refuse the same input with the same message."""

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError

from rapport.common.errors import InvalidInput


class Problems:
    """A service's refusals gathered by field (nested keys such as "cues.grief"), raised at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message) -> None:
        self.errors.setdefault(key, []).append(str(message))

    def __contains__(self, key: str) -> bool:
        return key in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)

    def _run(self, key: str, value, checks) -> bool:
        ok = True
        for check in checks:
            try:
                check(value)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add(key, message)
                ok = False
        return ok

    def text(
        self, key: str, value: str, *, limit: int | None = None, required=False, required_message=None
    ) -> str:
        """The text trimmed, as a form keeps it; refused when required and empty, longer than
        `limit`, or holding a NUL character (which the database refuses)."""
        value = value.strip()
        if required and not value:
            self.add(key, required_message or forms.Field.default_error_messages["required"])
            return value
        checks: list = [validators.ProhibitNullCharactersValidator()]
        if limit is not None:
            checks.insert(0, validators.MaxLengthValidator(limit))
        self._run(key, value, checks)
        return value

    def choice(self, key: str, value: str, allowed, message=None) -> str:
        """One of `allowed`, or empty where empty is allowed (put "" in `allowed`)."""
        if value not in allowed:
            default = forms.ChoiceField.default_error_messages["invalid_choice"]
            self.add(key, str(message or default) % {"value": value})
        return value

    def whole(self, key: str, value: int | None, low: int, high: int) -> int | None:
        """A whole number within [low, high], or None."""
        if value is not None:
            self._run(key, value, [validators.MaxValueValidator(high), validators.MinValueValidator(low)])
        return value

    def nul(self, key: str, value: str) -> None:
        """Refuse a NUL character in an identifier (a key or an id) the caller sent."""
        self._run(key, value, [validators.ProhibitNullCharactersValidator()])
