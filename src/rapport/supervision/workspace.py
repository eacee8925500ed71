"""The supervisor's workspace: risk, progress and caseloads across the teams in view, in a fixed
number of queries however many clients those teams hold (counts are aggregated by the database;
the few per-course judgements that need the core's rules read one row per open course)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    DateField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import standing
from rapport.clinic.models import Client, Course, CourseStatus, Response, RiskAlert, Session, SessionStatus
from rapport.core import protocol, triage, workspace_rules
from rapport.supervision import figures, scope
from rapport.supervision.figures import ClinicianFigures

LIST_LIMIT = 25  # clients named under each progress flag; the count is always the full one
NOT_STARTED = "not_started"


@dataclass
class TierRow:
    tier: str
    total: int
    by_age: list[tuple[str, int]]  # (age label, open alerts of that age)
    overdue: int  # open past the tier's acknowledgement window


@dataclass
class Flagged:
    """Clients under one progress flag: the full count and the first few, by name."""

    key: str
    count: int = 0
    clients: list = field(default_factory=list)  # (client id, display name, clinician id)

    def add(self, client_id: int, name: str, clinician_id: int, named: bool = True) -> None:
        """Count the client; name them only when the viewer may open their record (`named`)."""
        self.count += 1
        if named and len(self.clients) < LIST_LIMIT:
            self.clients.append((client_id, name, clinician_id))

    @property
    def more(self) -> int:
        return self.count - len(self.clients)


@dataclass
class ClinicianRow:
    clinician: User
    caseload: int = 0
    phases: dict = field(default_factory=dict)  # phase id -> open courses in it
    figures: ClinicianFigures | None = None  # None for a clinician with no courses in view


@dataclass
class Workspace:
    teams: list
    risk: list[TierRow]
    age_labels: list[str]
    overdue_alerts: list  # only of clients the viewer may see
    progress: dict[str, Flagged]
    clinicians: list[ClinicianRow]
    phases: list  # (phase id, name) in protocol order, then "not started"
    no_measure_sessions: int
    names_clients: bool  # False for a programme lead who supervises none of the teams in view


def _name(full: str, preferred: str) -> str:
    return f"{full} ({preferred})" if preferred and preferred != full else full


def _clients(org_id: int, team_ids: list[int]):
    return Client.objects.filter(
        organisation_id=org_id, team_id__in=team_ids, entered_in_error_at__isnull=True
    )


def _span(hours: int) -> str:
    if hours % 24:
        return f"{hours} h"
    days = hours // 24
    return "1 day" if days == 1 else f"{days} days"


def _risk(clients, named_team_ids, now) -> tuple[list[TierRow], list[str], list]:
    rules = workspace_rules.rules()
    tiers = triage.triage_rules().tiers
    bounds = [timedelta(hours=h) for h in rules.alert_age_hours]
    open_alerts = RiskAlert.objects.filter(client__in=clients.values("pk"), status="open")
    late = Q(pk__in=[])
    for tier in tiers:
        if tier.acknowledge_within is not None:
            late |= Q(tier=tier.id, created_at__lt=now - tier.acknowledge_within)
    buckets = {}
    lower = now
    for i, bound in enumerate(bounds):
        buckets[f"age{i}"] = Count("pk", filter=Q(created_at__gt=now - bound, created_at__lte=lower))
        lower = now - bound
    buckets[f"age{len(bounds)}"] = Count("pk", filter=Q(created_at__lte=lower))
    found = {
        row["tier"]: row
        for row in open_alerts.values("tier").annotate(
            total=Count("pk"), overdue=Count("pk", filter=late), **buckets
        )
    }
    labels = [f"Under {_span(h)}" for h in rules.alert_age_hours] + [
        f"{_span(rules.alert_age_hours[-1])} or more"
    ]
    rows = []
    for tier in reversed(tiers):  # the most urgent first
        row = found.get(tier.id)
        if row is None and not tier.acknowledge_within:
            continue  # T0 raises no alert
        rows.append(
            TierRow(
                tier.id,
                row["total"] if row else 0,
                [(label, row[f"age{i}"] if row else 0) for i, label in enumerate(labels)],
                row["overdue"] if row else 0,
            )
        )
    overdue = list(
        open_alerts.filter(late, client__team_id__in=named_team_ids)
        .select_related("client")
        .only("pk", "tier", "created_at", "client__full_name", "client__preferred_name")
        .order_by("created_at")[:LIST_LIMIT]
    )
    return rows, labels, overdue


def _open_courses(clients):
    attended = Session.objects.filter(
        course=OuterRef("pk"), entered_in_error_at__isnull=True, status=SessionStatus.ATTENDED
    )
    scored = Response.objects.filter(
        course=OuterRef("pk"), entered_in_error_at__isnull=True, total__isnull=False
    )
    # tasks_done is a JSON list; its text holds the review task's quoted id once ticked (the same
    # test on SQLite and PostgreSQL).
    review = attended.annotate(tasks_text=Cast("tasks_done", TextField())).filter(
        tasks_text__contains=f'"{standing.REVIEW_TASK}"'
    )
    last_measured = scored.order_by("-answered_at").annotate(day=TruncDate("answered_at")).values("day")[:1]
    reached = attended.order_by().values("course").annotate(m=Max("number")).values("m")
    return (
        Course.objects.filter(client__in=clients.values("pk"), entered_in_error_at__isnull=True)
        .exclude(status=CourseStatus.ENDED)
        .annotate(
            reached=Coalesce(Subquery(reached, output_field=IntegerField()), 0),
            review_done=Exists(review),
            # The day of the latest scored measure; before any session when there is none.
            measured_on=Coalesce(Subquery(last_measured, output_field=DateField()), Value(date(1, 1, 1))),
        )
        .annotate(
            # Attended sessions held after the latest measure: in a row, none of them measured.
            unmeasured=Coalesce(
                Subquery(
                    attended.filter(date__gt=OuterRef("measured_on"))
                    .order_by()
                    .values("course")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
    )


def _series(courses) -> dict[int, dict[str, list]]:
    """(session number or date, total) points per instrument for each open course in view."""
    found: dict[int, dict[str, list]] = defaultdict(dict)
    for course_id, instrument, session, answered_at, total in (
        Response.objects.filter(
            course__in=courses.values("pk"), entered_in_error_at__isnull=True, total__isnull=False
        )
        .order_by("course", "answered_at", "id")
        .values_list("course", "instrument", "session_number", "answered_at", "total")
    ):
        found[course_id].setdefault(instrument, []).append(
            (session if session is not None else answered_at.date(), total)
        )
    return found


def _phase(variant: str, planned: int, reached: int) -> str:
    if not reached:
        return NOT_STARTED
    try:
        return protocol.position(reached, planned, variant).phase
    except (protocol.InvalidSession, KeyError, ValueError):
        return "middle"


def build(user, team_ids: list[int], now=None) -> Workspace:
    """The workspace of `team_ids`, which the caller took from scope.team_ids(user)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = workspace_rules.rules()
    clients = _clients(user.organisation_id, team_ids)
    # A programme lead sees every team's counts, but names only the clients of teams they
    # supervise: the names link to records that Client.objects.visible_to would refuse them.
    named = set(scope.supervised_teams(user).filter(pk__in=team_ids).values_list("pk", flat=True))
    risk, age_labels, overdue_alerts = _risk(clients, named, now)

    progress = {
        key: Flagged(key)
        for key in ("not_on_track", "deterioration", "review_overdue", "past_planned_end", "no_measure")
    }
    courses = _open_courses(clients)
    rows = list(
        courses.order_by("client__full_name", "client_id", "-started_on").values_list(
            "pk",
            "client_id",
            "client__full_name",
            "client__preferred_name",
            "client__responsible_clinician_id",
            "client__team_id",
            "variant",
            "planned_sessions",
            "status",
            "planned_end_on",
            "reached",
            "review_done",
            "unmeasured",
        )
    )
    series = _series(courses)
    phase_mix: dict[int, Counter] = defaultdict(Counter)
    for (
        pk,
        client_id,
        full,
        preferred,
        clinician_id,
        team_id,
        variant,
        planned,
        status,
        planned_end,
        reached,
        review_done,
        unmeasured,
    ) in rows:
        name = _name(full, preferred)
        shown = team_id in named
        flag = standing.off_track(series[pk]) if pk in series else None
        if flag is not None:
            progress["not_on_track"].add(client_id, name, clinician_id, shown)
            if flag.flag.reason == "deterioration":
                progress["deterioration"].add(client_id, name, clinician_id, shown)
        course = Course(planned_sessions=planned, status=status)
        review_at = standing.review_session(course)
        if review_at is not None and not review_done and reached >= review_at:
            progress["review_overdue"].add(client_id, name, clinician_id, shown)
        if planned_end is not None and planned_end < today:
            progress["past_planned_end"].add(client_id, name, clinician_id, shown)
        if unmeasured >= rules.no_measure_sessions:
            progress["no_measure"].add(client_id, name, clinician_id, shown)
        phase_mix[clinician_id][_phase(variant, planned, reached)] += 1

    caseloads = dict(
        clients.order_by()
        .values("responsible_clinician")
        .annotate(n=Count("pk"))
        .values_list("responsible_clinician", "n")
    )
    members = Team.members.through.objects.filter(team_id__in=team_ids).values("user_id")
    people = User.objects.filter(
        Q(pk__in=members, role=Role.CLINICIAN) | Q(pk__in=list(caseloads)),
        organisation_id=user.organisation_id,
    ).order_by("full_name")
    phases = [(p.id, p.name) for p in protocol.get().phases] + [(NOT_STARTED, "Not started")]
    wired = figures.clinician_figures(user, team_ids, [p.pk for p in people])
    clinicians = [
        ClinicianRow(
            p,
            caseloads.get(p.pk, 0),
            {phase: phase_mix[p.pk][phase] for phase, _ in phases} if p.pk in phase_mix else {},
            wired.get(p.pk),
        )
        for p in people
    ]
    return Workspace(
        teams=list(Team.objects.filter(pk__in=team_ids)),
        risk=risk,
        age_labels=age_labels,
        overdue_alerts=overdue_alerts,
        progress=progress,
        clinicians=clinicians,
        phases=phases,
        no_measure_sessions=rules.no_measure_sessions,
        names_clients=bool(named),
    )


def for_page(request, chosen: str | None) -> Workspace:
    """The workspace of the teams in view (narrowed to `chosen` when it is one of them), with the
    listing audited as every other list of clients is."""
    ids = scope.team_ids(request.user, chosen)
    data = build(request.user, ids)
    trail.record(request, Action.LIST, object_type="Workspace", detail={"teams": ids})
    return data
