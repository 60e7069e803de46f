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
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import ExtractYear

from chibo.core.access import subtree_q
from chibo.core.events import subscribe
from chibo.core.yearly import StoredYears, chunks, path_ids
from chibo.transfers.models import State, Transfer, TransferYearFigure, TransferYearStored
from chibo.units.events import UnitMoved
from chibo.units.selectors import unit_paths

Figures = dict[tuple[int, int], tuple[int, int, int]]  # (unit id, year) → (arrived, left, inside)


def common_ancestor(a: str, b: str) -> int:
    """The lowest unit whose subtree holds both paths (0: none, two trees)."""
    lowest = 0
    for x, y in zip(path_ids(a), path_ids(b), strict=False):
        if x != y:
            break
        lowest = x
    return lowest


def count(unit_ids: Iterable[int] | None, first: int, last: int) -> Figures:
    """(arrived, left, inside) per unit and year from ``first`` to ``last``, counted from the completed transfers,
    for ``unit_ids`` (every unit when None); units and years with none left out."""
    wanted = None if unit_ids is None else set(unit_ids)
    if wanted is not None and not wanted:
        return {}
    done = Transfer.objects.filter(state=State.REPORTED, reported_on__gte=date(first, 1, 1),
                                   reported_on__lte=date(last, 12, 31))
    batches: list[QuerySet[Any]] = [done]
    if wanted is not None:
        # Those touching the units: arriving in their subtrees (which holds those inside them), or leaving them.
        paths = unit_paths(sorted(wanted))
        batches = [done.filter(subtree_q([paths[u] for u in chunk if u in paths], "to_unit__path")
                               | Q(from_unit_id__in=chunk)) for chunk in chunks(sorted(wanted))]
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    seen: set[int] = set()
    for qs in batches:
        for pk, year, to_id, to_path, from_id, from_path in (
                qs.annotate(year=ExtractYear("reported_on")).order_by()
                .values_list("pk", "year", "to_unit_id", "to_unit__path", "from_unit_id", "from_unit__path")):
            if pk in seen:
                continue
            seen.add(pk)
            if to_id:
                out[(to_id, year)][0] += 1
            if from_id:
                out[(from_id, year)][1] += 1
            if to_path and from_path:
                lowest = common_ancestor(to_path, from_path)
                if lowest:
                    out[(lowest, year)][2] += 1
    return {key: (v[0], v[1], v[2]) for key, v in out.items()
            if (wanted is None or key[0] in wanted) and any(v)}


FIGURES = StoredYears(figure=TransferYearFigure, stored=TransferYearStored, fields=("arrived", "left", "inside"),
                      counter=count)
ready_years = FIGURES.ready_years


def mark_transfer(transfer: Transfer) -> None:
    """A transfer was completed: the rows of its two units and of their lowest common ancestor are dirty."""
    units = [u for u in (transfer.to_unit_id, transfer.from_unit_id) if u]
    paths = unit_paths(units)
    if len(paths) == 2:
        units.append(common_ancestor(paths[units[0]], paths[units[1]]))
    FIGURES.mark_units(units)


def read(path: str, years: list[int]) -> dict[int, tuple[int, int]]:
    """(in, out) of the subtree at ``path`` for ``years`` (ready ones)."""
    return {y: (arrived - inside, left - inside) for y, (arrived, left, inside) in FIGURES.read(path, years).items()}


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    FIGURES.subtree_moved(event.old_path, event.new_path)
    # The lowest common ancestor of a transfer between the moved subtree and the rest was on the old chain; it is on
    # the new one now.
    moved = path_ids(event.old_path)[-1]
    FIGURES.mark_units(u for u in {*path_ids(event.old_path), *path_ids(event.new_path)} if u != moved)
