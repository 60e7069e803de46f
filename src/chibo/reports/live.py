"""The roll-up's live column of a large subtree from stored rows (``chibo.core.yearly``), each exact at every moment
(a root's subtree sums, less its dirty rows, plus those units counted now):

- today's members by status and category: the per-unit member counters (``members.counters``) summed per subtree
  in ``MembersNowFigure`` (this module's family, period 0), its rows marked by every change of a counter
  (``MemberCountsChanged``, the writer's transaction) — not a counter per ancestor, which every member write in
  the country would wait on;
- the meetings held by kind, the transfers in and out, the cells open at the period's end: the families stored per
  month by the meetings, transfers and units apps, summed over the period's months.

Each figure falls back to the count from the records when its months are not stored (older than the stored span,
or not computed yet) or the actor's scope does not hold the whole subtree."""

from __future__ import annotations

from chibo.core.access import Actor
from chibo.core.events import subscribe
from chibo.core.yearly import NOW, StoredYears, UnitIds, register
from chibo.members.events import MemberCountsChanged
from chibo.members.selectors import COLUMNS, may_count_subtree, unit_counters
from chibo.reports.models import MembersNowFigure, MembersNowStored
from chibo.units.events import UnitMoved


def count(unit_ids: UnitIds, first: int, last: int) -> dict[tuple[int, int], tuple[int, ...]]:
    """Each unit's counters as the period 0 (the only one), for ``unit_ids`` (every unit when None)."""
    if not first <= 0 <= last:
        return {}
    return {(unit_id, 0): values for unit_id, values in unit_counters(unit_ids).items()}


MEMBERS_NOW = register("members_now", StoredYears(figure=MembersNowFigure, stored=MembersNowStored, fields=COLUMNS,
                                                  counter=count, per=NOW))


@subscribe(MemberCountsChanged)
def _counts_changed(event: MemberCountsChanged) -> None:
    MEMBERS_NOW.mark_units(event.unit_ids)


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    MEMBERS_NOW.subtree_moved(event.old_path, event.new_path)


def members_now(actor: Actor, unit) -> dict[str, int] | None:
    """Today's active members of ``unit``'s subtree by counter column (``status_<status>``, ``cat_<category>``), read
    from the stored sums; None when not stored or not wholly in the actor's scope."""
    if not may_count_subtree(actor, unit):
        return None
    found = MEMBERS_NOW.read_sum(unit.path, [0])
    return None if found is None else dict(zip(COLUMNS, found, strict=True))
