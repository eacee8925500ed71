"""The workspace thresholds are data, read strictly (core/workspace_rules.yaml)."""

import pytest

from rapport.core import workspace_rules
from rapport.core.datafiles import DefinitionError

GOOD = """
version: "1.0"
no_measure_sessions: {sessions: 3, verified: false, confidence: U, source: x}
alert_age_hours: {bounds: [24, 168], verified: false, confidence: U, source: x}
action_due_within_days: {days: 7, verified: false, confidence: U, source: x}
"""


def test_the_shipped_rules_load():
    rules = workspace_rules.rules()
    assert rules.no_measure_sessions >= 1
    assert list(rules.alert_age_hours) == sorted(rules.alert_age_hours)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("sessions: 3", "sessions: 0"), "sessions must be at least 1"),
        (("[24, 168]", "[168, 24]"), "strictly increasing"),
        (("days: 7", "days: -1"), "must not be negative"),
        (("sessions: 3", "sessions: three"), "expected a whole number"),
    ],
)
def test_a_bad_value_names_the_file_and_field(tmp_path, change, message):
    path = tmp_path / "workspace_rules.yaml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(DefinitionError, match=message):
        workspace_rules.load(path)
    path.write_text(GOOD)
    assert workspace_rules.load(path).no_measure_sessions == 3
