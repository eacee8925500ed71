"""The supervisor's workspace: risk, progress and caseloads across the teams in view, in a fixed
number of queries however many clients those teams hold.

Everything is counted by the database. The per-course judgements that need the core's rules ("not
on track", the mid-course review, the phase, sessions since the last measure) are made when the
record changes and kept on the course's programme summary (rapport.programme.progress), so the
workspace reads them as columns: COUNT ... FILTER and GROUP BY over the open courses' summaries,
plus a LIMITed list of the clients named under each flag. A planned end in the past depends on the
day, so it is compared with today here, in SQL.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import Client, RiskAlert
from rapport.core import protocol, triage, workspace_rules
from rapport.programme.models import CourseSummary
from rapport.programme.progress import NOT_STARTED
from rapport.supervision import figures, scope
from rapport.supervision.figures import ClinicianFigures

LIST_LIMIT = 25  # clients named under each progress flag; the count is always the full one
# Clinician rows on one page [U]: six teams of the generated size. A programme lead's view of a
# whole organisation (2,500 clinicians at 100,000 clients) would otherwise render every one of
# them with their figures; choosing a team shows its clinicians.
CLINICIAN_LIMIT = 60


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
    count: int = 0  # open courses under the flag, named or not
    # (client id, display name, clinician id), by name: only clients the viewer may open
    clients: list = field(default_factory=list)

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
    more_clinicians: int = 0  # clinicians past CLINICIAN_LIMIT, not listed


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


def _risk(org_id: int, team_ids: list[int], named_team_ids, now) -> tuple[list[TierRow], list[str], list]:
    rules = workspace_rules.rules()
    tiers = triage.triage_rules().tiers
    bounds = [timedelta(hours=h) for h in rules.alert_age_hours]
    # From the open alerts to their clients (a join), not from every client of the teams to
    # their alerts: the open alerts are few, a whole organisation's clients are not.
    open_alerts = RiskAlert.objects.filter(
        status="open",
        client__organisation_id=org_id,
        client__team_id__in=team_ids,
        client__entered_in_error_at__isnull=True,
    )
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


def _open_courses(org_id: int, team_ids: list[int]):
    """The summaries of the open courses of these teams' clients (both live, as `_clients`)."""
    return CourseSummary.objects.filter(
        organisation_id=org_id, team_id__in=team_ids, live=True, open=True
    ).order_by()


def _flags(today: date, no_measure_sessions: int) -> dict[str, Q]:
    """Each progress flag as a condition on the course's summary; what depends on the day is
    compared with today here, never stored."""
    return {
        "not_on_track": Q(not_on_track=True),
        "deterioration": Q(deteriorating=True),
        "review_overdue": Q(
            review_session__isnull=False, review_done=False, reached__gte=F("review_session")
        ),
        "past_planned_end": Q(planned_end_on__lt=today),
        "no_measure": Q(unmeasured__gte=no_measure_sessions),
    }


def _progress(courses, named: set[int], today: date, rules) -> dict[str, Flagged]:
    """One aggregate query for the counts; for each flag, one LIMITed query for the clients named
    (none when the viewer may name nobody)."""
    flags = _flags(today, rules.no_measure_sessions)
    counts = courses.aggregate(**{key: Count("pk", filter=flag) for key, flag in flags.items()})
    progress = {}
    for key, flag in flags.items():
        found = Flagged(key, counts[key] or 0)
        if named:
            rows = (
                courses.filter(flag, team_id__in=named)
                .order_by("course__client__full_name", "course__client_id", "-referred_on")
                .values_list(
                    "course__client_id",
                    "course__client__full_name",
                    "course__client__preferred_name",
                    "clinician_id",
                )[:LIST_LIMIT]
            )
            found.clients = [(pk, _name(full, pref), clinician) for pk, full, pref, clinician in rows]
        progress[key] = found
    return progress


def build(user, team_ids: list[int], now=None) -> Workspace:
    """The workspace of `team_ids`, which the caller took from scope.team_ids(user)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = workspace_rules.rules()
    clients = _clients(user.organisation_id, team_ids)
    # A programme lead sees every team's counts, but names only the clients of teams they
    # supervise: the names link to records that Client.objects.visible_to would refuse them.
    named = set(scope.supervised_teams(user).filter(pk__in=team_ids).values_list("pk", flat=True))
    risk, age_labels, overdue_alerts = _risk(user.organisation_id, team_ids, named, now)

    courses = _open_courses(user.organisation_id, team_ids)
    progress = _progress(courses, named, today, rules)
    # The clinicians of the teams (and anyone holding their clients), by name; a view over many
    # teams (a programme lead's organisation) lists the first CLINICIAN_LIMIT and counts the rest.
    members = Team.members.through.objects.filter(team_id__in=team_ids).values("user_id")
    # (Not a correlated EXISTS per member of staff: SQLite answered it through the team's clients
    # for each of them, 17 s for one team among 100,000 clients.)
    holders = clients.order_by().values("responsible_clinician")
    everyone = User.objects.filter(
        Q(pk__in=members, role=Role.CLINICIAN) | Q(pk__in=holders),
        organisation_id=user.organisation_id,
    ).order_by("full_name", "pk")
    people = list(everyone[:CLINICIAN_LIMIT])
    more = everyone.count() - len(people)  # always asked: the same queries at any size
    shown = [p.pk for p in people]
    caseloads = dict(
        Client.objects.filter(
            responsible_clinician__in=shown, team_id__in=team_ids, entered_in_error_at__isnull=True
        )
        .order_by()
        .values("responsible_clinician")
        .annotate(n=Count("pk"))
        .values_list("responsible_clinician", "n")
    )
    phase_mix: dict[int, Counter] = defaultdict(Counter)
    mix = courses.filter(clinician_id__in=shown).values("clinician_id", "phase").annotate(n=Count("pk"))
    for clinician_id, phase, n in mix.values_list("clinician_id", "phase", "n"):
        phase_mix[clinician_id][phase] += n
    phases = [(p.id, p.name) for p in protocol.get().phases] + [(NOT_STARTED, "Not started")]
    wired = figures.clinician_figures(user, team_ids, shown)
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
        more_clinicians=more,
    )


def for_page(request, chosen: str | None) -> Workspace:
    """The workspace of the teams in view (narrowed to `chosen` when it is one of them), with the
    listing audited as every other list of clients is."""
    ids = scope.team_ids(request.user, chosen)
    data = build(request.user, ids)
    trail.record(request, Action.LIST, object_type="Workspace", detail={"teams": ids})
    return data
