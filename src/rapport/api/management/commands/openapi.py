from pathlib import Path

from django.core.management.base import BaseCommand

from rapport.api.openapi import COMMITTED, schema_text


class Command(BaseCommand):
    help = f"Write the API's OpenAPI schema to {COMMITTED} (run `make openapi` from the checkout)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=COMMITTED, help="where to write it (- for standard output)")

    def handle(self, output, **options):
        text = schema_text()
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            Path(output).write_text(text)
            self.stdout.write(f"Wrote {output}.")
