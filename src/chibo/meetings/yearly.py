"""Regular meetings held per year stored per unit (``MeetingYearFigure``): the statistics of a large subtree without
reading every meeting (the same design as ``members.yearly``).

A unit's figure for a year is the number of months of that year in which it held a regular or combined meeting,
the month on the meeting's own calendar (its time zone), as ``meetings.selectors.regular_meetings_per_year``
counts them; a subtree's figure sums its cells' rows. The definition reads no clock: the current year is stored
too. Every save or deletion of a meeting marks its unit's rows of every stored year ``dirty`` in the same
transaction (a model signal: whoever writes the meeting, ``apps.ready``); a dirty row is counted from the meetings
at read time until ``refresh`` computes it again. Writers behind the ORM (the national loader, SQL) call
``years_compute`` afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Sum, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from chibo.core.access import subtree_q
from chibo.meetings.models import Meeting, MeetingKind, MeetingState, MeetingYearFigure, MeetingYearStored

Figures = dict[tuple[int, int], int]  # (unit id, year) → months held
CHUNK = 1000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def runs(years: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for y in sorted(years):
        if out and out[-1][1] == y - 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


def count(unit_ids: Iterable[int] | None, first: int, last: int) -> Figures:
    """Months held per unit and year from ``first`` to ``last`` counted from the meetings, for ``unit_ids`` (every
    unit when None); one grouped query."""
    from chibo.meetings.selectors import _zone  # a function of the selectors, not a model

    units = None if unit_ids is None else sorted(set(unit_ids))
    if units is not None and not units:
        return {}
    meetings = Meeting.objects.filter(state=MeetingState.HELD, kind__in=(MeetingKind.REGULAR, MeetingKind.COMBINED),
                                      starts_at__gte=timezone.make_aware(datetime(first, 1, 1)) - timedelta(days=1),
                                      starts_at__lt=timezone.make_aware(datetime(last + 1, 1, 1)) + timedelta(days=1))
    batches = [meetings] if units is None else [meetings.filter(unit_id__in=chunk) for chunk in _chunks(units)]
    out: Figures = {}
    for qs in batches:
        zones = {name: _zone(name) for name in qs.values_list("time_zone", flat=True).distinct().order_by()}
        if not zones:
            continue

        def local(extract: type[ExtractYear] | type[ExtractMonth], zones=zones) -> Case:
            return Case(*[When(time_zone=name, then=extract("starts_at", tzinfo=zone)) for name, zone in zones.items()],
                        output_field=IntegerField())

        rows = (qs.annotate(year=local(ExtractYear), month=local(ExtractMonth)).filter(year__gte=first, year__lte=last)
                .values("unit_id", "year").annotate(n=Count("month", distinct=True)).order_by())
        for row in rows:
            out[(row["unit_id"], row["year"])] = row["n"]
    return out


def _stored_years_locked() -> list[int]:
    table = MeetingYearStored._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        cur.execute(f'SELECT "year" FROM "{table}"{lock}')  # noqa: S608  (a model's table name)
        return [r[0] for r in cur.fetchall()]


def mark_units(unit_ids: Iterable[int | None]) -> None:
    """A meeting of these units changed: their rows of every stored year become dirty (created when missing)."""
    ids = sorted({u for u in unit_ids if u})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        years = _stored_years_locked()
        if not years:
            return
        for chunk in _chunks(ids):
            MeetingYearFigure.objects.bulk_create([MeetingYearFigure(unit_id=u, year=y) for u in chunk for y in years],
                                                  ignore_conflicts=True)
            MeetingYearFigure.objects.filter(unit_id__in=chunk, year__in=years).update(dirty=F("dirty") + 1)


def _write(year: int, figures: Figures, read: dict[int, int]) -> None:
    units = sorted(set(read) | {u for u, y in figures if y == year})
    for chunk in _chunks(units):
        MeetingYearFigure.objects.bulk_create([MeetingYearFigure(unit_id=u, year=year) for u in chunk],
                                              ignore_conflicts=True)
        rows = list(MeetingYearFigure.objects.filter(unit_id__in=chunk, year=year).only("pk", "unit_id"))
        for row in rows:
            row.held = figures.get((row.unit_id, year), 0)
            row.dirty = F("dirty") - read.get(row.unit_id, 0)
        MeetingYearFigure.objects.bulk_update(rows, ["held", "dirty"], batch_size=500)


def years_compute(years: Iterable[int]) -> None:
    """Compute every unit's rows of ``years`` from the meetings; the years are read from the rows once done."""
    wanted = sorted(set(years))
    if not wanted:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'LOCK TABLE "{MeetingYearStored._meta.db_table}" IN EXCLUSIVE MODE')
        for year in wanted:
            MeetingYearStored.objects.get_or_create(year=year)
    with transaction.atomic():
        read: dict[int, dict[int, int]] = defaultdict(dict)
        for unit_id, year, dirty in MeetingYearFigure.objects.filter(year__in=wanted).values_list(
                "unit_id", "year", "dirty"):
            read[year][unit_id] = dirty
        for first, last in runs(wanted):
            figures = count(None, first, last)
            for year in range(first, last + 1):
                _write(year, figures, read[year])
        MeetingYearStored.objects.filter(year__in=wanted).update(ready=True, computed_at=timezone.now())


