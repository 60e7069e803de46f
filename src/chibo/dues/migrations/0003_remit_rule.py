"""The time a unit has to send its month's dues up (the upper committee sets it: "to confirm" until then)."""

from datetime import date

from django.db import migrations

KEY = "dues.remit_within"


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.create(key=KEY, value="10", unit="calendar_days", comparison="",
                        basis="01-QĐ/TW 2026 (thời hạn nộp lên ở nước ngoài chờ hướng dẫn)", confidence="to_confirm",
                        note="Nộp phần đảng phí phải nộp lên cấp trên trong 10 ngày đầu tháng sau",
                        effective_from=date(2000, 1, 1), created_by="migration")


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(key=KEY, created_by="migration").delete()


class Migration(migrations.Migration):
    dependencies = [("dues", "0002_dues_rules")]
    operations = [migrations.RunPython(seed, unseed)]
