"""The discipline rules resting on Quy định 296-QĐ/TW (30/5/2025) get that date (docs/domain.md §8, §12): the
appeal window, the state body's notice and the competence of each kind of organization. The version before it
cites Quy định 22-QĐ/TW 2021, which 296-QĐ/TW replaced, and is marked to confirm; the values stay as seeded."""

from datetime import date

from django.db import migrations

from chibo.core.migrations._history import join_split, split_seeded

ON = date(2025, 5, 30)
OLD = "22-QĐ/TW 2021"


def _seeded(Rule):
    return list(Rule.objects.filter(key__startswith="discipline.", created_by="migration", basis__contains="296-QĐ/TW")
                .values_list("key", flat=True).distinct())


def forwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    keys = _seeded(Rule)
    # "296-QĐ/TW 2025" first, then the bases that name it without its year ("Điều lệ Đảng, Điều 36; 296-QĐ/TW");
    # a rule split by the first pass has two versions and is left alone by the second.
    split_seeded(Rule, keys=keys, on=ON, basis=("296-QĐ/TW 2025", OLD))
    split_seeded(Rule, keys=keys, on=ON, basis=("296-QĐ/TW", OLD))


def backwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    join_split(Rule, keys=_seeded(Rule), on=ON)


class Migration(migrations.Migration):
    dependencies = [("discipline", "0005_notice"), ("core", "0010_rule_histories")]
    operations = [migrations.RunPython(forwards, backwards)]
