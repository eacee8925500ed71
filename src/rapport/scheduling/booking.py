"""Booking, rescheduling and cancelling appointments, by a clinician or by the client.

Every change checks access through the clinic's services, validates, refuses a clash, is written
in one transaction with its audit row and tells the other side (notices.tell). A stale edit is
refused (EditConflict), and a refused series books nothing."""

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.forms import TIME_ZONE_CHOICES
from rapport.clinic.measurement import current_course
from rapport.clinic.models import Client, Session
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict, InvalidInput, invalid
from rapport.common.records import deny
from rapport.scheduling import missed_sessions, notices, reminders, times
from rapport.scheduling.models import (
    HOLDING,
    Absence,
    Appointment,
    AppointmentStatus,
    Format,
    WorkingHours,
    new_room,
)

# [U] The spec gives no default length: a session is 50 minutes unless the contract says
# otherwise. When a cancellation is late is the contract's (missed_sessions.policy_of).
DEFAULT_MINUTES = 50
# How far ahead the client may choose a new time, and the step between offered times.
FREE_DAYS = 21
SLOT_STEP = timedelta(minutes=60)
# A short list a client can read on a phone: a few times a day, over several days.
PER_DAY, OFFERED = 3, 15
MAX_SERIES = 30


class AppointmentForm(forms.Form):
    day = forms.DateField(label=_l("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(
        label=_l("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.ChoiceField(label=_l("Time zone"), choices=TIME_ZONE_CHOICES)
    minutes = forms.IntegerField(label=_l("Length (minutes)"), min_value=10, max_value=240, required=False)
    format = forms.ChoiceField(label=_l("Format"), choices=Format.choices)
    place = forms.CharField(label=_l("Place or phone number"), max_length=200, required=False)
    # Whether the place is needed is the service's check (check_slot), one path for page and API.


class SeriesForm(AppointmentForm):
    count = forms.IntegerField(label=_l("Number of weekly sessions"), min_value=1, max_value=MAX_SERIES)


class RescheduleForm(AppointmentForm):
    status = forms.ChoiceField(label=_l("Status"), choices=AppointmentStatus.choices)


@dataclass(frozen=True)
class Slot:
    """An appointment's time, length and place as a page, the API or the demo gives it."""

    day: date
    at: time
    time_zone: str
    minutes: int | None
    format: str
    place: str = ""


ZONES = {zone for zone, _label in TIME_ZONE_CHOICES}


def slot_from(form: forms.Form) -> Slot:
    """The typed slot a page's form read, or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    values = form.cleaned_data
    return Slot(
        day=values["day"],
        at=values["at"],
        time_zone=values["time_zone"],
        minutes=values.get("minutes"),
        format=values["format"],
        place=values.get("place") or "",
    )


def _check_slot(given: Slot, problems: Problems) -> Slot:
    """The slot as it will be stored; refusals keyed by its fields, worded as the pages' forms."""
    problems.choice("time_zone", given.time_zone, ZONES)
    problems.whole("minutes", given.minutes, 10, 240)
    problems.choice("format", given.format, Format.values)
    place = problems.text("place", given.place, limit=200)
    if given.format in (Format.IN_PERSON, Format.PHONE) and not place and "place" not in problems:
        problems.add("place", _("Say where the session is, or the number to call."))
    return replace(given, place=place)


def check_slot(given: Slot) -> Slot:
    problems = Problems()
    checked = _check_slot(given, problems)
    problems.raise_any()
    return checked


@dataclass
class Booked:
    appointments: list[Appointment]
    warnings: list[str]


def _clashes(clinician_id: int, client_id: int, start: datetime, end: datetime, exclude=()) -> list[str]:
    """What a booking from start to end would double-book: the clinician, the client, or both."""
    holding = Appointment.objects.filter(
        status__in=HOLDING, entered_in_error_at__isnull=True, starts_at__lt=end
    ).exclude(pk__in=exclude)
    found = []
    for appt in holding.filter(models_q(clinician_id, client_id)).only(
        "starts_at", "minutes", "clinician_id", "client_id"
    ):
        if appt.ends_at > start:
            if appt.clinician_id == clinician_id:
                found.append(_("The clinician already has an appointment at this time."))
            if appt.client_id == client_id:
                found.append(_("The client already has an appointment at this time."))
    return sorted(set(found))


def models_q(clinician_id, client_id):
    from django.db.models import Q

    return Q(clinician_id=clinician_id) | Q(client_id=client_id)


def _absent(clinician_id: int, day: date) -> bool:
    return Absence.objects.filter(clinician_id=clinician_id, first_day__lte=day, last_day__gte=day).exists()


def outside_hours(clinician, start: datetime, minutes: int) -> bool:
    """True when the appointment is not within one of the clinician's working-hour blocks, read in
    the organisation's time zone. A clinician who set no hours is never warned."""
    hours = list(WorkingHours.objects.filter(clinician=clinician))
    if not hours:
        return False
    begin = times.local(start, clinician.organisation.time_zone)
    end = begin + timedelta(minutes=minutes)
    return not any(
        h.weekday == begin.weekday()
        and h.starts <= begin.time()
        and end.time() <= h.ends
        and end.date() == begin.date()
        for h in hours
    )


def _check(
    clinician, client_id: int, starts: list[tuple[date, datetime]], minutes: int, exclude=()
) -> list[str]:
    """Refuse a clash or an absence (InvalidInput naming the date); return the warnings."""
    errors, warnings = [], []
    for day, start in starts:
        problems = _clashes(clinician.pk, client_id, start, start + timedelta(minutes=minutes), exclude)
        if _absent(clinician.pk, day):
            problems.append(_("The clinician is away on this day."))
        errors += [f"{day:%d %b %Y}: {p}" for p in problems]
        if outside_hours(clinician, start, minutes):
            warnings.append(
                _("%(day)s is outside the clinician's working hours.") % {"day": f"{day:%d %b %Y}"}
            )
    if errors:
        raise InvalidInput({"day": errors})
    return warnings


def _length(course, given: int | None) -> int:
    return given or (course.session_minutes if course and course.session_minutes else DEFAULT_MINUTES)


def _session_on(course, day: date) -> Session | None:
    """The course's Session record of that day not yet linked, which the appointment then points at."""
    if course is None:
        return None
    return (
        Session.objects.filter(
            course=course, date=day, entered_in_error_at__isnull=True, appointment__isnull=True
        )
        .order_by("number")
        .first()
    )


def _online_consent(client: Client, slot: Slot) -> None:
    """Telehealth consent comes before the first video session (phone sessions: [U] not asked)."""
    from rapport.scheduling.consents import has_consent

    if slot.format == Format.VIDEO and not has_consent(client, "online"):
        raise InvalidInput(
            {"format": [_("Record the client's consent to online sessions before booking a video session.")]}
        )


def _create(request, client: Client, day: date, start: datetime, slot: Slot, minutes: int, series=None):
    _online_consent(client, slot)
    course = current_course(client)
    appt = Appointment.objects.create(
        client=client,
        clinician=client.responsible_clinician,
        course=course,
        session=_session_on(course, day),
        starts_at=start,
        time_zone=slot.time_zone,
        local_date=day,
        local_time=slot.at,
        minutes=minutes,
        format=slot.format,
        place=slot.place,
        room=new_room() if slot.format == Format.VIDEO else "",
        series=series,
    )
    trail.record(request, Action.CREATE, client=client, obj=appt)
    reminders.plan(appt)
    return appt


def book(request, client_id: int, given: Slot) -> Booked:
    """Book one appointment with the client's responsible clinician."""
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    slot = check_slot(given)
    minutes = _length(current_course(client), slot.minutes)
    start = times.instant(slot.day, slot.at, slot.time_zone)
    with transaction.atomic():
        _lock(client)
        warnings = _check(client.responsible_clinician, client.pk, [(slot.day, start)], minutes)
        appt = _create(request, client, slot.day, start, slot, minutes)
        notices.booked(client, [appt], by_client=False)
    return Booked([appt], warnings)


def book_series(request, client_id: int, given: Slot, count: int) -> Booked:
    """Book a weekly series at one wall time: every date checked first, all booked or none."""
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    problems = Problems()
    slot = _check_slot(given, problems)
    problems.whole("count", count, 1, MAX_SERIES)
    problems.raise_any()
    minutes = _length(current_course(client), slot.minutes)
    starts = times.weekly(slot.day, slot.at, slot.time_zone, count)
    series = uuid.uuid4()
    with transaction.atomic():
        _lock(client)
        warnings = _check(client.responsible_clinician, client.pk, starts, minutes)
        made = [_create(request, client, day, start, slot, minutes, series) for day, start in starts]
        notices.booked(client, made, by_client=False)
    return Booked(made, warnings)


def series_count(client: Client) -> int:
    """The sessions the contract still plans: the default size of a series."""
    course = current_course(client)
    if course is None:
        return 1
    held = course.sessions.filter(entered_in_error_at__isnull=True).count()
    booked = Appointment.objects.filter(course=course, status__in=HOLDING, session__isnull=True).count()
    return max(1, min(MAX_SERIES, course.planned_sessions - held - booked))


def _lock(client: Client) -> None:
    """Serialise bookings of one clinician, so two at once cannot both pass the clash check."""
    from rapport.accounts.models import User

    User.objects.select_for_update().filter(pk=client.responsible_clinician_id).first()


def get_appointment(request, client_id: int, appointment_id: int, perm: str = "clinic.view_client"):
    client = get_client_for(request, client_id, perm, audit=False)
    appt = (
        Appointment.objects.filter(pk=appointment_id, client=client, entered_in_error_at__isnull=True)
        .select_related("clinician", "client")
        .first()
    )
    if appt is None:
        deny(request, client_id=client.pk, detail={"object_type": "Appointment"})
    return client, appt


def appointments_of(request, client_id: int) -> tuple[Client, list[Appointment]]:
    client = get_client_for(request, client_id, audit=False)
    found = list(
        Appointment.objects.filter(client=client, entered_in_error_at__isnull=True).select_related(
            "clinician"
        )
    )
    trail.record(request, Action.READ, client=client, object_type="Appointment")
    return client, found


def update(request, client_id: int, appointment_id: int, given: Slot, status: str, version: int) -> Booked:
    """A clinician's change: a new time, place or format, or the outcome (attended, no-show...)."""
    client, appt = get_appointment(request, client_id, appointment_id, "clinic.change_client")
    problems = Problems()
    slot = _check_slot(given, problems)
    problems.choice("status", status, AppointmentStatus.values)
    problems.raise_any()
    minutes = slot.minutes or appt.minutes
    start = times.instant(slot.day, slot.at, slot.time_zone)
    moved = start != appt.starts_at or minutes != appt.minutes
    if moved and status == AppointmentStatus.RESCHEDULE_ASKED:
        # Moving it to another time than the client asked for proposes that time: the client
        # confirms it (or asks again) from the portal.
        status = AppointmentStatus.BOOKED
    with transaction.atomic():
        _lock(client)
        warnings = []
        if status in HOLDING and moved:
            warnings = _check(appt.clinician, client.pk, [(slot.day, start)], minutes, exclude=[appt.pk])
        _online_consent(client, slot)
        room = appt.room or (new_room() if slot.format == Format.VIDEO else "")
        _save(
            appt,
            version,
            starts_at=start,
            time_zone=slot.time_zone,
            local_date=slot.day,
            local_time=slot.at,
            minutes=minutes,
            format=slot.format,
            place=slot.place,
            room=room,
            status=status,
            reschedule_to=None if moved else appt.reschedule_to,
            sequence=appt.sequence + 1,
        )
        if status == AppointmentStatus.ATTENDED:
            _link_session(appt)
        trail.record(request, Action.UPDATE, client=client, obj=appt)
        appt.refresh_from_db()
        reminders.plan(appt)
        notices.changed(client, appt, by_client=False)
    return Booked([appt], warnings)


def accept_reschedule(request, client_id: int, appointment_id: int, version: int) -> Appointment:
    """The clinician takes the time the client asked for, in one step. The time is checked again
    under the clinician's lock (another booking may have taken it since the client chose it);
    the appointment keeps its wall-clock zone and the client is told."""
    client, appt = get_appointment(request, client_id, appointment_id, "clinic.change_client")
    now = timezone.now()
    with transaction.atomic():
        _lock(client)
        appt.refresh_from_db()
        if appt.version != version:
            raise EditConflict(appt)
        asked = appt.reschedule_to
        if appt.status != AppointmentStatus.RESCHEDULE_ASKED or asked is None:
            raise InvalidInput({"appointment": [_("The client has not asked to move this appointment.")]})
        if asked <= now:
            raise InvalidInput(
                {"appointment": [_("The time the client asked for has passed: propose another.")]}
            )
        wall = times.local(asked, appt.time_zone)
        try:
            _check(appt.clinician, client.pk, [(wall.date(), asked)], appt.minutes, exclude=[appt.pk])
        except InvalidInput as exc:
            taken = [*exc.errors.get("day", []), _("That time is no longer free: propose another.")]
            raise InvalidInput({"appointment": taken}) from None
        _save(
            appt,
            version,
            starts_at=asked,
            local_date=wall.date(),
            local_time=wall.time().replace(tzinfo=None),
            status=AppointmentStatus.CONFIRMED,
            reschedule_to=None,
            sequence=appt.sequence + 1,
        )
        trail.record(request, Action.UPDATE, client=client, obj=appt, detail={"did": "accept_reschedule"})
        appt.refresh_from_db()
        reminders.plan(appt)
        notices.changed(client, appt, by_client=False)
    return appt


def _save(appt: Appointment, version: int, **values) -> None:
    updated = Appointment.objects.filter(
        pk=appt.pk, version=version, entered_in_error_at__isnull=True
    ).update(**values, version=version + 1, updated_at=timezone.now())
    if updated != 1:
        raise EditConflict(Appointment.objects.get(pk=appt.pk))


def _link_session(appt: Appointment) -> None:
    """An attended appointment of a course becomes (or joins) the course's Session of that date."""
    appt.refresh_from_db()
    course = appt.course
    if course is None or appt.session_id:
        return
    session = _session_on(course, appt.local_date)
    if session is None:
        last = course.sessions.order_by("-number").values_list("number", flat=True).first() or 0
        session = Session.objects.create(
            course=course, number=last + 1, date=appt.local_date, status="attended"
        )
    Appointment.objects.filter(pk=appt.pk).update(session=session)


# The client's side


def _mine(request, appointment_id: int) -> tuple[Client, Appointment]:
    from rapport.clinic.portal import my_record

    client = my_record(request)
    appt = (
        Appointment.objects.filter(pk=appointment_id, client=client, entered_in_error_at__isnull=True)
        .select_related("clinician")
        .first()
    )
    if appt is None:
        deny(request, client_id=client.pk, detail={"object_type": "Appointment"})
    return client, appt


def upcoming_for_client(client: Client, now=None) -> list[Appointment]:
    now = now or timezone.now()
    return list(
        Appointment.objects.filter(
            client=client, entered_in_error_at__isnull=True, starts_at__gte=now - timedelta(hours=2)
        ).select_related("clinician", "course")
    )


def _still_open(appt: Appointment, version: int, now) -> None:
    if appt.status not in HOLDING or appt.starts_at <= now:
        raise InvalidInput({"appointment": [_("This appointment can no longer be changed.")]})
    if appt.version != version:
        raise EditConflict(appt)


def confirm(request, appointment_id: int, version: int) -> Appointment:
    client, appt = _mine(request, appointment_id)
    now = timezone.now()
    with transaction.atomic():
        _still_open(appt, version, now)
        _save(appt, version, status=AppointmentStatus.CONFIRMED)
        trail.record(
            request, Action.UPDATE, client=client, obj=appt, detail={"by": "client", "did": "confirm"}
        )
        appt.refresh_from_db()
        notices.changed(client, appt, by_client=True)
    return appt


def cancel(request, appointment_id: int, version: int, now=None) -> Appointment:
    """The client cancels; under the late-cancellation window it is recorded as a late
    cancellation, which the contract's missed-session policy then applies to."""
    client, appt = _mine(request, appointment_id)
    now = now or timezone.now()
    with transaction.atomic():
        _still_open(appt, version, now)
        late = missed_sessions.is_late(appt, now, missed_sessions.policy_of(appt.course))
        status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        _save(appt, version, status=status, sequence=appt.sequence + 1)
        trail.record(request, Action.UPDATE, client=client, obj=appt, detail={"by": "client", "did": status})
        appt.refresh_from_db()
        notices.changed(client, appt, by_client=True)
    return appt


def free_times(appt: Appointment, now=None) -> list[datetime]:
    """Starts the clinician could offer instead: within their working hours over the next weeks,
    clear of their and the client's other appointments and of absences."""
    now = now or timezone.now()
    clinician = appt.clinician
    zone = clinician.organisation.time_zone
    hours = list(WorkingHours.objects.filter(clinician=clinician))
    length = timedelta(minutes=appt.minutes)
    today = times.local(now, zone).date()
    busy = [
        (a.starts_at, a.ends_at)
        for a in Appointment.objects.filter(
            models_q(clinician.pk, appt.client_id),
            status__in=HOLDING,
            entered_in_error_at__isnull=True,
            starts_at__gte=now - timedelta(days=1),
            starts_at__lt=now + timedelta(days=FREE_DAYS + 1),
        ).exclude(pk=appt.pk)
    ]
    away = list(Absence.objects.filter(clinician=clinician, last_day__gte=today))
    found = []
    for offset in range(1, FREE_DAYS + 1):
        day = today + timedelta(days=offset)
        if any(a.first_day <= day <= a.last_day for a in away):
            continue
        today_found = 0
        for block in (h for h in hours if h.weekday == day.weekday()):
            slot = datetime.combine(day, block.starts)
            while (
                (slot + length).time() <= block.ends
                and (slot + length).date() == day
                and today_found < PER_DAY
            ):
                start = times.instant(day, slot.time(), zone)
                if start > now and not any(s < start + length and start < e for s, e in busy):
                    found.append(start)
                    today_found += 1
                slot += SLOT_STEP
        if len(found) >= OFFERED:
            break
    return found[:OFFERED]


def ask_reschedule(request, appointment_id: int, version: int, choice: str) -> Appointment:
    """The client asks for one of the clinician's free times; the clinician then moves it."""
    client, appt = _mine(request, appointment_id)
    now = timezone.now()
    offered = {start.isoformat(): start for start in free_times(appt, now)}
    with transaction.atomic():
        _still_open(appt, version, now)
        if choice not in offered:
            raise InvalidInput({"choice": [_("Choose one of the times offered.")]})
        _save(appt, version, status=AppointmentStatus.RESCHEDULE_ASKED, reschedule_to=offered[choice])
        trail.record(
            request, Action.UPDATE, client=client, obj=appt, detail={"by": "client", "did": "reschedule"}
        )
        appt.refresh_from_db()
        notices.changed(client, appt, by_client=True)
    return appt


def next_appointments(client_ids, now=None) -> dict[int, Appointment]:
    """Each client's next appointment that holds a time, for the caseload."""
    now = now or timezone.now()
    found: dict[int, Appointment] = {}
    for appt in Appointment.objects.filter(
        client_id__in=client_ids, status__in=HOLDING, entered_in_error_at__isnull=True, starts_at__gte=now
    ).order_by("starts_at"):
        found.setdefault(appt.client_id, appt)
    return found


def wall_time(appt: Appointment) -> time:
    return appt.local_time
