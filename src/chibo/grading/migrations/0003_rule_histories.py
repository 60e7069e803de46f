"""The grading rules get the dates of their regulations (docs/domain.md §7, §12): Quy định 366-QĐ/TW of 30/8/2025
for the bands, the 30 + 70 points and the Article 11 shares; Hướng dẫn 43-HD/BTCTW of 31/10/2025 for the points of
each criterion and the days each step has. The version before each date cites Quy định 124-QĐ/TW 2023, which
366-QĐ/TW replaced, and is marked to confirm; values stay as seeded (a criterion keeps its wording).

The cap on "excellent" was seeded off (0) with the older guidance's 20% in its basis: before 30/8/2025 it applies
(1/5 of those graded good or better, 124-QĐ/TW, to confirm); from that day it is off until 366-QĐ/TW is read to say
otherwise (to confirm)."""

from datetime import date, timedelta

from django.db import migrations

from chibo.core.migrations._history import SEEDED_FROM, join_split, split_seeded

ON_366 = date(2025, 8, 30)
ON_43 = date(2025, 10, 31)
B43 = "366-QĐ/TW 2025; 43-HD/BTCTW 2025"
OLD = "124-QĐ/TW 2023"

CAP = "grading.excellent_cap"
CAP_SEEDED = {"value": "0", "basis": "Hướng dẫn trước 366-QĐ/TW (20% số hoàn thành tốt)",
              "note": "Trần tỷ lệ hoàn thành xuất sắc trên số hoàn thành tốt trở lên; 0 = không áp dụng "
                      "(nhập 1/5 để áp dụng)"}
CAP_BEFORE = {"value": "1/5", "basis": "124-QĐ/TW 2023 (20% số hoàn thành tốt)",
              "note": "Trước 366-QĐ/TW: số hoàn thành xuất sắc không quá 20% số hoàn thành tốt trở lên. Giá trị chưa "
                      "đối chiếu với văn bản, cần xác nhận."}
CAP_FROM = {"value": "0", "basis": "366-QĐ/TW 2025 (chưa thấy quy định trần; cần xác nhận)",
            "note": CAP_SEEDED["note"]}


def _keys(Rule, basis: str):
    return list(Rule.objects.filter(key__startswith="grading.", created_by="migration", basis__contains=basis)
                .values_list("key", flat=True).distinct())


def forwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    # The 43-HD/BTCTW rows first: their basis names 366-QĐ/TW too, and a rule split once is left alone after.
    split_seeded(Rule, keys=_keys(Rule, B43), on=ON_43, basis=(B43, OLD), keep_note=True)
    # The Article 11 shares cite no article of the older text (its numbering is not that of 366-QĐ/TW).
    for basis in ("366-QĐ/TW 2025 Điều 11", "366-QĐ/TW 2025"):
        split_seeded(Rule, keys=_keys(Rule, basis), on=ON_366, basis=(basis, OLD))
    versions = list(Rule.objects.filter(key=CAP))
    seeded = versions[0] if len(versions) == 1 else None
    if (seeded is not None and seeded.effective_from == SEEDED_FROM and seeded.effective_to is None
            and seeded.value == CAP_SEEDED["value"] and seeded.basis == CAP_SEEDED["basis"]):
        Rule.objects.create(key=CAP, unit=seeded.unit, comparison=seeded.comparison, confidence="to_confirm",
                            effective_from=ON_366, created_by="migration", **CAP_FROM)
        Rule.objects.filter(pk=seeded.pk).update(effective_to=ON_366 - timedelta(days=1), confidence="to_confirm",
                                                 **CAP_BEFORE)


def backwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    later = Rule.objects.filter(key=CAP, effective_from=ON_366, created_by="migration", basis=CAP_FROM["basis"])
    if later.exists():
        later.delete()
        Rule.objects.filter(key=CAP, effective_from=SEEDED_FROM).update(effective_to=None, **CAP_SEEDED)
    join_split(Rule, keys=_keys(Rule, "366-QĐ/TW 2025"), on=ON_366)
    join_split(Rule, keys=_keys(Rule, B43), on=ON_43)


class Migration(migrations.Migration):
    dependencies = [("grading", "0002_grading_rules"), ("core", "0010_rule_histories")]
    operations = [migrations.RunPython(forwards, backwards)]
