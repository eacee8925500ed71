"""A clinician's working hours and absences (their own to set; read in the organisation's zone)."""

from datetime import date, time

from django.utils.translation import gettext as _

from rapport.common.errors import InvalidInput
from rapport.scheduling.models import Absence, WorkingHours

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _time(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput({field: [_("Enter a time such as 09:00.")]}) from None


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput({field: [_("Enter a date.")]}) from None


def add_hours(request, data) -> WorkingHours:
    try:
        weekday = int(data.get("weekday", ""))
    except ValueError:
        weekday = -1
    if not 0 <= weekday <= 6:
        raise InvalidInput({"weekday": [_("Choose a day.")]})
    starts, ends = _time(data.get("starts", ""), "starts"), _time(data.get("ends", ""), "ends")
    if ends <= starts:
        raise InvalidInput({"ends": [_("The end is before the start.")]})
    return WorkingHours.objects.create(clinician=request.user, weekday=weekday, starts=starts, ends=ends)


def remove_hours(request, hours_id: str) -> None:
    WorkingHours.objects.filter(
        clinician=request.user, pk=int(hours_id) if hours_id.isdigit() else 0
    ).delete()


def add_absence(request, data) -> Absence:
    first, last = _date(data.get("first_day", ""), "first_day"), _date(data.get("last_day", ""), "last_day")
    if last < first:
        raise InvalidInput({"last_day": [_("The last day is before the first.")]})
    return Absence.objects.create(clinician=request.user, first_day=first, last_day=last)


def of(user) -> dict:
    return {
        "hours": list(WorkingHours.objects.filter(clinician=user)),
        "absences": list(Absence.objects.filter(clinician=user)),
    }
