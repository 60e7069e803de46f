"""Public enums of the grading app (kiểm điểm, đánh giá, xếp loại): periods, forms, review states, grades."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class PeriodKind(models.TextChoices):
    YEAR = "year", gettext_noop("Năm")
    QUARTER = "quarter", gettext_noop("Quý")
    TERM = "term", gettext_noop("Nhiệm kỳ")


class PeriodState(models.TextChoices):
    OPEN = "open", gettext_noop("Đang kiểm điểm")
    LOCKED = "locked", gettext_noop("Đã khóa")


class Form(models.TextChoices):
    """The self-assessment forms; ORG is the organization's own report."""

    F2A = "2A", gettext_noop("Mẫu 2A: đảng viên")
    F2B = "2B", gettext_noop("Mẫu 2B: đảng viên giữ chức vụ lãnh đạo, quản lý")
    F2C = "2C", gettext_noop("Mẫu 2C: đảng viên học tập, lao động, sinh sống ở nước ngoài")
    ORG = "ORG", gettext_noop("Báo cáo kiểm điểm của tổ chức đảng")


MEMBER_FORMS = (Form.F2A, Form.F2B, Form.F2C)
MEMBER_FORM_CHOICES = [(f.value, f.label) for f in MEMBER_FORMS]


class ReviewState(models.TextChoices):
    PENDING = "pending", gettext_noop("Chưa nộp bản tự đánh giá")
    SUBMITTED = "submitted", gettext_noop("Đã nộp, chờ chi bộ biểu quyết")
    CELL_VOTED = "cell_voted", gettext_noop("Chi bộ đã biểu quyết, chờ cấp ủy thẩm định")
    APPRAISED = "appraised", gettext_noop("Cấp ủy đã thẩm định, chờ quyết định")
    DECIDED = "decided", gettext_noop("Đã quyết định xếp loại")


class UnitReviewState(models.TextChoices):
    PENDING = "pending", gettext_noop("Chưa nộp báo cáo tự đánh giá")
    SUBMITTED = "submitted", gettext_noop("Đã tự đánh giá, chờ cấp trên quyết định")
    DECIDED = "decided", gettext_noop("Đã quyết định xếp loại")


class Grade(models.TextChoices):
    """From the highest to the lowest (the order the compute function tries them)."""

    EXCELLENT = "excellent", gettext_noop("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", gettext_noop("Hoàn thành tốt nhiệm vụ")
    COMPLETED = "completed", gettext_noop("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = "not_completed", gettext_noop("Không hoàn thành nhiệm vụ")


GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.COMPLETED, Grade.NOT_COMPLETED]
