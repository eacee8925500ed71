"""A programme-scale organisation for benchmarks: N clients with years of invented history.

`generate(clients, seed)` writes an organisation whose clinicians hold about 40 clients each, in
teams of ten with a supervisor, every client with a course somewhere between referral and its end
(and some with a maintenance course after an acute one), weekly sessions, a PHQ-9 at every session
held and a GAD-7 every other one, following the trajectory of a responder, a non-responder or a
client who deteriorates; inventories, timelines, formulations and goals where the course has
reached them, and risk alerts wherever the real scorer (rapport.core.scoring) finds a risk answer.

It writes in bulk, around the services, so it is fast (100,000 clients in minutes) and writes no
audit rows: the data is invented and nobody read or changed it. The same seed and reference day
give the same rows, ids included. The production profile refuses it (see `RefusedInProduction`).

Over 800 lines on purpose: the trajectories, the record shapes and the bulk writers change together
whenever a benchmark's data must, and read best side by side.
"""

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, JSONField, Max
from django.utils import timezone

from rapport.accounts.models import Organisation, Role, Team, User
from rapport.clinic.models import (
    AlertDelivery,
    AlertSource,
    AlertStatus,
    Client,
    Course,
    DeliveryStatus,
    Formulation,
    Goal,
    InventoryEntry,
    Notification,
    RelapsePreventionPlan,
    Respondent,
    Response,
    RiskAlert,
    Session,
    TimelineEvent,
)
from rapport.core import instruments, scoring, triage
from rapport.demo.clinic import PASSWORD
from rapport.programme import summaries

CLIENTS_PER_CLINICIAN = 40
CLINICIANS_PER_TEAM = 10
DOMAIN = "load.rapport"

FIRST_NAMES = [
    "Ada",
    "Amir",
    "Ana",
    "Aoife",
    "Ben",
    "Bilal",
    "Carla",
    "Chen",
    "Dara",
    "Diego",
    "Edith",
    "Emeka",
    "Farah",
    "Femi",
    "Gita",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jade",
    "Jonah",
    "Kai",
    "Kemi",
    "Lars",
    "Lena",
    "Luca",
    "Maya",
    "Mehmet",
    "Mira",
    "Nadia",
    "Niall",
    "Noor",
    "Olga",
    "Omar",
    "Pavel",
    "Priya",
    "Quinn",
    "Rafael",
    "Rosa",
    "Sami",
    "Sara",
    "Tariq",
    "Tessa",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Bakker",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Farouk",
    "Garcia",
    "Haddad",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kaur",
    "Kowalski",
    "Lindqvist",
    "Mbeki",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okoro",
    "Oliveira",
    "Papadopoulos",
    "Quinlan",
    "Rahman",
    "Rossi",
    "Santos",
    "Schmidt",
    "Singh",
    "Sokolov",
    "Tanaka",
    "Thompson",
    "Usman",
    "Varga",
    "Walsh",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Zielinski",
    "Adeyemi",
]
PEOPLE = [
    ("Partner", "partner"),
    ("Mother", "parent"),
    ("Father", "parent"),
    ("Sister", "sibling"),
    ("Brother", "sibling"),
    ("Daughter", "child"),
    ("Son", "child"),
    ("Best friend", "friend"),
    ("Old school friend", "friend"),
    ("Manager", "colleague_or_boss"),
    ("Colleague", "colleague_or_boss"),
    ("Grandmother", "deceased"),
    ("Aunt", "other_family"),
    ("Neighbour", "other"),
]
STATUSES = ["ongoing", "ongoing", "strained", "ended"]
EVENTS = [
    ("Moved to a new city", "move_or_migration"),
    ("Started a new job", "job_start"),
    ("Lost my job", "job_loss"),
    ("My father died", "death"),
    ("Separated from my partner", "separation_or_divorce"),
    ("Got married", "marriage"),
    ("Our first child was born", "becoming_a_parent"),
    ("Started caring for my mother", "new_caring_role"),
    ("Retired", "retirement"),
    ("Falling-out with my sister", "conflict"),
    ("Diagnosed with diabetes", "new_diagnosis_or_disability"),
    ("Finished university", "graduation"),
    ("Children left home", "children_leaving_home"),
]
RESOLUTIONS = ["contacted", "safety_plan", "next_session", "no_risk"]
AREAS = ["grief", "role_dispute", "role_transition", "interpersonal_deficits"]
TASKS = [
    "Call one friend this week",
    "Talk with my partner about the chores",
    "Go to the Thursday walking group",
    "Write down what I miss about the old job",
    "Ask my sister to meet for coffee",
]
NOTES = [
    "Reviewed the week and the mood rating; linked the low days to the argument at home.",
    "Worked on the problem area; role-played the conversation with the manager.",
    "Talked about what was lost and what might replace it.",
    "Reviewed progress towards the goals; planned the coming week.",
]
GOALS = [
    "Talk through disagreements without withdrawing",
    "Rebuild a circle of friends in the new city",
    "Mourn the loss and take up old interests again",
    "Make one new social contact each week",
]


