"""Per-unit member counters (``UnitMemberCount``): the dashboard's figures without reading member rows.

Every writer of a member's unit, status or category keeps them right in its own transaction:
the member services call ``counts_change(before, after)`` (a delta, ``F()`` updates: concurrent
writers add up instead of overwriting each other), and their bulk path (``members.bulk``, the import)
``counts_apply`` with the deltas of all its records at once, after writing them; the national loader,
which writes rows behind the services, calls ``counts_rebuild(unit_ids)`` for the units it touched. A counter row is
created the first time a unit needs one (insert-if-missing, safe when two writers race).
``counts_check`` compares the table with a recount of the member rows (``chibo recount --check``).

``MEMBERS_NOW`` keeps the counters summed per subtree (``MembersNowFigure``, a family of ``chibo.core.yearly`` with
the single period 0): every change of a counter marks its unit's row dirty in the same transaction
(``MemberCountsChanged``), never a counter per ancestor, which every member write in a country would wait on; the
sweep and ``chibo stats_figures`` compute the dirty rows again and carry the differences up. A subtree's figures are
its root's subtree sums, less the stored figures of its dirty rows, plus those units' counters read now
(``members.selectors``: one statement, one snapshot), so they equal a recount at every moment.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q

from chibo.core.events import publish, subscribe
from chibo.core.yearly import NOW, StoredYears, UnitIds, register, unit_batches
from chibo.members import yearly
from chibo.members.events import MemberCountsChanged
from chibo.members.models import (
    ACTIVE_STATUSES,
    COUNTER_COLUMNS,
    Category,
    Member,
    MembersNowFigure,
    MembersNowStored,
    UnitMemberCount,
)
from chibo.units.events import UnitMoved

STATUS_COLUMNS: dict[str, str] = {str(s): f"status_{s}" for s in ACTIVE_STATUSES}
CATEGORY_COLUMNS: dict[str, str] = {str(c): f"cat_{c}" for c in Category.values}
COLUMNS: tuple[str, ...] = (*STATUS_COLUMNS.values(), *CATEGORY_COLUMNS.values())
assert COLUMNS == COUNTER_COLUMNS  # the stored subtree sums hold the same columns  # noqa: S101
CHUNK = 1000  # unit ids per IN (...) list

# A member's contribution to the counters: (unit id, status, category).
State = tuple[int, str, str]


def state_of(member: Member) -> State:
    return (member.unit_id, member.status, member.category)


def _column_deltas(deltas: Mapping[State, int]) -> dict[int, dict[str, int]]:
    """Per unit, the change of each column; only active members count, units with no net change drop out."""
    per_unit: dict[int, Counter] = defaultdict(Counter)
    for (unit_id, status, category), n in deltas.items():
        if not n or status not in STATUS_COLUMNS:
            continue
        per_unit[unit_id][STATUS_COLUMNS[status]] += n
        if category in CATEGORY_COLUMNS:
            per_unit[unit_id][CATEGORY_COLUMNS[category]] += n
    out = {}
    for unit_id, columns in per_unit.items():
        changed = {name: n for name, n in columns.items() if n}
        if changed:
            out[unit_id] = changed
    return out


def counts_apply(deltas: Mapping[State, int]) -> None:
    """Add ``deltas`` (members per (unit, status, category), negative to remove) to the counters.

    Units are updated in id order (two opposite moves cannot deadlock). When a unit has no row yet,
    the row is inserted with ON CONFLICT DO NOTHING (a racing insert waits for the first one, then
    does nothing) and the update runs again: both increments land."""
    per_unit = _column_deltas(deltas)
    if not per_unit:
        return
    with transaction.atomic(savepoint=False):
        for unit_id in sorted(per_unit):
            changes = {name: F(name) + n for name, n in per_unit[unit_id].items()}
            if UnitMemberCount.objects.filter(unit_id=unit_id).update(**changes):
                continue
            UnitMemberCount.objects.bulk_create([UnitMemberCount(unit_id=unit_id)], ignore_conflicts=True)
            UnitMemberCount.objects.filter(unit_id=unit_id).update(**changes)
        # a member of these units changed unit or status: their stored members at each year's end are not sure
        yearly.mark_units(per_unit)
        publish(MemberCountsChanged(tuple(sorted(per_unit))))


def counts_change(before: State | None, after: State | None) -> None:
    """One member went from ``before`` to ``after`` (None: did not exist / no longer counted here)."""
    if before == after:
        return
    deltas: Counter = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    counts_apply(deltas)


# -- recount --------------------------------------------------------------------------------------------
ZERO = dict.fromkeys(COLUMNS, 0)


@dataclass
class Mismatch:
    unit_id: int
    stored: dict[str, int]
    actual: dict[str, int]
    missing: bool = False  # no counter row yet

    def columns(self) -> list[str]:
        return [name for name in COLUMNS if self.stored[name] != self.actual[name]]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _recount(unit_ids: list[int] | None) -> dict[int, dict[str, int]]:
    """The counters as the member rows say they should be, per unit with at least one active member."""
    aggregates = {col: Count("pk", filter=Q(status=s)) for s, col in STATUS_COLUMNS.items()}
    aggregates |= {col: Count("pk", filter=Q(category=c)) for c, col in CATEGORY_COLUMNS.items()}
    active = Member.objects.filter(status__in=list(STATUS_COLUMNS))
    batches = [active] if unit_ids is None else [active.filter(unit_id__in=ids) for ids in _chunks(unit_ids)]
    out: dict[int, dict[str, int]] = {}
    for qs in batches:
        for row in qs.values("unit_id").annotate(**aggregates).order_by().iterator(chunk_size=5000):
            out[row["unit_id"]] = {name: row[name] for name in COLUMNS}
    return out


def _stored(unit_ids: list[int] | None) -> dict[int, dict[str, int]]:
    rows = UnitMemberCount.objects.all()
    batches = [rows] if unit_ids is None else [rows.filter(unit_id__in=ids) for ids in _chunks(unit_ids)]
    out: dict[int, dict[str, int]] = {}
    for qs in batches:
        for row in qs.values("unit_id", *COLUMNS).iterator(chunk_size=5000):
            out[row.pop("unit_id")] = row
    return out


def counts_check(unit_ids: Iterable[int] | None = None) -> list[Mismatch]:
    """Units whose counters differ from a recount of their member rows (all units when None)."""
    ids = None if unit_ids is None else sorted(set(unit_ids))
    stored, actual = _stored(ids), _recount(ids)
    out = []
    for unit_id in sorted(stored.keys() | actual.keys()):
        s, a = stored.get(unit_id, ZERO), actual.get(unit_id, ZERO)
        if s != a:
            out.append(Mismatch(unit_id, s, a, missing=unit_id not in stored))
    return out


def counts_rebuild(unit_ids: Iterable[int] | None = None) -> list[Mismatch]:
    """Recompute the counters of ``unit_ids`` (all units when None) from the member rows; returns what
    was wrong. The counter rows are locked before the recount, so a member change committed meanwhile
    is either seen by the recount or applied on top of it, never lost."""
    ids = None if unit_ids is None else sorted(set(unit_ids))
    with transaction.atomic():
        if ids is None:
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute(f'LOCK TABLE "{UnitMemberCount._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
        else:
            for chunk in _chunks(ids):
                UnitMemberCount.objects.bulk_create([UnitMemberCount(unit_id=u) for u in chunk],
                                                    ignore_conflicts=True)
                list(UnitMemberCount.objects.select_for_update().filter(unit_id__in=chunk).order_by("unit_id")
                     .values_list("pk", flat=True))
        wrong = counts_check(ids)
        UnitMemberCount.objects.bulk_create(
            [UnitMemberCount(unit_id=m.unit_id, **m.actual) for m in wrong if m.missing], batch_size=2000)
        UnitMemberCount.objects.bulk_update(
            [UnitMemberCount(unit_id=m.unit_id, **m.actual) for m in wrong if not m.missing],
            list(COLUMNS), batch_size=500)
        if wrong:
            publish(MemberCountsChanged(tuple(m.unit_id for m in wrong)))
    return wrong


# -- the counters summed per subtree ----------------------------------------------------------------------
def _counted_now(unit_ids: UnitIds, first: int, last: int) -> dict[tuple[int, int], tuple[int, ...]]:
    """Each unit's counters as the period 0 (the only one), for ``unit_ids`` (every unit when None); units with
    nothing counted left out."""
    if not first <= 0 <= last:
        return {}
    batches = unit_batches(unit_ids)
    rows = UnitMemberCount.objects.all()
    out: dict[tuple[int, int], tuple[int, ...]] = {}
    for qs in [rows] if batches is None else [rows.filter(unit_id__in=batch) for batch in batches]:
        for unit_id, *values in qs.values_list("unit_id", *COLUMNS).iterator(chunk_size=5000):
            if any(values):
                out[(unit_id, 0)] = tuple(values)
    return out


MEMBERS_NOW = register("members_now", StoredYears(figure=MembersNowFigure, stored=MembersNowStored, fields=COLUMNS,
                                                  counter=_counted_now, per=NOW))


@subscribe(MemberCountsChanged)
def _counts_changed(event: MemberCountsChanged) -> None:
    MEMBERS_NOW.mark_units(event.unit_ids)


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    MEMBERS_NOW.subtree_moved(event.old_path, event.new_path)
