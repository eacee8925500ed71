"""The application as a whole: settings, production profile, console script, demo clinic."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from rapport.accounts.models import Organisation, User
from rapport.clinic.models import Client
from tests.personas import CANARY

ROOT = Path(__file__).resolve().parent.parent


def rapport(*args, env=None, tmp_path=None):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RAPPORT_", "DATABASE_"))
    }
    environment.update(env or {})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "rapport", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path or ROOT,
        timeout=120,
        check=False,
    )


def production_env(tmp_path):
    return {
        "RAPPORT_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "ALLOWED_HOSTS": "rapport.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "RAPPORT_VAR_DIR": str(tmp_path),
    }


def test_check_deploy_reports_nothing_under_the_production_profile(tmp_path):
    result = rapport(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path), tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = rapport("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_a_bad_setting_fails_loudly(tmp_path):
    result = rapport("check", env={"RAPPORT_STAFF_IDLE_SECONDS": "soon", "RAPPORT_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "RAPPORT_STAFF_IDLE_SECONDS must be a whole number" in result.stderr


def test_the_secret_key_is_generated_once_into_var_and_kept(tmp_path):
    env = {"RAPPORT_VAR_DIR": str(tmp_path)}
    assert rapport("check", env=env, tmp_path=tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40 and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    rapport("check", env=env, tmp_path=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key
    assert "var/" in (ROOT / ".gitignore").read_text().split()


def test_the_demo_loader_refuses_the_production_profile(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded under the production profile"):
        call_command("load_demo")
    assert not Organisation.objects.exists()


def test_the_demo_loader_leaves_a_database_with_data_alone(clinic):
    before = Client.objects.count()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Client.objects.count() == before


def test_the_demo_clinic_is_the_same_every_time(transactional_db):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = list(Client.objects.order_by("pk").values_list("full_name", "date_of_birth", "status"))
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert list(Client.objects.order_by("pk").values_list("full_name", "date_of_birth", "status")) == first


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='rapport.settings'; django.setup();"
        "from django.db import connection; c=connection.cursor();"
        "mode = c.execute('PRAGMA journal_mode').fetchone()[0];"
        "print(mode, c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "RAPPORT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        check=True,
    )
    assert result.stdout.split() == ["wal", "20000"]


def test_the_console_script_does_what_manage_py_does():
    result = rapport("help")
    assert result.returncode == 0
    for command in ("migrate", "runserver", "issue_token", "revoke_token", "load_demo"):
        assert command in result.stdout


def test_an_organisation_and_its_first_administrator_are_created_from_the_command_line(db):
    call_command(
        "create_organisation",
        "Riverside IPT",
        admin_email="lead@riverside.test",
        admin_name="Lee Lead",
        time_zone="Europe/Dublin",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    admin = User.objects.get(email="lead@riverside.test")
    assert (admin.role, admin.organisation.name) == ("administrator", "Riverside IPT")
    # Nobody knows the password; the password-reset page reaches the new administrator.
    from django.core import mail
    from django.test import Client as Browser

    Browser().post("/password-reset/", {"email": "lead@riverside.test"})
    assert [m.to for m in mail.outbox] == [["lead@riverside.test"]]
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_organisation", "Again", admin_email="lead@riverside.test", admin_name="X")
    with pytest.raises(CommandError, match="not a known time zone"):
        call_command(
            "create_organisation",
            "Bad",
            admin_email="b@riverside.test",
            admin_name="X",
            time_zone="Moon/Base",
        )


def test_an_error_shows_a_plain_page_without_details(clinic, client, monkeypatch):
    from rapport.clinic import client_records

    def boom(*args, **kwargs):
        raise RuntimeError(f"secret detail {CANARY}")

    monkeypatch.setattr(client_records, "list_clients", boom)
    client.raise_request_exception = False
    client.force_login(clinic.clinician)
    response = client.get("/caseload/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and CANARY not in body and "Traceback" not in body


def test_the_stylesheet_and_script_are_found_by_the_static_finders():
    from django.contrib.staticfiles import finders

    for name in ("rapport/rapport.css", "rapport/rapport.js", "django_htmx/htmx-2.min.js"):
        assert finders.find(name), name


def test_collectstatic_gathers_the_stylesheet_for_production(tmp_path):
    env = production_env(tmp_path)
    result = rapport("collectstatic", "--noinput", "-v", "0", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "static" / "rapport").glob("rapport.*.css")), "hashed stylesheet for the manifest"


def test_make_demo_gives_every_process_it_starts_the_address_it_serves(tmp_path):
    # Stand-ins for the programs the recipe runs: each prints the address it was given, and stops.
    for name in ("rapport", "python", "pip"):
        script = tmp_path / name
        # The server waits a moment, so that the worker started beside it has printed before the
        # recipe stops it.
        wait = '[ "$1" = runserver ] && sleep 1\n' if name == "rapport" else ""
        script.write_text(f'#!/bin/sh\n{wait}echo "$(basename "$0") $* -> $RAPPORT_BASE_URL"\n')
        script.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    run = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-s", "demo", f"BIN={tmp_path}", "PORT=8123"],  # noqa: S607
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    started = [line for line in run.stdout.splitlines() if line.startswith("rapport ")]
    assert [line.split(" -> ")[1] for line in started] == ["http://127.0.0.1:8123"] * len(started)
    assert any(line.startswith("rapport runserver 127.0.0.1:8123") for line in started)
    assert any(line.startswith("rapport db_worker") for line in started)
    assert "Rapport demo clinic: http://127.0.0.1:8123" in run.stdout


def test_make_demo_says_so_when_the_port_is_taken(tmp_path):
    import socket

    for name in ("rapport", "python", "pip"):
        script = tmp_path / name
        script.write_text('#!/bin/sh\necho "$(basename "$0") $*"\n')
        script.chmod(0o755)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(  # noqa: S603
            ["make", "--no-print-directory", "-s", "demo", f"BIN={tmp_path}", f"PORT={port}"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    assert run.returncode != 0
    assert f"Port {port} is taken" in run.stdout and "make demo PORT=" in run.stdout
    assert "rapport runserver" not in run.stdout
