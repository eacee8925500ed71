"""Running sums of the course summaries, per team and clinician and per month of ending.

Why: a programme lead's figures cover the whole organisation, and summing 100,000 summary rows
(twenty-odd filtered counts each) at every request took seconds on SQLite. Each rewrite of a
summary (rapport.programme.summaries.refresh) hands this module the rows it deleted and the rows
it wrote; the difference is added to the totals rows of their groups in one upsert per table, in
the same transaction, so the totals never disagree with the summaries. `rebuild()` recomputes them
from the summaries (after a bulk load, or to repair). Only live summaries count, as in every figure.
"""

from collections import defaultdict
from datetime import date

from django.db import connection
from django.db.models import Field

from rapport.core import fidelity
from rapport.core.programme import OUTCOMES
from rapport.programme.models import ClinicianTotals, CourseSummary, MonthTotals

# The summary columns a row's contribution is computed from.
SOURCE = (
    "organisation_id",
    "team_id",
    "clinician_id",
    "live",
    "ended_on",
    "started",
    "finished",
    "dropped_out",
    "paired",
    "sessions_attended",
    "days_to_first_session",
    *OUTCOMES,
    *fidelity.INDICATORS,
    "measured_sessions",
    "tasks_due",
    "tasks_reviewed_count",
)
UPSERT_BATCH = 200  # groups per statement: 200 x 56 parameters
COUNTS = ("started", "finished", "dropped_out", "paired")
RATES = (*OUTCOMES, *fidelity.INDICATORS)
COLUMNS = (
    "referrals",
    *COUNTS,
    "sessions_finished",
    "days_started",
    "days_counted",
    *(f"{key}_{part}" for key in RATES for part in ("n", "of")),
    "measured_n",
    "measured_of",
    "tasks_n",
    "tasks_of",
)


def contribution(row: dict) -> dict[str, int]:
    """What one live summary adds to its groups' totals (booleans may come back from the
    database as 0 and 1)."""
    out = {"referrals": 1}
    for key in COUNTS:
        out[key] = 1 if row[key] else 0
    finished, started, days = bool(row["finished"]), bool(row["started"]), row["days_to_first_session"]
    out["sessions_finished"] = row["sessions_attended"] if finished else 0
    out["days_started"] = days if started and days is not None else 0
    out["days_counted"] = 1 if started and days is not None else 0
    for key in RATES:
        value = row[key]
        out[f"{key}_n"] = 1 if value is not None and value else 0
        out[f"{key}_of"] = 0 if value is None else 1
    each = row["measure_each_session"] is not None
    out["measured_n"] = row["measured_sessions"] if each else 0
    out["measured_of"] = row["sessions_attended"] if each else 0
    out["tasks_n"] = row["tasks_reviewed_count"]
    out["tasks_of"] = row["tasks_due"]
    return out


def _month(value) -> date:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.replace(day=1)


def _sums(rows, sign: int, by_clinician: dict, by_month: dict) -> None:
    for row in rows:
        if not row["live"]:
            continue
        added = contribution(row)
        groups = [by_clinician[(row["organisation_id"], row["team_id"], row["clinician_id"])]]
        if row["ended_on"] is not None:
            groups.append(by_month[(row["organisation_id"], _month(row["ended_on"]))])
        for sums in groups:
            for key, value in added.items():
                sums[key] += sign * value


def _new_sums() -> defaultdict:
    return defaultdict(lambda: dict.fromkeys(COLUMNS, 0))


def apply(removed: list[dict], written: list[dict]) -> None:
    """Add what `written` contributes and take away what `removed` did: at most one statement per
    table, none when the figures did not move (a note edited, a score that changes no flag)."""
    by_clinician, by_month = _new_sums(), _new_sums()
    _sums(removed, -1, by_clinician, by_month)
    _sums(written, 1, by_clinician, by_month)
    _upsert(ClinicianTotals, ("organisation_id", "team_id", "clinician_id"), by_clinician)
    _upsert(MonthTotals, ("organisation_id", "month"), by_month)


def _upsert(model, keys: tuple[str, ...], sums: dict) -> None:
    changed = sorted((key, values) for key, values in sums.items() if any(values.values()))
    if not changed:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [*keys, *COLUMNS]
    marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in COLUMNS)
    # In key order, so that two writers lock rows in the same order; in batches that stay under
    # SQLite's limit on parameters.
    for start in range(0, len(changed), UPSERT_BATCH):
        batch = changed[start : start + UPSERT_BATCH]
        params: list = []
        for key, values in batch:
            params += [connection.ops.adapt_datefield_value(k) if isinstance(k, date) else k for k in key]
            params += [values[c] for c in COLUMNS]
        sql = (
            f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) "  # noqa: S608 (model names)
            f"VALUES {', '.join([marks] * len(batch))} "
            f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def rebuild() -> None:
    """Every totals row recomputed from the live summaries."""
    by_clinician, by_month = _new_sums(), _new_sums()
    rows = CourseSummary.objects.filter(live=True).values(*SOURCE).order_by()
    _sums(rows.iterator(chunk_size=5000), 1, by_clinician, by_month)
    ClinicianTotals.objects.all().delete()
    MonthTotals.objects.all().delete()
    ClinicianTotals.objects.bulk_create(
        (
            ClinicianTotals(organisation_id=org, team_id=team, clinician_id=clinician, **values)
            for (org, team, clinician), values in by_clinician.items()
        ),
        batch_size=500,
    )
    MonthTotals.objects.bulk_create(
        (
            MonthTotals(organisation_id=org, month=month, **values)
            for (org, month), values in by_month.items()
        ),
        batch_size=500,
    )


def forget(course_ids) -> None:
    """Delete these courses' summaries and take them out of the totals: for a purge, which
    deletes rows around the ORM's signals."""
    apply(deleted(sorted(course_ids)), [])


def _column(name: str) -> str:
    field = CourseSummary._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # noqa: S101 (a concrete column, for mypy)
    return field.column


def deleted(ids: list[int]) -> list[dict]:
    """Delete these courses' summaries, returning what they held (one statement: DELETE ...
    RETURNING, on SQLite 3.35 and later and on PostgreSQL)."""
    if not ids:
        return []
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(name)) for name in SOURCE)
    sql = (
        f"DELETE FROM {quote(CourseSummary._meta.db_table)} "  # noqa: S608 (names from the model)
        f"WHERE {quote('course_id')} IN ({', '.join(['%s'] * len(ids))}) RETURNING {columns}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return [dict(zip(SOURCE, row, strict=True)) for row in cursor.fetchall()]
