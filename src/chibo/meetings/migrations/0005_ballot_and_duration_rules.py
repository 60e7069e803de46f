"""Two meeting rules beside the ones seeded with the rulebook (docs/domain.md, "Rulebook"):

- ``meeting.ballot_min_voters``: the fewest eligible voters present for a secret ballot to open. Below it the
  result would tell who voted how (one voter present: the result is their vote). The number is the product's
  own reading, to confirm against the published guidance.
- ``meeting.min_minutes_refused``: whether a regular (90 min) or combined (120 min) meeting planned shorter is
  refused (1) or only warned about (0)."""

from datetime import date

from django.db import migrations

SEED_FROM = date(2000, 1, 1)
RULES = [
    ("meeting.ballot_min_voters", "3", "count", "gte", "Quy chế bầu cử trong Đảng (số tối thiểu cần xác nhận)",
     "to_confirm", "Bỏ phiếu kín chỉ mở khi có ít nhất 3 đảng viên chính thức có mặt có quyền bỏ phiếu, để kết quả "
     "không để lộ lá phiếu của ai"),
    ("meeting.min_minutes_refused", "1", "count", "", "42-HD/BTCTW 2025 (cách áp dụng cần xác nhận)", "to_confirm",
     "1 = từ chối cuộc họp thường kỳ (kết hợp) lên lịch ngắn hơn thời lượng tối thiểu; 0 = chỉ cảnh báo"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([
        Rule(key=key, value=value, unit=unit, comparison=comparison, basis=basis, confidence=confidence, note=note,
             effective_from=SEED_FROM, created_by="migration")
        for key, value, unit, comparison, basis, confidence, note in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_encrypt_documents"), ("core", "0004_seed_rulebook")]
    operations = [migrations.RunPython(seed, unseed)]
