"""The Django side of the benchmark, run by bench/run.py against one generated database
(DATABASE_URL or RAPPORT_VAR_DIR say which). Prints one JSON object.

    probe.py targets     who and what to measure: the clinician with 40 clients, a client with a
                         16-session course, a client with alerts, the write-path bodies, and a
                         signed-in session cookie for the served pages
    probe.py reads N     each read path N times in-process through Django's test client (the whole
                         middleware stack, view and template, no network): p50/p95 server time and
                         the SQL query count
"""

import gc
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as Browser  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from rapport.accounts.models import ApiToken, Role, User  # noqa: E402
from rapport.clinic.models import Client, Course, RiskAlert, Session  # noqa: E402
from rapport.demo.load import DOMAIN  # noqa: E402

CLINICIAN = f"clinician-1@{DOMAIN}"
FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def current_course(client_id):
    return Course.objects.filter(client_id=client_id).current_first().values_list("pk", flat=True).first()


def targets() -> dict:
    clinician = User.objects.get(email=CLINICIAN)
    caseload = list(Client.objects.filter(responsible_clinician=clinician).order_by("pk"))
    # A client whose current course ran its 16 sessions, and the client with the most alerts.
    sixteen, with_alerts = None, (None, -1)
    for client in caseload:
        course = current_course(client.pk)
        if sixteen is None and Session.objects.filter(course_id=course).count() == 16:
            sixteen = client.pk
        alerts = RiskAlert.objects.filter(client=client).count()
        if alerts > with_alerts[1]:
            with_alerts = (client.pk, alerts)
    session = SessionStore()
    session[SESSION_KEY] = str(clinician.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = clinician.get_session_auth_hash()
    session.create()
    # The write path: PHQ-9s for the clinician's clients in turn; one in 25 answers item 9
    # positively, near the rate in the generated history, so some requests raise an alert.
    bodies = []
    for i, client in enumerate(caseload):
        for variant in range(5):
            n = i * 5 + variant
            scores = [(n + k) % 4 for k in range(8)] + [1 if n % 25 == 0 else 0]
            answers = {f"item{k}": FREQ[s] for k, s in enumerate(scores, start=1)}
            body = {"instrument": "phq9", "answers": answers, "session_number": 1 + n % 16}
            bodies.append([client.pk, current_course(client.pk), json.dumps(body)])
    return {
        "clinician": {"id": clinician.pk, "email": clinician.email, "clients": len(caseload)},
        "client_16_sessions": sixteen,
        "client_with_alerts": {"id": with_alerts[0], "alerts": with_alerts[1]},
        "alerts_page": _alerts_page_exists(),
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "writes": bodies,
        "clients_in_database": Client.objects.count(),
    }


def _alerts_page_exists() -> bool:
    try:
        resolve("/alerts/")
    except Resolver404:
        return False
    return True


def reads(repeat: int, found: dict) -> dict:
    clinician = User.objects.get(pk=found["clinician"]["id"])
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=clinician, name="bench reads", digest=ApiToken.digest_of(secret))
    token = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    pages = Browser(HTTP_HOST="127.0.0.1")
    pages.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    lead = Browser(HTTP_HOST="127.0.0.1")
    lead.force_login(
        User.objects.filter(role=Role.PROGRAMME_LEAD).order_by("pk").first(),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    api = Browser(HTTP_HOST="127.0.0.1")  # no session cookie: the token alone, as an integration calls
    alerts = found["client_with_alerts"]["id"]
    # The supervisor's home (issue 12): the first generated supervisor, one team of ten clinicians.
    supervisor = User.objects.filter(email=f"supervisor-1@{DOMAIN}").first()
    workspace = Browser(HTTP_HOST="127.0.0.1")
    if supervisor is not None:
        workspace.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    paths = {
        "caseload": ("/caseload/", pages, {}),
        "client_page": (f"/clients/{found['client_16_sessions']}/", pages, {}),
        "alerts": ("/alerts/", pages, {})
        if found["alerts_page"]
        else (f"/api/v1/clients/{alerts}/alerts", api, token),
        "outcomes": (f"/api/v1/clients/{found['client_16_sessions']}/outcomes", api, token),
        # The programme's figures (issue 12): the whole organisation for its programme lead, and
        # the clinician's own caseload through the API.
        "programme_page": ("/programme/", lead, {}),
        "programme_api": ("/api/v1/programme/outcomes", api, token),
    }
    if supervisor is not None:
        paths["supervisor_home"] = ("/supervision/", workspace, {})
    # The clinician's own pages of the scheduling and group issues (#13, #14): their week's
    # appointments and their groups. The generator makes neither, so these measure the pages'
    # fixed cost and that it does not grow with the organisation.
    paths["schedule_page"] = ("/my-schedule/", pages, {})
    paths["groups_page"] = ("/groups/", pages, {})
    results = {}
    for name, (url, browser, extra) in paths.items():
        for _ in range(max(5, repeat // 10)):  # warm up: imports, template and instrument caches
            _get(browser, url, extra)
        gc.collect()  # what start-up built, out of the collector's reach as rapport/wsgi.py does
        gc.freeze()
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            _get(browser, url, extra)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            _get(browser, url, extra)
        timings.sort()
        results[name] = {
            "url": url,
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
            "queries": len(captured),
        }
    return results


def _get(browser, url, extra):
    answer = browser.get(url, **extra)
    if answer.status_code != 200:
        raise SystemExit(f"GET {url} answered {answer.status_code}")


if __name__ == "__main__":
    found = targets()
    if sys.argv[1] == "targets":
        print(json.dumps(found))  # noqa: T201
    else:
        print(json.dumps(reads(int(sys.argv[2]), found)))  # noqa: T201
