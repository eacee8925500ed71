"""`flush` empties every table, the audit trail included, so it is refused in production.

Elsewhere (tests that reset the database, a developer starting over) it lifts the audit
triggers for the flush and puts them back at once.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from rapport.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("flush would erase the audit trail; it is disabled in production.")
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with transaction.atomic(using=connection.alias):
            triggers.remove(connection)
            try:
                super().handle(**options)
            finally:
                triggers.install(connection)
