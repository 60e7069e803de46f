"""Public enums of the dues app (other apps import these, never ``chibo.dues.models``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Base(models.TextChoices):
    """What a member's monthly dues are computed from."""

    SALARY = "salary", gettext_noop("1% tiền lương đóng bảo hiểm xã hội")
    PENSION = "pension", gettext_noop("0,5% lương hưu")
    STUDENT = "student", gettext_noop("Học sinh, sinh viên (mức cố định)")
    ABROAD = "abroad", gettext_noop("Mức cố định theo diện ở nước ngoài")


class DecisionKind(models.TextChoices):
    EXEMPT = "exempt", gettext_noop("Miễn đóng đảng phí")
    REDUCE = "reduce", gettext_noop("Giảm mức đóng")
    DEFER = "defer", gettext_noop("Cho chậm đóng (có lý do chính đáng)")


class DecisionReason(models.TextChoices):
    SOCIAL_PENSION = "social_pension", gettext_noop("Hưởng trợ cấp xã hội")
    POOR_HOUSEHOLD = "poor_household", gettext_noop("Hộ nghèo")
    ILLNESS = "illness", gettext_noop("Ốm đau hiểm nghèo, dài ngày")
    HARDSHIP = "hardship", gettext_noop("Hoàn cảnh khó khăn khác")
    ABSENCE = "absence", gettext_noop("Vắng mặt dài ngày có lý do chính đáng")


class Method(models.TextChoices):
    CASH = "cash", gettext_noop("Tiền mặt")
    BANK = "bank", gettext_noop("Chuyển khoản")
    PORTAL = "portal", gettext_noop("Cổng dịch vụ công")


class EntryKind(models.TextChoices):
    PAYMENT = "payment", gettext_noop("Thu đảng phí")
    REVERSAL = "reversal", gettext_noop("Bút toán đảo (hủy một khoản đã ghi)")


class RemittanceState(models.TextChoices):
    SENT = "sent", gettext_noop("Đã nộp lên cấp trên")
    CONFIRMED = "confirmed", gettext_noop("Cấp trên đã xác nhận nhận đủ")
    RETURNED = "returned", gettext_noop("Cấp trên trả lại (sai số liệu)")