class RefusedInProduction(Exception):
    """Generated clients must never mix with real ones."""


class NotEmpty(Exception):
    """The generator writes a whole organisation into an empty database, ids included."""


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


class _Ids:
    """Explicit primary keys, so that a seed gives the same ids on any database."""

    def __init__(self):
        self._next = {}

    def __call__(self, model) -> int:
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value


class _Answers:
    """Answer sets adding up to a total, a few per total, each scored once by the real scorer.

    Reusing a small pool per total keeps 100,000 clients' worth of questionnaires fast while the
    answers still vary between responses."""

    VARIANTS = 12

    def __init__(self, seed: int):
        self.random = random.Random(f"answers-{seed}")
        self.pool: dict[tuple[str, int, int], list[tuple[str, scoring.Result]]] = {}
        self.definitions = {i: instruments.get(i) for i in ("phq9", "gad7")}

    def pick(self, rng: random.Random, instrument: str, total: int, risk: int = 0):
        """(answers as JSON, result) for `total`, with `risk` as the risk item's score (PHQ-9 item 9)."""
        key = (instrument, total, risk)
        options = self.pool.get(key)
        if options is None:
            options = self.pool[key] = [self._make(instrument, total, risk) for _ in range(self.VARIANTS)]
        return options[rng.randrange(len(options))]

    def _make(self, instrument: str, total: int, risk: int):
        items = self.definitions[instrument].items
        scores = {item.id: 0 for item in items if item.scored}
        free = [item.id for item in items if item.scored and not item.is_risk_item]
        for item in items:
            if item.is_risk_item:
                scores[item.id] = risk
                total -= risk
        remaining = min(total, 3 * len(free))
        while remaining > 0:
            i = self.random.choice(free)
            if scores[i] < 3:
                scores[i] += 1
                remaining -= 1
        # The unscored "how difficult" question follows the total, roughly.
        for item in items:
            if not item.scored:
                scores[item.id] = min(3, sum(scores.values()) // 7)
        answers = {
            item.id: next(o.code for o in item.options if o.score == scores[item.id]) for item in items
        }
        return json.dumps(answers), scoring.score(self.definitions[instrument], answers)


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _json(value):
    return value if isinstance(value, str) else json.dumps(value)


def _sqlite_datetime(value: datetime) -> str:
    # As Django's SQLite back-end stores it: naive UTC, ISO format with a space.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


_REQUIRED = object()


class _Table:
    """One table's rows, as dicts by column, written with one executemany (SQLite) or COPY
    (PostgreSQL): Django's bulk_create spends most of its time compiling SQL per row, which at
    this scale is most of the generator's time."""

    def __init__(self, model, now: datetime):
        self.model = model
        self.rows: list[dict] = []
        sqlite = connection.vendor == "sqlite"
        self.columns = []
        for f in model._meta.concrete_fields:
            convert = None
            if isinstance(f, JSONField):
                convert = _json
            elif sqlite and isinstance(f, DateTimeField):
                convert = _sqlite_datetime
            elif sqlite and isinstance(f, DateField):
                convert = date.isoformat
            if f.has_default():
                default = now if f.default is timezone.now else f.get_default()
            elif f.null or f.empty_strings_allowed:
                default = f.get_default()
            else:
                default = _REQUIRED
            if convert and default not in (None, _REQUIRED):
                default = convert(default)
            self.columns.append((f.attname, f.column, convert, default))

    def tuples(self):
        for row in self.rows:
            values = []
            for name, _column, convert, default in self.columns:
                value = row.get(name, default)
                if value is _REQUIRED:
                    raise KeyError(f"{self.model._meta.label}.{name} is required")
                if convert is not None and value is not None and name in row:
                    value = convert(value)
                values.append(value)
            yield values

    def write(self) -> int:
        if not self.rows:
            return 0
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c[1]) for c in self.columns)
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for values in self.tuples():
                    copy.write_row(values)
        elif connection.vendor == "sqlite":
            marks = ", ".join("?" * len(self.columns))
            connection.ensure_connection()
            connection.connection.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 (names from the models)
                self.tuples(),
            )
        else:
            self.model.objects.bulk_create(self.model(**row) for row in self.rows)
        written = len(self.rows)
        self.rows = []
        return written


