from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import ApiToken
from rapport.audit import trail
from rapport.audit.models import Action


class Command(BaseCommand):
    help = "Revoke a personal access token by its number (printed when it was issued)."

    def add_arguments(self, parser):
        parser.add_argument("token_id", type=int)

    def handle(self, token_id, **options):
        with transaction.atomic():
            revoked = ApiToken.objects.active().filter(pk=token_id).update(revoked_at=timezone.now())
            if not revoked:
                raise CommandError(f"No active token number {token_id}.")
            token = ApiToken.objects.get(pk=token_id)
            trail.record(None, Action.TOKEN, actor=token.user, obj=token, detail={"event": "revoked"})
        self.stdout.write(f"Token {token_id} revoked.")
