"""Rapport's WSGI application under pyinstrument, for bench/profile_write.py: every request is
profiled into one session, written (text and a breakdown by concern, JSON) when the worker exits.
Run with one worker and one thread, so that the profile is of one request at a time."""

import os

from pyinstrument import Profiler

from rapport.wsgi import application as rapport

profiler = Profiler(interval=0.0002, async_mode="disabled")
requests = 0
SKIP = int(os.environ.get("BENCH_PROFILE_SKIP", "30"))  # the first requests build what Django loads lazily
seen = 0


def application(environ, start_response):
    global requests, seen
    seen += 1
    if seen > SKIP and environ.get("PATH_INFO", "").startswith("/api/"):
        requests += 1
        profiler.start()
        try:
            return rapport(environ, start_response)
        finally:
            profiler.stop()
    return rapport(environ, start_response)


def write(path: str) -> None:
    """The accumulated profile as text (pyinstrument's tree) and its breakdown as JSON."""
    import json

    from bench.profile_breakdown import breakdown

    if not requests:
        return
    session = profiler.last_session
    with open(path + ".txt", "w") as out:
        out.write(profiler.output_text(unicode=False, color=False, show_all=False))
    with open(path + ".json", "w") as out:
        json.dump(breakdown(session, requests), out, indent=1)
