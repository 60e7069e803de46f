"""Members at each year's end stored per unit (``MemberYearFigure``, with each unit's subtree sums): the statistics
of a large subtree without reading every member and the timeline. How the rows and sums stay right is
``chibo.core.yearly``'s; what is counted is here.

The figure of a unit and a year is the one ``members.selectors.members_at_year_ends`` counts for a subtree, taken
unit by unit: a member counts in the unit they sat in on 31 December (the "from" of their first move dated after
it, else today's unit), with their status that day, as full when confirmed by then. The definition reads no clock,
so the current year is stored as well.

Every change to a member marks the rows of the units the member ever sat in (their unit, both ends of each of their
moves) ``dirty`` in the writer's own transaction (``members.timeline.record``, the bulk paths, the counters), for
every stored year. Writers behind the services (the national loader, SQL) run ``chibo stats_figures --rebuild``
afterwards; ``chibo stats_figures --check`` compares the rows with a recount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
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
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from chibo.core.events import subscribe
from chibo.core.yearly import StoredYears, UnitIds, chunks, unit_batches
from chibo.members.models import (
    ACTIVE_STATUSES,
    Member,
    MemberYearFigure,
    MemberYearStored,
    TimelineEvent,
    TimelineKind,
)
from chibo.units.events import UnitMoved

Figures = dict[tuple[int, int], tuple[int, int]]  # (unit id, year) → (full, probationary)


# -- counting from the member rows ---------------------------------------------------------------------
def count(unit_ids: UnitIds, first: int, last: int, *, arrivals: QuerySet[Any] | None = None) -> Figures:
    """(full, probationary) per unit and year from ``first`` to ``last``, counted from the member rows and the
    timeline as ``members_at_year_ends`` counts them, for ``unit_ids`` (ids, or a query of unit ids read as a
    subquery; every unit when None); units and years with nobody left out."""
    batches = unit_batches(unit_ids)
    if batches == []:
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
    for qs in ([same] if batches is None else [same.filter(unit_id__in=batch) for batch in batches]):
        for row in qs.values("unit_id").annotate(**still).order_by():
            for year in range(first, last + 1):
                cell = out[(row["unit_id"], year)]
                cell[0] += row[f"full_{year}"]
                cell[1] += row[f"prob_{year}"]
    # The others, rolled back through their events, year by year (a member counts in the batch of their unit then).
    for batch in [None] if batches is None else batches:
        _count_touched(out, touched, batch, first, last, since, arrivals)
    return {key: (v[0], v[1]) for key, v in out.items() if v[0] or v[1]}


def _count_touched(out: dict[tuple[int, int], list[int]], touched: Q, units: list[int] | QuerySet[Any] | None,
                   first: int, last: int, since: date, arrivals: QuerySet[Any] | None) -> None:
    """Add to ``out`` the members of ``touched`` (moved or changed status since ``since``) per the unit they sat in
    at each year's end, for ``units`` (a batch; every unit when None)."""
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


# -- the stored family ----------------------------------------------------------------------------------
FIGURES = StoredYears(figure=MemberYearFigure, stored=MemberYearStored, fields=("full", "probationary"), counter=count)
mark_units = FIGURES.mark_units
ready_years = FIGURES.ready_years


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    FIGURES.subtree_moved(event.old_path, event.new_path)


def units_of_members(member_ids: Iterable[int]) -> set[int]:
    """Every unit these members sat in that the statistics may count them in: today's, and both ends of each move."""
    ids = sorted(set(member_ids))
    found: set[int] = set()
    for chunk in chunks(ids):
        found.update(Member.objects.filter(pk__in=chunk).values_list("unit_id", flat=True))
        for a, b in (TimelineEvent.objects.filter(member_id__in=chunk, kind=TimelineKind.MOVED)
                     .values_list(Cast(KT("data__from_id"), BigIntegerField()),
                                  Cast(KT("data__to_id"), BigIntegerField()))):
            found.update(x for x in (a, b) if x)
    return found


def mark_members(member_ids: Iterable[int], *also_units: int | None) -> None:
    """These members changed (a status, a move, a date, a record made or removed): their units' rows are dirty."""
    with transaction.atomic(savepoint=False):
        if FIGURES.stored_years_locked():  # nothing stored yet: no need to find the units
            mark_units(units_of_members(member_ids) | {u for u in also_units if u})


def read(path: str, years: list[int], *, arrivals: QuerySet[Any] | None = None) -> dict[int, tuple[int, int]]:
    """The subtree's (full, probationary) at the end of ``years`` (ready ones)."""
    return {y: (v[0], v[1]) for y, v in FIGURES.read(path, years, arrivals=arrivals).items()}
