"""A consistent dump of the running database, and its load into an empty one.

SQLite: the online backup API (a consistent copy while the application writes). PostgreSQL:
`pg_dump` in its custom format (one snapshot) and `pg_restore` in a single transaction.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

from rapport.backups.archive import BackupError


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _pg_env(settings: dict) -> tuple[list[str], dict]:
    args = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    return args, env


def dump(connection, out: BinaryIO) -> None:
    """Write a consistent copy of the database behind this Django connection to `out`."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with tempfile.TemporaryDirectory(prefix="rapport-backup-") as scratch:
            copy = Path(scratch) / "copy.sqlite3"
            target = sqlite3.connect(copy)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            with copy.open("rb") as source:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
    elif connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        subprocess.run(  # noqa: S603
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args],
            stdout=out,
            env=env,
            check=True,
        )
    else:
        raise BackupError(f"no backup for a {connection.vendor} database")


def _sqlite_tables(path: str) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def load(vendor: str, settings: dict, dump_path: Path) -> None:
    """Load a dump into the database these settings name, which must be empty."""
    if vendor == "sqlite":
        name = settings["NAME"]
        if Path(name).exists() and _sqlite_tables(name):
            raise BackupError(f"the database {name} is not empty; restore only into an empty database")
        source, target = sqlite3.connect(dump_path), sqlite3.connect(name)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    elif vendor == "postgresql":
        args, env = _pg_env(settings)
        tables = subprocess.run(  # noqa: S603
            [
                _tool("psql"),
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                *args,
                "--command",
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if tables != "0":
            raise BackupError(f"the database {settings['NAME']} is not empty; restore only into an empty one")
        subprocess.run(  # noqa: S603
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(dump_path),
            ],
            env=env,
            check=True,
        )
    else:
        raise BackupError(f"no restore into a {vendor} database")
