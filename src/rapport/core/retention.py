"""The retention period for closed clients' records, read from retention.yaml (issue 17, item 8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Retention:
    default_years: int
    minimum_years: int
    maximum_years: int
    confidence: str


@cache
def rules() -> Retention:
    data = yaml.safe_load((Path(__file__).parent / "retention.yaml").read_text())
    found = Retention(
        default_years=int(data["default_years"]),
        minimum_years=int(data["minimum_years"]),
        maximum_years=int(data["maximum_years"]),
        confidence=str(data["confidence"]),
    )
    if not found.minimum_years <= found.default_years <= found.maximum_years:
        raise ValueError("retention.yaml: the default must lie between the minimum and the maximum")
    return found


def default_years() -> int:
    return rules().default_years


def purge_due(closed_at: datetime, last_change: datetime, years: int) -> datetime:
    """When a closed client's record may go: `years` after the later of closure and last change.

    29 February moves to 28 February in a year that has none.
    """
    start = max(closed_at, last_change)
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)
