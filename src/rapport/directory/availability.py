"""When a listed clinician could next see someone new: the first free start in their working
hours (rapport.scheduling), and, when people wait on their list, the intake waiting list's
estimate (rapport.intake.waiting, through `waiting_time` alone).

The free times are computed for a whole page of providers in three queries, whatever their
number (the waiting list's estimate adds two per clinician), and kept in the
cache for a few minutes (`remembered`): a public page must not read every booking of every
listed clinician on each visit. A change to a clinician's bookings, hours or absences forgets
theirs at once in the process that made it (directory/apps.py); other processes catch up within
CACHE_SECONDS."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from rapport.intake.waiting import estimated_wait
from rapport.scheduling import times
from rapport.scheduling.booking import FREE_DAYS, SLOT_STEP
from rapport.scheduling.models import HOLDING, Absence, Appointment, WorkingHours

# A first appointment's length for the search [U]: the spec names no length for an assessment.
FIRST_APPOINTMENT = timedelta(minutes=50)
# How long a clinician's next free appointment may be shown from the cache [U]: a product choice.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Availability:
    next_free: datetime | None  # the first free start within FREE_DAYS, None if none found
    day: date | None  # its date in the clinic's time zone
    days: int | None  # whole days until someone new could start, for matching
    waiting: int = 0  # people on the clinician's waiting list now (rapport.intake)
    wait_weeks: int | None = None  # the list's estimated wait for someone joining now
    wait_measured: bool = False  # from the list's own pace, not the clinic's default


def waiting_time(clinician):
    """The one seam to the intake waiting list: its estimate for this clinician's list."""
    return estimated_wait(clinician=clinician)


def next_free(clinicians, now: datetime | None = None) -> dict[int, Availability]:
    """{clinician id: Availability} for each given user (with their organisation loaded)."""
    now = now or timezone.now()
    people = list(clinicians)
    ids = [c.pk for c in people]
    hours = defaultdict(list)
    for block in WorkingHours.objects.filter(clinician_id__in=ids):
        hours[block.clinician_id].append(block)
    # Each booking by the UTC day it starts, so a slot is compared only with its own day's (and
    # the day before's, for one running past midnight): plain tuples, no model instances, since a
    # page of providers may hold tens of thousands of bookings.
    busy: dict[int, dict] = defaultdict(lambda: defaultdict(list))
    for clinician_id, starts_at, minutes in Appointment.objects.filter(
        clinician_id__in=ids,
        status__in=HOLDING,
        entered_in_error_at__isnull=True,
        starts_at__gte=now - timedelta(days=1),
        starts_at__lt=now + timedelta(days=FREE_DAYS + 1),
    ).values_list("clinician_id", "starts_at", "minutes"):
        busy[clinician_id][starts_at.astimezone(UTC).date()].append(
            (starts_at, starts_at + timedelta(minutes=minutes))
        )
    away = defaultdict(list)
    for absence in Absence.objects.filter(clinician_id__in=ids, last_day__gte=now.date() - timedelta(days=1)):
        away[absence.clinician_id].append((absence.first_day, absence.last_day))
    found = {}
    for person in people:
        zone = person.organisation.time_zone
        today = times.local(now, zone).date()
        start = _first_free(hours[person.pk], busy[person.pk], away[person.pk], today, zone, now)
        day = times.local(start, zone).date() if start else None
        days = (day - today).days if day else None
        wait = waiting_time(person)
        if wait.waiting:
            # People ahead take the free times first: someone new waits for the list.
            days = max(days or 0, wait.weeks * 7) if wait.weeks else None
        found[person.pk] = Availability(start, day, days, wait.waiting, wait.weeks, wait.measured)
    return found


def _first_free(hours, busy, away, today: date, zone: str, now: datetime) -> datetime | None:
    if not hours:
        return None
    for offset in range(1, FREE_DAYS + 1):
        day = today + timedelta(days=offset)
        if any(first <= day <= last for first, last in away):
            continue
        for block in sorted((h for h in hours if h.weekday == day.weekday()), key=lambda h: h.starts):
            slot = datetime.combine(day, block.starts)
            while (slot + FIRST_APPOINTMENT).time() <= block.ends and (
                slot + FIRST_APPOINTMENT
            ).date() == day:
                start = times.instant(day, slot.time(), zone)
                end = start + FIRST_APPOINTMENT
                utc_day = start.date()
                near = busy.get(utc_day, []) + busy.get(utc_day - timedelta(days=1), [])
                if start > now and not any(s < end and start < e for s, e in near):
                    return start
                slot += SLOT_STEP
    return None


def _key(clinician_id: int) -> str:
    return f"directory:next-free:{clinician_id}"


def remembered(clinicians) -> dict[int, Availability]:
    """next_free() for each clinician, from the cache where it is there (the cold ones at once)."""
    people = list(clinicians)
    cached = cache.get_many([_key(p.pk) for p in people])
    found = {p.pk: cached[_key(p.pk)] for p in people if _key(p.pk) in cached}
    missing = [p for p in people if p.pk not in found]
    if missing:
        fresh = next_free(missing)
        cache.set_many({_key(pk): value for pk, value in fresh.items()}, CACHE_SECONDS)
        found.update(fresh)
    return found


def forget(clinician_id: int | None) -> None:
    if clinician_id is not None:
        cache.delete(_key(clinician_id))
