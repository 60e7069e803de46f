"""Today's member counters summed per subtree (``members.counters.MEMBERS_NOW``): the dashboard, the unit tree and the
member list's count read them once stored, and every figure they show equals a count of the member rows at every
moment: after member writes not computed yet (dirty rows), after the sweep computed them, after a unit moved, and
while members move and the sums are computed in other transactions (PostgreSQL).

Expected numbers come from the member rows (test_counters' direct counts, subtrees walked through ``parent``)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from chibo.core.tests.thread_support import together, while_running
from chibo.members.counters import MEMBERS_NOW
from chibo.members.models import ACTIVE_STATUSES, FULL_STATUSES, Member, MembersNowFigure, MembersNowStored, Status
from chibo.members.selectors import (
    DASHBOARD_UNIT_ROWS,
    _counted_from_counters,
    _counted_from_stored,
    dashboard_counts,
    subtree_totals,
)
from chibo.members.tests.test_counters import TODAY, expected_dashboard, new_member, recounted, shown, subtree_ids
from chibo.units.models import Unit


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


@pytest.fixture
def stored(db):
    """The sums computed for every unit, as the sweep and ``chibo stats_figures`` do."""
    MEMBERS_NOW.years_compute([0])
    assert MEMBERS_NOW.check() == []


def counted(unit: Unit) -> tuple[int, int]:
    active = Member.objects.filter(unit__in=subtree_ids(unit), status__in=ACTIVE_STATUSES)
    return active.filter(status__in=FULL_STATUSES).count(), active.filter(status=Status.PROBATIONARY).count()


def same_as_counted(actor_of, unit, *, pages: bool = False) -> None:
    """Each persona's dashboard (and Germany's drill-down) from the stored sums equals the direct count, and is what
    the counters themselves give; the tree's totals too."""
    for username, roots in (("ban.tochuc", ["DUBNG"]), ("bithu.phap", ["PHAP"]), ("bithu.duc", ["DUC"])):
        actor = actor_of(username)
        scope = [unit(code) for code in roots]
        assert shown(dashboard_counts(actor)) == expected_dashboard(scope), username
        paths = actor.paths_for("members.view")
        whole = len(paths[0]) == 8
        level = paths[0] if whole else None
        fast = _counted_from_stored(paths, level, offset=0, limit=DASHBOARD_UNIT_ROWS)
        slow = _counted_from_counters(paths, level, offset=0, limit=DASHBOARD_UNIT_ROWS)
        assert fast is not None
        assert (+fast.columns, +fast.per_country, fast.solitary, fast.n_rows, fast.own_rolls, fast.page) == (
            +slow.columns, +slow.per_country, slow.solitary, slow.n_rows, slow.own_rolls, slow.page), username
    duc = unit("DUC")
    drilled = dashboard_counts(actor_of("ban.tochuc"), focus=duc)
    assert shown(drilled)["by_unit"] == expected_dashboard([duc], focus=duc)["by_unit"]
    assert drilled.focus_own == expected_dashboard([duc], focus=duc)["focus_own"]
    for code in ("DUBNG", "PHAP", "DUC"):
        top = unit(code)
        assert subtree_totals([top.path], False) == subtree_totals([top.path], True) == {top.path: counted(top)}


def test_the_dashboard_reads_the_stored_sums_in_one_statement(actor_of, unit, stored):
    officer = actor_of("ban.tochuc")
    with CaptureQueriesContext(connection) as seen:
        d = dashboard_counts(officer)
    sums = [q["sql"] for q in seen.captured_queries if "members_unitmembercount" in q["sql"]]
    assert len(sums) == 1 and MembersNowFigure._meta.db_table in sums[0]  # not the counters of every unit
    assert shown(d) == expected_dashboard([unit("DUBNG")])
    same_as_counted(actor_of, unit)


def test_member_writes_not_computed_yet_are_counted_from_the_counters(actor_of, unit, stored):
    from chibo.members.services import member_change_status, member_move

    officer = actor_of("ban.tochuc")
    decision = dict(reason="Điều động", document="5-QĐ/ĐUBNG", effective_on=date(2026, 6, 1))
    movers = list(Member.objects.filter(unit=unit("DUC-DSQ"), status=Status.FULL, posts__isnull=True)[:3])
    member_move(actor=officer, member=movers[0], to_unit=unit("DUBNG"), **decision)  # alone abroad
    member_move(actor=officer, member=movers[1], to_unit=unit("PHAP-UNESCO"), **decision)  # another country
    member_change_status(actor=officer, member=movers[2], status=Status.SUSPENDED, reason="Đình chỉ sinh hoạt",
                         document="6-QĐ/ĐUBNG", effective_on=date(2026, 6, 2))
    new_member(officer, unit("PHAP-DSQ"), 1, status=Status.PROBATIONARY)
    assert MembersNowFigure.objects.filter(dirty__gt=0).count() >= 3  # marked, not computed
    same_as_counted(actor_of, unit)
    assert MEMBERS_NOW.refresh() >= 3
    assert not MembersNowFigure.objects.filter(dirty__gt=0).exists()
    same_as_counted(actor_of, unit)
    assert MEMBERS_NOW.check() == []
    recounted()


