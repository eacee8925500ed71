"""`rapport offline_keys`: list, rotate or retire the keys that open sealed offline entries."""

from django.core.management.base import BaseCommand, CommandError

from rapport.offline import keys


class Command(BaseCommand):
    help = "List the keys that open group sessions sealed offline (--rotate adds one, --retire drops one)."

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="make a new current key")
        parser.add_argument("--retire", metavar="KEY_ID", help="forget an older key")

    def handle(self, *args, rotate=False, retire=None, **options):
        if rotate:
            self.stdout.write(f"new current key: {keys.rotate().key_id}")
        if retire:
            try:
                keys.retire(retire)
            except keys.UnknownKey:
                raise CommandError(f"no key {retire!r} is kept") from None
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"retired {retire}: entries sealed with it can no longer be opened")
        ids = keys.key_ids()
        for key_id in ids:
            self.stdout.write(f"{key_id}{'  (current)' if key_id == ids[-1] else ''}")
        if not ids:
            self.stdout.write("no key yet: one is made when a device first asks for it")
