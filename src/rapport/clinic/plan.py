"""The client's plan as the portal shows it: the formulation once shared, the goals, the sessions
so far, the agreed tasks and the progress charts (scores only). Computed here once; the page
only lays it out."""

from dataclasses import dataclass, field

from django.utils import timezone

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import measurement, portal, progress
from rapport.clinic.models import Client, Course, Formulation, Goal, Session, SessionStatus
from rapport.core import protocol


@dataclass
class ClientPlan:
    client: Client
    course: Course | None
    formulation: Formulation | None = None
    areas: list[str] = field(default_factory=list)  # problem-area names, in the course's variant
    goals: list[Goal] = field(default_factory=list)
    attended: int = 0
    planned: int = 0
    next_session: Session | None = None
    tasks: list[Session] = field(default_factory=list)  # with an agreed task, newest first
    charts: list[progress.InstrumentProgress] = field(default_factory=list)

    @property
    def left(self) -> int:
        return max(self.planned - self.attended, 0)


def my_plan(request, client: Client | None = None, *, audit: bool = True) -> ClientPlan:
    """The signed-in client's plan; opening it is one audited read."""
    client = client if client is not None else portal.my_record(request)
    course = measurement.current_course(client)
    plan = ClientPlan(client=client, course=course)
    if course is not None:
        # Only a formulation the therapist has shared, and its goals with it.
        plan.formulation = Formulation.objects.filter(
            course=course, entered_in_error_at__isnull=True, shared_on__isnull=False
        ).first()
        if plan.formulation is not None:
            spec = protocol.get()
            plan.areas = [
                spec.problem_area_name(area, course.variant)
                for area in (plan.formulation.primary_area, plan.formulation.secondary_area)
                if area
            ]
            plan.goals = list(Goal.objects.filter(course=course, entered_in_error_at__isnull=True))
        sessions = Session.objects.filter(course=course, entered_in_error_at__isnull=True)
        plan.attended = sessions.filter(status=SessionStatus.ATTENDED).count()
        plan.planned = course.planned_sessions
        plan.next_session = (
            sessions.filter(status=SessionStatus.SCHEDULED, date__gte=timezone.localdate())
            .order_by("date", "number")
            .first()
        )
        plan.tasks = portal.open_tasks(client, course)
        plan.charts = progress.for_course(course, request.user)
    if audit:
        trail.record(request, Action.READ, client=client, obj=course or client, object_type="Plan")
    return plan
