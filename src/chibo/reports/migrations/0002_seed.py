"""The installation's default quarterly template (the six groups of questions the seeds name, every figure) and the
rule of the day a report is due: 15 days after its period ends (a working practice of the upper committee, to be
confirmed against its regulation)."""

from datetime import date

from django.db import migrations

KEY = "reports.due_days"
SECTIONS = [
    "Giáo dục chính trị, tư tưởng",
    "Xây dựng tổ chức đảng",
    "Quản lý đảng viên",
    "Công tác dân vận và bảo vệ chính trị nội bộ",
    "Nghiên cứu, tham mưu",
    "Tổ chức bộ máy, con người và nguồn lực",
]
FIGURES = [
    "members.total", "members.probationary", "members.full", "members.exempt", "members.suspended",
    "category.mission_staff", "category.spouse", "category.state_student", "category.self_student",
    "category.labourer", "category.resident", "category.delegation", "category.domestic", "members.alone",
    "admission.admitted", "admission.confirmed", "transfers.in", "transfers.out", "meetings.held", "meetings.due",
    "meetings.other", "discipline.opened", "inspection.opened", "grades.excellent", "grades.good",
    "grades.completed", "grades.not_completed", "library.read", "dues_collected",
]


def seed(apps, schema_editor):
    Template = apps.get_model("reports", "Template")
    template = Template.objects.create(name="Báo cáo công tác đảng hằng quý", period_kind="quarter",
                                       sections=SECTIONS, figures=FIGURES, created_by="migration")
    template.family = template.pk
    template.save(update_fields=["family"])
    apps.get_model("core", "Rule").objects.create(
        key=KEY, value="15", unit="calendar_days", comparison="lte", basis="Quy chế làm việc của Đảng ủy cấp trên",
        confidence="to_confirm", note="Báo cáo định kỳ gửi cấp trên chậm nhất 15 ngày sau khi hết kỳ",
        effective_from=date(2000, 1, 1), created_by="migration")


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key=KEY).delete()
    apps.get_model("reports", "Template").objects.filter(created_by="migration").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("core", "0010_rule_histories")]
    operations = [migrations.RunPython(seed, unseed)]
