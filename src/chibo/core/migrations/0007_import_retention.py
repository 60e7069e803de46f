"""How long an uploaded member list and its row report are kept on disk (they hold citizen IDs and
e-mails in clear): a rule of the installation's own data-protection policy (docs/domain.md, "Rulebook")."""

from datetime import date

from django.db import migrations

SEED_FROM = date(2000, 1, 1)
BASIS = "Quy chế bảo vệ dữ liệu cá nhân của hệ thống (Nghị định 356/2025/NĐ-CP: lưu giữ tối thiểu)"
RULES = [
    ("import.keep_days", "3", "calendar_days", "lte",
     "Tệp danh sách đã tải lên và báo cáo từng dòng được xóa sau 3 ngày; tệp gốc xóa ngay khi nhập xong"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([
        Rule(key=key, value=value, unit=unit, comparison=comparison, basis=BASIS, confidence="confirmed", note=note,
             effective_from=SEED_FROM, created_by="migration")
        for key, value, unit, comparison, note in RULES
    ])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(key__in=[r[0] for r in RULES], created_by="migration").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0006_account_rules")]
    operations = [migrations.RunPython(seed, unseed)]
