"""messaging.yaml: the reply promise, the longest message, the digest time and the missed
check-in rule are read strictly, each with its provenance (all unconfirmed)."""

from datetime import time

import pytest

from rapport.core import messaging
from rapport.core.datafiles import DefinitionError


def test_the_shipped_rules_load_and_are_marked_unconfirmed():
    rules = messaging.load_rules()
    assert rules.reply_within_working_hours == 16
    assert rules.max_length == 2000
    assert rules.digest_at == time(7, 0)
    assert rules.missed_days_before_session == 0
    assert {p.confidence for p in rules.provenance.values()} == {"U"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  working_hours: 16", "  working_hours: 0"), "expected 1 to 200 working hours"),
        (('  send_at: "07:00"', '  send_at: "7am"'), "expected HH:MM"),
        (("  days_before_session: 0", "  days_before_session: 9"), "expected 0 to 7 days"),
        (("  characters: 2000", "  characters: many"), "expected a whole number"),
    ],
)
def test_a_bad_value_names_the_file_and_the_field(tmp_path, change, message):
    text = messaging.MESSAGING_RULES.read_text().replace(*change)
    bad = tmp_path / "messaging.yaml"
    bad.write_text(text)
    with pytest.raises(DefinitionError, match=message) as refused:
        messaging.load_rules(bad)
    assert str(refused.value).startswith("messaging.yaml: ")
