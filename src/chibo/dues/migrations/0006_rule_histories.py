"""The dues app's rules rest on Quy định 01-QĐ/TW, in force from 01/02/2026: each gets a version from that day,
and the seeded row becomes the version before it, citing 342-QĐ/TW and marked to confirm (docs/domain.md §12)."""

from datetime import date

from django.db import migrations

from chibo.core.migrations._history import join_split, split_seeded

ON = date(2026, 2, 1)


def _keys(Rule):
    return list(Rule.objects.filter(key__startswith="dues.", created_by="migration", basis__contains="01-QĐ/TW 2026")
                .values_list("key", flat=True).distinct())


def forwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    split_seeded(Rule, keys=_keys(Rule), on=ON, basis=("01-QĐ/TW 2026", "342-QĐ/TW 2010"))


def backwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    join_split(Rule, keys=_keys(Rule), on=ON)


class Migration(migrations.Migration):
    dependencies = [("dues", "0005_obligation_composite_indexes_only"), ("core", "0010_rule_histories")]
    operations = [migrations.RunPython(forwards, backwards)]
