"""The personal data rules (docs/domain.md §10): the response clock of a person's request, the breach notification
clock, and how long data of former members and of refused or withdrawn applicants is kept. None has a source
number recorded yet: all await confirmation."""

from datetime import date

from django.db import migrations

BASIS = "Nghị định 356/2025/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15"
RULES = [
    ("privacy.request_answer_within", "2", "working_days", "lte", BASIS,
     "Trả lời yêu cầu của chủ thể dữ liệu trong 2 ngày làm việc kể từ ngày nhận (trả lời, chưa cần làm xong)"),
    ("privacy.breach_notify_within", "3", "calendar_days", "lte", BASIS,
     "Thông báo cơ quan chức năng trong 72 giờ kể từ thời điểm phát hiện sự cố (tính theo giờ liên tục)"),
    ("privacy.keep_former_member_years", "10", "years", "lte", "Chưa có căn cứ, đề xuất của tổ chức",
     "Giữ dữ liệu của người đã ra khỏi Đảng; hết hạn thì ẩn danh, không xóa"),
    ("privacy.keep_applicant_years", "5", "years", "lte", "Chưa có căn cứ, đề xuất của tổ chức",
     "Giữ dữ liệu của quần chúng không được kết nạp hoặc rút hồ sơ; hết hạn thì ẩn danh"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([Rule(key=k, value=v, unit=u, comparison=op, basis=b, confidence="to_confirm", note=n,
                                   effective_from=date(2000, 1, 1), created_by="migration")
                              for k, v, u, op, b, n in RULES])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration", key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial"), ("core", "0008_alter_rule_unit")]
    operations = [migrations.RunPython(seed, unseed)]
