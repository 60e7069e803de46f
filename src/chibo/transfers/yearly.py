"""Completed transfers per year stored per unit (``TransferYearFigure``, with each unit's subtree sums): the
statistics' transfers in and out of a large subtree without reading every transfer. How the rows and sums stay
right is ``chibo.core.yearly``'s; what is counted is here.

A transfer counts in the year its member reported at the destination: as ``arrived`` at the unit it went to, as
``left`` at the unit it came from, and as ``inside`` at the lowest unit whose subtree holds both (none when it came
from, or went to, an organization outside the tree). A subtree's transfers in are the arrivals of its units less
those inside it (both ends in it), its transfers out their departures less the same: as
``transfers.selectors.transfers_per_year`` counts them. A completed transfer never changes again; the service that
completes one marks the rows of its two units and of their lowest common ancestor ``dirty``. A unit moved under
another parent changes the lowest common ancestor of transfers between its subtree and the rest: the rows of its
old and new ancestors are marked. Writers behind the services (the exchange import, the national loader) call
``chibo stats_figures --rebuild`` afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from chibo.core.access import subtree_q
from chibo.core.events import subscribe
from chibo.core.yearly import (
    MONTH,
    StoredYears,
    UnitIds,
    before_save,
    chunks,
    month_period,
    path_ids,
    period_month,
    unit_batches,
)
from chibo.transfers.models import (
    State,
    Transfer,
    TransferMonthFigure,
    TransferMonthStored,
    TransferYearFigure,
    TransferYearStored,
)
from chibo.units.events import UnitMoved
from chibo.units.selectors import unit_paths

Figures = dict[tuple[int, int], tuple[int, ...]]  # (unit id, period) → the figures of the family


def common_ancestor(a: str, b: str) -> int:
    """The lowest unit whose subtree holds both paths (0: none, two trees)."""
    lowest = 0
    for x, y in zip(path_ids(a), path_ids(b), strict=False):
        if x != y:
            break
        lowest = x
    return lowest


def _tally(unit_ids: UnitIds, done: QuerySet[Any], width: int,
           dates: tuple[tuple[str, Callable[[date], int], int | None, int | None, int], ...]) -> Figures:
    """Per unit and period, ``done`` transfers counted at their units: for each (date field, its period, slot at the
    destination, slot at the origin, slot at the lowest common ancestor) of ``dates``, a transfer whose field is set
    counts in the period of that date. For ``unit_ids`` (every unit when None; ids, or a query of unit ids): the
    transfers arriving in their subtrees (which holds those whose ancestor is one of them) or leaving them; a query
    is taken to be closed under going down (a subtree's units: an ancestor in it has an end in it)."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    wanted: set[int] | None = None
    queries: list[QuerySet[Any]] = [done]
    if batches is not None:
        wanted = set()
        queries = []
        for batch in batches:
            if isinstance(batch, QuerySet):  # a subtree's units, say: those inside it end or start in it
                wanted.update(batch.values_list("pk", flat=True))
                queries.append(done.filter(Q(to_unit_id__in=batch) | Q(from_unit_id__in=batch)))
                continue
            ids = list(batch)
            wanted.update(ids)
            paths = unit_paths(ids)
            queries += [done.filter(subtree_q([paths[u] for u in chunk if u in paths], "to_unit__path")
                                    | Q(from_unit_id__in=chunk)) for chunk in chunks(ids)]
    fields = [f for f, *_rest in dates]
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * width)
    seen: set[int] = set()
    for qs in queries:
        for pk, to_id, to_path, from_id, from_path, *days in (
                qs.order_by().values_list("pk", "to_unit_id", "to_unit__path", "from_unit_id", "from_unit__path",
                                          *fields)):
            if pk in seen:
                continue
            seen.add(pk)
            lowest = common_ancestor(to_path, from_path) if to_path and from_path else 0
            for day, (_field, period_of, at_to, at_from, at_lowest) in zip(days, dates, strict=True):
                if day is None:
                    continue
                period = period_of(day)
                for unit_id, slot in ((to_id, at_to), (from_id, at_from), (lowest, at_lowest)):
                    if unit_id and slot is not None:
                        out[(unit_id, period)][slot] += 1
    return {key: tuple(v) for key, v in out.items() if (wanted is None or key[0] in wanted) and any(v)}


def count(unit_ids: UnitIds, first: int, last: int) -> Figures:
    """(arrived, left, inside) per unit and year from ``first`` to ``last``, counted from the completed transfers,
    for ``unit_ids`` (every unit when None; ids, or a query of unit ids); units and years with none left out."""
    done = Transfer.objects.filter(state=State.REPORTED, reported_on__gte=date(first, 1, 1),
                                   reported_on__lte=date(last, 12, 31))
    return _tally(unit_ids, done, 3, (("reported_on", _year, 0, 1, 2),))


