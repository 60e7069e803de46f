"""The formats of the party card number and the dossier number as rulebook rows (unit ``pattern``: a regular
expression the whole number must match), both awaiting confirmation: cards were reissued in 2025 and the new
card format is not published; the dossier number is documented as six digits and the provincial committee's
letters, but older records carry letters before the digits too (docs/domain.md, §2 and the rulebook)."""

from datetime import date

from django.db import migrations

RULES = [
    ("members.card_number_format", "[0-9]{6,12}",
     "Chưa có căn cứ về mẫu số thẻ cấp lại năm 2025 (Chỉ thị 51); theo các số thẻ đang dùng",
     "6 đến 12 chữ số"),
    ("members.dossier_number_format", "[A-Z]{0,4}[0-9]{4,10}[A-Z]{0,4}",
     "Hướng dẫn 12-HD/BTCTW (6 chữ số và mã đảng bộ tỉnh); chưa đối chiếu các hồ sơ cũ",
     "4 đến 10 chữ số, trước hoặc sau có thể có đến 4 chữ cái không dấu (ví dụ 012345BNG)"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([Rule(key=k, value=v, unit="pattern", comparison="", basis=b, confidence="to_confirm",
                                   note=n, effective_from=date(2000, 1, 1), created_by="migration")
                              for k, v, b, n in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0010_admission_decided_on"), ("core", "0009_rule_unit_pattern")]
    operations = [migrations.RunPython(seed, unseed)]
