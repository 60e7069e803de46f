"""Public enums of the units app: kinds of units, which kinds sit under which, kinds of missions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class UnitKind(models.TextChoices):
    UPPER_COMMITTEE = "upper", gettext_noop("Đảng ủy cấp trên cơ sở")
    GRASSROOTS_COMMITTEE = "grassroots_committee", gettext_noop("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", gettext_noop("Chi bộ cơ sở")
    SUBORDINATE_CELL = "subordinate_cell", gettext_noop("Chi bộ trực thuộc")
    PARTY_GROUP = "party_group", gettext_noop("Tổ đảng")
    DELEGATION_CELL = "delegation_cell", gettext_noop("Chi bộ tạm thời (đoàn công tác)")


# Which kinds may sit under which: the tree's shape is checked by the services.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    UnitKind.UPPER_COMMITTEE: {UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL, UnitKind.DELEGATION_CELL},
    UnitKind.GRASSROOTS_COMMITTEE: {UnitKind.SUBORDINATE_CELL, UnitKind.DELEGATION_CELL},
    UnitKind.GRASSROOTS_CELL: {UnitKind.PARTY_GROUP},
    UnitKind.SUBORDINATE_CELL: {UnitKind.PARTY_GROUP},
    UnitKind.PARTY_GROUP: set(),
    UnitKind.DELEGATION_CELL: set(),
}


class MissionKind(models.TextChoices):
    NONE = "", "—"
    EMBASSY = "embassy", gettext_noop("Đại sứ quán")
    CONSULATE_GENERAL = "consulate_general", gettext_noop("Tổng lãnh sự quán")
    PERMANENT_MISSION = "permanent_mission", gettext_noop("Phái đoàn thường trực")
    DELEGATION = "delegation", gettext_noop("Đoàn công tác")
