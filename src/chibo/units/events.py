"""Events the units app publishes (``chibo.core.events``) for the apps above it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chibo.core.access import Actor
from chibo.units.models import Unit


@dataclass(frozen=True)
class UnitClosing:
    """A unit is about to close on ``closed_on``. A subscriber refuses by raising ValidationError
    (the members app: members are still on its rolls)."""

    actor: Actor
    unit: Unit
    closed_on: date


@dataclass(frozen=True)
class UnitClosed:
    """A unit closed (same transaction): its committee posts end, its open obligations stop."""

    actor: Actor
    unit: Unit
    closed_on: date
    document: str


@dataclass(frozen=True)
class UnitMoved:
    """A unit and its subtree moved under another parent (same transaction): ``old_path`` was its path before,
    ``new_path`` is its path now (the statistics' stored subtree sums follow it)."""

    actor: Actor
    unit: Unit
    old_path: str
    new_path: str
