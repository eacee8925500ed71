"""gunicorn settings for bench/profile_write.py: write the worker's profile when it exits."""

import os


def worker_exit(server, worker) -> None:
    from bench import profiled_wsgi

    profiled_wsgi.write(os.environ["BENCH_PROFILE_OUT"])
