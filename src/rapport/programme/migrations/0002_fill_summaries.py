"""Summaries for the courses that existed before the programme app. The fill moved to
0003_workspace_flags: it runs today's code (summaries.refresh_all), which writes every column of
today's model, so it must run after the last migration that adds one."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial"), ("clinic", "0011_timeline_whose")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
