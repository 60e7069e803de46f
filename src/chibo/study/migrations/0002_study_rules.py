"""The party-awareness course certificate is valid 60 months (Hướng dẫn 06-HD/TW, 9/6/2025), docs/domain.md §9.
Admission reads this key (the older ``admission.course_validity_years`` is no longer read)."""

from datetime import date

from django.db import migrations

KEY = "study.awareness_course_validity_months"


def seed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.create(
        key=KEY, value="60", unit="months", comparison="lte", basis="Hướng dẫn 06-HD/TW, 9/6/2025",
        confidence="confirmed", note="Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng có giá trị 60 tháng kể từ ngày cấp",
        effective_from=date(2000, 1, 1), created_by="migration")


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("study", "0001_initial"), ("core", "0004_seed_rulebook")]
    operations = [migrations.RunPython(seed, unseed)]
