"""Regular meetings held per year stored per cell (``MeetingYearFigure``, with each unit's subtree sums): the
statistics of a large subtree without reading every meeting. How the rows and sums stay right is
``chibo.core.yearly``'s; what is counted is here.

A cell's figure for a year is the number of months of that year in which it held a regular or combined meeting,
the month on the meeting's own calendar (its time zone), as ``meetings.selectors.regular_meetings_per_year``
counts them; units that are not cells count nothing. The definition reads no clock: the current year is stored
too. Every save or deletion of a meeting marks its unit's rows of every stored year ``dirty`` in the same
transaction (a model signal: whoever writes the meeting, ``apps.ready``). Writers behind the ORM (the national
loader, SQL) run ``chibo stats_figures --rebuild`` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Case, Count, IntegerField, QuerySet, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from chibo.core.events import subscribe
from chibo.core.yearly import StoredYears, chunks
from chibo.meetings.models import Meeting, MeetingKind, MeetingState, MeetingYearFigure, MeetingYearStored
from chibo.meetings.rules import CELL_KINDS
from chibo.units.events import UnitMoved

Figures = dict[tuple[int, int], tuple[int]]  # (unit id, year) → (months held,)


def meeting_zone(name: str) -> tzinfo:
    """A meeting's time zone (the server's for a name the zone database does not know)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def count(unit_ids: Iterable[int] | QuerySet[Any] | None, first: int, last: int) -> Figures:
    """Months held per cell and year from ``first`` to ``last`` counted from the meetings, for ``unit_ids`` (every
    unit when None, or a query of unit ids read as a subquery; units that are not cells count nothing); one grouped
    query per thousand units. A meeting's month is the one on its own calendar (its time zone), not the server's:
    the year and the month are taken in each of the time zones the meetings were held in (a CASE over them,
    converted by the database)."""
    units: list[int] | QuerySet[Any] | None
    if unit_ids is None or isinstance(unit_ids, QuerySet):
        units = unit_ids
    else:
        units = sorted(set(unit_ids))
        if not units:
            return {}
    meetings = Meeting.objects.filter(state=MeetingState.HELD, kind__in=(MeetingKind.REGULAR, MeetingKind.COMBINED),
                                      unit__kind__in=CELL_KINDS,
                                      starts_at__gte=timezone.make_aware(datetime(first, 1, 1)) - timedelta(days=1),
                                      starts_at__lt=timezone.make_aware(datetime(last + 1, 1, 1)) + timedelta(days=1))
    batches = ([meetings] if units is None else [meetings.filter(unit_id__in=units)] if isinstance(units, QuerySet)
               else [meetings.filter(unit_id__in=chunk) for chunk in chunks(units)])
    out: Figures = {}
    for qs in batches:
        zones = {name: meeting_zone(name) for name in qs.values_list("time_zone", flat=True).distinct().order_by()}
        if not zones:
            continue

        def local(extract: type[ExtractYear] | type[ExtractMonth], zones=zones) -> Case:
            return Case(*[When(time_zone=name, then=extract("starts_at", tzinfo=zone)) for name, zone in zones.items()],
                        output_field=IntegerField())

        rows = (qs.annotate(year=local(ExtractYear), month=local(ExtractMonth)).filter(year__gte=first, year__lte=last)
                .values("unit_id", "year").annotate(n=Count("month", distinct=True)).order_by())
        for row in rows:
            out[(row["unit_id"], row["year"])] = (row["n"],)
    return out


FIGURES = StoredYears(figure=MeetingYearFigure, stored=MeetingYearStored, fields=("held",), counter=count)
mark_units = FIGURES.mark_units
ready_years = FIGURES.ready_years


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    FIGURES.subtree_moved(event.old_path, event.new_path)


def read(path: str, years: list[int]) -> dict[int, int]:
    """The months held in ``years`` (ready ones) by the cells of the subtree at ``path``."""
    return {y: v[0] for y, v in FIGURES.read(path, years).items()}


def meeting_saved(sender, instance: Meeting, **kwargs) -> None:
    """The signal receiver (``apps.ready``): a meeting was saved or deleted."""
    mark_units([instance.unit_id])
