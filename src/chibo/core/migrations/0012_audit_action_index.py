"""The audit table's ``action`` keeps one index, ``audit_action_idx``: the pattern-ops twin Django makes beside a
CharField's index on PostgreSQL (``…_like``) answers prefix searches, which no query of the audit log makes, and
costs every audit row written. The index kept is renamed, not rebuilt (a large table needs no new build)."""

from django.db import migrations, models

OLD = "core_auditevent_action_b3c9b7a8"
NEW = "audit_action_idx"


def forwards(apps, schema_editor):
    table = schema_editor.quote_name("core_auditevent")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(OLD + '_like')}")
        schema_editor.execute(f"ALTER INDEX IF EXISTS {schema_editor.quote_name(OLD)} RENAME TO {schema_editor.quote_name(NEW)}")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(NEW)} ON {table} (action)")
    else:  # SQLite renames no index: a small database, built again
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(OLD)}")
        schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(NEW)} ON {table} (action)")


def backwards(apps, schema_editor):
    table = schema_editor.quote_name("core_auditevent")
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(NEW)}")
    schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(OLD)} ON {table} (action)")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(OLD + '_like')} ON {table} "
                              "(action varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0011_rule_unit_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(model_name="auditevent", name="action", field=models.CharField(max_length=80)),
                migrations.AddIndex(model_name="auditevent",
                                    index=models.Index(fields=["action"], name="audit_action_idx")),
            ],
        ),
    ]
