from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Organisation, Role, Team, User
from rapport.clinic import courses, formulation, inventory, measurement, portal, safety_plans, timeline
from rapport.clinic.models import Client, Course
from rapport.demo import appointments, clinic, directory
from rapport.demo import groups as demo_groups
from rapport.demo import referrals as demo_referrals
from rapport.messaging import clinic_notices, digest, threads
from rapport.programme.summaries import deferred
from rapport.scheduling import consents
from rapport.supervision import reviews, service


class Command(BaseCommand):
    help = "Load the invented demo clinic into an empty database (never under the production profile)."

    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo clinic is never loaded under the production profile.")
        if Organisation.objects.exists():
            self.stdout.write("The database already holds data; the demo clinic was not loaded.")
            return
        today = timezone.localdate()
        # deferred(): each course's programme summary is computed once, at the end, not per save.
        with transaction.atomic(), deferred():
            org = Organisation.objects.create(**clinic.ORGANISATION)
            teams = {name: Team.objects.create(organisation=org, name=name) for name in clinic.TEAMS}
            people = {}
            for email, name, role, title, team in clinic.STAFF:
                user = User.objects.create_user(
                    email, clinic.PASSWORD, full_name=name, role=role, clinician_title=title, organisation=org
                )
                people[email] = user
                if team:
                    teams[team].members.add(user)
            for team in teams.values():
                team.supervisors.add(people["supervisor@demo.rapport"])
            for full, preferred, dob, status, responsible, co, account in clinic.CLIENTS:
                clinician = people[responsible]
                user = None
                if account:
                    user = User.objects.create_user(
                        account, clinic.PASSWORD, full_name=full, role=Role.CLIENT, organisation=org
                    )
                client = Client.objects.create(
                    organisation=org,
                    team=clinician.teams.first(),
                    responsible_clinician=clinician,
                    user=user,
                    full_name=full,
                    preferred_name=preferred,
                    date_of_birth=dob,
                    language="en",
                    country="GB",
                    time_zone=org.time_zone,
                    status=status,
                )
                if co:
                    client.co_clinicians.add(people[co])
                weeks = len(clinic.MEASURES.get(full, ([],))[0])
                course = Course.objects.create(client=client, started_on=today - timedelta(weeks=weeks + 1))
                if full in clinic.MEASURES:
                    self._measures(clinician, client, *clinic.MEASURES[full])
                    self._sessions(clinician, client, weeks, ended=status == "ended")
                if full == "Jordan Ellis":
                    self._initial_phase(clinician, client)
                    self._portal(clinician, client)
                Course.objects.filter(pk=course.pk).update(
                    status=status,
                    planned_sessions=12 if weeks <= 6 or weeks == 12 else 16,
                    variant="ipt_m" if status == "maintenance" else "ipt_individual",
                    agreed_on=today - timedelta(weeks=max(weeks - 2, 0)) if weeks >= 3 else None,
                    ending_reason=("completed" if weeks > 2 else "dropped_out") if status == "ended" else "",
                    contract_goals="Agreed with the client at the end of the initial phase."
                    if weeks >= 3
                    else "",
                )
            for past in clinic.PAST_CLIENTS:
                self._past_client(org, people, *past)
            self._supervision(people, teams, today)
            demo_groups.load(org, teams, clinic.PASSWORD, today)
            token = appointments.load(today)
            directory.load(people, org)
            demo_referrals.load(people)
        # The worker sends the clinicians' daily digest from now on.
        digest.ensure_scheduled()
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo clinic: {Client.objects.count()} clients."))
        # Only the token's digest is stored, so the address can be shown now and never again.
        feed = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("calendar_feed", args=[token])
        self.stdout.write(f"Calendar feed of therapist@demo.rapport: {feed}")

    def _supervision(self, people, teams, today):
        """A site for every team, and one case review of Jordan's course with an action due soon,
        through the services as the administrator and the supervisor would make them."""
        admin = SimpleNamespace(user=people["admin@demo.rapport"], META={}, id=None, resolver_match=None)
        service.save_site(admin, service.SiteDetails(clinic.SITE, [t.pk for t in teams.values()]))
        supervisor = SimpleNamespace(
            user=people["supervisor@demo.rapport"], META={}, id=None, resolver_match=None
        )
        jordan = Client.objects.get(full_name="Jordan Ellis")
        reviews.create(
            supervisor,
            reviews.NewReview(
                held_on=today,
                client=jordan.pk,
                clinician=None,
                discussion=clinic.REVIEW_DISCUSSION,
                actions=[reviews.ActionItem(clinic.REVIEW_ACTION, today + timedelta(days=5))],
            ),
        )

    def _past_client(self, org, people, full, dob, responsible, ended_ago, reason, area, phq9, gad7):
        """A client whose course ended `ended_ago` weeks ago, recorded through the same services."""
        clinician = people[responsible]
        today = timezone.localdate()
        weeks = len(phq9)
        client = Client.objects.create(
            organisation=org,
            team=clinician.teams.first(),
            responsible_clinician=clinician,
            full_name=full,
            date_of_birth=dob,
            language="en",
            country="GB",
            time_zone=org.time_zone,
            status="ended",
        )
        course = Course.objects.create(
            client=client, started_on=today - timedelta(weeks=ended_ago + weeks + 2)
        )
        self._measures(clinician, client, phq9, {}, gad7, ago=ended_ago)
        self._sessions(clinician, client, weeks, ended=True, ago=ended_ago)
        if weeks >= 3:
            request = SimpleNamespace(user=clinician, META={}, id=None, resolver_match=None)
            shared = today - timedelta(weeks=ended_ago + weeks - 3)
            values = formulation.FormulationValues(
                onset=None,
                cues={},
                primary_area=area,
                secondary_area="",
                dispute_stage="renegotiation" if area == "role_dispute" else "",
                text="",
                shared_on=shared,
                agreed_on=shared,
            )
            formulation.update(request, client.pk, values, 0)
        Course.objects.filter(pk=course.pk).update(
            status="ended",
            planned_sessions=12,
            ending_reason=reason,
            ended_on=today - timedelta(weeks=ended_ago),
            agreed_on=course.started_on + timedelta(weeks=3) if weeks >= 3 else None,
        )

    def _initial_phase(self, clinician, client):
        """Inventory, timeline and an agreed formulation, through the same services as the pages."""
        request = SimpleNamespace(user=clinician, META={}, id=None, resolver_match=None)
        today = timezone.localdate()
        for person in clinic.JORDAN_INVENTORY:
            entry = inventory.Entry(
                person_label=person["person_label"],
                closeness_ring=int(person["closeness_ring"]),
                values={k: v for k, v in person.items() if k not in inventory.COLUMNS},
            )
            inventory.add_entry(request, client.pk, entry)
        for weeks_ago, what, kind, mood in clinic.JORDAN_TIMELINE:
            start = today - timedelta(weeks=weeks_ago)
            event = timeline.Event(start=start, end=None, event=what, kind=kind, mood_rating=mood)
            timeline.add_event(request, client.pk, event)
        shared = today - timedelta(weeks=3)
        values = formulation.FormulationValues(
            onset=today - timedelta(weeks=20),
            cues={},
            primary_area="role_transition",
            secondary_area="",
            dispute_stage="",
            text=clinic.JORDAN_FORMULATION,
            shared_on=shared,
            agreed_on=shared,
        )
        formulation.update(request, client.pk, values, 0)
        formulation.start_goals(request, client.pk)

    def _portal(self, clinician, client):
        """What the clinician set up for the client's portal: check-ins, a message, a safety plan."""
        request = SimpleNamespace(user=clinician, META={}, id=None, resolver_match=None)
        portal.set_schedule(request, client.pk, "phq9", "before_session", True)
        portal.set_schedule(request, client.pk, "gad7", "fortnightly", True)
        clinic_notices.send(request, client.pk, clinic.JORDAN_MESSAGE)
        safety_plans.save(request, client.pk, clinic.JORDAN_SAFETY_PLAN, 0, reviewed_together=True)
        self._thread(clinician, client)

    def _thread(self, clinician, client):
        """A secure-message thread, written through the same service as the pages: the client's
        question, the clinician's answer, and a last note from the clinician the client has not
        read yet (so the portal's badge shows one)."""
        as_client = SimpleNamespace(user=client.user, META={}, id=None, resolver_match=None)
        as_clinician = SimpleNamespace(user=clinician, META={}, id=None, resolver_match=None)
        # The thread is open only with the client's consent to messages, recorded as a clinician would.
        agreed = consents.ConsentGiven(
            kind="messages",
            wording_version="1",
            given_on=timezone.localdate() - timedelta(days=30),
            given_by="client",
        )
        consents.record(as_clinician, client.pk, agreed)
        for who, body in clinic.JORDAN_THREAD:
            threads.send(as_client if who == "client" else as_clinician, client.pk, body)

    def _sessions(self, clinician, client, weeks, *, ended, ago=0):
        """Weekly sessions through the course service: held ones attended, then the next one booked
        (`ago`: weeks before today that the last one was held, for a past client)."""
        request = SimpleNamespace(user=clinician, META={}, id=None, resolver_match=None)
        start = timezone.localdate() - timedelta(weeks=weeks + ago) + timedelta(days=3)  # next one in 3 days
        for week in range(weeks + (0 if ended else 1)):
            session = courses.add_session(request, client.pk, start + timedelta(weeks=week))
            if week < weeks:
                held = courses.SessionNote(
                    date=session.date,
                    status="attended",
                    phase_override="",
                    phase_override_reason="",
                    tasks_done=[],
                    techniques=[],
                    step_notes={},
                    problem_area_progress=None,
                    between_session_task="",
                    task_review="",
                    goal_ratings={},
                    note="",
                )
                courses.update_session(request, client.pk, session.pk, held, session.version)

    def _measures(self, clinician, client, phq9, item9, gad7, ago=0):
        """Record the questionnaires through the same service as the pages, back-dated weekly."""
        request = SimpleNamespace(user=clinician, META={}, id=None, resolver_match=None)
        start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(
            weeks=len(phq9) + ago
        )
        for session, total in enumerate(phq9, start=1):
            when = start + timedelta(weeks=session - 1)
            answers = spread("item", 9, total, last=item9.get(session, 0))
            measurement.record_response(request, client.pk, "phq9", answers, session, when)
        for i, total in enumerate(gad7):
            session = 1 + 2 * i
            when = start + timedelta(weeks=session - 1, minutes=5)
            measurement.record_response(request, client.pk, "gad7", spread("item", 7, total), session, when)


FREQUENCY = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def spread(prefix: str, items: int, total: int, *, last: int = 0) -> dict[str, str]:
    """Answers adding up to `total`, filled evenly; the last item (PHQ-9 item 9) is set apart."""
    scores = [0] * items
    scores[-1] = last
    remaining = total - last
    while remaining > 0:
        for i in range(items - 1 if items == 9 else items):
            if remaining and scores[i] < 3:
                scores[i] += 1
                remaining -= 1
    return {f"{prefix}{n}": FREQUENCY[score] for n, score in enumerate(scores, start=1)}
