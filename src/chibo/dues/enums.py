"""Public enums of the dues app (other apps import these, never ``chibo.dues.models``)."""

from __future__ import annotations

from django.db import models


class Base(models.TextChoices):
    """What a member's monthly dues are computed from."""

    SALARY = "salary", "1% tiền lương đóng bảo hiểm xã hội"
    PENSION = "pension", "0,5% lương hưu"
    STUDENT = "student", "Học sinh, sinh viên (mức cố định)"
    ABROAD = "abroad", "Mức cố định theo diện ở nước ngoài"


class DecisionKind(models.TextChoices):
    EXEMPT = "exempt", "Miễn đóng đảng phí"
    REDUCE = "reduce", "Giảm mức đóng"
    DEFER = "defer", "Cho chậm đóng (có lý do chính đáng)"


class DecisionReason(models.TextChoices):
    SOCIAL_PENSION = "social_pension", "Hưởng trợ cấp xã hội"
    POOR_HOUSEHOLD = "poor_household", "Hộ nghèo"
    ILLNESS = "illness", "Ốm đau hiểm nghèo, dài ngày"
    HARDSHIP = "hardship", "Hoàn cảnh khó khăn khác"
    ABSENCE = "absence", "Vắng mặt dài ngày có lý do chính đáng"


class Method(models.TextChoices):
    CASH = "cash", "Tiền mặt"
    BANK = "bank", "Chuyển khoản"
    PORTAL = "portal", "Cổng dịch vụ công"


class EntryKind(models.TextChoices):
    PAYMENT = "payment", "Thu đảng phí"
    REVERSAL = "reversal", "Bút toán đảo (hủy một khoản đã ghi)"


class RemittanceState(models.TextChoices):
    SENT = "sent", "Đã nộp lên cấp trên"
    CONFIRMED = "confirmed", "Cấp trên đã xác nhận nhận đủ"
    RETURNED = "returned", "Cấp trên trả lại (sai số liệu)"
