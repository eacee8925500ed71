"""The contract's missed-session policy applied to appointments: when a cancellation is late, and
how many of the contract's sessions a course has used (attended, plus the late cancellations and
sessions not attended that the policy counts). The policy is the course's (Course.late_cancel_hours,
late_cancel_counts, no_show_counts); an appointment outside any course uses the same defaults."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rapport.clinic.models import Course, SessionStatus
from rapport.scheduling.models import Appointment, AppointmentStatus


@dataclass(frozen=True)
class Policy:
    late_cancel_hours: int = 24  # [U] the Course field's default
    late_cancel_counts: bool = True
    no_show_counts: bool = True


def policy_of(course: Course | None) -> Policy:
    if course is None:
        return Policy()
    return Policy(course.late_cancel_hours, course.late_cancel_counts, course.no_show_counts)


def is_late(appt: Appointment, now: datetime, policy: Policy) -> bool:
    """A cancellation is late when it comes under the policy's window before the start."""
    return appt.starts_at - now < timedelta(hours=policy.late_cancel_hours)


@dataclass(frozen=True)
class Usage:
    planned: int
    attended: int
    late_cancelled: int  # all of them, counted or not
    not_attended: int
    policy: Policy

    @property
    def used(self) -> int:
        counted = self.attended
        if self.policy.late_cancel_counts:
            counted += self.late_cancelled
        if self.policy.no_show_counts:
            counted += self.not_attended
        return counted

    @property
    def left(self) -> int:
        return max(self.planned - self.used, 0)


def usage(course: Course) -> Usage:
    """Sessions used against the contract. A session not attended is counted once, whether the
    clinician marked the appointment "did not attend" or the session record "missed"."""
    sessions = course.sessions.filter(entered_in_error_at__isnull=True)
    attended = sessions.filter(status=SessionStatus.ATTENDED).count()
    missed_sessions = sessions.filter(status=SessionStatus.MISSED).count()
    appointments = Appointment.objects.filter(course=course, entered_in_error_at__isnull=True)
    late = appointments.filter(status=AppointmentStatus.LATE_CANCELLED).count()
    # A did-not-attend appointment linked to a "missed" session record is one missed session.
    no_show = (
        appointments.filter(status=AppointmentStatus.NO_SHOW)
        .exclude(session__status=SessionStatus.MISSED)
        .count()
    )
    return Usage(
        planned=course.planned_sessions,
        attended=attended,
        late_cancelled=late,
        not_attended=no_show + missed_sessions,
        policy=policy_of(course),
    )


def in_plain_words(policy: Policy, planned: int | None = None) -> str:
    """The policy as the client reads it before cancelling."""
    hours = ngettext(
        "A cancellation less than %(n)s hour before the session is a late cancellation.",
        "A cancellation less than %(n)s hours before the session is a late cancellation.",
        policy.late_cancel_hours,
    ) % {"n": policy.late_cancel_hours}
    if policy.late_cancel_counts:
        counts = _("A late cancellation uses up one of your sessions.")
    else:
        counts = _("A late cancellation does not use up one of your sessions.")
    if planned:
        counts += " " + _("You agreed to %(n)s sessions.") % {"n": planned}
    return f"{hours} {counts}"


def late_warning(policy: Policy) -> str:
    """What the client reads beside Cancel once a cancellation would be late."""
    if policy.late_cancel_counts:
        return _(
            "This session starts in less than %(n)s hours: if you cancel now, it counts as a late "
            "cancellation and uses up one of your sessions."
        ) % {"n": policy.late_cancel_hours}
    return _(
        "This session starts in less than %(n)s hours: if you cancel now, it is recorded as a late "
        "cancellation (it does not use up one of your sessions)."
    ) % {"n": policy.late_cancel_hours}
