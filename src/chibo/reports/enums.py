"""States and kinds of the reports upward (docs/domain.md §14)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

# Who reads and who writes: the unit's officers read its reports and those of its subtree (``units.view``); the
# secretary and the organization officers of a unit write its reports, and those of an upper committee define its
# templates and remind the units below (``members.edit`` on the unit itself).
VIEW = "units.view"
WRITE = "members.edit"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"
    HALF = "half", "Sáu tháng"
    YEAR = "year", "Năm"


class State(models.TextChoices):
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Đã nộp"
    SUPERSEDED = "superseded", gettext_noop("Đã thay bằng bản điều chỉnh")


ACTIVE_STATES = (State.DRAFT, State.SUBMITTED)

# The six groups of questions the seeds name (docs/domain.md §14): a default template's sections.
DEFAULT_SECTIONS = (
    "Giáo dục chính trị, tư tưởng",
    "Xây dựng tổ chức đảng",
    "Quản lý đảng viên",
    "Công tác dân vận và bảo vệ chính trị nội bộ",
    "Nghiên cứu, tham mưu",
    "Tổ chức bộ máy, con người và nguồn lực",
)
