"""The rules of work programs and proposals (docs/domain.md §14): when the upper committee answers a unit's
proposal, and how early an item counts as due soon on the follow-up board. No regulation fixes either: both await
confirmation ("cần xác nhận")."""

from datetime import date

from django.db import migrations

BASIS = "Chưa có căn cứ (cần xác nhận), đề xuất của tổ chức"
RULES = [
    ("programs.proposal_answer_within", "30", "calendar_days", "lte", BASIS,
     "Cấp ủy cấp trên trả lời kiến nghị, đề xuất của tổ chức trực thuộc trong thời hạn này kể từ ngày gửi"),
    ("programs.due_soon_days", "14", "calendar_days", "lte", BASIS,
     "Việc trong chương trình công tác còn từng này ngày đến hạn thì hiện là sắp đến hạn trên bảng theo dõi"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([Rule(key=k, value=v, unit=u, comparison=op, basis=b, confidence="to_confirm", note=n,
                                   effective_from=date(2000, 1, 1), created_by="migration")
                              for k, v, u, op, b, n in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial"), ("core", "0008_alter_rule_unit")]
    operations = [migrations.RunPython(seed, unseed)]
