"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on the audit trail.

The model refuses too, but these hold for any SQL the application might send. On SQLite,
`INSERT OR REPLACE` deletes the existing row without firing delete triggers (unless recursive
triggers are on), so an insert naming an id already present is refused before it happens.
PostgreSQL's upsert (`ON CONFLICT DO UPDATE`) and MERGE fire the update trigger.
"""

SQLITE_INSTALL = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
]
SQLITE_REPLACE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit_auditevent
       WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
]
SQLITE_REPLACE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_replace"]
SQLITE_INSTALL += SQLITE_REPLACE_INSTALL
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    *SQLITE_REPLACE_REMOVE,
]

POSTGRESQL_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$""",
    """CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_no_change ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent",
]

_SQL = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _statements(connection, which: int) -> list[str]:
    if connection.vendor not in _SQL:
        raise RuntimeError(f"no append-only audit triggers for {connection.vendor}")
    return _SQL[connection.vendor][which]


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, 0):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, 1):
            cursor.execute(sql)