def test_a_unit_moved_or_new_is_counted_where_it_is(actor_of, unit, stored):
    """A unit moved to another parent takes its sums along (before and after they are computed again); a new unit
    with no stored row yet, under a new child of the top without one either, is a row of its own as soon as it has
    members."""
    from chibo.units.services import unit_create, unit_move

    officer = actor_of("ban.tochuc")
    unit_move(actor=officer, unit=unit("PHAP-UNESCO"), new_parent=unit("DUC"), document="20-QĐ/ĐUBNG")
    same_as_counted(actor_of, unit)
    root = unit("DUBNG")
    child = unit_create(actor=officer, parent=root, kind="grassroots_committee", name="Đảng ủy mới", code="MOI",
                        country="JP", opened_on=date(2020, 1, 1))
    cell = unit_create(actor=officer, parent=child, kind="subordinate_cell", name="Chi bộ mới", code="MOI-1",
                       country="JP", opened_on=date(2020, 1, 1))
    for i in range(3):
        new_member(officer, cell, i)
    assert not MembersNowFigure.objects.filter(unit=child).exists()  # only the cell's row, marked
    assert ("MOI", 3, 0) in [(u.code, f, p) for u, f, p in dashboard_counts(officer).by_unit]
    same_as_counted(actor_of, unit)
    assert shown(dashboard_counts(officer, focus=child))["by_unit"] == {"MOI-1": (3, 0)}
    MEMBERS_NOW.refresh()
    same_as_counted(actor_of, unit)
    unit_move(actor=officer, unit=cell, new_parent=unit("PHAP"), document="21-QĐ/ĐUBNG")
    same_as_counted(actor_of, unit)
    MEMBERS_NOW.refresh()
    assert MEMBERS_NOW.check() == []
    same_as_counted(actor_of, unit)


@pytest.mark.parametrize("computed", [False, True])
def test_the_pages_of_the_top_units_rows_from_the_stored_sums(actor_of, unit, stored, computed):
    """More children than a page: paged in the database, most members first, with the new cells marked only or
    computed."""
    from chibo.units.services import unit_create

    officer = actor_of("ban.tochuc")
    root = unit("DUBNG")
    for i in range(DASHBOARD_UNIT_ROWS + 5):
        cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name=f"Chi bộ thêm {i}",
                           code=f"THEM-{i}", country="JP", opened_on=date(2020, 1, 1))
        new_member(officer, cell, i)
    if computed:
        MEMBERS_NOW.refresh()
    assert MembersNowFigure.objects.filter(dirty__gt=0).exists() != computed
    first, second = dashboard_counts(officer), dashboard_counts(officer, page=2)
    last = dashboard_counts(officer, page=999)
    assert first.unit_page.has_next() and len(first.by_unit) == DASHBOARD_UNIT_ROWS
    assert {u.code for u, _f, _p in second.by_unit} == {u.code for u, _f, _p in last.by_unit}
    rows = {u.code: (f, p) for d in (first, second) for u, f, p in d.by_unit}
    assert rows == expected_dashboard([root])["by_unit"]
    ordered = [f + p for d in (first, second) for _u, f, p in d.by_unit]
    assert ordered == sorted(ordered, reverse=True)


def test_the_trees_totals_leave_out_what_closed_units_hold(unit, stored):
    """Closing refuses while members remain: members left on a closed unit's rolls were written behind the
    services; the tree without closed units does not count them, with them it does, stored or summed."""
    unesco = unit("PHAP-UNESCO")
    held = counted(unesco)
    assert sum(held)
    Unit.objects.filter(pk=unesco.pk).update(closed_on=date(2026, 6, 1))
    for code in ("DUBNG", "PHAP"):
        top = unit(code)
        with_closed = counted(top)
        without = (with_closed[0] - held[0], with_closed[1] - held[1])
        assert subtree_totals([top.path], True) == {top.path: with_closed}
        assert subtree_totals([top.path], False) == {top.path: without}
        MembersNowStored.objects.update(ready=False)  # the counters summed, as before the sums are stored
        assert subtree_totals([top.path], False) == {top.path: without}
        MembersNowStored.objects.update(ready=True)


