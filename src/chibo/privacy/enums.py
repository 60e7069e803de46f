"""The kinds and states of personal data requests and breaches (docs/domain.md §10)."""

from __future__ import annotations

from django.db import models


class RequestKind(models.TextChoices):
    SEE = "see", "Xem dữ liệu của tôi"
    CORRECT = "correct", "Sửa dữ liệu sai"
    EXPORT = "export", "Nhận bản sao toàn bộ dữ liệu (tệp xuất)"
    RESTRICT = "restrict", "Hạn chế xử lý dữ liệu"
    ERASE = "erase", "Xóa dữ liệu"


class RequestState(models.TextChoices):
    FILED = "filed", "Đã gửi, chờ trả lời"
    ANSWERED = "answered", "Đã trả lời"
    REFUSED = "refused", "Từ chối (có lý do)"


class BreachState(models.TextChoices):
    OPEN = "open", "Chưa thông báo cơ quan chức năng"
    NOTIFIED = "notified", "Đã thông báo cơ quan chức năng"


class PersonKind(models.TextChoices):
    """Whose data is anonymised: a former member, or an applicant not admitted."""

    MEMBER = "member", "Đảng viên"
    APPLICANT = "applicant", "Quần chúng"
