"""Background jobs (django-tasks, database back-end; run by `rapport db_worker`).

Each job does its work by reading the database, so a job that runs twice, late, or after a
crash does no harm and misses nothing.
"""

from django_tasks import task

from rapport.clinic import alerts


@task()
def send_alert_email(delivery_id: int) -> str:
    return alerts.deliver(delivery_id)


@task()
def check_escalations() -> int:
    return alerts.escalate_due()