def test_the_member_lists_count_and_api_equal_the_dashboard(client_of, actor_of, unit, stored):
    officer = actor_of("ban.tochuc")
    new_member(officer, unit("PHAP-DSQ"), 2)  # a dirty row
    root = unit("DUBNG")
    total = dashboard_counts(officer).total
    api = client_of("ban.tochuc").get("/api/v1/members/", {"unit": root.pk}).json()
    assert api["count"] == total == Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    phap = unit("PHAP")
    api = client_of("bithu.phap").get("/api/v1/members/", {"unit": phap.pk}).json()
    assert api["count"] == dashboard_counts(actor_of("bithu.phap")).total == sum(counted(phap))
    page = client_of("ban.tochuc").get("/units/").content.decode()
    full, prob = counted(root)
    assert f"{full:,}" in page or str(full) in page


@pytest.mark.django_db(transaction=True)
def test_readers_see_exact_sums_while_members_move_and_the_sums_are_computed(migrated_data):
    """PostgreSQL, each thread in its own transaction: members move between cells of two countries (the total stays,
    the countries' figures change), the sums of the moved units are computed again and again; every read of the
    dashboard and of the tree sees the same total and countries that add up to it."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL")
    from chibo.core.access import SYSTEM, Actor, Grant, Role
    from chibo.members.services import member_move
    from chibo.units.services import unit_create

    with override_settings(CHIBO_TODAY=TODAY):
        root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao", code="DU",
                           country="VN", opened_on=date(2000, 1, 1))
        root.refresh_from_db()
        officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
        cells = [unit_create(actor=officer, parent=root, kind="grassroots_cell", name=f"Chi bộ {c}", code=c,
                             country=c[:2], opened_on=date(2001, 1, 1)) for c in ("FR1", "DE1")]
        members = [new_member(officer, cells[i % 2], i) for i in range(8)]
        MEMBERS_NOW.years_compute([0])
    total = len(members)
    seen: list[int] = []

    def mover():
        with override_settings(CHIBO_TODAY=TODAY):
            for n in range(12):
                m = Member.objects.get(pk=members[n % len(members)].pk)
                to = cells[1] if m.unit_id == cells[0].pk else cells[0]
                # No retry: the move locks the member's row only (not its unit FOR UPDATE, which the
                # computation's rows refer to), so it never deadlocks with the computation.
                member_move(actor=officer, member=m, to_unit=to, reason="Điều động", document=f"{n}-QĐ",
                            effective_on=date(2026, 6, 1))

    def reader():
        d = dashboard_counts(officer)
        tree = subtree_totals([root.path], False)[root.path]
        assert d.total == total == sum(n for _c, _name, n in d.by_country) == sum(tree), (d.by_country, tree)
        assert sum(f + p for _u, f, p in d.by_unit) == total
        seen.append(d.total)

    while_running(mover, MEMBERS_NOW.refresh, reader)
    assert seen
    MEMBERS_NOW.refresh()
    assert MEMBERS_NOW.check() == []


@pytest.mark.django_db(transaction=True)
def test_a_refresh_gives_way_to_a_writer_that_holds_what_it_needs(migrated_data, monkeypatch):
    """PostgreSQL: the refresh has changed a cell's row and now needs the top unit's sums, which a writer holds; the
    writer, marking the top unit then the cell, waits for the cell's row. Neither could go on: the refresh gives way
    (its lock wait is short), the writer commits, and the refresh, tried again, computes what the writer changed."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL")
    from django.db import transaction

    from chibo.core.access import SYSTEM, Actor, Grant, Role
    from chibo.units.services import unit_create

    root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao", code="DU",
                       country="VN", opened_on=date(2000, 1, 1))
    root.refresh_from_db()
    officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
    cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name="Chi bộ FR1", code="FR1",
                       country="FR", opened_on=date(2001, 1, 1))
    MEMBERS_NOW.years_compute([0])
    new_member(officer, cell, 1)  # the cell's row is dirty: the refresh changes it, then the top unit's sums
    holds_cell, holds_top = threading.Event(), threading.Event()
    add_to_sums = type(MEMBERS_NOW)._add_to_sums
    tries: list[int] = []

    def after_the_cells_row(self, year, deltas):
        tries.append(len(tries) + 1)
        if len(tries) == 1:  # the first try: the cell's row is locked; the writer takes the top unit's meanwhile
            holds_cell.set()
            assert holds_top.wait(10)
        return add_to_sums(self, year, deltas)

    monkeypatch.setattr(type(MEMBERS_NOW), "_add_to_sums", after_the_cells_row)
    done: list[int] = []

    def writer():
        assert holds_cell.wait(10)
        with transaction.atomic():
            MEMBERS_NOW.mark_units([root.pk])
            holds_top.set()
            MEMBERS_NOW.mark_units([cell.pk])  # waits for the refresh's lock on the cell's row

    together(lambda: done.append(MEMBERS_NOW.refresh()), writer)
    assert len(tries) >= 2 and done  # gave way once, then computed
    MEMBERS_NOW.refresh()
    assert MEMBERS_NOW.check() == []
