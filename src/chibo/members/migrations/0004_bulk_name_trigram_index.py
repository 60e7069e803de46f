"""Issue 7 (bulk/national scale): a pg_trgm GIN index on name_search so the diacritic-free contains-search
(name_search LIKE '%token%') uses an index on PostgreSQL at millions of members. No-op on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_name_search_trgm ON members_member USING gin (name_search gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS member_name_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_cases")]
    operations = [migrations.RunPython(forwards, backwards)]
