"""Text-message back-ends. settings.RAPPORT_SMS_BACKEND names the class; a real one wraps a
provider's API with the same send(to, text). The console back-end (the demo's) logs that a text
was sent, never its number or words."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class ConsoleBackend:
    sent: list[tuple[str, str]] = []  # kept in memory for tests and the demo's console

    def send(self, to: str, text: str) -> None:
        ConsoleBackend.sent.append((to, text))
        log.info("text message sent (%s characters)", len(text))


def backend():
    return import_string(settings.RAPPORT_SMS_BACKEND)()
