"""Kinds of units as data: what a kind is called and the level it sits at, read from the rulebook on a date
(``units.kind_name.<kind>``, ``units.kind_level.<kind>``). The codes of the kinds (``UnitKind``) and the shape of
the tree (``ALLOWED_CHILDREN``) stay in code: they drive behaviour; the names are what regulations change."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core import clock
from chibo.core.enums import RuleUnit
from chibo.core.rulebook import Family, RuleNotInForce, UnknownRule, register_family, rule
from chibo.units.enums import UnitKind

NAME = "units.kind_name."
LEVEL = "units.kind_level."


def _read(prefix: str, kind: str, on: date | None) -> str | None:
    try:
        return rule(prefix + kind, on=on or clock.today()).value
    except (UnknownRule, RuleNotInForce):
        return None


def kind_name(kind: str, on: date | None = None) -> str:
    """What ``kind`` is called on ``on`` (today by default); the kind's first name when the rulebook has none."""
    found = _read(NAME, kind, on)
    if found is not None:
        return found
    return _(UnitKind(kind).label) if kind in UnitKind.values else kind


def kind_level(kind: str, on: date | None = None) -> str:
    """The level ``kind`` sits at on ``on`` ("Cơ sở", "Cấp trên cơ sở" …); "" when the rulebook has none."""
    return _read(LEVEL, kind, on) or ""


def _kind_problem(rest: str) -> str:
    if rest not in UnitKind.values:
        return _("Loại tổ chức không hợp lệ: %(allowed)s") % {"allowed": ", ".join(UnitKind.values)}
    return ""


# The first half of a kind's rule's name ("Tên gọi loại tổ chức: Chi bộ cơ sở"), translated apart by the rule pages.
NAME_WORD = gettext_noop("Tên gọi loại tổ chức")
LEVEL_WORD = gettext_noop("Cấp của loại tổ chức")


def register() -> None:
    register_family(Family(NAME, RuleUnit.NAME, "", gettext_noop("Tên gọi của loại tổ chức đảng"), _kind_problem,
                           name=lambda rest: f"{NAME_WORD}: {UnitKind(rest).label}"))
    register_family(Family(LEVEL, RuleUnit.NAME, "", gettext_noop("Cấp của loại tổ chức đảng"), _kind_problem,
                           name=lambda rest: f"{LEVEL_WORD}: {UnitKind(rest).label}"))
