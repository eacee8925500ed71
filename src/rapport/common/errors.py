"""The two ways a service refuses a change, shared by every app: bad input and a stale edit."""


class InvalidInput(Exception):
    """Bad input: nothing was written. `errors` maps each field to its messages. `kept`: what
    was nevertheless kept, in words for the person who sent it (the alert a valid risk answer
    raised before the rest was refused: common/kept.py)."""

    def __init__(self, errors: dict[str, list[str]], *, kept: tuple[str, ...] = ()):
        super().__init__("invalid input")
        self.errors = errors
        self.kept = kept


class EditConflict(Exception):
    """Someone else saved the record since this edit began; nothing was written. `current` is the
    record as saved now (None for a record that was never saved). `kept` as for InvalidInput."""

    def __init__(self, current, *, kept: tuple[str, ...] = ()):
        super().__init__("edit conflict")
        self.current = current
        self.kept = kept


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as plain strings by field ("__all__" for the form as a whole)."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def invalid(form) -> InvalidInput:
    """The refusal for a form that did not validate: `raise invalid(form)`."""
    return InvalidInput(form_errors(form))


def page_errors(exc: InvalidInput) -> dict[str, list[str]]:
    """A refusal's messages for a template: the form-wide ones under "form" (a template cannot
    read a key that starts with an underscore)."""
    return {("form" if key == "__all__" else key): [str(m) for m in ms] for key, ms in exc.errors.items()}


def messages_of(exc: InvalidInput) -> list[str]:
    """Every message of a refusal, in order, for a page that shows them in one place."""
    return [str(m) for ms in exc.errors.values() for m in ms]
