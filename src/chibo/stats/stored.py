"""The stored per-unit figures the statistics and the roll-up read (``members.yearly``, ``meetings.yearly``,
``transfers.yearly`` per year; the roll-up's live column per month: ``meetings.yearly.MONTHS``,
``transfers.yearly.MONTHS``, ``units.yearly``; and today's member counters, ``reports.live``, registered in
``core.yearly``): computed for the periods not stored yet, the rows a change marked computed again. Run by the
worker's periodic sweep and by ``chibo stats_figures`` (nightly, after an import, after writes made behind the
services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chibo.core.yearly import YEAR, StoredYears, Wrong, registered
from chibo.meetings import yearly as meeting_years
from chibo.members import yearly as member_years
from chibo.transfers import yearly as transfer_years
from chibo.transfers.selectors import arrivals_from_outside
from chibo.units import yearly as unit_months

KEPT = 10  # years stored back from the current one (older years asked for are counted from the records); the
# families stored per month keep core.yearly.MONTHS_KEPT months


def families() -> dict[str, tuple[StoredYears, dict[str, Any]]]:
    """Each stored family with what its counter needs."""
    return {"members": (member_years.FIGURES, {"arrivals": arrivals_from_outside()}),
            "meetings": (meeting_years.FIGURES, {}),
            "transfers": (transfer_years.FIGURES, {}),
            "meetings_months": (meeting_years.MONTHS, {}),
            "transfers_months": (transfer_years.MONTHS, {}),
            "cells_months": (unit_months.MONTHS, {}),
            **{name: (family, {}) for name, family in registered().items()}}


@dataclass
class Refreshed:
    computed: list[int]     # years computed for every unit (in the families stored per year)
    rows: dict[str, int]    # dirty rows computed again, per family


def missing_years(today: date, kept: int = KEPT) -> dict[str, list[int]]:
    """The periods kept (the years of the window, the months, today's) not stored yet, per family."""
    out = {}
    for name, (family, _options) in families().items():
        window = family.kept_periods(today, kept)
        have = set(family.ready_years(window[0], window[-1]))
        out[name] = [p for p in window if p not in have]
    return out


def refresh(today: date, *, kept: int = KEPT, rebuild: list[int] | None = None) -> Refreshed:
    """Compute the missing periods of the window (and those of the years ``rebuild``, again for every unit: their
    months for a family stored per month, today's for today's figures), then the dirty rows."""
    missing = missing_years(today, kept)
    computed: set[int] = set()
    rows = {}
    for name, (family, options) in families().items():
        again = family.periods_of_years(rebuild) if rebuild else []
        if family.per != YEAR:  # a window of months (or today's only): nothing outside it is stored, or marked
            window = family.kept_periods(today, kept)
            family.forget_before(window[0])
            again = [p for p in again if window[0] <= p <= window[-1]]
        periods = sorted(set(missing[name]) | set(again))
        family.years_compute(periods, **options)
        if family.per == YEAR:
            computed.update(periods)
        rows[name] = family.refresh(**options)
    return Refreshed(sorted(computed), rows)


def check() -> dict[str, list[Wrong]]:
    """Stored rows that are wrong (clean rows against a recount, subtree sums against their rows), per family."""
    return {name: family.check(**options) for name, (family, options) in families().items()}


def sweep_step(today: date) -> None:
    refresh(today)
