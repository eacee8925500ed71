from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rapport.accounts.models import Organisation, Role, Team, User
from rapport.clinic.models import Client
from rapport.demo import clinic


class Command(BaseCommand):
    help = "Load the invented demo clinic into an empty database (never under the production profile)."

    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo clinic is never loaded under the production profile.")
        if Organisation.objects.exists():
            self.stdout.write("The database already holds data; the demo clinic was not loaded.")
            return
        with transaction.atomic():
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
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo clinic: {len(clinic.CLIENTS)} clients."))
