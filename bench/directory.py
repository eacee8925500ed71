"""The public directory's search: p50/p95 and SQL query count, printed as JSON.

    .venv/bin/python bench/directory.py      BENCH_DIRECTORY_PROVIDERS published providers
                                             (default 300), BENCH_REPEAT timed calls (default 100)

Makes its own SQLite database under var/bench/directory/ (made afresh each run): one
organisation, the providers with working hours Monday to Friday, the next week and a half fully
booked and a credential each. Then it times in-process through Django's test client (whole
middleware stack, view, template): the directory page with a cold cache (every next free
appointment worked out again, directory/availability.py), and then, as visitors meet them, the
directory page with no filter, a POSTed search with a problem described in words, the last step
of "help me choose", and GET /api/v1/providers with filters. The figures grow with the number of
providers, never with the number of clients."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = int(os.environ.get("BENCH_DIRECTORY_PROVIDERS", "300"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "100"))
WORK = ROOT / "var" / "bench" / "directory"


def env() -> dict:
    found = dict(os.environ, RAPPORT_ENV="development", RAPPORT_VAR_DIR=str(WORK))
    found.pop("DATABASE_URL", None)
    return found


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/rapport"), "migrate", "-v", "0"], cwd=ROOT, env=env(), check=True
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "run"], cwd=ROOT, env=env(), check=True, text=True, capture_output=True
    )
    print(done.stdout, end="")  # noqa: T201
    if "--results" in sys.argv:  # make bench: the figures as a section of bench/RESULTS.md
        record(json.loads(done.stdout))


LABELS = {
    "directory_page_cold_cache": "directory page, cold cache (every next free appointment worked out)",
    "directory_page": "directory page `/providers/` (25 a page)",
    "search_post": "search POST with a problem in words, language, online",
    "help_me_choose_results": "help me choose, last step",
    "api_providers": "`GET /api/v1/providers?language=es&meeting=online&fee_max=60`",
}


def record(figures: dict) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.results import put_section

    load = os.getloadavg()[0]
    lines = [
        f"In-process through Django's test client, SQLite, {figures['providers']} published providers, "
        f"each fully booked for the next week and a half; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} "
        f"UTC, load average {load:.1f} at the end.",
        "",
        "| path | p50 ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
    ]
    for key, label in LABELS.items():
        row = figures[key]
        lines.append(f"| {label} | {row['p50_ms']} | {row['p95_ms']} | {row['queries']} |")
    put_section("Public directory search (bench/directory.py, issue 15)", lines)


def fill() -> None:
    """A fresh directory of PROVIDERS published profiles (invented), with schedules."""
    import random
    from datetime import time as clock
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from rapport.accounts.models import Organisation, Role, Team, User
    from rapport.clinic.models import Client
    from rapport.directory.models import Credential, ProviderProfile
    from rapport.scheduling import times
    from rapport.scheduling.models import Appointment, WorkingHours

    rng = random.Random(1)  # noqa: S311 - invented data, not a secret
    with transaction.atomic():
        org = Organisation.objects.create(name="Bench directory", time_zone="Europe/London")
        team = Team.objects.create(organisation=org, name="Bench team")
        today = times.local(timezone.now(), org.time_zone).date()
        places = ["Leeds", "York", "Bradford", "Sheffield", "Hull", ""]
        languages = ["en", "es", "fr", "pl", "ur", "pa", "ar"]
        for n in range(PROVIDERS):
            user = User.objects.create_user(
                f"p{n}@bench.test", None, full_name=f"Provider {n}", role=Role.CLINICIAN, organisation=org
            )
            place = rng.choice(places)
            formats = (
                ["individual", "online"]
                + (["in_person"] if place else [])
                + (["adolescents"] if n % 5 == 0 else [])
            )
            profile = ProviderProfile.objects.create(
                clinician=user,
                organisation=org,
                display_name=user.full_name,
                profession="Clinical psychologist",
                languages=["en", *rng.sample(languages[1:], 1)],
                formats=formats,
                problem_areas=rng.sample(
                    ["grief", "role_dispute", "role_transition", "interpersonal_deficits"], 2
                ),
                place=place,
                fee_from=rng.choice([0, 30, 50, 70]),
                fee_to=90,
                sliding_scale=n % 3 == 0,
                published_at=timezone.now(),
            )
            Credential.objects.create(
                profile=profile,
                kind="training",
                issuing_body="IPT UK",
                level="Practitioner",
                verified_at=timezone.now(),
            )
            WorkingHours.objects.bulk_create(
                WorkingHours(clinician=user, weekday=weekday, starts=clock(9), ends=clock(17))
                for weekday in range(5)
            )
            client = Client.objects.create(
                organisation=org,
                team=team,
                responsible_clinician=user,
                full_name=f"Invented client {n}",
                date_of_birth="1990-01-01",
                time_zone=org.time_zone,
            )
            # Every hour booked for the next week and a half, so the free slot is found late.
            booked = []
            for day in range(1, 11):
                date = today + timedelta(days=day)
                if date.weekday() >= 5:
                    continue
                for hour in range(9, 17):
                    booked.append(
                        Appointment(
                            client=client,
                            clinician=user,
                            starts_at=times.instant(date, clock(hour), org.time_zone),
                            local_date=date,
                            local_time=clock(hour),
                            time_zone=org.time_zone,
                            minutes=50,
                        )
                    )
            Appointment.objects.bulk_create(booked)


def run() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.test import Client as Browser

    sys.path.insert(0, str(ROOT))
    from bench.timing import timed

    fill()
    browser = Browser(HTTP_HOST="127.0.0.1")

    def ok(answer):
        if answer.status_code != 200:
            raise SystemExit(f"answered {answer.status_code}")

    search = {"problem": "my mother died and I feel alone", "language": "es", "meeting": "online"}
    choose = {
        "step": "4",
        "go": "next",
        "problem": "we argue",
        "language": "fr",
        "meeting": "",
        "place": "Leeds",
    }
    choose.update(who="me", cost="up_to", fee_max="60")
    from django.core.cache import cache

    def cold(fn):
        # Nothing remembered: every listed clinician's next free appointment worked out again.
        def run_cold():
            cache.clear()
            fn()

        return run_cold

    figures = {
        "providers": PROVIDERS,
        "directory_page_cold_cache": timed(cold(lambda: ok(browser.get("/providers/"))), max(5, REPEAT // 5)),
        "directory_page": timed(lambda: ok(browser.get("/providers/")), REPEAT),
        "search_post": timed(lambda: ok(browser.post("/providers/", search)), REPEAT),
        "help_me_choose_results": timed(lambda: ok(browser.post("/providers/choose/", choose)), REPEAT),
        "api_providers": timed(
            lambda: ok(browser.get("/api/v1/providers?language=es&meeting=online&fee_max=60")), REPEAT
        ),
    }
    print(json.dumps(figures, indent=2))  # noqa: T201


if __name__ == "__main__":
    run() if sys.argv[1:] == ["run"] else main()
