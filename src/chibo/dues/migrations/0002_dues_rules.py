"""The dues rules of Quy định 01-QĐ/TW (3/2/2026, in force 1/2/2026) beyond the rates seeded with the rulebook,
and the shares each kind of unit keeps before sending the rest up (not public: "to confirm" until the upper
committee enters them with their basis). The amounts abroad by category and currency are entered by the upper
committee (dues.abroad.<category>.<CUR>); they replace the placeholder dues.abroad_monthly (a 0 no code read),
which is removed. Seeded from 2000-01-01 like the rest of the rulebook (versions before 2026 are not kept)."""

from datetime import date

from django.db import migrations

FROM = date(2000, 1, 1)
C, T = "confirmed", "to_confirm"
RULES = [
    ("dues.reduction_low", "3/10", "ratio", "01-QĐ/TW 2026", C, "Giảm 30% mức đóng theo quyết định"),
    ("dues.reduction_mid", "1/2", "ratio", "01-QĐ/TW 2026", C, "Giảm 50% mức đóng theo quyết định"),
    ("dues.reduction_high", "7/10", "ratio", "01-QĐ/TW 2026", C, "Giảm 70% mức đóng theo quyết định"),
    ("dues.reduction_max_months", "12", "months", "01-QĐ/TW 2026", C, "Mỗi lần giảm tối đa 12 tháng"),
    ("dues.prepay_max_months", "12", "months", "01-QĐ/TW 2026 (cho phép đóng trước; giới hạn chờ hướng dẫn)", T,
     "Đóng trước tối đa 12 tháng kể từ tháng hiện tại"),
    ("dues.arrears_consider_within", "30", "calendar_days", "01-QĐ/TW 2026; Điều lệ Đảng, Điều 8 (thời hạn xem xét "
     "chờ hướng dẫn)", T, "Chi bộ xem xét đề nghị xóa tên trong 30 ngày khi đảng viên chưa đóng đảng phí 3 tháng"),
    ("dues.kept.grassroots_cell", "3/10", "ratio", "01-QĐ/TW 2026 (tỷ lệ ở nước ngoài chờ hướng dẫn)", T,
     "Chi bộ cơ sở giữ lại 30%, nộp lên 70%"),
    ("dues.kept.subordinate_cell", "3/10", "ratio", "01-QĐ/TW 2026 (tỷ lệ ở nước ngoài chờ hướng dẫn)", T,
     "Chi bộ trực thuộc giữ lại 30%, nộp lên 70%"),
    ("dues.kept.grassroots_committee", "1/2", "ratio", "01-QĐ/TW 2026 (tỷ lệ ở nước ngoài chờ hướng dẫn)", T,
     "Đảng bộ cơ sở giữ lại 50% số thu, nộp lên phần còn lại"),
    ("dues.kept.delegation_cell", "3/10", "ratio", "01-QĐ/TW 2026 (tỷ lệ ở nước ngoài chờ hướng dẫn)", T,
     "Chi bộ tạm thời giữ lại 30%, nộp lên 70%"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(key="dues.abroad_monthly", created_by="migration").delete()
    Rule.objects.bulk_create([
        Rule(key=key, value=value, unit=unit, comparison="", basis=basis, confidence=confidence, note=note,
             effective_from=FROM, created_by="migration")
        for key, value, unit, basis, confidence, note in RULES
    ])


def unseed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(key__in=[r[0] for r in RULES], created_by="migration").delete()
    Rule.objects.create(key="dues.abroad_monthly", value="0", unit="money", comparison="", basis="01-QĐ/TW 2026",
                        confidence=T, note="Mức đóng ở nước ngoài: chờ hướng dẫn", effective_from=FROM,
                        created_by="migration")


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial"), ("core", "0008_alter_rule_unit")]
    operations = [migrations.RunPython(seed, unseed)]
