"""The heaviest form of discipline each kind of organization may decide on a member (docs/domain.md §8): a cell up
to a warning, a grass-roots committee (which decides admissions abroad) and the upper committee up to expulsion;
a party group none. Seeded "to confirm": the upper committee versions them like any rule."""

from datetime import date

from django.db import migrations

BASIS = "Điều lệ Đảng, Điều 36; 296-QĐ/TW"
RULES = [
    ("upper", "4", "Đảng ủy cấp trên cơ sở: đến khai trừ"),
    ("grassroots_committee", "4", "Đảng ủy cơ sở (được quyết định kết nạp): đến khai trừ, trừ cấp ủy viên cùng cấp"),
    ("grassroots_cell", "2", "Chi bộ cơ sở: khiển trách, cảnh cáo đảng viên trong chi bộ"),
    ("subordinate_cell", "2", "Chi bộ trực thuộc: khiển trách, cảnh cáo đảng viên trong chi bộ"),
    ("delegation_cell", "2", "Chi bộ tạm thời: khiển trách, cảnh cáo"),
    ("party_group", "0", "Tổ đảng không quyết định kỷ luật"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([
        Rule(key=f"discipline.competence.{kind}", value=value, unit="count", comparison="lte", basis=BASIS,
             confidence="to_confirm", note=note, effective_from=date(2000, 1, 1), created_by="migration")
        for kind, value, note in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(
        created_by="migration", key__in=[f"discipline.competence.{k}" for k, _v, _n in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("discipline", "0002_discipline_rules")]
    operations = [migrations.RunPython(seed, unseed)]
