"""Public enums of the kernel: units and comparisons of rules, confidence, kinds of announced days."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class RuleUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", gettext_noop("ngày")
    WORKING_DAYS = "working_days", gettext_noop("ngày làm việc")
    MONTHS = "months", gettext_noop("tháng")
    YEARS = "years", gettext_noop("năm")
    MINUTES = "minutes", gettext_noop("phút")
    COUNT = "count", gettext_noop("lần / người")
    POINTS = "points", gettext_noop("điểm")
    RATIO = "ratio", gettext_noop("tỷ lệ")
    MONEY = "money", gettext_noop("đồng (VND)")
    # An amount in the currency named by the key's last part (dues.abroad.spouse.EUR → EUR).
    FOREIGN_MONEY = "money_fx", gettext_noop("theo đồng tiền ghi ở cuối mã quy định")
    # The format of an identifier: a regular expression the whole value must match (card and dossier numbers).
    PATTERN = "pattern", gettext_noop("mẫu định dạng")
    # A name in force from a date (what each kind of unit is called): plain text, no markup.
    NAME = "name", gettext_noop("tên gọi")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", gettext_noop("từ … trở lên (≥)")
    MORE_THAN = "gt", gettext_noop("trên (>)")
    LESS_THAN = "lt", gettext_noop("dưới (<)")
    AT_MOST = "lte", gettext_noop("không quá (≤)")


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", gettext_noop("Đã xác nhận")
    TO_CONFIRM = "to_confirm", gettext_noop("Cần xác nhận")


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", gettext_noop("Ngày nghỉ (thêm)")
    WORKING_DAY = "working_day", gettext_noop("Ngày làm việc bù (thứ Bảy/Chủ nhật)")
