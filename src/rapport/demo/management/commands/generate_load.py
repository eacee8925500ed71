import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from rapport.demo import load


class Command(BaseCommand):
    help = (
        "Fill an empty database with a generated organisation of N clients and years of invented "
        "history (about 40 clients per clinician, teams of ten with a supervisor, courses in every "
        "phase, sessions, weekly PHQ-9 and fortnightly GAD-7, inventories, timelines, risk alerts), "
        "for benchmarks. Written in bulk around the services: generated rows have no audit-trail "
        "entries. The same seed and day give the same data. Never under the production profile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, required=True, help="how many clients (e.g. 100000)")
        parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the day the history leads up to, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--chunk", type=int, default=1000, help="clients written per transaction")

    def handle(self, clients, seed, today, chunk, **options):
        started = time.monotonic()
        step = max(clients // 10, chunk)

        def progress(done, total):
            if done % step < chunk or done == total:
                self.stderr.write(f"  {done:,} of {total:,} clients ({time.monotonic() - started:.0f} s)")

        try:
            summary = load.generate(clients, seed, today=today, chunk=chunk, progress=progress)
        except load.RefusedInProduction as exc:
            raise CommandError(str(exc)) from None
        except load.NotEmpty as exc:
            raise CommandError(f"{exc} Generate into an empty database.") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        for label, n in summary.counts.items():
            self.stdout.write(f"{label:40} {n:>10,}")
        self.stdout.write(
            self.style.SUCCESS(f"Generated {clients:,} clients (seed {seed}) in {elapsed:.1f} s.")
        )
