import time

from django.core.management.base import BaseCommand

from rapport.programme import summaries


class Command(BaseCommand):
    help = (
        "Rebuild every course's programme summary (outcome, fidelity and workspace flags) from the "
        "record. Each change to a course already rewrites its own summary; run this after a change "
        "to the rules they are judged by (core/outcome_rules.yaml, fidelity_rules.yaml, the "
        "protocol) or after writing records without the ORM's signals."
    )

    def handle(self, **options):
        started = time.monotonic()
        n = summaries.refresh_all()
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {n:,} summaries in {time.monotonic() - started:.1f} s.")
        )
