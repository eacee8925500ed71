"""Background jobs (django-tasks, database back-end; run by `rapport db_worker`).

Each job does its work by reading the database, so a job that runs twice, late, or after a
crash does no harm and misses nothing. And each job queues its own retry before it starts, so
that a run that fails part-way is run again rather than forgotten.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from rapport.clinic import alerts

# How soon a job that failed part-way is tried again.
RETRY_INTERRUPTED_AFTER = timedelta(minutes=1)


@contextmanager
def _retried_unless_finished(job, *args, after: timedelta = RETRY_INTERRUPTED_AFTER):
    # The copy is committed before the work starts, so it survives an exception and also a worker
    # killed mid-job (no `finally` would run then). Once the work is done it is withdrawn.
    retry = job.using(run_after=timezone.now() + after).enqueue(*args)
    yield
    DBTaskResult.objects.filter(pk=retry.id, status=TaskResultStatus.READY).delete()


@task()
def send_alert_email(delivery_id: int) -> str:
    # A run that dies after claiming the e-mail leaves it claimed for CLAIM_FOR: retry after that.
    with _retried_unless_finished(send_alert_email, delivery_id, after=alerts.CLAIM_FOR):
        return alerts.deliver(delivery_id)


@task()
def check_escalations() -> int:
    with _retried_unless_finished(check_escalations):
        return alerts.escalate_due()
