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

from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Case, Count, IntegerField, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from chibo.core.events import subscribe
from chibo.core.yearly import MONTH, StoredYears, UnitIds, before_save, month_period, period_month, unit_batches
from chibo.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingMonthFigure,
    MeetingMonthStored,
    MeetingState,
    MeetingYearFigure,
    MeetingYearStored,
)
from chibo.meetings.rules import CELL_KINDS
from chibo.units.events import UnitMoved

Figures = dict[tuple[int, int], tuple[int]]  # (unit id, year) → (months held,)


def meeting_zone(name: str) -> tzinfo:
    """A meeting's time zone (the server's for a name the zone database does not know)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def count(unit_ids: UnitIds, first: int, last: int) -> Figures:
    """Months held per cell and year from ``first`` to ``last`` counted from the meetings, for ``unit_ids`` (every
    unit when None, or a query of unit ids read as a subquery; units that are not cells count nothing); one grouped
    query per thousand units. A meeting's month is the one on its own calendar (its time zone), not the server's:
    the year and the month are taken in each of the time zones the meetings were held in (a CASE over them,
    converted by the database)."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    meetings = Meeting.objects.filter(state=MeetingState.HELD, kind__in=(MeetingKind.REGULAR, MeetingKind.COMBINED),
                                      unit__kind__in=CELL_KINDS,
                                      starts_at__gte=timezone.make_aware(datetime(first, 1, 1)) - timedelta(days=1),
                                      starts_at__lt=timezone.make_aware(datetime(last + 1, 1, 1)) + timedelta(days=1))
    out: Figures = {}
    for qs in [meetings] if batches is None else [meetings.filter(unit_id__in=batch) for batch in batches]:
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


# -- the roll-up's meetings held per month ---------------------------------------------------------------------
HELD_KINDS = (MeetingKind.REGULAR, MeetingKind.COMBINED)
OTHER_KINDS = (MeetingKind.THEMATIC, MeetingKind.EXTRAORDINARY)


def count_months(unit_ids: UnitIds, first: int, last: int) -> dict[tuple[int, int], tuple[int, int]]:
    """(regular or combined, thematic or extraordinary) meetings held per unit and month (``core.yearly``'s period
    numbers ``first`` to ``last``), the month on the server's calendar, as the roll-up's live column counts a
    period's meetings (``reports.figures``), for ``unit_ids``; units and months with none left out."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    (y0, m0), (y1, m1) = period_month(first), period_month(last)
    since = timezone.make_aware(datetime(y0, m0, 1))
    until = timezone.make_aware(datetime(y1 + m1 // 12, m1 % 12 + 1, 1))
    meetings = Meeting.objects.filter(state=MeetingState.HELD, kind__in=(*HELD_KINDS, *OTHER_KINDS),
                                      starts_at__gte=since, starts_at__lt=until)
    zone = timezone.get_current_timezone()
    out: dict[tuple[int, int], list[int]] = {}
    for qs in [meetings] if batches is None else [meetings.filter(unit_id__in=batch) for batch in batches]:
        rows = (qs.annotate(y=ExtractYear("starts_at", tzinfo=zone), m=ExtractMonth("starts_at", tzinfo=zone))
                .values_list("unit_id", "y", "m", "kind").annotate(n=Count("pk")).order_by())
        for unit_id, year, month, kind, n in rows:
            cell = out.setdefault((unit_id, year * 12 + month - 1), [0, 0])
            cell[0 if kind in HELD_KINDS else 1] += n
    return {key: (v[0], v[1]) for key, v in out.items()}


MONTHS = StoredYears(figure=MeetingMonthFigure, stored=MeetingMonthStored, fields=("held", "other"),
                     counter=count_months, per=MONTH)


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    FIGURES.subtree_moved(event.old_path, event.new_path)
    MONTHS.subtree_moved(event.old_path, event.new_path)


def read(path: str, years: list[int]) -> dict[int, int]:
    """The months held in ``years`` (ready ones) by the cells of the subtree at ``path``."""
    return {y: v[0] for y, v in FIGURES.read(path, years).items()}


# What the roll-up's months count of a meeting: held or not, its kind, its unit and its day.
COUNTED = ("state", "kind", "unit_id", "starts_at")
remember = before_save(COUNTED)  # the pre_save receiver (``apps.ready``)


def _month_counted(values: tuple[Any, ...] | None) -> tuple[int, int] | None:
    """(unit, month) in which a meeting with these ``COUNTED`` values counts as held, None when it does not."""
    if values is None:
        return None
    state, kind, unit_id, starts_at = values
    if state != MeetingState.HELD or kind not in (*HELD_KINDS, *OTHER_KINDS) or starts_at is None:
        return None
    return unit_id, month_period(timezone.localtime(starts_at).date())


def _mark(unit_id: int, before: tuple[Any, ...] | None, after: tuple[Any, ...] | None) -> None:
    mark_units([unit_id])  # the months held per year: every stored year of the unit, as before
    was, now = _month_counted(before), _month_counted(after)
    if was != now or (was is not None and before != after):  # the kind may move between the two figures
        changed = [c for c in (was, now) if c]
        MONTHS.mark_units([u for u, _m in changed], periods=[m for _u, m in changed])


def meeting_saved(sender, instance: Meeting, **kwargs) -> None:
    """The ``post_save`` receiver (``apps.ready``): the rows of the months a meeting counted in before the save
    (``remember``) and counts in now are dirty, none when neither changed (a meeting planned, its agenda edited)."""
    _mark(instance.unit_id, getattr(instance, "stored_before", None),
          tuple(getattr(instance, f) for f in COUNTED))


def meeting_deleted(sender, instance: Meeting, **kwargs) -> None:
    """The ``post_delete`` receiver: what the meeting counted no longer counts."""
    _mark(instance.unit_id, tuple(getattr(instance, f) for f in COUNTED), None)
