"""Audit events are append-only: the database itself rejects UPDATE on audit_event.

DELETE stays possible in SQL (test teardown flushes tables, and a retention job may one day
prune old rows); the model and its queryset refuse both in code.

On SQLite, a migration that rebuilds the table (most AlterField/RemoveField) drops its triggers:
such a migration must create this trigger again.
"""

from django.db import migrations

MESSAGE = "audit events are append-only: UPDATE on audit_event is not allowed"

SQLITE_CREATE = f"""
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_event_no_update"

POSTGRES_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_no_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_no_update()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_no_update()",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_CREATE])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)
    else:
        raise NotImplementedError(f"no append-only trigger for {vendor}")


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_DROP])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
