"""An organisation's opening hours: when a clinician can be expected to answer (spec 3.2).

Out-of-hours behaviour must be explicit, so the clinic apps ask `is_open()` before promising a
client that someone will see a message soon. Hours are a mapping of day to a list of
`[start, end]` pairs of "HH:MM" in the organisation's local time, JSON-friendly so that they can
be stored as they are:

    {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], ..., "sun": []}

A range runs from its start (inclusive) to its end (exclusive). "24:00" may end a range, so a
service open overnight is written as two days: fri [["22:00", "24:00"]], sat [["00:00", "06:00"]].
Public holidays are not modelled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}

DEFAULT: dict[str, list[list[str]]] = {
    "mon": [["09:00", "17:00"]],
    "tue": [["09:00", "17:00"]],
    "wed": [["09:00", "17:00"]],
    "thu": [["09:00", "17:00"]],
    "fri": [["09:00", "17:00"]],
    "sat": [],
    "sun": [],
}


def default_hours() -> dict[str, list[list[str]]]:
    """A fresh copy of DEFAULT, safe to change (for example as a model field's default)."""
    return validate(DEFAULT)


_TIME = re.compile(r"([01]?[0-9]|2[0-4]):([0-5][0-9])")
END_OF_DAY = 24 * 60


class InvalidHours(ValueError):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def validate(hours: Mapping[str, Any]) -> dict[str, list[list[str]]]:
    """Opening hours checked and normalised: all seven days in order, ranges sorted, "HH:MM".

    Day keys are read case-insensitively; a day left out is closed. Raises InvalidHours for an
    unknown day, a time that is not HH:MM, a range that does not end after it starts, or ranges
    that overlap (ranges that only touch, 12:00 to 13:00 then 13:00 to 14:00, are allowed).
    """
    if not isinstance(hours, Mapping):
        raise InvalidHours(
            f"Opening hours must be a mapping of day to time ranges, got {type(hours).__name__}."
        )
    by_day: dict[str, list[tuple[int, int]]] = {}
    for key, ranges in hours.items():
        day = key.strip().lower() if isinstance(key, str) else key
        if day not in DAYS:
            raise InvalidHours(f"Unknown day {key!r}; use one of {', '.join(DAYS)}.")
        if day in by_day:
            raise InvalidHours(f"{DAY_NAMES[day]} is given twice.")
        by_day[day] = _ranges(day, ranges)
    return {day: [[_format(start), _format(end)] for start, end in by_day.get(day, [])] for day in DAYS}


def is_open(hours: Mapping[str, Any], when: datetime, tz: str) -> bool:
    """Whether `when` falls inside the opening hours, read as local time in the zone `tz`."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("is_open needs an aware datetime, so the time zone cannot be guessed")
    local = when.astimezone(ZoneInfo(tz))
    day = DAYS[local.weekday()]
    # Seconds count: at 16:59:59 a 09:00-17:00 office is still open.
    now = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1_000_000
    return any(_minutes(start) * 60 <= now < _minutes(end) * 60 for start, end in validate(hours)[day])


def describe(hours: Mapping[str, Any]) -> list[tuple[str, str]]:
    """One (day name, hours) pair per day from Monday: ("Monday", "09:00\u201317:00"), ("Sunday", "closed").

    A start and its end are joined by an en dash, several ranges by ", ".
    """
    checked = validate(hours)
    return [
        (
            DAY_NAMES[day],
            ", ".join(f"{start}\u2013{end}" for start, end in checked[day]) if checked[day] else "closed",
        )
        for day in DAYS
    ]


def _ranges(day: str, ranges: Any) -> list[tuple[int, int]]:
    name = DAY_NAMES[day]
    if not isinstance(ranges, list | tuple):
        raise InvalidHours(f"{name}: expected a list of [start, end] ranges, got {ranges!r}.")
    parsed: list[tuple[int, int]] = []
    for pair in ranges:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidHours(f"{name}: each range must be a [start, end] pair, got {pair!r}.")
        start, end = (_parse(name, value) for value in pair)
        if start == END_OF_DAY:
            raise InvalidHours(f"{name}: a range cannot start at 24:00.")
        if end <= start:
            raise InvalidHours(f"{name}: {_format(start)}\u2013{_format(end)} must end after it starts.")
        parsed.append((start, end))
    parsed.sort()
    for (start, end), (next_start, next_end) in pairwise(parsed):
        if next_start < end:
            raise InvalidHours(
                f"{name}: {_format(start)}\u2013{_format(end)} overlaps "
                f"{_format(next_start)}\u2013{_format(next_end)}."
            )
    return parsed


def _parse(day_name: str, value: Any) -> int:
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not match or minutes > END_OF_DAY:
        raise InvalidHours(f"{day_name}: {value!r} is not a time in HH:MM, from 00:00 to 24:00.")
    return minutes


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _format(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
