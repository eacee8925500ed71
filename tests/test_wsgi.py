"""The WSGI entry point every server worker imports."""

import subprocess
import sys


def test_the_server_loads_every_view_and_freezes_start_up_out_of_the_collectors_reach():
    # A subprocess: freezing is for a server worker, not for the test run's own process.
    probe = (
        "import gc, sys; import rapport.wsgi; "
        "print(gc.get_freeze_count() > 10000, 'rapport.staff.caseload' in sys.modules)"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["True", "True"]
