from django.db import migrations

from rapport.audit import triggers


def install(apps, schema_editor):
    # PostgreSQL needs nothing more: its upsert fires the update trigger installed by 0002. (A
    # database migrated afresh already has this trigger from 0002, hence IF NOT EXISTS.)
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for sql in triggers.SQLITE_REPLACE_INSTALL:
                cursor.execute(sql)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for sql in triggers.SQLITE_REPLACE_REMOVE:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(install, remove)]
