"""Database triggers that refuse UPDATE and DELETE on the audit log, whoever connects."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER escalations_audit_no_update BEFORE UPDATE ON escalations_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER escalations_audit_no_delete BEFORE DELETE ON escalations_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
]
POSTGRESQL = [
    "CREATE FUNCTION escalations_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$",
    "CREATE TRIGGER escalations_audit_append_only BEFORE UPDATE OR DELETE ON escalations_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION escalations_audit_refuse()",
]
DROP = {
    "sqlite": ["DROP TRIGGER escalations_audit_no_update", "DROP TRIGGER escalations_audit_no_delete"],
    "postgresql": [
        "DROP TRIGGER escalations_audit_append_only ON escalations_auditentry",
        "DROP FUNCTION escalations_audit_refuse()",
    ],
}


def create_triggers(apps, schema_editor):
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("escalations", "0002_staff_workflow")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
