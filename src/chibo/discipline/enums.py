"""Public enums of the discipline app: the forms of discipline, the areas of a violation, the states of a case and
of an appeal, the forms a state body disciplines with and the states of its notice."""

from __future__ import annotations

from django.db import models

from chibo.members.enums import Status


class Form(models.TextChoices):
    """From the lightest to the heaviest."""

    REPRIMAND = "reprimand", "Khiển trách"
    WARNING = "warning", "Cảnh cáo"
    REMOVAL = "removal", "Cách chức"
    EXPULSION = "expulsion", "Khai trừ"


# Charter art. 39 (docs/domain.md §8): a probationary member may only be reprimanded or warned.
FORMS_FOR_STATUS: dict[str, tuple[str, ...]] = {
    Status.FULL: tuple(Form.values), Status.EXEMPT: tuple(Form.values), Status.SUSPENDED: tuple(Form.values),
    Status.PROBATIONARY: (Form.REPRIMAND, Form.WARNING),
}


class Area(models.TextChoices):
    """What the violation concerns: every area but the ordinary one has no limitation period (69-QĐ/TW)."""

    ORDINARY = "ordinary", "Vi phạm khác"
    INTERNAL_POLITICS = "internal_politics", "Chính trị nội bộ"
    SECURITY = "security", "An ninh, quốc phòng"
    FOREIGN_AFFAIRS = "foreign_affairs", "Đối ngoại"
    DIPLOMA = "diploma", "Sử dụng văn bằng, chứng chỉ không hợp pháp"


class CaseState(models.TextChoices):
    OPEN = "open", "Đang xem xét"
    EXPLAINED = "explained", "Đảng viên đã tự kiểm điểm"
    VOTED = "voted", "Đã biểu quyết đề nghị"
    DECIDED = "decided", "Đã quyết định kỷ luật"
    APPEALED = "appealed", "Đang giải quyết khiếu nại"
    CLOSED = "closed", "Đã giải quyết khiếu nại"
    DROPPED = "dropped", "Không kỷ luật"


OPEN_STATES = (CaseState.OPEN, CaseState.EXPLAINED, CaseState.VOTED)


class Outcome(models.TextChoices):
    UPHELD = "upheld", "Giữ nguyên quyết định"
    CHANGED = "changed", "Thay đổi hình thức kỷ luật"
    ANNULLED = "annulled", "Xóa bỏ quyết định kỷ luật"


class StateForm(models.TextChoices):
    """The forms a state body disciplines an official or employee with (the notice names one)."""

    REPRIMAND = "reprimand", "Khiển trách"
    WARNING = "warning", "Cảnh cáo"
    SALARY_DOWN = "salary_down", "Hạ bậc lương"
    DEMOTION = "demotion", "Giáng chức"
    REMOVAL = "removal", "Cách chức"
    DISMISSAL = "dismissal", "Buộc thôi việc"


class NoticeState(models.TextChoices):
    RECEIVED = "received", "Chờ xem xét"
    CASE = "case", "Đã mở hồ sơ kỷ luật đảng"
    CLOSED = "closed", "Không xem xét kỷ luật đảng"
