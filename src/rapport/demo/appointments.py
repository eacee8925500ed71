"""The demo's appointments, booked through the scheduling services as a clinician would: working
hours for every clinician, the weekly series of every active course (Jordan Ellis's first one by
video, after consent to online sessions), the consents, and Dr Okafor's calendar feed."""

from datetime import time, timedelta
from types import SimpleNamespace

from rapport.accounts.models import Role, User
from rapport.clinic.models import Client, CourseStatus
from rapport.scheduling import booking, calendar, consents
from rapport.scheduling.models import WorkingHours


def _request(user):
    return SimpleNamespace(user=user, META={}, id=None, resolver_match=None)


def load(today) -> str:
    """Book the demo's appointments; return the feed address of therapist@demo.rapport."""
    for clinician in User.objects.filter(role=Role.CLINICIAN):
        for weekday in range(5):
            WorkingHours.objects.create(clinician=clinician, weekday=weekday, starts=time(9), ends=time(17))
    first_day = today + timedelta(days=(7 - today.weekday()) % 7 or 7)  # next Monday
    slot: dict[int, int] = {}
    for client in Client.objects.filter(courses__status=CourseStatus.ACTIVE).select_related(
        "responsible_clinician"
    ):
        clinician = client.responsible_clinician
        request = _request(clinician)
        given = first_day - timedelta(days=30)
        for kind in ("treatment", "reminders"):
            consents.record(
                request,
                client.pk,
                consents.ConsentGiven(kind=kind, wording_version="1", given_on=given, given_by="client"),
            )
        n = slot.get(clinician.pk, 0)
        slot[clinician.pk] = n + 1
        day = first_day + timedelta(days=n // 4)
        at = time(10 + n % 4 + (1 if n % 4 >= 2 else 0))  # 10, 11, 13, 14: lunch kept free
        common = {"day": day, "at": at, "time_zone": client.time_zone, "minutes": None}
        if client.full_name == "Jordan Ellis":
            consents.record(
                request,
                client.pk,
                consents.ConsentGiven(
                    kind="online",
                    wording_version="1",
                    given_on=given,
                    given_by="client",
                    risks_explained=True,
                    dropped_call_plan="Dr Okafor phones back on the mobile number on file",
                    emergency_plan="Nearest emergency department: Larkfield General; contact: a flatmate",
                    client_location="At home, in a private room",
                ),
            )
            booking.book(request, client.pk, booking.Slot(**common, format="video"))
            common["day"] = day + timedelta(weeks=1)
            booking.book_series(
                request, client.pk, booking.Slot(**common, format="in_person", place="Room 2"), 3
            )
        else:
            booking.book_series(
                request, client.pk, booking.Slot(**common, format="in_person", place="Room 1"), 4
            )
    therapist = User.objects.get(email="therapist@demo.rapport")
    _feed, token = calendar.issue_feed(clinician=therapist)
    return token
