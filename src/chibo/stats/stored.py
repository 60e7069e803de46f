"""The stored per-unit yearly figures the statistics read (``members.yearly``, ``meetings.yearly``): computed for the
years not stored yet, the rows a change marked computed again. Run by the worker's periodic sweep and by
``chibo stats_figures`` (nightly, after an import, after writes made behind the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chibo.core.yearly import Wrong
from chibo.meetings import yearly as meeting_years
from chibo.members import yearly as member_years
from chibo.transfers.selectors import arrivals_from_outside

KEPT = 10  # years stored back from the current one (older years asked for are counted from the records)


@dataclass
class Refreshed:
    computed: list[int]   # years computed for every unit
    members: int          # dirty rows computed again
    meetings: int


def missing_years(today: date, kept: int = KEPT) -> tuple[list[int], list[int]]:
    """The years of the window not stored yet, for members and for meetings."""
    window = range(today.year - kept + 1, today.year + 1)
    have_members = set(member_years.ready_years(window.start, window.stop - 1))
    have_meetings = set(meeting_years.ready_years(window.start, window.stop - 1))
    return [y for y in window if y not in have_members], [y for y in window if y not in have_meetings]


def refresh(today: date, *, kept: int = KEPT, rebuild: list[int] | None = None) -> Refreshed:
    """Compute the missing years of the last ``kept`` (and ``rebuild``, again for every unit), then the dirty rows."""
    members, meetings = missing_years(today, kept)
    if rebuild:
        members, meetings = sorted(set(members) | set(rebuild)), sorted(set(meetings) | set(rebuild))
    arrivals = arrivals_from_outside()
    member_years.years_compute(members, arrivals=arrivals)
    meeting_years.years_compute(meetings)
    return Refreshed(sorted(set(members) | set(meetings)), member_years.refresh(arrivals=arrivals),
                     meeting_years.refresh())


def check() -> tuple[list[Wrong], list[Wrong]]:
    """Stored rows that are wrong (clean rows against a recount, subtree sums against their rows): (members,
    meetings)."""
    return member_years.check(arrivals=arrivals_from_outside()), meeting_years.check()


def sweep_step(today: date) -> None:
    refresh(today)
