"""The roll-up's live column of a large subtree from stored rows (``chibo.core.yearly``), each exact at every moment
(a root's subtree sums, less its dirty rows, plus those units counted now):

- today's members by status and category: the per-unit member counters summed per subtree, stored by the members
  app beside its counters (``members.counters.MEMBERS_NOW``, period 0; read by ``members.selectors.stored_in_subtree``);
- the meetings held by kind, the transfers in and out, the cells open at the period's end: the families stored per
  month by the meetings, transfers and units apps, summed over the period's months.

Each figure falls back to the count from the records when its months are not stored (older than the stored span,
or not computed yet) or the actor's scope does not hold the whole subtree."""

from __future__ import annotations

from chibo.core.access import Actor
from chibo.members.selectors import stored_in_subtree


def members_now(actor: Actor, unit) -> dict[str, int] | None:
    """Today's active members of ``unit``'s subtree by counter column (``status_<status>``, ``cat_<category>``), read
    from the stored sums; None when not stored or not wholly in the actor's scope."""
    return stored_in_subtree(actor, unit)
