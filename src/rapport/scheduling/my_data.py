"""The client's appointments and consents in their own copy of what Rapport holds
(clinic/my_data.py): times as the client was shown them, in the appointment's own time zone."""

from rapport.clinic.my_data import Item, section
from rapport.scheduling.models import Appointment, Consent


@section("appointments", "Your appointments")
def _appointments(request, client) -> list[Item]:
    return [
        {
            "Date": a.local_date,
            "Time": a.local_time.strftime("%H:%M"),
            "Time zone": a.time_zone,
            "Length (minutes)": a.minutes,
            "How": a.get_format_display(),
            "Place": a.place,
            "Status": a.get_status_display(),
        }
        for a in Appointment.objects.filter(client=client).order_by("starts_at")
    ]


@section("consents", "What you agreed to")
def _consents(request, client) -> list[Item]:
    return [
        {
            "Consent to": c.get_kind_display(),
            "Wording version": c.wording_version,
            "Given on": c.given_on,
            "Given by": c.caregiver_name if c.given_by == "caregiver" else "You",
            "Withdrawn on": c.withdrawn_on,
        }
        for c in Consent.objects.filter(client=client).order_by("given_on", "id")
    ]
