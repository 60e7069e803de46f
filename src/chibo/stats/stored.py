"""The stored per-unit yearly figures the statistics read (``members.yearly``, ``meetings.yearly``,
``transfers.yearly``): computed for the
years not stored yet, the rows a change marked computed again. Run by the worker's periodic sweep and by
``chibo stats_figures`` (nightly, after an import, after writes made behind the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chibo.core.yearly import StoredYears, Wrong
from chibo.meetings import yearly as meeting_years
from chibo.members import yearly as member_years
from chibo.transfers import yearly as transfer_years
from chibo.transfers.selectors import arrivals_from_outside

KEPT = 10  # years stored back from the current one (older years asked for are counted from the records)


def families() -> dict[str, tuple[StoredYears, dict[str, Any]]]:
    """Each stored family with what its counter needs."""
    return {"members": (member_years.FIGURES, {"arrivals": arrivals_from_outside()}),
            "meetings": (meeting_years.FIGURES, {}),
            "transfers": (transfer_years.FIGURES, {})}


@dataclass
class Refreshed:
    computed: list[int]     # years computed for every unit (in any family)
    rows: dict[str, int]    # dirty rows computed again, per family


def missing_years(today: date, kept: int = KEPT) -> dict[str, list[int]]:
    """The years of the window not stored yet, per family."""
    window = range(today.year - kept + 1, today.year + 1)
    out = {}
    for name, (family, _options) in families().items():
        have = set(family.ready_years(window.start, window.stop - 1))
        out[name] = [y for y in window if y not in have]
    return out


def refresh(today: date, *, kept: int = KEPT, rebuild: list[int] | None = None) -> Refreshed:
    """Compute the missing years of the last ``kept`` (and ``rebuild``, again for every unit), then the dirty rows."""
    missing = missing_years(today, kept)
    computed: set[int] = set()
    rows = {}
    for name, (family, options) in families().items():
        years = sorted(set(missing[name]) | set(rebuild or []))
        family.years_compute(years, **options)
        computed.update(years)
        rows[name] = family.refresh(**options)
    return Refreshed(sorted(computed), rows)


def check() -> dict[str, list[Wrong]]:
    """Stored rows that are wrong (clean rows against a recount, subtree sums against their rows), per family."""
    return {name: family.check(**options) for name, (family, options) in families().items()}


def sweep_step(today: date) -> None:
    refresh(today)
