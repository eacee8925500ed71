"""Wall time and instants. An appointment is booked at a local date and time in an IANA zone;
its instant is derived from them, so a weekly series keeps its wall time when the clocks change.
A wall time that happens twice (clocks back) is its first occurrence, and one in the spring gap
takes the offset from before the gap (RFC 5545 3.3.5): 01:30 in a gap becomes 02:30 summer time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def instant(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a wall time in a zone (fold=0: first occurrence, pre-gap offset)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).replace(fold=0).astimezone(UTC)


def weekly(day: date, at: time, zone: str, count: int) -> list[tuple[date, datetime]]:
    """`count` weekly starts from `day` at the same wall time."""
    return [(day + timedelta(weeks=n), instant(day + timedelta(weeks=n), at, zone)) for n in range(count)]


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))
