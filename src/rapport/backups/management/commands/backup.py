"""`rapport backup`: an encrypted, checksummed copy of the whole database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from rapport.backups import archive, databases


class Command(BaseCommand):
    help = "Write an encrypted backup of the database (key: RAPPORT_BACKUP_KEY)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (default: RAPPORT_VAR_DIR/backups/…)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--new-key", action="store_true", help="print a new key and stop")

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(archive.new_key())
            return
        if not settings.RAPPORT_BACKUP_KEY:
            raise CommandError("Set RAPPORT_BACKUP_KEY (make one with `rapport backup --new-key`).")
        connection = connections[options["database"]]
        now = timezone.now()
        output = Path(
            options["output"] or settings.VAR_DIR / "backups" / f"rapport-{now:%Y%m%dT%H%M%SZ}.backup"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        manifest = {"vendor": connection.vendor, "created": now.isoformat()}
        with _Pipe() as pipe:
            databases.dump(connection, pipe.writer)
            pipe.writer.flush()
            pipe.writer.seek(0)
            try:
                digest = archive.write(output, settings.RAPPORT_BACKUP_KEY, manifest, pipe.writer)
            except archive.BackupError as e:
                raise CommandError(str(e)) from None
        output.chmod(0o600)
        self.stdout.write(f"{output} (dump SHA-256 {digest})")


class _Pipe:
    """A scratch file the dump goes through before encryption (pg_dump needs a real file)."""

    def __enter__(self):
        import tempfile

        self.writer = tempfile.TemporaryFile(prefix="rapport-dump-")
        return self

    def __exit__(self, *exc):
        self.writer.close()
