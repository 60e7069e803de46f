"""The discipline rules beside those already in the rulebook (docs/domain.md §8): the vote on a proposed form and
the time the level above has to decide an appeal."""

from datetime import date

from django.db import migrations

RULES = [
    ("discipline.vote_ratio", "1/2", "ratio", "gt", "Điều lệ Đảng, Điều 10 (biểu quyết quá nửa)",
     "Chi bộ biểu quyết đề nghị hình thức kỷ luật: quá nửa số đảng viên chính thức"),
    ("discipline.appeal_decide_within", "90", "calendar_days", "lte", "Quy định về giải quyết khiếu nại kỷ luật đảng",
     "Cấp ủy cấp trên giải quyết khiếu nại kỷ luật trong 90 ngày kể từ ngày nhận đơn"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([Rule(key=k, value=v, unit=u, comparison=op, basis=b, confidence="to_confirm", note=n,
                                   effective_from=date(2000, 1, 1), created_by="migration")
                              for k, v, u, op, b, n in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("discipline", "0001_initial"), ("core", "0008_alter_rule_unit")]
    operations = [migrations.RunPython(seed, unseed)]
