"""The meeting rules of Hướng dẫn 42-HD/BTCTW (28/10/2025) get that date (docs/domain.md §5, §12): the minimum
lengths, the documents sent a day ahead and whether a shorter regular or combined meeting is refused. The version
before it cites Hướng dẫn 12-HD/BTCTW 2018 and is marked to confirm; the minimums keep their seeded values as
guidance, but a meeting planned shorter is only warned about, never refused (``meeting.min_minutes_refused`` 0)."""

from datetime import date

from django.db import migrations

from chibo.core.migrations._history import join_split, split_seeded

ON = date(2025, 10, 28)
KEYS = ("meeting.min_minutes", "meeting.min_minutes_combined", "meeting.documents_before",
        "meeting.min_minutes_refused")
EARLIER = {"meeting.min_minutes_refused": {
    "value": "0",
    "note": "Trước 42-HD/BTCTW thời lượng tối thiểu chỉ là hướng dẫn: cuộc họp lên lịch ngắn hơn chỉ được cảnh báo, "
            "không bị từ chối. Cần xác nhận theo văn bản trước đó.",
}}


def forwards(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    split_seeded(Rule, keys=KEYS, on=ON, basis=("42-HD/BTCTW 2025", "12-HD/BTCTW 2018"), earlier=EARLIER)


def backwards(apps, schema_editor):
    join_split(apps.get_model("core", "Rule"), keys=KEYS, on=ON)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0007_sealed_slips"), ("core", "0010_rule_histories")]
    operations = [migrations.RunPython(forwards, backwards)]
