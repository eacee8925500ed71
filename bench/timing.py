"""The in-process timing every page benchmark shares: a warm-up, then p50/p95 over `repeat` calls
and the SQL query count of one more call (Django must be set up first)."""

import statistics
import time


def timed(fn, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(max(2, repeat // 10)):  # warm up: imports, template and rule caches
        fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fn()
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "queries": len(captured),
        "requests": repeat,
    }
