"""Offline capture benchmark: how long the server takes to open one sealed group session (RSA-OAEP
unwrap of the AES key with a 3072-bit key, then AES-GCM of the body), and how large an envelope of
a whole group is. The saving after opening is the groups API's own and not measured here.

    .venv/bin/python bench/offline.py       BENCH_REPEAT (default 200) envelopes, a group of
                                            BENCH_MEMBERS (default 12) members with full PHQ-9s

Prints the figures as JSON. The key is made in a temporary directory and removed."""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "12"))


def main() -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "rapport.settings"
    os.environ["RAPPORT_OFFLINE_KEY_DIR"] = tempfile.mkdtemp(prefix="rapport-bench-keys-")
    import django

    django.setup()
    from tests.offline_support import ITEM9_POSITIVE, seal

    from rapport.offline import envelopes, keys

    started = time.perf_counter()
    keys.current()
    made_in = time.perf_counter() - started
    member = {
        "membership_id": 1,
        "attended": True,
        "phq9": ITEM9_POSITIVE,
        "mood_change": 1,
        "mood_event_ids": [],
        "mood_note": "x" * 200,
        "task_set": "x" * 200,
        "task_reviewed": "x" * 200,
        "note": "x" * 500,
        "needs_follow_up": False,
        "needs_follow_up_for_risk": False,
    }
    body = {
        "session_id": None,
        "version": None,
        "session": {
            "number": 4,
            "date": "2026-12-07",
            "notes": "x" * 1000,
            "paper_filled_on": None,
            "recorded_at": "2026-12-07T10:00:00+00:00",
            "members": [member] * MEMBERS,
        },
    }
    sealed = [seal(body, group_id=1, idempotency_key=f"k{i}") for i in range(REPEAT)]
    times = []
    for i, envelope in enumerate(sealed):
        start = time.perf_counter()
        envelopes.open_sealed(envelopes.Sealed(**envelope), bound=envelopes.bound_to(1, f"k{i}"))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "members": MEMBERS,
        "envelopes": REPEAT,
        "envelope_bytes": len(json.dumps(sealed[0])),
        "open_ms_p50": round(statistics.median(times), 2),
        "open_ms_p95": round(times[int(len(times) * 0.95) - 1], 2),
        "key_generation_s": round(made_in, 2),
        "load_average": os.getloadavg()[0],
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))  # noqa: T201
