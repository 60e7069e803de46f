"""Public enums of the inspection app: the kinds of a yearly plan, the states of a plan's item and of an inspection
case (docs/domain.md §8)."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    INSPECTION = "inspection", "Kiểm tra"
    SUPERVISION = "supervision", "Giám sát"


class ItemState(models.TextChoices):
    PLANNED = "planned", "Chưa tiến hành"
    IN_PROGRESS = "in_progress", "Đang tiến hành"
    DONE = "done", "Đã kết luận"
    CANCELLED = "cancelled", "Đã hủy"


class CaseState(models.TextChoices):
    OPEN = "open", "Đang kiểm tra"
    EXPLAINED = "explained", "Đã giải trình"
    CONCLUDED = "concluded", "Đã kết luận"
    DROPPED = "dropped", "Đã dừng kiểm tra"


OPEN_STATES = (CaseState.OPEN, CaseState.EXPLAINED)
ITEM_OPEN_STATES = (ItemState.PLANNED, ItemState.IN_PROGRESS)
