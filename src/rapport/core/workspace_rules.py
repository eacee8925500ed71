"""The supervisor's workspace thresholds (workspace_rules.yaml): pure data, read strictly."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapport.core.datafiles import load_yaml

PATH = Path(__file__).with_name("workspace_rules.yaml")
_PROVENANCE = ("verified", "confidence", "source")


@dataclass(frozen=True)
class WorkspaceRules:
    no_measure_sessions: int
    alert_age_hours: tuple[int, ...]
    action_due_within_days: int


def load(path: Path = PATH) -> WorkspaceRules:
    root = load_yaml(path).mapping(
        ["version", "no_measure_sessions", "alert_age_hours", "action_due_within_days"]
    )
    gap = root.child("no_measure_sessions").mapping(["sessions", *_PROVENANCE])
    sessions = gap.child("sessions").required_integer()
    if sessions < 1:
        gap.fail("sessions must be at least 1")
    ages = root.child("alert_age_hours").mapping(["bounds", *_PROVENANCE])
    bounds = tuple(b.required_integer() for b in ages.child("bounds").elements(allow_empty=False))
    if list(bounds) != sorted(set(bounds)) or bounds[0] <= 0:
        ages.fail("bounds must be positive and strictly increasing")
    due = root.child("action_due_within_days").mapping(["days", *_PROVENANCE])
    days = due.child("days").required_integer()
    if days < 0:
        due.fail("days must not be negative")
    return WorkspaceRules(sessions, bounds, days)


@cache
def rules() -> WorkspaceRules:
    return load()
