"""The rule of the declassification reminder (docs/domain.md, "Tủ tài liệu và sổ tài liệu mật"): the deadline of a
classified document falls on the day its protection period ends (0 days from it); reminders go out before."""

from datetime import date

from django.db import migrations

RULES = [
    ("library.declassify_review_within", "0", "calendar_days", "lte",
     "Luật Bảo vệ bí mật nhà nước 117/2025/QH15 (hiệu lực 01/3/2026)",
     "Khi hết thời hạn bảo vệ, người đứng đầu xem xét giải mật hoặc gia hạn; hạn trên radar là ngày hết thời hạn"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([Rule(key=k, value=v, unit=u, comparison=op, basis=b, confidence="to_confirm", note=n,
                                   effective_from=date(2000, 1, 1), created_by="migration")
                              for k, v, u, op, b, n in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial"), ("core", "0008_alter_rule_unit")]
    operations = [migrations.RunPython(seed, unseed)]
