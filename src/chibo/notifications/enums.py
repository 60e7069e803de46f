"""Public enums of the outbox: the channels a message goes out on, the states of its delivery."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Channel(models.TextChoices):
    IN_APP = "inapp", gettext_noop("Trong hệ thống")
    EMAIL = "email", gettext_noop("Thư điện tử")


class State(models.TextChoices):
    QUEUED = "queued", gettext_noop("Chờ gửi")
    SENT = "sent", gettext_noop("Đã gửi")
    FAILED = "failed", gettext_noop("Lỗi (sẽ thử lại)")
    GAVE_UP = "gave_up", gettext_noop("Lỗi (ngừng thử)")


FAILING_STATES = (State.FAILED, State.GAVE_UP)

# What the delivery log calls each kind of message; a kind missing here is shown as its key.
KIND_LABELS = {
    "deadline.reminder": gettext_noop("Nhắc hạn công việc"),
    "meeting.notice": gettext_noop("Thông báo sinh hoạt"),
    "meeting.absence": gettext_noop("Đề nghị xem xét xóa tên"),
    "security.notice": gettext_noop("Thông báo bảo mật"),
    "account.invitation": gettext_noop("Lời mời kích hoạt tài khoản"),
    "account.review": gettext_noop("Rà soát tài khoản định kỳ"),
    "deadline.moved": gettext_noop("Hạn công việc thay đổi theo lịch"),
    "library.sent": gettext_noop("Tài liệu mới"),
    "library.read_reminder": gettext_noop("Nhắc đọc tài liệu"),
    "library.handover": gettext_noop("Bàn giao tài liệu"),
    "grading.remind": gettext_noop("Nhắc nộp bản tự đánh giá"),
    "grading.returned": gettext_noop("Bản tự đánh giá được trả lại"),
    "programs.handed_down": gettext_noop("Việc cấp trên giao trong chương trình công tác"),
    "programs.reminder": gettext_noop("Nhắc thực hiện chương trình công tác"),
    "programs.proposal": gettext_noop("Kiến nghị, đề xuất gửi lên"),
    "programs.answered": gettext_noop("Trả lời kiến nghị, đề xuất"),
    "reports.submitted": gettext_noop("Báo cáo định kỳ đã nộp"),
    "reports.reminder": gettext_noop("Nhắc nộp báo cáo định kỳ"),
}
OTHER_KIND_LABEL = gettext_noop("Thông báo khác")  # a notification without a kind


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
