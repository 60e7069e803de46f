"""The time a state body has to notify the party organization that it disciplined a member (296-QĐ/TW: "within 5
days", read as working days; the unit is to confirm)."""

from datetime import date

from django.db import migrations

KEY = "discipline.state_notice_within"


def seed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.create(
        key=KEY, value="5", unit="working_days", comparison="lte", basis="296-QĐ/TW 2025", confidence="to_confirm",
        note="Cơ quan nhà nước thông báo cho tổ chức đảng quyết định kỷ luật đảng viên trong 5 ngày (làm việc?)",
        effective_from=date(2000, 1, 1), created_by="migration")


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("discipline", "0003_competence_rules")]
    operations = [migrations.RunPython(seed, unseed)]
