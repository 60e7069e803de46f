"""Members at each year's end stored per unit (``MemberYearFigure``): the statistics of a large subtree without
reading every member and the timeline.

The figure of a unit and a year is the one ``members.selectors.members_at_year_ends`` counts for a subtree, taken
unit by unit: a member counts in the unit they sat in on 31 December (the "from" of their first move dated after
it, else today's unit), with their status that day, as full when confirmed by then. A subtree's figure is the sum
of its units' rows. The definition reads no clock, so the current year is stored as well.

Staying right: every change to a member marks the rows of the units the member ever sat in (their unit, both ends
of each of their moves) ``dirty`` in the writer's own transaction (``members.timeline.record``, the bulk paths,
the counters), for every stored year; a dirty row is not read as it is: its unit is counted from the member rows
at read time (a few units, cheap), until ``refresh`` computes it again. ``refresh`` subtracts the marks it read
before counting, so a change committed while it counts leaves the row dirty. A year is read from the rows only
once computed for every unit (``MemberYearStored.ready``); the year row exists before the count starts, and a
writer reads it with a share lock, so no change made during the first count goes unmarked. Writers behind the
services (the national loader, SQL) call ``years_compute`` afterwards; ``check`` compares the rows with a
recount (``chibo stats_figures --check``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from chibo.core.access import subtree_q
from chibo.members.models import (
    ACTIVE_STATUSES,
    Member,
    MemberYearFigure,
    MemberYearStored,
    TimelineEvent,
    TimelineKind,
)

Figures = dict[tuple[int, int], tuple[int, int]]  # (unit id, year) → (full, probationary)
CHUNK = 1000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# -- counting from the member rows ---------------------------------------------------------------------
def count(unit_ids: Iterable[int] | None, first: int, last: int, *,
          arrivals: QuerySet[Any] | None = None) -> Figures:
    """(full, probationary) per unit and year from ``first`` to ``last``, counted from the member rows and the
    timeline as ``members_at_year_ends`` counts them, for ``unit_ids`` (every unit when None); units and years with
    nobody left out."""
    units = None if unit_ids is None else sorted(set(unit_ids))
    if units is not None and not units:
        return {}
    since = date(first, 12, 31)
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    changed = TimelineEvent.objects.filter(kind__in=(TimelineKind.MOVED, TimelineKind.STATUS_CHANGED),
                                           occurred_on__gt=since).values("member_id")
    touched = Q(pk__in=changed)
    if arrivals is not None:
        touched |= Q(pk__in=arrivals.filter(arrived_on__gt=since).values("member_id"))
    # Members who neither moved nor changed status since: in today's unit with today's status on each of those days.
    still: dict[str, Count] = {}
    for year in range(first, last + 1):
        end = date(year, 12, 31)
        still[f"full_{year}"] = Count("pk", filter=Q(admission_date__lte=end, confirmation_date__lte=end))
        still[f"prob_{year}"] = Count("pk", filter=Q(admission_date__lte=end) & (Q(confirmation_date__isnull=True)
                                                                                 | Q(confirmation_date__gt=end)))
    same = Member.objects.filter(status__in=ACTIVE_STATUSES, admission_date__lte=date(last, 12, 31)).exclude(touched)
    batches = [same] if units is None else [same.filter(unit_id__in=chunk) for chunk in _chunks(units)]
    for qs in batches:
        for row in qs.values("unit_id").annotate(**still).order_by():
            for year in range(first, last + 1):
                cell = out[(row["unit_id"], year)]
                cell[0] += row[f"full_{year}"]
                cell[1] += row[f"prob_{year}"]
    # The others, rolled back through their events, year by year.
    rows = Member.objects.filter(touched, admission_date__lte=date(last, 12, 31))
    if units is not None:
        moved_out = (TimelineEvent.objects.filter(kind=TimelineKind.MOVED, occurred_on__gt=since)
                     .annotate(from_id=Cast(KT("data__from_id"), BigIntegerField())).filter(from_id__in=units)
                     .values("member_id"))
        rows = rows.filter(Q(unit_id__in=units) | Q(pk__in=moved_out))
    events = TimelineEvent.objects.filter(member=OuterRef("pk")).order_by("occurred_on", "pk")
    for year in range(first, last + 1):
        end = date(year, 12, 31)
        later = events.filter(occurred_on__gt=end)
        moved = later.filter(kind=TimelineKind.MOVED).values(from_id=Cast(KT("data__from_id"), BigIntegerField()))[:1]
        changes = later.filter(kind=TimelineKind.STATUS_CHANGED)
        status_on: Any = Subquery(changes.values(old=KT("data__from"))[:1], output_field=CharField())
        qs = rows
        if arrivals is not None:
            changed_on = Subquery(changes.values("occurred_on")[:1], output_field=DateField())
            arrived = Subquery(arrivals.filter(member=OuterRef("pk"), arrived_on__gt=end).order_by("arrived_on")
                               .values("arrived_on")[:1], output_field=DateField())
            qs = qs.alias(arrived_on=arrived, changed_on=changed_on)
            outside = Q(arrived_on__isnull=False) & (Q(changed_on__isnull=True) | Q(arrived_on__lte=F("changed_on")))
            status_on = Case(When(outside, then=Value("")), default=status_on, output_field=CharField())
        qs = qs.annotate(unit_then=Coalesce(Subquery(moved, output_field=BigIntegerField()), F("unit_id"),
                                           output_field=BigIntegerField()),
                        status_then=Coalesce(status_on, F("status"), output_field=CharField()))
        qs = qs.filter(admission_date__lte=end, status_then__in=ACTIVE_STATUSES)
        if units is not None:
            qs = qs.filter(unit_then__in=units)
        for row in (qs.values("unit_then")
                    .annotate(full=Count("pk", filter=Q(confirmation_date__lte=end)),
                              prob=Count("pk", filter=Q(confirmation_date__isnull=True)
                                         | Q(confirmation_date__gt=end)))
                    .order_by()):
            cell = out[(row["unit_then"], year)]
            cell[0] += row["full"]
            cell[1] += row["prob"]
    return {key: (v[0], v[1]) for key, v in out.items() if v[0] or v[1]}


# -- marking changes -----------------------------------------------------------------------------------
def _stored_years_locked() -> list[int]:
    """The stored years, read with a share lock held to the end of the writer's transaction: a year being added
    (``years_compute``) waits for the writers that read the list without it (see the module)."""
    table = MemberYearStored._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        cur.execute(f'SELECT "year" FROM "{table}"{lock}')  # noqa: S608  (a model's table name)
        return [r[0] for r in cur.fetchall()]


def _mark(unit_ids: Iterable[int | None], years: list[int]) -> None:
    ids = sorted({u for u in unit_ids if u})
    for chunk in _chunks(ids):
        MemberYearFigure.objects.bulk_create([MemberYearFigure(unit_id=u, year=y) for u in chunk for y in years],
                                             ignore_conflicts=True)
        MemberYearFigure.objects.filter(unit_id__in=chunk, year__in=years).update(dirty=F("dirty") + 1)


def mark_units(unit_ids: Iterable[int | None]) -> None:
    """A member of these units changed: their rows of every stored year become dirty (created when missing)."""
    with transaction.atomic(savepoint=False):
        years = _stored_years_locked()
        if years:
            _mark(unit_ids, years)


def units_of_members(member_ids: Iterable[int]) -> set[int]:
    """Every unit these members sat in that the statistics may count them in: today's, and both ends of each move."""
    ids = sorted(set(member_ids))
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(Member.objects.filter(pk__in=chunk).values_list("unit_id", flat=True))
        for a, b in (TimelineEvent.objects.filter(member_id__in=chunk, kind=TimelineKind.MOVED)
                     .values_list(Cast(KT("data__from_id"), BigIntegerField()),
                                  Cast(KT("data__to_id"), BigIntegerField()))):
            found.update(x for x in (a, b) if x)
    return found


