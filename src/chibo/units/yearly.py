"""The cells open at the end of each month stored per unit (``UnitMonthFigure``, with each unit's subtree sums): the
roll-up's regular meetings due of a large subtree (its cells open at the period's end) without reading every unit.
How the rows and sums stay right is ``chibo.core.yearly``'s; what is counted is here.

A unit counts 1 in a month when it is open on the month's last day (opened by then, not closed by then) and no unit
right below it is, as ``reports.figures`` counts a subtree's cells. The definition reads no clock. The services
that write a unit mark the rows it changes ``dirty`` in their transaction: a unit created (it and its parent), closed
(it and its parent), moved (its old and new parents; its subtree sums follow it). Writers behind the services (the
national loader) run ``chibo stats_figures --rebuild`` afterwards.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet

from chibo.core.yearly import MONTH, StoredYears, UnitIds, period_month, unit_batches
from chibo.units.models import Unit, UnitMonthFigure, UnitMonthStored


def _month_end(period: int) -> date:
    year, month = period_month(period)
    return date(year, month, calendar.monthrange(year, month)[1])


def _open(opened_on: date, closed_on: date | None, day: date) -> bool:
    return opened_on <= day and (closed_on is None or closed_on > day)


def count_months(unit_ids: UnitIds, first: int, last: int) -> dict[tuple[int, int], tuple[int]]:
    """(1,) per unit and month (``core.yearly``'s period numbers ``first`` to ``last``) in which the unit is a cell
    open on the month's last day, for ``unit_ids`` (every unit when None); the others left out."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    ends = {p: _month_end(p) for p in range(first, last + 1)}
    out: dict[tuple[int, int], tuple[int]] = {}
    for batch in [None] if batches is None else batches:
        units: QuerySet[Any] = Unit.objects.all() if batch is None else Unit.objects.filter(pk__in=batch)
        below: QuerySet[Any] = (Unit.objects.filter(parent__isnull=False) if batch is None
                                else Unit.objects.filter(parent_id__in=batch))
        children: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
        for parent_id, opened_on, closed_on in below.values_list("parent_id", "opened_on", "closed_on").iterator(
                chunk_size=5000):
            children[parent_id].append((opened_on, closed_on))
        for pk, opened_on, closed_on in units.values_list("pk", "opened_on", "closed_on").iterator(chunk_size=5000):
            kids = children.get(pk, ())
            for period, end in ends.items():
                if _open(opened_on, closed_on, end) and not any(_open(o, c, end) for o, c in kids):
                    out[(pk, period)] = (1,)
    return out


MONTHS = StoredYears(figure=UnitMonthFigure, stored=UnitMonthStored, fields=("cells",), counter=count_months,
                     per=MONTH)


def mark_units(unit_ids: Iterable[int | None]) -> None:
    """These units were created, closed or lost or gained a unit below them: their rows are dirty."""
    MONTHS.mark_units(unit_ids)


def cells_open(path: str, day: date) -> int | None:
    """The cells open on ``day`` (a month's last day) in the subtree at ``path``, from the stored rows; None when
    the month is not stored or ``day`` is not a month's end (the caller counts the units)."""
    if day != _month_end(day.year * 12 + day.month - 1):
        return None
    found = MONTHS.read_sum(path, [day.year * 12 + day.month - 1])
    return None if found is None else found[0]
