"""Panels of a unit's page contributed by the apps above units.

A unit's page shows what the units app knows (its record, children, history) and then one panel per
app that has something to say about the unit: the committee and the members (members app), later
the meetings, dues … Each app registers its panels when Django starts (``AppConfig.ready``); a
panel's ``context`` returns None when it has nothing to show to this actor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chibo.core.access import Actor
from chibo.units.models import Unit


@dataclass(frozen=True)
class UnitPanel:
    key: str
    order: int
    template: str
    context: Callable[[Actor, Unit], dict[str, Any] | None]
    wide: bool = False  # full width below the grid of cards


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]
    wide: bool


_panels: dict[str, UnitPanel] = {}


def register_panel(panel: UnitPanel) -> None:
    _panels[panel.key] = panel


def panels_for(actor: Actor, unit: Unit) -> list[RenderedPanel]:
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(actor, unit)
        if ctx is not None:
            shown.append(RenderedPanel(panel.key, panel.template, {"unit": unit, **ctx}, panel.wide))
    return shown