def refresh() -> int:
    """Compute again the dirty rows; returns how many were dirty."""
    with transaction.atomic():
        dirty = list(MeetingYearFigure.objects.filter(dirty__gt=0).values_list("unit_id", "year", "dirty"))
        if not dirty:
            return 0
        figures: Figures = {}
        for first, last in runs({y for _u, y, _d in dirty}):
            figures |= count({u for u, _y, _d in dirty}, first, last)
        by_year: dict[int, dict[int, int]] = defaultdict(dict)
        for u, y, d in dirty:
            by_year[y][u] = d
        for year, read in by_year.items():
            _write(year, {k: v for k, v in figures.items() if k[0] in read}, read)
    return len(dirty)


def ready_years(first: int, last: int) -> list[int]:
    return list(MeetingYearStored.objects.filter(year__gte=first, year__lte=last, ready=True)
                .values_list("year", flat=True))


def read(path: str, cell_kinds: Iterable[str], years: list[int]) -> dict[int, int]:
    """The months held in ``years`` (ready ones) by the cells (units of ``cell_kinds``) of the subtree at ``path``:
    the clean rows summed in the database, the units with a dirty row counted from the meetings."""
    if not years:
        return {}
    rows = MeetingYearFigure.objects.filter(subtree_q([path], "unit__path"), unit__kind__in=list(cell_kinds),
                                            year__in=years)
    out = dict.fromkeys(years, 0)
    for row in rows.filter(dirty=0).values("year").annotate(n=Sum("held")).order_by():
        out[row["year"]] = row["n"] or 0
    dirty = list(rows.filter(dirty__gt=0).values_list("unit_id", "year"))
    if dirty:
        counted: Figures = {}
        for first, last in runs({y for _u, y in dirty}):
            counted |= count({u for u, _y in dirty}, first, last)
        for key in dirty:
            out[key[1]] += counted.get(key, 0)
    return out


def check(years: Iterable[int] | None = None) -> list[tuple[int, int, int, int]]:
    """Clean rows of ready years that differ from a recount: (unit, year, stored, counted)."""
    wanted = sorted(set(years) if years is not None else
                    MeetingYearStored.objects.filter(ready=True).values_list("year", flat=True))
    wrong = []
    for first, last in runs(wanted):
        counted = count(None, first, last)
        rows = MeetingYearFigure.objects.filter(year__gte=first, year__lte=last)
        stored = {(u, y): n for u, y, n in rows.filter(dirty=0).values_list("unit_id", "year", "held")}
        dirty = set(rows.filter(dirty__gt=0).values_list("unit_id", "year"))
        for key in sorted(set(stored) | (set(counted) - dirty)):
            if stored.get(key, 0) != counted.get(key, 0):
                wrong.append((key[0], key[1], stored.get(key, 0), counted.get(key, 0)))
    return wrong


def meeting_saved(sender, instance: Meeting, **kwargs) -> None:
    """The signal receiver (``apps.ready``): a meeting was saved or deleted."""
    mark_units([instance.unit_id])
