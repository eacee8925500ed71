"""Secure messaging's local choices, read from messaging.yaml: the reply promise in working hours,
the longest message, when the daily digest goes out, and when a check-in counts as missed.

Pure Python like the rest of the core; the clinic apps read these values and never hard-code them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path

from rapport.core.datafiles import Provenance, load_yaml, provenance

MESSAGING_RULES = Path(__file__).parent / "messaging.yaml"
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class MessagingRules:
    version: str
    reply_within_working_hours: int
    max_length: int
    digest_at: time
    missed_days_before_session: int
    provenance: dict[str, Provenance]


@cache
def rules() -> MessagingRules:
    return load_rules()


def load_rules(path: Path = MESSAGING_RULES) -> MessagingRules:
    root = load_yaml(path).mapping({"version", "reply_within", "max_length", "digest", "missed_check_in"})
    keys = {"verified", "confidence", "source"}
    reply = root.child("reply_within").mapping({"working_hours", *keys})
    length = root.child("max_length").mapping({"characters", *keys})
    digest = root.child("digest").mapping({"send_at", *keys})
    missed = root.child("missed_check_in").mapping({"days_before_session", *keys})
    hours_node = reply.child("working_hours")
    hours = hours_node.required_integer()
    if not 1 <= hours <= 200:
        hours_node.fail(f"expected 1 to 200 working hours, got {hours}")
    chars_node = length.child("characters")
    chars = chars_node.required_integer()
    if not 1 <= chars <= 20000:
        chars_node.fail(f"expected 1 to 20000 characters, got {chars}")
    at_node = digest.child("send_at")
    match = _CLOCK.fullmatch(at_node.required_text())
    if match is None:
        at_node.fail(f"expected HH:MM from 00:00 to 23:59, got {at_node.value!r}")
    days_node = missed.child("days_before_session")
    days = days_node.required_integer()
    if not 0 <= days <= 7:
        days_node.fail(f"expected 0 to 7 days, got {days}")
    return MessagingRules(
        version=root.child("version").required_text(),
        reply_within_working_hours=hours,
        max_length=chars,
        digest_at=time(int(match.group(1)), int(match.group(2))),
        missed_days_before_session=days,
        provenance={
            "reply_within": provenance(reply),
            "max_length": provenance(length),
            "digest": provenance(digest),
            "missed_check_in": provenance(missed),
        },
    )
