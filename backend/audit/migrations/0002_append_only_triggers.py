"""Make the audit table append-only in the database itself.

Triggers reject every UPDATE and DELETE, whatever code or tool issues them, so a mistake
or a casual edit cannot rewrite history; deliberate tampering has to remove the triggers
first, and then the hash chain shows it (``manage.py audit_verify``). On PostgreSQL,
TRUNCATE is refused too while the table holds any event.
"""

from django.db import migrations

SQLITE_INSTALL = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

# restrict_violation (SQLSTATE 23001) surfaces as IntegrityError, as SQLite's RAISE(ABORT) does.
# Truncating an empty table erases nothing, so it is let through: test set-ups flush with it.
POSTGRES_INSTALL = [
    """CREATE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        has_rows boolean;
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
                INTO has_rows;
            IF NOT has_rows THEN
                RETURN NULL;
            END IF;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$""",
    """CREATE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
    """CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No append-only triggers for the {vendor} database.")
        for statement in statements[vendor]:
            # No parameters: the SQL holds literal % signs for plpgsql's RAISE.
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}),
            _run({"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}),
        )
    ]