def mark_members(member_ids: Iterable[int], *also_units: int | None) -> None:
    """These members changed (a status, a move, a date, a record made or removed): their units' rows are dirty."""
    with transaction.atomic(savepoint=False):
        years = _stored_years_locked()
        if years:
            _mark(units_of_members(member_ids) | {u for u in also_units if u}, years)


# -- computing and reading -----------------------------------------------------------------------------
def _write(year: int, figures: Figures, read: dict[int, int]) -> None:
    """Store ``figures`` of ``year`` for the units in ``read`` (unit → the dirty count read before counting) and
    any unit counted: each row takes its count and loses the marks read (marks added meanwhile stay)."""
    units = sorted(set(read) | {u for u, y in figures if y == year})
    for chunk in _chunks(units):
        MemberYearFigure.objects.bulk_create(
            [MemberYearFigure(unit_id=u, year=year) for u in chunk], ignore_conflicts=True)
        rows = list(MemberYearFigure.objects.filter(unit_id__in=chunk, year=year).only("pk", "unit_id"))
        for row in rows:
            row.full, row.probationary = figures.get((row.unit_id, year), (0, 0))
            row.dirty = F("dirty") - read.get(row.unit_id, 0)
        MemberYearFigure.objects.bulk_update(rows, ["full", "probationary", "dirty"], batch_size=500)


