import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from rapport.accounts.models import Organisation, Role, User, validate_time_zone
from rapport.audit import trail
from rapport.audit.models import Action


class Command(BaseCommand):
    help = (
        "Create an organisation and its first administrator, who then chooses a password "
        "through the password-reset page (or `rapport changepassword EMAIL`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--time-zone", default="Europe/London", help="IANA time zone")

    def handle(self, name, admin_email, admin_name, time_zone, **options):
        try:
            validate_email(admin_email)
            validate_time_zone(time_zone)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if User.objects.filter(email__iexact=admin_email).exists():
            raise CommandError(f"An account with the e-mail address {admin_email!r} already exists.")
        with transaction.atomic():
            org = Organisation.objects.create(name=name.strip(), time_zone=time_zone)
            # A random password nobody knows: the administrator chooses their own through the
            # password-reset page (Django sends no reset link to an account without a usable one).
            admin = User.objects.create_user(
                admin_email,
                secrets.token_urlsafe(32),
                full_name=admin_name,
                role=Role.ADMINISTRATOR,
                organisation=org,
            )
            trail.record(None, Action.CREATE, obj=admin, detail={"organisation": org.pk})
        self.stdout.write(
            f"Created {org.name} with administrator {admin_email}. They choose a password through "
            "the password-reset page, or you set one with `rapport changepassword`."
        )
