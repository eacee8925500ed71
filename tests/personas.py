"""The people every route is tested with, in one place.

Organisation "Northside": team A (the responsible clinician and a co-clinician, supervised
by the team supervisor) and team B (another clinician, supervised by another supervisor). The
co-clinician also does intake (reads and triages referrals).
The client belongs to team A; another client to team B.
"""

from dataclasses import dataclass
from datetime import date

from rapport.accounts.models import Organisation, Role, Team, User
from rapport.clinic.models import Client
from rapport.intake.models import IntakeWorker
from rapport.scheduling.models import Consent, ConsentKind

PASSWORD = "correct horse battery"
CANARY = "Zebedee-Canary-7731"  # planted in client data; must never leak


@dataclass
class Clinic:
    org: Organisation
    team_a: Team
    team_b: Team
    clinician: User
    co_clinician: User
    other_clinician: User
    supervisor: User
    other_supervisor: User
    client_user: User
    other_client_user: User
    administrator: User
    programme_lead: User
    client: Client
    other_client: Client

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


PERSONAS = [
    "anonymous",
    "clinician",
    "co_clinician",
    "other_clinician",
    "supervisor",
    "other_supervisor",
    "client_user",
    "other_client_user",
    "administrator",
    "programme_lead",
]


def _user(org, email, name, role, **extra) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, role=role, organisation=org, **extra)


def make_clinic() -> Clinic:
    org = Organisation.objects.create(name="Northside Talking Therapies", time_zone="Europe/London")
    team_a = Team.objects.create(organisation=org, name="Team A")
    team_b = Team.objects.create(organisation=org, name="Team B")
    clinician = _user(org, "clinician@test.rapport", "Cleo Responsible", Role.CLINICIAN)
    co_clinician = _user(org, "co@test.rapport", "Cody Co", Role.CLINICIAN)
    other_clinician = _user(org, "other@test.rapport", "Otto Other", Role.CLINICIAN)
    supervisor = _user(org, "supervisor@test.rapport", "Sue Pervisor", Role.SUPERVISOR)
    other_supervisor = _user(org, "supervisor-b@test.rapport", "Sid Elsewhere", Role.SUPERVISOR)
    administrator = _user(org, "admin@test.rapport", "Ada Admin", Role.ADMINISTRATOR)
    # Supervises no team: figures across the organisation, no client's record.
    programme_lead = _user(org, "lead@test.rapport", "Pat Lead", Role.PROGRAMME_LEAD)
    client_user = _user(org, "client@test.rapport", "Cai Client", Role.CLIENT)
    other_client_user = _user(org, "client-b@test.rapport", "Bea Client", Role.CLIENT)
    team_a.members.add(clinician, co_clinician)
    team_a.supervisors.add(supervisor)
    team_b.members.add(other_clinician)
    team_b.supervisors.add(other_supervisor)
    client = Client.objects.create(
        organisation=org,
        team=team_a,
        responsible_clinician=clinician,
        user=client_user,
        full_name=f"Cai {CANARY}",
        preferred_name="Cai",
        date_of_birth=date(1990, 5, 17),
        country="GB",
        time_zone="Europe/London",
        status="active",
    )
    client.co_clinicians.add(co_clinician)
    other_client = Client.objects.create(
        organisation=org,
        team=team_b,
        responsible_clinician=other_clinician,
        user=other_client_user,
        full_name="Bea Elsewhere",
        date_of_birth=date(1985, 1, 2),
        country="IE",
        time_zone="Europe/Dublin",
        status="assessment",
    )
    # An administrator chose the co-clinician to read and triage referrals (rapport.intake).
    IntakeWorker.objects.create(user=co_clinician, chosen_by=administrator)
    # Both clients agreed to secure messages, so their threads are open; a test of a closed thread
    # withdraws it (rapport.messaging.consent).
    for someone in (client, other_client):
        Consent.objects.create(
            client=someone,
            kind=ConsentKind.MESSAGES,
            wording_version="1",
            given_on=date(2026, 1, 5),
            recorded_by=someone.responsible_clinician,
        )
    return Clinic(
        org=org,
        team_a=team_a,
        team_b=team_b,
        clinician=clinician,
        co_clinician=co_clinician,
        other_clinician=other_clinician,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        client_user=client_user,
        other_client_user=other_client_user,
        administrator=administrator,
        programme_lead=programme_lead,
        client=client,
        other_client=other_client,
    )
