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
    MONTH = "month", gettext_noop("Tháng")
    QUARTER = "quarter", gettext_noop("Quý")
    HALF = "half", gettext_noop("Sáu tháng")
    YEAR = "year", gettext_noop("Năm")


class State(models.TextChoices):
    DRAFT = "draft", gettext_noop("Đang soạn")
    SUBMITTED = "submitted", gettext_noop("Đã nộp")
    SUPERSEDED = "superseded", gettext_noop("Đã thay bằng bản điều chỉnh")


ACTIVE_STATES = (State.DRAFT, State.SUBMITTED)

# The six groups of questions the seeds name (docs/domain.md §14): a default template's sections (a template keeps
# its sections as written; marked so that a page offering them may say them in the reader's language).
DEFAULT_SECTIONS = (
    gettext_noop("Giáo dục chính trị, tư tưởng"),
    gettext_noop("Xây dựng tổ chức đảng"),
    gettext_noop("Quản lý đảng viên"),
    gettext_noop("Công tác dân vận và bảo vệ chính trị nội bộ"),
    gettext_noop("Nghiên cứu, tham mưu"),
    gettext_noop("Tổ chức bộ máy, con người và nguồn lực"),
)
