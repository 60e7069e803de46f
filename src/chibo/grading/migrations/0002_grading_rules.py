"""The grading rules beside the three bands already in the rulebook (docs/domain.md §7): the shares and the vote
of Article 11, the days each step has, the optional cap on "excellent" (off), and the criteria of each form.

The breakdown of the 30 + 70 points into criteria is the product's first reading of 366-QĐ/TW and 43-HD/BTCTW,
seeded "to confirm": the upper committee rewords or re-weights it as a new version of each rule."""

from datetime import date

from django.db import migrations

SEED_FROM = date(2000, 1, 1)
C, T = "confirmed", "to_confirm"
B366 = "366-QĐ/TW 2025"
B43 = "366-QĐ/TW 2025; 43-HD/BTCTW 2025 (khung điểm chi tiết cần xác nhận)"

RULES = [
    ("grading.general_points", "30", "points", "", B366, C, "Điểm tiêu chí chung"),
    ("grading.task_points", "70", "points", "", B366, C, "Điểm kết quả thực hiện nhiệm vụ"),
    ("grading.excellent_exceed_share", "3/10", "ratio", "gte", B366 + " Điều 11", C,
     "Hoàn thành xuất sắc: ít nhất 30% nhiệm vụ vượt yêu cầu"),
    ("grading.org_late_share", "1/5", "ratio", "lte", B366 + " Điều 11", C,
     "Tổ chức hoàn thành nhiệm vụ: không quá 20% nhiệm vụ chậm tiến độ"),
    ("grading.cell_vote_majority", "1/2", "ratio", "gt", "Điều lệ Đảng, Điều 10 (biểu quyết quá nửa)", T,
     "Chi bộ biểu quyết mức xếp loại: quá nửa số đảng viên chính thức được triệu tập"),
    ("grading.excellent_cap", "0", "ratio", "lte", "Hướng dẫn trước 366-QĐ/TW (20% số hoàn thành tốt)", T,
     "Trần tỷ lệ hoàn thành xuất sắc trên số hoàn thành tốt trở lên; 0 = không áp dụng (nhập 1/5 để áp dụng)"),
    ("grading.self_within", "14", "calendar_days", "lte", B43, T, "Đảng viên nộp bản tự đánh giá kể từ ngày mở kỳ"),
    ("grading.cell_within", "30", "calendar_days", "lte", B43, T, "Chi bộ họp, biểu quyết kể từ ngày mở kỳ"),
    ("grading.decide_within", "45", "calendar_days", "lte", B43, T, "Cấp ủy quyết định xếp loại kể từ ngày mở kỳ"),
]

GENERAL = [("g1", "10", "Tư tưởng chính trị"), ("g2", "10", "Phẩm chất đạo đức, lối sống"),
           ("g3", "10", "Ý thức tổ chức kỷ luật, tác phong, lề lối làm việc")]
TASKS = {
    "2A": [("t1", "50", "Kết quả thực hiện nhiệm vụ được giao"),
           ("t2", "20", "Thực hiện nhiệm vụ đảng viên, cam kết tu dưỡng, rèn luyện")],
    "2B": [("t1", "40", "Kết quả thực hiện nhiệm vụ được giao"),
           ("t2", "20", "Trách nhiệm lãnh đạo, quản lý; kết quả của cơ quan, đơn vị phụ trách"),
           ("t3", "10", "Thực hiện cam kết tu dưỡng, rèn luyện")],
    "2C": [("t1", "40", "Kết quả học tập, lao động, công việc"),
           ("t2", "20", "Thực hiện nhiệm vụ đảng viên được chi bộ phân công"),
           ("t3", "10", "Gương mẫu chấp hành pháp luật nước sở tại, giữ liên hệ với chi bộ")],
}
ORG_GENERAL = [("g1", "10", "Lãnh đạo chính trị, tư tưởng"), ("g2", "10", "Xây dựng tổ chức đảng, đảng viên"),
               ("g3", "10", "Kiểm tra, giám sát, kỷ luật đảng")]
ORG_TASKS = [("t1", "50", "Lãnh đạo thực hiện nhiệm vụ chính trị của cơ quan, đơn vị"),
             ("t2", "20", "Thực hiện chương trình, kế hoạch công tác năm")]


def _criteria():
    for form, tasks in TASKS.items():
        yield from ((f"grading.criterion.{form}.general.{c}", v, n) for c, v, n in GENERAL)
        yield from ((f"grading.criterion.{form}.tasks.{c}", v, n) for c, v, n in tasks)
    yield from ((f"grading.criterion.ORG.general.{c}", v, n) for c, v, n in ORG_GENERAL)
    yield from ((f"grading.criterion.ORG.tasks.{c}", v, n) for c, v, n in ORG_TASKS)


def seed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    rows = [Rule(key=k, value=v, unit=u, comparison=op, basis=b, confidence=c, note=n, effective_from=SEED_FROM,
                 created_by="migration") for k, v, u, op, b, c, n in RULES]
    rows += [Rule(key=k, value=v, unit="points", comparison="lte", basis=B43, confidence=T, note=n,
                  effective_from=SEED_FROM, created_by="migration") for k, v, n in _criteria()]
    Rule.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(created_by="migration", key__in=[r[0] for r in RULES] + [k for k, _v, _n in _criteria()]).delete()


class Migration(migrations.Migration):
    dependencies = [("grading", "0001_initial"), ("core", "0008_alter_rule_unit")]
    operations = [migrations.RunPython(seed, unseed)]
