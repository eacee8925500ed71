"""The supervisor's workspace and the programme's figures at programme scale (issue 12): p50/p95
server time and the SQL query count of each path, printed as one JSON object.

Run against a database made by `rapport generate_load` (RAPPORT_VAR_DIR or DATABASE_URL say
which); `make bench` (bench/run.py) runs it on each cached database, at 1,000 and 100,000 clients:

    RAPPORT_ENV=development RAPPORT_VAR_DIR=var/bench/sqlite-100000 \\
        .venv/bin/python bench/supervision.py [repeat]

In-process through Django's test client (the whole middleware stack, view and template; no
network), after a warm-up, as bench/probe.py measures the other read paths:

- supervisor_home: GET /supervision/ for the first generated supervisor (one team of ten
  clinicians, about 400 clients), the supervisor's home page;
- lead_workspace: GET /supervision/ for the programme lead, every team of the organisation;
- workspace_build: workspace.build() alone for the whole organisation, without the page;
- programme_page: GET /programme/ for the programme lead (the whole organisation);
- programme_api: GET /api/v1/programme/outcomes with the lead's token (the whole organisation);
- programme_api_clinician: the same for a clinician's own caseload.

The query count must be the same at both sizes: nothing is read per client or per course.
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")

import django

django.setup()

from django.test import Client as Browser  # noqa: E402

from rapport.accounts.models import ApiToken, Role, Team, User  # noqa: E402
from rapport.clinic.models import Client  # noqa: E402
from rapport.programme.models import CourseSummary  # noqa: E402
from rapport.supervision import workspace  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.timing import timed  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"


def signed_in(user) -> Browser:
    browser = Browser(HTTP_HOST="127.0.0.1")
    browser.force_login(user, backend=BACKEND)
    return browser


def token_for(user) -> dict:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="bench supervision", digest=ApiToken.digest_of(secret))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def get(browser: Browser, url: str, **extra):
    def fetch():
        answer = browser.get(url, **extra)
        if answer.status_code != 200:
            raise SystemExit(f"GET {url} answered {answer.status_code}")

    return fetch


def main(repeat: int) -> dict:
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    lead = User.objects.filter(role=Role.PROGRAMME_LEAD, is_active=True).order_by("pk").first()
    clinician = User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("pk").first()
    if supervisor is None or lead is None or clinician is None:
        raise SystemExit("no generated staff: generate a database first (rapport generate_load)")
    every_team = list(Team.objects.filter(organisation_id=lead.organisation_id).values_list("pk", flat=True))
    api = Browser(HTTP_HOST="127.0.0.1")  # the token alone, as an integration calls
    paths = {
        "supervisor_home": get(signed_in(supervisor), "/supervision/"),
        "lead_workspace": get(signed_in(lead), "/supervision/"),
        "workspace_build": lambda: workspace.build(lead, every_team),
        "programme_page": get(signed_in(lead), "/programme/"),
        "programme_api": get(api, "/api/v1/programme/outcomes", **token_for(lead)),
        "programme_api_clinician": get(api, "/api/v1/programme/outcomes", **token_for(clinician)),
    }
    only = os.environ.get("BENCH_SUPERVISION_PATHS")
    if only:
        paths = {name: fn for name, fn in paths.items() if name in only.split(",")}
    results = {
        "clients": Client.objects.count(),
        "courses": CourseSummary.objects.count(),
        "teams": len(every_team),
        "load_at_start": round(os.getloadavg()[0], 1),
    }
    for name, fn in paths.items():
        # The whole organisation's workspace page renders a row per clinician: fewer requests.
        results[name] = timed(fn, max(5, repeat // 4) if name.startswith("lead") else repeat)
    results["load_at_end"] = round(os.getloadavg()[0], 1)
    return results


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50), indent=2))  # noqa: T201
