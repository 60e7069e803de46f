"""Public enums of the grading app (kiểm điểm, đánh giá, xếp loại): periods, forms, review states, grades."""

from __future__ import annotations

from django.db import models


class PeriodKind(models.TextChoices):
    YEAR = "year", "Năm"
    QUARTER = "quarter", "Quý"
    TERM = "term", "Nhiệm kỳ"


class PeriodState(models.TextChoices):
    OPEN = "open", "Đang kiểm điểm"
    LOCKED = "locked", "Đã khóa"


class Form(models.TextChoices):
    """The self-assessment forms; ORG is the organization's own report."""

    F2A = "2A", "Mẫu 2A: đảng viên"
    F2B = "2B", "Mẫu 2B: đảng viên giữ chức vụ lãnh đạo, quản lý"
    F2C = "2C", "Mẫu 2C: đảng viên học tập, lao động, sinh sống ở nước ngoài"
    ORG = "ORG", "Báo cáo kiểm điểm của tổ chức đảng"


MEMBER_FORMS = (Form.F2A, Form.F2B, Form.F2C)
MEMBER_FORM_CHOICES = [(f.value, f.label) for f in MEMBER_FORMS]


class ReviewState(models.TextChoices):
    PENDING = "pending", "Chưa nộp bản tự đánh giá"
    SUBMITTED = "submitted", "Đã nộp, chờ chi bộ biểu quyết"
    CELL_VOTED = "cell_voted", "Chi bộ đã biểu quyết, chờ cấp ủy thẩm định"
    APPRAISED = "appraised", "Cấp ủy đã thẩm định, chờ quyết định"
    DECIDED = "decided", "Đã quyết định xếp loại"


class UnitReviewState(models.TextChoices):
    PENDING = "pending", "Chưa nộp báo cáo tự đánh giá"
    SUBMITTED = "submitted", "Đã tự đánh giá, chờ cấp trên quyết định"
    DECIDED = "decided", "Đã quyết định xếp loại"


class Grade(models.TextChoices):
    """From the highest to the lowest (the order the compute function tries them)."""

    EXCELLENT = "excellent", "Hoàn thành xuất sắc nhiệm vụ"
    GOOD = "good", "Hoàn thành tốt nhiệm vụ"
    COMPLETED = "completed", "Hoàn thành nhiệm vụ"
    NOT_COMPLETED = "not_completed", "Không hoàn thành nhiệm vụ"


GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.COMPLETED, Grade.NOT_COMPLETED]
