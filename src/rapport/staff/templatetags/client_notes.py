"""What the client wrote before a session, for the top of the clinician's session note."""

from django import template

from rapport.clinic import portal
from rapport.clinic.models import Session, SessionStatus, TaskReport

register = template.Library()


@register.inclusion_tag("staff/_since_we_last_met.html")
def since_we_last_met(session: Session) -> dict:
    notes = portal.preparations_before(session)
    # The task agreed at the previous session held, and the client's own account of it.
    previous = (
        Session.objects.filter(
            course_id=session.course_id,
            number__lt=session.number,
            status=SessionStatus.ATTENDED,
            entered_in_error_at__isnull=True,
        )
        .exclude(between_session_task="")
        .order_by("-number")
        .first()
    )
    report = (
        TaskReport.objects.filter(session=previous, entered_in_error_at__isnull=True).first()
        if previous
        else None
    )
    return {
        # Notes the client has sent; a draft they have not sent yet is only mentioned.
        "preparations": [p for p in notes if p.shared_at is not None],
        "unsent": sum(1 for p in notes if p.shared_at is None),
        "previous": previous,
        "report": report,
    }
