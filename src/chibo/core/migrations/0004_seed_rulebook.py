"""The rulebook as first seeded from the domain reference (docs/domain.md, "Rulebook").

Every version starts on 2000-01-01: the system needs a value for every case it holds, and these
are the values in force as far as the reference knows. A regulation that changes a value is a new
version added by the organization officer (never an edit of these rows).
"""

from datetime import date

from django.db import migrations

SEED_FROM = date(2000, 1, 1)
C, T = "confirmed", "to_confirm"

# key, value, unit, comparison, basis, confidence, note
RULES = [
    ("transfer.official_abroad_min_months", "12", "months", "gte", "01-HD/TW 2021 §10 (06-HD/TW 2025)", T,
     "Từ 12 tháng trở lên thì chuyển sinh hoạt chính thức"),
    ("transfer.temporary_min_months", "3", "months", "gte", "01-HD/TW 2021 §10.3", C, "Chuyển tạm thời: từ 3 tháng"),
    ("transfer.temporary_max_months", "12", "months", "lt", "01-HD/TW 2021 §10.3", C, "Chuyển tạm thời: dưới 12 tháng"),
    ("transfer.temporary_domestic_study_max_months", "24", "months", "lte", "01-HD/TW 2021 §10.3", C,
     "Đi học trong nước: đến 24 tháng"),
    ("transfer.start_within", "60", "working_days", "lte", "12-HD/BTCTW 2022", C,
     "Đề nghị chuyển sinh hoạt trong 60 ngày làm việc kể từ quyết định điều động"),
    ("transfer.report_within", "30", "calendar_days", "lte", "12-HD/BTCTW 2022", C,
     "Xuất trình giấy giới thiệu trong 30 ngày kể từ ngày ghi trên giấy"),
    ("delegation.min_full_members_for_cell", "3", "count", "gte", "01-HD/TW 2021 §10", C,
     "Đoàn có từ 3 đảng viên chính thức thì lập chi bộ tạm thời"),
    ("trip.report_within", "7", "working_days", "lte", "58-QĐ/TW 2022; 01-HD/BTCTW 2022", C,
     "Báo cáo trong 7 ngày làm việc sau khi về nước"),
    ("admission.age_min", "18", "years", "gte", "294-QĐ/TW 2025", T, "Tính theo tháng đến ngày chi bộ xét"),
    ("admission.age_max", "60", "years", "lte", "294-QĐ/TW 2025", T, "Trên 60 tuổi cần cấp ủy cấp trên xem xét"),
    ("admission.introducer_min_years_together", "1", "years", "gte", "Điều lệ Đảng, Điều 4", C,
     "Người giới thiệu công tác cùng người vào Đảng ít nhất 1 năm"),
    ("admission.course_validity_years", "5", "years", "lte", "Hướng dẫn cũ về lớp bồi dưỡng nhận thức về Đảng", T,
     "Thời hạn giá trị giấy chứng nhận lớp nhận thức về Đảng"),
    ("admission.cell_vote_ratio", "2/3", "ratio", "gte", "294-QĐ/TW 2025", C,
     "Ít nhất 2/3 tổng số đảng viên chính thức của chi bộ tán thành"),
    ("admission.committee_vote_ratio", "2/3", "ratio", "gte", "294-QĐ/TW 2025", C,
     "Ít nhất 2/3 tổng số cấp ủy viên tán thành"),
    ("admission.decide_within", "60", "working_days", "lte", "294-QĐ/TW 2025", C,
     "Cấp ủy có thẩm quyền quyết định trong 60 ngày làm việc kể từ nghị quyết chi bộ"),
    ("admission.decide_extension_max", "30", "working_days", "lte", "294-QĐ/TW 2025", C, "Gia hạn tối đa 30 ngày làm việc"),
    ("admission.ceremony_within", "30", "working_days", "lte", "294-QĐ/TW 2025", C,
     "Tổ chức lễ kết nạp trong 30 ngày làm việc kể từ khi nhận quyết định"),
    ("probation.months", "12", "months", "gte", "Điều lệ Đảng", C, "Thời kỳ dự bị 12 tháng kể từ ngày kết nạp"),
    ("confirmation.consider_within", "30", "working_days", "lte", "294-QĐ/TW 2025", C,
     "Chi bộ xét công nhận chính thức trong 30 ngày làm việc sau khi hết thời kỳ dự bị"),
    ("confirmation.max_failed_votes", "3", "count", "gte", "294-QĐ/TW 2025", C,
     "Sau 3 lần biểu quyết không đủ 2/3 thì báo cáo cấp trên"),
    ("meeting.regular_every", "1", "months", "lte", "Điều lệ Đảng, Điều 24", C, "Sinh hoạt thường kỳ mỗi tháng một lần"),
    ("meeting.thematic_every", "3", "months", "lte", "12-HD/BTCTW 2018", T, "Sinh hoạt chuyên đề ít nhất mỗi quý một lần"),
    ("meeting.min_minutes", "90", "minutes", "gte", "42-HD/BTCTW 2025", C, "Sinh hoạt thường kỳ ít nhất 90 phút"),
    ("meeting.min_minutes_combined", "120", "minutes", "gte", "42-HD/BTCTW 2025", C,
     "Kết hợp thường kỳ và chuyên đề: ít nhất 120 phút"),
    ("meeting.documents_before", "1", "calendar_days", "gte", "42-HD/BTCTW 2025", C,
     "Tài liệu gửi trước ít nhất 1 ngày"),
    ("resolution.pass_ratio", "1/2", "ratio", "gt", "294-QĐ/TW 2025", C,
     "Nghị quyết được thông qua khi quá nửa số đảng viên được triệu tập tán thành"),
    ("strike_off.absence_or_dues_months", "3", "count", "gte", "Điều lệ Đảng, Điều 8; 01-QĐ/TW 2026", C,
     "Bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm không có lý do chính đáng"),
    ("dues.rate_salary", "1/100", "ratio", "", "01-QĐ/TW 2026", C, "1% tiền lương đóng bảo hiểm xã hội"),
    ("dues.rate_pension", "1/200", "ratio", "", "01-QĐ/TW 2026", C, "0,5% lương hưu"),
    ("dues.student_monthly", "5000", "money", "", "01-QĐ/TW 2026", C, "Học sinh, sinh viên: 5.000 đồng/tháng"),
    ("dues.abroad_monthly", "0", "money", "", "01-QĐ/TW 2026", T, "Mức đóng ở nước ngoài: chờ hướng dẫn"),
    ("dues.exempt_party_years", "50", "years", "gte", "01-QĐ/TW 2026", C, "Miễn đóng khi có từ 50 năm tuổi Đảng"),
    ("grading.band_excellent", "90", "points", "gte", "366-QĐ/TW 2025", C, "Hoàn thành xuất sắc nhiệm vụ"),
    ("grading.band_good", "70", "points", "gte", "366-QĐ/TW 2025", C, "Hoàn thành tốt nhiệm vụ"),
    ("grading.band_completed", "50", "points", "gte", "366-QĐ/TW 2025", T, "Hoàn thành nhiệm vụ"),
    ("discipline.appeal_within", "1", "months", "lte", "296-QĐ/TW 2025", C,
     "Khiếu nại trong 1 tháng kể từ ngày nhận quyết định"),
    ("discipline.limitation_years_reprimand", "5", "years", "lte", "69-QĐ/TW", T, "Thời hiệu: mức khiển trách"),
    ("discipline.limitation_years_warning", "10", "years", "lte", "69-QĐ/TW", T, "Thời hiệu: mức cảnh cáo, cách chức"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.bulk_create([
        Rule(key=key, value=value, unit=unit, comparison=comparison, basis=basis, confidence=confidence, note=note,
             effective_from=SEED_FROM, created_by="migration")
        for key, value, unit, comparison, basis, confidence, note in RULES
    ])


def unseed(apps, schema_editor):
    apps.get_model("core", "Rule").objects.filter(created_by="migration").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendarday_rule")]
    operations = [migrations.RunPython(seed, unseed)]
