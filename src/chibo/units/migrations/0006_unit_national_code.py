"""The official national code of a unit, and its format as a rulebook row (unit ``pattern``: a regular
expression the whole code must match), awaiting confirmation: the national code list is not published."""

from datetime import date

from django.db import migrations, models

RULE = ("units.national_code_format", "[A-Z0-9][A-Z0-9.-]{1,31}", "cần xác nhận",
        "2 đến 32 ký tự: chữ in hoa không dấu, chữ số, dấu chấm và gạch ngang")


def seed(apps, schema_editor):
    key, value, basis, note = RULE
    apps.get_model("core", "Rule").objects.create(
        key=key, value=value, unit="pattern", comparison="", basis=basis, confidence="to_confirm", note=note,
        effective_from=date(2000, 1, 1), created_by="migration")


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key=RULE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("units", "0005_unit_abbreviation"), ("core", "0009_rule_unit_pattern")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="national_code",
            field=models.CharField(blank=True, max_length=32, null=True, unique=True,
                                   verbose_name="mã tổ chức quốc gia"),
        ),
        migrations.RunPython(seed, unseed),
    ]
