"""Two rules of the installation's own security policy (docs/domain.md, "Rulebook"): how long an
invitation link stays valid, and after how many days without a sign-in an account is listed by the
periodic account review. Seeded from 2000-01-01 like the others; the organization officer changes them
as new versions."""

from datetime import date

from django.db import migrations

SEED_FROM = date(2000, 1, 1)
BASIS = "Quy chế an toàn thông tin của hệ thống"

RULES = [
    ("account.invitation_days", "7", "calendar_days", "lte", "Lời mời kích hoạt tài khoản có hiệu lực 7 ngày"),
    ("account.unused_days", "90", "calendar_days", "gte",
     "Tài khoản không đăng nhập từ 90 ngày trở lên được đưa vào danh sách rà soát"),
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
    dependencies = [("core", "0005_audit_sealing")]
    operations = [migrations.RunPython(seed, unseed)]