def years_compute(years: Iterable[int], *, arrivals: QuerySet[Any] | None = None) -> None:
    """Compute every unit's rows of ``years`` from the member rows (the first time, or again after writes made
    behind the services); the years are read from the rows once done."""
    wanted = sorted(set(years))
    if not wanted:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # waits for writers that read the years before this one existed
                cur.execute(f'LOCK TABLE "{MemberYearStored._meta.db_table}" IN EXCLUSIVE MODE')
        for year in wanted:
            MemberYearStored.objects.get_or_create(year=year)
    with transaction.atomic():
        read: dict[int, dict[int, int]] = defaultdict(dict)
        for unit_id, year, dirty in MemberYearFigure.objects.filter(year__in=wanted).values_list(
                "unit_id", "year", "dirty"):
            read[year][unit_id] = dirty
        for first, last in runs(wanted):
            figures = count(None, first, last, arrivals=arrivals)
            for year in range(first, last + 1):
                _write(year, figures, read[year])
        MemberYearStored.objects.filter(year__in=wanted).update(ready=True, computed_at=timezone.now())


def runs(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) runs."""
    out: list[tuple[int, int]] = []
    for y in sorted(years):
        if out and out[-1][1] == y - 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


def refresh(*, arrivals: QuerySet[Any] | None = None) -> int:
    """Compute again the dirty rows of the ready years; returns how many rows were dirty."""
    with transaction.atomic():
        dirty = list(MemberYearFigure.objects.filter(dirty__gt=0).values_list("unit_id", "year", "dirty"))
        if not dirty:
            return 0
        years = sorted({y for _u, y, _d in dirty})
        units = sorted({u for u, _y, _d in dirty})
        figures: Figures = {}
        for first, last in runs(years):
            figures |= count(units, first, last, arrivals=arrivals)
        by_year: dict[int, dict[int, int]] = defaultdict(dict)
        for u, y, d in dirty:
            by_year[y][u] = d
        for year, read in by_year.items():
            _write(year, {k: v for k, v in figures.items() if k[0] in read}, read)
    return len(dirty)


def ready_years(first: int, last: int) -> list[int]:
    return list(MemberYearStored.objects.filter(year__gte=first, year__lte=last, ready=True)
                .values_list("year", flat=True))


def read(path: str, years: list[int], *, arrivals: QuerySet[Any] | None = None) -> dict[int, tuple[int, int]]:
    """The subtree's (full, probationary) for ``years`` (ready ones): the clean rows summed in the database, the
    units with a dirty row counted from the member rows."""
    if not years:
        return {}
    rows = MemberYearFigure.objects.filter(subtree_q([path], "unit__path"), year__in=years)
    out = {y: [0, 0] for y in years}
    for row in rows.filter(dirty=0).values("year").annotate(f=Sum("full"), p=Sum("probationary")).order_by():
        out[row["year"]] = [row["f"] or 0, row["p"] or 0]
    dirty = list(rows.filter(dirty__gt=0).values_list("unit_id", "year"))
    if dirty:
        counted: Figures = {}
        wanted = sorted({y for _u, y in dirty})
        for first, last in runs(wanted):
            counted |= count({u for u, _y in dirty}, first, last, arrivals=arrivals)
        for unit_id, year in dirty:
            full, prob = counted.get((unit_id, year), (0, 0))
            out[year][0] += full
            out[year][1] += prob
    return {y: (v[0], v[1]) for y, v in out.items()}


def check(years: Iterable[int] | None = None, *, arrivals: QuerySet[Any] | None = None
          ) -> list[tuple[int, int, tuple[int, int], tuple[int, int]]]:
    """Rows of ready years (clean ones) that differ from a recount: (unit, year, stored, counted)."""
    wanted = sorted(set(years) if years is not None else
                    MemberYearStored.objects.filter(ready=True).values_list("year", flat=True))
    wrong = []
    for first, last in runs(wanted):
        counted = count(None, first, last, arrivals=arrivals)
        stored = {(u, y): (f, p) for u, y, f, p in MemberYearFigure.objects.filter(
            year__gte=first, year__lte=last, dirty=0).values_list("unit_id", "year", "full", "probationary")}
        clean = set(stored)
        dirty = set(MemberYearFigure.objects.filter(year__gte=first, year__lte=last, dirty__gt=0)
                    .values_list("unit_id", "year"))
        for key in sorted(clean | (set(counted) - dirty)):
            s, c = stored.get(key, (0, 0)), counted.get(key, (0, 0))
            if s != c:
                wrong.append((key[0], key[1], s, c))
    return wrong
