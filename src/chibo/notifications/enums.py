"""Public enums of the outbox: the channels a message goes out on, the states of its delivery."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    IN_APP = "inapp", "Trong hệ thống"
    EMAIL = "email", "Thư điện tử"


class State(models.TextChoices):
    QUEUED = "queued", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Lỗi (sẽ thử lại)"
    GAVE_UP = "gave_up", "Lỗi (ngừng thử)"


FAILING_STATES = (State.FAILED, State.GAVE_UP)

# What the delivery log calls each kind of message; a kind missing here is shown as its key.
KIND_LABELS = {
    "deadline.reminder": "Nhắc hạn công việc",
    "meeting.notice": "Thông báo sinh hoạt",
    "meeting.absence": "Đề nghị xem xét xóa tên",
    "security.notice": "Thông báo bảo mật",
    "account.invitation": "Lời mời kích hoạt tài khoản",
    "account.review": "Rà soát tài khoản định kỳ",
    "deadline.moved": "Hạn công việc thay đổi theo lịch",
    "library.sent": "Tài liệu mới",
    "library.read_reminder": "Nhắc đọc tài liệu",
    "library.handover": "Bàn giao tài liệu",
    "grading.remind": "Nhắc nộp bản tự đánh giá",
    "grading.returned": "Bản tự đánh giá được trả lại",
    "programs.handed_down": "Việc cấp trên giao trong chương trình công tác",
    "programs.reminder": "Nhắc thực hiện chương trình công tác",
    "programs.proposal": "Kiến nghị, đề xuất gửi lên",
    "programs.answered": "Trả lời kiến nghị, đề xuất",
    "reports.submitted": "Báo cáo định kỳ đã nộp",
    "reports.reminder": "Nhắc nộp báo cáo định kỳ",
}
OTHER_KIND_LABEL = "Thông báo khác"  # a notification without a kind


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
