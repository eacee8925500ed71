"""`rapport restore FILE`: a backup back into an empty database (never over a live one)."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from rapport.backups import archive, databases


class Command(BaseCommand):
    help = "Restore an encrypted backup into an empty database (key: RAPPORT_BACKUP_KEY)."

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        if not settings.RAPPORT_BACKUP_KEY:
            raise CommandError("Set RAPPORT_BACKUP_KEY to the key the backup was made with.")
        connection = connections[options["database"]]
        connection.close()  # the restore writes through its own connection
        try:
            restore(
                Path(options["backup"]),
                settings.RAPPORT_BACKUP_KEY,
                connection.vendor,
                connection.settings_dict,
            )
        except archive.BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"Restored {options['backup']} into {connection.settings_dict['NAME']}.")


def restore(path: Path, key: str, vendor: str, target: dict) -> dict:
    """Decrypt and check the whole backup first, then load it; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="rapport-restore-") as scratch:
        dump = Path(scratch) / "dump"
        with dump.open("wb") as out:
            manifest = archive.read(path, key, out)
        if manifest.get("vendor") != vendor:
            raise archive.BackupError(f"this is a {manifest.get('vendor')} backup; the database is {vendor}")
        databases.load(vendor, target, dump)
    return manifest
