"""Summaries for the courses that existed before the programme app: from then on each save keeps
its course's summary in step."""

from django.db import migrations


def fill(apps, schema_editor):
    from rapport.programme.summaries import refresh_all

    refresh_all()


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial"), ("clinic", "0011_timeline_whose")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