class _Generator:
    def __init__(self, clients: int, seed: int, today: date, progress: Callable | None):
        self.n = clients
        self.seed = seed
        self.today = today
        self.now = datetime.combine(today, time(12), tzinfo=UTC)
        self.rng = random.Random(f"{seed}:staff")
        self.answers = _Answers(seed)
        self.id = _Ids()
        self.progress = progress
        self.summary = Summary()
        self.rules = triage.triage_rules()
        self.versions = {i: d.version for i, d in self.answers.definitions.items()}
        self.tables = {model: _Table(model, self.now) for model in self.ORDER}

    ORDER = [
        Team,
        User,
        Team.members.through,
        Team.supervisors.through,
        Client,
        Client.co_clinicians.through,
        Course,
        Session,
        Response,
        RiskAlert,
        Notification,
        AlertDelivery,
        InventoryEntry,
        TimelineEvent,
        TimelineEvent.people.through,
        Formulation,
        Goal,
        RelapsePreventionPlan,
    ]

    def add(self, model, **row) -> dict:
        row.setdefault("id", self.id(model))
        self.tables[model].rows.append(row)
        return row

    def flush(self):
        with transaction.atomic():
            for model in self.ORDER:
                written = self.tables[model].write()
                if written:
                    self.summary.add(model._meta.label, written)

    # Organisation, teams and staff.

    def staff(self):
        clinicians = max(1, math.ceil(self.n / CLIENTS_PER_CLINICIAN))
        teams = max(1, math.ceil(clinicians / CLINICIANS_PER_TEAM))
        self.org = Organisation.objects.create(
            id=self.id(Organisation),
            name=f"Generated programme (seed {self.seed})",
            time_zone="Europe/London",
        )
        self.summary.add(Organisation._meta.label, 1)
        # Every member of staff signs in with the demo password (hashed once: hashing is slow).
        password = make_password(PASSWORD)
        joined = datetime.combine(self.today - timedelta(days=6 * 365), time(9), tzinfo=UTC)
        teams = [self.add(Team, organisation_id=self.org.pk, name=f"Team {t + 1:03d}") for t in range(teams)]

        def person(email, role, title=""):
            return self.add(
                User,
                email=email,
                password=password,
                full_name=self._name(),
                role=role,
                clinician_title=title,
                organisation_id=self.org.pk,
                date_joined=joined,
            )

        titles = ["IPT therapist", "Lay counsellor", "Mental health nurse"]
        self.clinicians = [
            person(f"clinician-{c + 1}@{DOMAIN}", Role.CLINICIAN, self.rng.choice(titles))
            for c in range(clinicians)
        ]
        for t, team in enumerate(teams):
            supervisor = person(f"supervisor-{t + 1}@{DOMAIN}", Role.SUPERVISOR, "IPT supervisor")
            self.add(Team.supervisors.through, team_id=team["id"], user_id=supervisor["id"])
        person(f"admin@{DOMAIN}", Role.ADMINISTRATOR)
        person(f"lead@{DOMAIN}", Role.PROGRAMME_LEAD, "IPT programme lead")
        self.team_of = {}
        for c, clinician in enumerate(self.clinicians):
            team = teams[c // CLINICIANS_PER_TEAM]
            self.team_of[clinician["id"]] = team["id"]
            self.add(Team.members.through, team_id=team["id"], user_id=clinician["id"])
        self.flush()

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    # Clients, in chunks: a chunk's rows are built, then written table by table in one transaction.

    def clients(self, chunk: int):
        for i in range(self.n):
            self._client(i)
            if (i + 1) % chunk == 0 or i + 1 == self.n:
                self.flush()
                if self.progress:
                    self.progress(i + 1, self.n)

    def _client(self, i: int):
        # Each client draws from their own stream, so that the first thousand clients of a
        # 100,000-client organisation are those of a 1,000-client one (benchmarks compare them).
        rng = self.rng = random.Random(f"{self.seed}:{i}")
        c = i // CLIENTS_PER_CLINICIAN
        clinician = self.clinicians[c]["id"]
        account = None
        name = self._name()
        if rng.random() < 0.3:
            account = self.add(
                User,
                email=f"client-{i + 1}@{DOMAIN}",
                password="!generated",  # noqa: S106 (unusable: generated clients do not sign in)
                full_name=name,
                role=Role.CLIENT,
                organisation_id=self.org.pk,
                date_joined=self.now,
            )["id"]
        status, shape = self._shape(rng)
        created = datetime.combine(
            shape["started_on"] - timedelta(days=rng.randint(1, 20)), time(9), tzinfo=UTC
        )
        client = self.add(
            Client,
            organisation_id=self.org.pk,
            team_id=self.team_of[clinician],
            responsible_clinician_id=clinician,
            user_id=account,
            full_name=name,
            preferred_name=name.split()[0] if rng.random() < 0.2 else "",
            date_of_birth=self.today - timedelta(days=rng.randint(18 * 365, 75 * 365)),
            language="en",
            country="GB",
            time_zone="Europe/London",
            status=status,
            created_at=created,
            updated_at=created,
        )["id"]
        if rng.random() < 0.03:
            first = c // CLINICIANS_PER_TEAM * CLINICIANS_PER_TEAM
            mates = [
                m["id"] for m in self.clinicians[first : first + CLINICIANS_PER_TEAM] if m["id"] != clinician
            ]
            if mates:
                self.add(Client.co_clinicians.through, client_id=client, user_id=rng.choice(mates))
        who = (client, clinician, account)
        risky = rng.random() < 0.12  # a minority answer item 9 positively, often more than once
        if "acute_before" in shape:
            self._course(who, shape["acute_before"], risky)
        self._course(who, shape, risky)

    def _shape(self, rng: random.Random) -> tuple[str, dict]:
        """The client's status and the shape of their current course."""
        today = self.today
        roll = rng.random()
        kind = rng.choices(["responder", "non_responder", "deteriorating"], [0.55, 0.37, 0.08])[0]
        planned = 16 if rng.random() < 0.7 else 12
        shape = {"planned": planned, "kind": kind}
        if roll < 0.06:
            started = today - timedelta(days=rng.randint(0, 14))
            return "referred", {**shape, "status": "referred", "held": 0, "started_on": started}
        if roll < 0.14:
            started = today - timedelta(days=rng.randint(3, 21))
            return "assessment", {
                **shape,
                "status": "assessment",
                "held": 0,
                "started_on": started,
                "baseline": True,
                "next_in": rng.randint(1, 7),
            }
        if roll < 0.52:
            held, days = rng.randint(1, planned - 1), rng.randint(1, 6)
            started = today - timedelta(weeks=held) + timedelta(days=days)
            return "active", {
                **shape,
                "status": "active",
                "held": held,
                "started_on": started,
                "next_in": days,
            }
        if roll < 0.56:
            # Maintenance IPT, monthly, after an acute course that went well.
            held, days = rng.randint(1, 8), rng.randint(1, 27)
            started = today - timedelta(days=28 * held - days)
            acute = {
                "status": "ended",
                "held": 16,
                "planned": 16,
                "kind": "responder",
                "ending": "completed",
                "started_on": started - timedelta(days=28 + 7 * 15),
            }
            return "maintenance", {
                "status": "maintenance",
                "held": held,
                "planned": 12,
                "kind": "maintained",
                "started_on": started,
                "variant": "ipt_m",
                "interval": 28,
                "next_in": days,
                "acute_before": acute,
            }
        ending = rng.choices(["completed", "dropped_out", "referred_on"], [0.65, 0.3, 0.05])[0]
        if ending == "completed":
            held = planned
        elif ending == "dropped_out":
            held = rng.randint(1, 6)
            shape["kind"] = rng.choices(["responder", "non_responder", "deteriorating"], [0.25, 0.6, 0.15])[0]
        else:
            held = rng.randint(2, 8)
        ended = today - timedelta(days=rng.randint(14, 5 * 365))
        started = ended - timedelta(weeks=held - 1)
        return "ended", {**shape, "status": "ended", "held": held, "started_on": started, "ending": ending}

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=UTC)

    def _course(self, who, shape, risky):
        rng = self.rng
        interval = shape.get("interval", 7)
        held = shape["held"]
        started = shape["started_on"]
        ended_on = None
        if shape["status"] == "ended":
            ended_on = started + timedelta(days=interval * max(held - 1, 0))
        course = self.add(
            Course,
            client_id=who[0],
            variant=shape.get("variant", "ipt_individual"),
            status=shape["status"],
            ending_reason=shape.get("ending", ""),
            started_on=started,
            ended_on=ended_on,
            planned_sessions=shape["planned"],
            frequency="monthly" if interval == 28 else "weekly",
            session_minutes=50,
            contract_goals="Agreed with the client at the end of the initial phase." if held >= 3 else "",
            agreed_on=started + timedelta(days=interval * 2) if held >= 3 else None,
            created_at=self._at(started, 9),
            updated_at=self._at(ended_on or started, 17),
        )["id"]
        phq = self._trajectory(rng, shape["kind"], held, risky)
        if shape.get("baseline"):
            self._respond(who, course, None, self._at(started, 11), "phq9", *phq[0])
        last_task = False
        for n in range(1, held + 1):
            day = started + timedelta(days=interval * (n - 1))
            attended = n == 1 or rng.random() > 0.06
            task = attended and rng.random() < 0.5
            self.add(
                Session,
                course_id=course,
                number=n,
                date=day,
                status="attended" if attended else "missed",
                between_session_task=rng.choice(TASKS) if task else "",
                task_review="It went partly to plan."
                if attended and last_task and rng.random() < 0.85
                else "",
                note=rng.choice(NOTES) if attended else "",
                created_at=self._at(day, 9),
                updated_at=self._at(day, 11),
            )
            if attended:
                last_task = task
                at = self._at(day, 9, 30)
                self._respond(who, course, n, at, "phq9", *phq[n - 1])
                if n % 2 == 1 and interval == 7:
                    gad = _clip(0.7 * phq[n - 1][0] + rng.gauss(0, 2), 0, 21)
                    self._respond(who, course, n, at + timedelta(minutes=5), "gad7", gad)
        if "next_in" in shape:
            self.add(
                Session, course_id=course, number=held + 1, date=self.today + timedelta(days=shape["next_in"])
            )
        if held >= 2 and interval == 7:
            self._initial_phase(course, started, held, shape)

    def _trajectory(self, rng, kind: str, sessions: int, risky: bool) -> list[tuple[int, int]]:
        """PHQ-9 (total, item 9) for each session, baseline first."""
        count = max(sessions, 1)
        if kind == "maintained":
            totals = [_clip(rng.gauss(5, 2.5), 0, 27) for _ in range(count)]
        else:
            baseline = _clip(rng.gauss(17, 4), 10, 27)
            if kind == "responder":
                target, tau = baseline * rng.uniform(0.2, 0.5), rng.uniform(2.5, 5)
                means = [target + (baseline - target) * math.exp(-s / tau) for s in range(count)]
            elif kind == "non_responder":
                slope = rng.uniform(-0.25, 0.1)
                means = [baseline + slope * s for s in range(count)]
            else:
                slope = rng.uniform(0.2, 0.6)
                means = [baseline + slope * s for s in range(count)]
            totals = [_clip(m + (rng.gauss(0, 1.5) if s else 0), 0, 27) for s, m in enumerate(means)]
        result = []
        for total in totals:
            chance = (0.35 if risky else 0.01) * min(1.0, total / 15)
            item9 = 0
            if total and rng.random() < chance:
                item9 = min(total, rng.choices([1, 2, 3], [0.7, 0.2, 0.1])[0])
            result.append((total, item9))
        return result

    def _respond(self, who, course, number, at, instrument, total, risk=0):
        rng = self.rng
        client, clinician, account = who
        answers, result = self.answers.pick(rng, instrument, total, risk)
        by_client = account is not None and rng.random() < 0.6
        response = self.add(
            Response,
            client_id=client,
            course_id=course,
            session_number=number,
            instrument=instrument,
            instrument_version=self.versions[instrument],
            answered_by_id=account if by_client else clinician,
            respondent=Respondent.CLIENT if by_client else Respondent.CLINICIAN,
            answered_at=at,
            answers=answers,
            complete=result.complete,
            total=result.total,
            band=result.band or "",
            risk_flags=list(result.risk_flags),
            unanswered_risk_items=list(result.unanswered_risk_items),
            risk_level=result.risk_level,
            created_at=at,
            updated_at=at,
        )["id"]
        if result.risk_level == "none" and not result.risk_flags:
            return
        # As alerts.raise_for_response: a positive risk item always alerts. Recent alerts are
        # still open (waiting for their acknowledgement deadline) or acknowledged; older ones
        # were resolved the next day.
        level = result.risk_level if result.risk_level != "none" else self.rules.levels[1]
        tier = self.rules.tier_for(level)
        state = {"status": AlertStatus.CLOSED}
        if (self.now - at).days <= 14:
            state["status"] = AlertStatus.OPEN if rng.random() < 0.6 else AlertStatus.ACKNOWLEDGED
        if state["status"] == AlertStatus.OPEN:
            within = self.rules.tier(tier).acknowledge_within
            state["escalate_at"] = at + within if within else None
        else:
            state.update(
                acknowledged_at=at + timedelta(hours=2),
                acknowledged_by_id=clinician,
                acknowledgement_note="Called the client.",
            )
        if state["status"] == AlertStatus.CLOSED:
            state.update(
                resolved_at=at + timedelta(days=1),
                resolved_by_id=clinician,
                resolution_action=rng.choice(RESOLUTIONS),
                resolution_note="Risk assessed with the client; the safety plan reviewed.",
            )
        alert = self.add(
            RiskAlert,
            client_id=client,
            response_id=response,
            source=AlertSource.QUESTIONNAIRE,
            tier=tier,
            risk_level=level,
            reasons=[*result.fired_rules, *(f"item:{i}" for i in result.risk_flags)],
            created_at=at,
            **state,
        )["id"]
        self.add(
            Notification,
            recipient_id=clinician,
            client_id=client,
            alert_id=alert,
            subject=f"Risk alert ({tier}) for client #{client}",
            body="Open the alert to acknowledge it and record what was done.",
            created_at=at,
            read_at=None if state["status"] == AlertStatus.OPEN else at + timedelta(hours=2),
        )
        self.add(
            AlertDelivery,
            alert_id=alert,
            recipient_id=clinician,
            status=DeliveryStatus.SENT,
            attempts=1,
            next_attempt_at=at,
            created_at=at,
            sent_at=at + timedelta(minutes=1),
        )

    def _initial_phase(self, course, started, held, shape):
        """Inventory and timeline from session 2; formulation and goals from session 4; a
        relapse-prevention plan at a completed ending."""
        rng = self.rng
        stamp = self._at(started + timedelta(days=7), 11)
        stamps = {"created_at": stamp, "updated_at": stamp}
        people = [
            self.add(
                InventoryEntry,
                course_id=course,
                person_label=label,
                closeness_ring=rng.randint(1, 3),
                values={"relationship_type": kind, "current_status": rng.choice(STATUSES)},
                **stamps,
            )["id"]
            for label, kind in rng.sample(PEOPLE, rng.randint(3, 6))
        ]
        for what, kind in rng.sample(EVENTS, rng.randint(2, 5)):
            event = self.add(
                TimelineEvent,
                course_id=course,
                start=started - timedelta(days=rng.randint(60, 8 * 365)),
                event=what,
                kind=kind,
                mood_rating=rng.randint(-3, 2),
                **stamps,
            )["id"]
            if rng.random() < 0.5:
                self.add(
                    TimelineEvent.people.through, timelineevent_id=event, inventoryentry_id=rng.choice(people)
                )
        if held < 4:
            return
        area = rng.choice(AREAS)
        agreed = started + timedelta(days=21)
        stamps = {"created_at": self._at(agreed, 11), "updated_at": self._at(agreed, 11)}
        self.add(
            Formulation,
            course_id=course,
            primary_area=area,
            onset=started - timedelta(days=rng.randint(60, 400)),
            text="The low mood began around the events on the timeline; we agreed to work on this area.",
            shared_on=agreed,
            agreed_on=agreed,
            **stamps,
        )
        for order in range(2):
            self.add(Goal, course_id=course, problem_area=area, text=rng.choice(GOALS), order=order, **stamps)
        if shape.get("ending") == "completed":
            end = self._at(started + timedelta(weeks=held - 1), 11)
            self.add(
                RelapsePreventionPlan,
                course_id=course,
                sections={"warning_signs": "Sleeping badly; not answering friends."},
                ending="improved" if shape["kind"] == "responder" else "not_improved",
                created_at=end,
                updated_at=end,
            )

    def finish(self):
        # Explicit ids leave PostgreSQL's sequences behind; SQLite follows the largest id itself.
        models = [Organisation, *self.ORDER]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        # The rows above were written without the ORM's signals: the programme's per-course
        # summaries are built once, here.
        summaries.refresh_all()


def generate(
    clients: int,
    seed: int,
    *,
    today: date | None = None,
    chunk: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write an organisation with `clients` clients into an empty database; see the module doc."""
    if settings.PRODUCTION:
        raise RefusedInProduction("Generated data is never loaded under the production profile.")
    if clients < 1:
        raise ValueError("Generate at least one client.")
    if Organisation.objects.exists():
        raise NotEmpty("The database already holds an organisation.")
    generator = _Generator(clients, seed, today or timezone.localdate(), progress)
    generator.staff()
    generator.clients(chunk)
    generator.finish()
    return generator.summary
