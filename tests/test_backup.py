"""`rapport backup` and `rapport restore`: the demo clinic comes back row for row, and a damaged
backup, a wrong key or a database that is not empty are refused before anything is written."""

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from rapport.backups import archive
from rapport.backups.management.commands.restore import restore

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def key(settings):
    settings.RAPPORT_BACKUP_KEY = archive.new_key()
    return settings.RAPPORT_BACKUP_KEY


def make_backup(path):
    call_command("backup", output=str(path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    return path


@pytest.fixture
def demo_backup(key, tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return make_backup(tmp_path / "demo.backup")


@pytest.fixture
def small_backup(clinic, key, tmp_path):
    """The test personas only: enough for what is refused, quicker than the demo clinic."""
    return make_backup(tmp_path / "small.backup")


def sqlite_rows(path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}  # noqa: S608


def test_the_backup_is_encrypted_and_has_a_checksum_file(demo_backup):
    data = demo_backup.read_bytes()
    assert data.startswith(archive.MAGIC)
    # No name from the demo clinic, nor SQLite's own header, is readable in the file.
    assert b"demo.rapport" not in data and b"SQLite format 3" not in data
    digest, name = Path(f"{demo_backup}.sha256").read_text().split()
    assert name == demo_backup.name and len(digest) == 64


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite restore")
def test_a_backup_of_the_demo_clinic_restores_every_row_of_every_table(demo_backup, key, tmp_path):
    target = tmp_path / "restored.sqlite3"
    restore(demo_backup, key, "sqlite", {"NAME": str(target)})
    restored = sqlite_rows(target)
    live = sqlite_rows(connection.settings_dict["NAME"])
    assert set(restored) == set(live)
    assert sum(len(rows) for rows in live.values()) > 500  # the demo clinic, not an empty database
    for table, rows in live.items():
        assert restored[table] == rows, table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL restore")
def test_a_postgresql_backup_of_the_demo_clinic_restores_every_row_of_every_table(demo_backup, key):
    import psycopg

    settings = connection.settings_dict
    name = f"rapport_restore_{uuid.uuid4().hex[:10]}"
    params = {k.lower(): settings[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if settings.get(k)}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        restore(demo_backup, key, "postgresql", {**settings, "NAME": name})

        def rows_of(dbname):
            with psycopg.connect(dbname=dbname, **params) as db:
                tables = [
                    t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ]
                return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}  # noqa: S608

        live, restored = rows_of(settings["NAME"]), rows_of(name)
        assert set(restored) == set(live)
        assert sum(len(rows) for rows in live.values()) > 500
        for table, rows in live.items():
            assert restored[table] == rows, table
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restore_refuses_a_database_that_is_not_empty(small_backup, key):
    with pytest.raises(archive.BackupError, match="not empty"):
        restore(small_backup, key, connection.vendor, connection.settings_dict)


def test_a_wrong_key_is_refused(small_backup, tmp_path):
    with pytest.raises(archive.BackupError, match="another key"):
        restore(small_backup, archive.new_key(), "sqlite", {"NAME": str(tmp_path / "x.sqlite3")})
    assert not (tmp_path / "x.sqlite3").exists()


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_backup_is_refused_before_anything_is_written(damage, small_backup, key, tmp_path):
    data = bytearray(small_backup.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    else:
        data = data[: len(data) - 300]
    small_backup.write_bytes(bytes(data))
    with pytest.raises(archive.BackupError):
        restore(small_backup, key, "sqlite", {"NAME": str(tmp_path / "x.sqlite3")})
    assert not (tmp_path / "x.sqlite3").exists()


def test_backup_without_a_key_says_how_to_make_one(settings):
    settings.RAPPORT_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="--new-key"):
        call_command("backup")
