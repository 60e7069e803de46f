"""Unit kinds as data: what each kind is called and at which level it sits, as versioned rulebook rows
(``units.kind_name.<kind>``, ``units.kind_level.<kind>``, unit ``name``), so that a regulation that renames a kind
(a reported 2026 regulation calls every cell simply "chi bộ") is a new version from its date, not a code change."""

from datetime import date

from django.db import migrations

BASIS = "Điều lệ Đảng (2011), Chương V; 294-QĐ/TW 2025"
KINDS = [  # kind, name, level
    ("upper", "Đảng ủy cấp trên cơ sở", "Cấp trên cơ sở"),
    ("grassroots_committee", "Đảng bộ cơ sở", "Cơ sở"),
    ("grassroots_cell", "Chi bộ cơ sở", "Cơ sở"),
    ("subordinate_cell", "Chi bộ trực thuộc", "Dưới cơ sở"),
    ("party_group", "Tổ đảng", "Trong chi bộ"),
    ("delegation_cell", "Chi bộ tạm thời (đoàn công tác)", "Chi bộ tạm thời"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for kind, name, level in KINDS:
        for key, value in ((f"units.kind_name.{kind}", name), (f"units.kind_level.{kind}", level)):
            Rule.objects.create(key=key, value=value, unit="name", comparison="", basis=BASIS, confidence="confirmed",
                                effective_from=date(2000, 1, 1), created_by="migration")


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(key__startswith="units.kind_").delete()


class Migration(migrations.Migration):
    dependencies = [("units", "0006_unit_national_code"), ("core", "0011_rule_unit_name")]
    operations = [migrations.RunPython(seed, unseed)]
