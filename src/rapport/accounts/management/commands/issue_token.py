from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rapport.accounts.models import ApiToken, User
from rapport.audit import trail
from rapport.audit.models import Action


class Command(BaseCommand):
    help = "Create a personal access token for USERNAME (an e-mail address) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="what the token is for")

    def handle(self, username, name, **options):
        user = User.objects.filter(email__iexact=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account with the e-mail address {username!r}.")
        secret = ApiToken.new_secret()
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.digest_of(secret))
            trail.record(None, Action.TOKEN, actor=user, obj=token, detail={"event": "issued"})
        self.stderr.write(f"Token {token.pk} for {user.email} (shown once; store it safely):")
        self.stdout.write(secret)
