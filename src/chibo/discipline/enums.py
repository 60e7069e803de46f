"""Public enums of the discipline app: the forms of discipline, the areas of a violation, the states of a case and
of an appeal, the forms a state body disciplines with and the states of its notice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

from chibo.members.enums import Status


class Form(models.TextChoices):
    """From the lightest to the heaviest."""

    REPRIMAND = "reprimand", gettext_noop("Khiển trách")
    WARNING = "warning", gettext_noop("Cảnh cáo")
    REMOVAL = "removal", gettext_noop("Cách chức")
    EXPULSION = "expulsion", gettext_noop("Khai trừ")


# Charter art. 39 (docs/domain.md §8): a probationary member may only be reprimanded or warned.
FORMS_FOR_STATUS: dict[str, tuple[str, ...]] = {
    Status.FULL: tuple(Form.values), Status.EXEMPT: tuple(Form.values), Status.SUSPENDED: tuple(Form.values),
    Status.PROBATIONARY: (Form.REPRIMAND, Form.WARNING),
}


class Area(models.TextChoices):
    """What the violation concerns: every area but the ordinary one has no limitation period (69-QĐ/TW)."""

    ORDINARY = "ordinary", gettext_noop("Vi phạm khác")
    INTERNAL_POLITICS = "internal_politics", gettext_noop("Chính trị nội bộ")
    SECURITY = "security", gettext_noop("An ninh, quốc phòng")
    FOREIGN_AFFAIRS = "foreign_affairs", gettext_noop("Đối ngoại")
    DIPLOMA = "diploma", gettext_noop("Sử dụng văn bằng, chứng chỉ không hợp pháp")


class CaseState(models.TextChoices):
    OPEN = "open", gettext_noop("Đang xem xét")
    EXPLAINED = "explained", gettext_noop("Đảng viên đã tự kiểm điểm")
    VOTED = "voted", gettext_noop("Đã biểu quyết đề nghị")
    DECIDED = "decided", gettext_noop("Đã quyết định kỷ luật")
    APPEALED = "appealed", gettext_noop("Đang giải quyết khiếu nại")
    CLOSED = "closed", gettext_noop("Đã giải quyết khiếu nại")
    DROPPED = "dropped", gettext_noop("Không kỷ luật")


OPEN_STATES = (CaseState.OPEN, CaseState.EXPLAINED, CaseState.VOTED)


class Outcome(models.TextChoices):
    UPHELD = "upheld", gettext_noop("Giữ nguyên quyết định")
    CHANGED = "changed", gettext_noop("Thay đổi hình thức kỷ luật")
    ANNULLED = "annulled", gettext_noop("Xóa bỏ quyết định kỷ luật")


class StateForm(models.TextChoices):
    """The forms a state body disciplines an official or employee with (the notice names one)."""

    REPRIMAND = "reprimand", gettext_noop("Khiển trách")
    WARNING = "warning", gettext_noop("Cảnh cáo")
    SALARY_DOWN = "salary_down", gettext_noop("Hạ bậc lương")
    DEMOTION = "demotion", gettext_noop("Giáng chức")
    REMOVAL = "removal", gettext_noop("Cách chức")
    DISMISSAL = "dismissal", gettext_noop("Buộc thôi việc")


class NoticeState(models.TextChoices):
    RECEIVED = "received", gettext_noop("Chờ xem xét")
    CASE = "case", gettext_noop("Đã mở hồ sơ kỷ luật đảng")
    CLOSED = "closed", gettext_noop("Không xem xét kỷ luật đảng")