def _year(day: date) -> int:
    return day.year


def count_months(unit_ids: UnitIds, first: int, last: int) -> Figures:
    """(received, received inside, issued, issued inside) per unit and month (``core.yearly``'s period numbers
    ``first`` to ``last``), counted from the transfers not cancelled, for ``unit_ids``; units and months with none
    left out."""
    (y0, m0), (y1, m1) = period_month(first), period_month(last)
    since, until = date(y0, m0, 1), date(y1 + m1 // 12, m1 % 12 + 1, 1)
    done = (Transfer.objects.exclude(state=State.CANCELLED)
            .filter(Q(received_on__gte=since, received_on__lt=until) | Q(issued_on__gte=since, issued_on__lt=until)))
    counted = _tally(unit_ids, done, 4, (("received_on", month_period, 0, None, 1),
                                         ("issued_on", month_period, None, 2, 3)))
    return {key: v for key, v in counted.items() if first <= key[1] <= last}  # the other date may fall outside


FIGURES = StoredYears(figure=TransferYearFigure, stored=TransferYearStored, fields=("arrived", "left", "inside"),
                      counter=count)
MONTHS = StoredYears(figure=TransferMonthFigure, stored=TransferMonthStored,
                     fields=("received", "received_inside", "issued", "issued_inside"), counter=count_months, per=MONTH)
ready_years = FIGURES.ready_years


def mark_transfer(transfer: Transfer) -> None:
    """A transfer was completed: the rows of its two units and of their lowest common ancestor are dirty."""
    units = [u for u in (transfer.to_unit_id, transfer.from_unit_id) if u]
    paths = unit_paths(units)
    if len(paths) == 2:
        units.append(common_ancestor(paths[units[0]], paths[units[1]]))
    FIGURES.mark_units(units)


# What the roll-up's months count of a transfer: whether it is cancelled, its two dates, its two units.
COUNTED = ("state", "received_on", "issued_on", "to_unit_id", "from_unit_id")
remember = before_save(COUNTED)  # the pre_save receiver (``apps.ready``)


def _counted_at(values: tuple[Any, ...] | None) -> tuple[set[int], set[int]]:
    """The units (its two ends and their lowest common ancestor) and the months in which a transfer with these
    ``COUNTED`` values counts; nothing when it is cancelled or has neither date."""
    if values is None:
        return set(), set()
    state, received, issued, to_id, from_id = values
    months = {month_period(day) for day in (received, issued) if day}
    if state == State.CANCELLED or not months:
        return set(), set()
    units = [u for u in (to_id, from_id) if u]
    paths = unit_paths(units)
    if len(paths) == 2:
        units.append(common_ancestor(paths[units[0]], paths[units[1]]))
    return set(units), months


def _mark_change(before: tuple[Any, ...] | None, after: tuple[Any, ...] | None) -> None:
    """The roll-up's months of a transfer whose counted values went from ``before`` to ``after``: the rows of the
    units and months it counted in, and of those it counts in now, are dirty. A save that changes nothing counted
    (a letter's number, a step between two states that both count) marks nothing: the lowest common ancestor is
    often the top of the tree, whose rows every transfer would otherwise lock."""
    was, now = _counted_at(before), _counted_at(after)
    if was == now and (not now[1] or (before is not None and after is not None and before[1:] == after[1:])):
        return
    MONTHS.mark_units(was[0] | now[0], periods=was[1] | now[1])


def transfer_saved(sender, instance: Transfer, **kwargs) -> None:
    """The ``post_save`` receiver (``apps.ready``): what the transfer counted before the save (``remember``)
    against what it counts now."""
    _mark_change(getattr(instance, "stored_before", None), tuple(getattr(instance, f) for f in COUNTED))


def transfer_deleted(sender, instance: Transfer, **kwargs) -> None:
    """The ``post_delete`` receiver: whatever the transfer counted no longer counts."""
    _mark_change(tuple(getattr(instance, f) for f in COUNTED), None)


def read(path: str, years: list[int]) -> dict[int, tuple[int, int]]:
    """(in, out) of the subtree at ``path`` for ``years`` (ready ones)."""
    return {y: (arrived - inside, left - inside) for y, (arrived, left, inside) in FIGURES.read(path, years).items()}


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    FIGURES.subtree_moved(event.old_path, event.new_path)
    MONTHS.subtree_moved(event.old_path, event.new_path)
    # The lowest common ancestor of a transfer between the moved subtree and the rest was on the old chain; it is on
    # the new one now.
    moved = path_ids(event.old_path)[-1]
    ancestors = sorted(u for u in {*path_ids(event.old_path), *path_ids(event.new_path)} if u != moved)
    FIGURES.mark_units(ancestors)
    MONTHS.mark_units(ancestors)
