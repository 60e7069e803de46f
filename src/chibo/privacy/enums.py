"""The kinds and states of personal data requests and breaches (docs/domain.md §10)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class RequestKind(models.TextChoices):
    SEE = "see", gettext_noop("Xem dữ liệu của tôi")
    CORRECT = "correct", gettext_noop("Sửa dữ liệu sai")
    EXPORT = "export", gettext_noop("Nhận bản sao toàn bộ dữ liệu (tệp xuất)")
    RESTRICT = "restrict", gettext_noop("Hạn chế xử lý dữ liệu")
    ERASE = "erase", gettext_noop("Xóa dữ liệu")


class RequestState(models.TextChoices):
    FILED = "filed", gettext_noop("Đã gửi, chờ trả lời")
    ANSWERED = "answered", gettext_noop("Đã trả lời")
    REFUSED = "refused", gettext_noop("Từ chối (có lý do)")


class BreachState(models.TextChoices):
    OPEN = "open", gettext_noop("Chưa thông báo cơ quan chức năng")
    NOTIFIED = "notified", gettext_noop("Đã thông báo cơ quan chức năng")


class PersonKind(models.TextChoices):
    """Whose data is anonymised: a former member, or an applicant not admitted."""

    MEMBER = "member", gettext_noop("Đảng viên")
    APPLICANT = "applicant", gettext_noop("Quần chúng")
