"""Rules of the rulebook seeded from 01/01/2000 get their regulation's real effective date (docs/domain.md §12):
Quy định 294-QĐ/TW took effect on 01/07/2025, replacing 232-QĐ/TW; Quy định 01-QĐ/TW on dues took effect on
01/02/2026, replacing 342-QĐ/TW. The version before each date cites the earlier regulation and is marked to
confirm; the values stay as seeded."""

from datetime import date

from django.db import migrations

from chibo.core.migrations._history import join_split, split_seeded

ADMISSION = ("admission.age_min", "admission.age_max", "admission.cell_vote_ratio", "admission.committee_vote_ratio",
             "admission.decide_within", "admission.decide_extension_max", "admission.ceremony_within",
             "confirmation.consider_within", "confirmation.max_failed_votes", "resolution.pass_ratio")
DUES = ("strike_off.absence_or_dues_months", "dues.rate_salary", "dues.rate_pension", "dues.student_monthly",
        "dues.exempt_party_years")
CHANGES = [
    (ADMISSION, date(2025, 7, 1), ("294-QĐ/TW 2025", "232-QĐ/TW 2020")),
    (DUES, date(2026, 2, 1), ("01-QĐ/TW 2026", "342-QĐ/TW 2010")),
]


def forwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for keys, on, basis in CHANGES:
        split_seeded(Rule, keys=keys, on=on, basis=basis)


def backwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for keys, on, _ in CHANGES:
        join_split(Rule, keys=keys, on=on)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_rule_unit_pattern")]
    operations = [migrations.RunPython(forwards, backwards)]
