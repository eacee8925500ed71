"""The unread-messages badge in the menu, for clients and clinicians."""

from django.urls import reverse

from rapport.accounts.models import Role


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in (Role.CLIENT, Role.CLINICIAN):
        return {}
    from rapport.messaging.threads import unread_count

    # Lazily: a page that never renders the menu (an htmx partial) never counts.
    return {
        "messages_url": reverse("my_messages" if user.role == Role.CLIENT else "messages_inbox"),
        "unread_messages": _Lazy(lambda: unread_count(user)),
    }


class _Lazy:
    def __init__(self, compute) -> None:
        self._compute = compute
        self._value: int | None = None

    def value(self) -> int:
        if self._value is None:
            self._value = self._compute()
        return self._value

    def __int__(self) -> int:
        return self.value()

    def __bool__(self) -> bool:
        return self.value() > 0

    def __str__(self) -> str:
        return str(self.value())
