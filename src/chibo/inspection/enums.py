"""Public enums of the inspection app: the kinds of a yearly plan, the states of a plan's item and of an inspection
case (docs/domain.md §8)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Kind(models.TextChoices):
    INSPECTION = "inspection", gettext_noop("Kiểm tra")
    SUPERVISION = "supervision", gettext_noop("Giám sát")


class ItemState(models.TextChoices):
    PLANNED = "planned", gettext_noop("Chưa tiến hành")
    IN_PROGRESS = "in_progress", gettext_noop("Đang tiến hành")
    DONE = "done", gettext_noop("Đã kết luận")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


class CaseState(models.TextChoices):
    OPEN = "open", gettext_noop("Đang kiểm tra")
    EXPLAINED = "explained", gettext_noop("Đã giải trình")
    CONCLUDED = "concluded", gettext_noop("Đã kết luận")
    DROPPED = "dropped", gettext_noop("Đã dừng kiểm tra")


OPEN_STATES = (CaseState.OPEN, CaseState.EXPLAINED)
ITEM_OPEN_STATES = (ItemState.PLANNED, ItemState.IN_PROGRESS)
