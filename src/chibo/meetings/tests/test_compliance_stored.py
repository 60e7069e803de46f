"""The compliance page read from the stored compliance figures (meetings.yearly.COMPLIANCE) equals a recount cell by
cell (rules.compliance) for the whole tree and for France, in both orders, after each change that moves a cell in
or out of the late ones: meetings recorded, cancelled, moved to another month, deleted; a cell closed, created,
renamed, moved to another subtree. Between two computations the changed rows are dirty and counted at read time;
once computed again they are clean and equal to a recount (``check``)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test import override_settings

from chibo.core.access import subtree_q
from chibo.core.tests.thread_support import while_running
from chibo.meetings import rules, selectors, yearly
from chibo.meetings.models import Meeting, MeetingComplianceFigure, MeetingComplianceStored, MeetingKind, MeetingState
from chibo.meetings.selectors import COMPLIANCE_ROWS
from chibo.meetings.tests.test_compliance_counts import TODAY, meeting, tree  # noqa: F401  (the fixture)
from chibo.meetings.tests.test_compliance_scale import ROW, TOTALS
from chibo.units import services as unit_services
from chibo.units.models import Unit, UnitKind


def recount(actor, year: int, *, by_name: bool = False):
    """What the page must show, counted cell by cell: (cells, late, late in a month, late in a quarter, the late
    cells in the page's order as (unit id, months missing, quarters missing))."""
    cells = selectors.meeting_units(actor).filter(kind__in=rules.CELL_KINDS, closed_on__isnull=True)
    rows = rules.compliance(list(cells.order_by("sort_key", "pk")), year, today=TODAY)
    late = [r for r in rows if not r.ok]
    if not by_name:
        late.sort(key=lambda r: (-len(r.missing_months), -len(r.missing_quarters), r.unit.sort_key, r.unit.pk))
    return (len(rows), len(late), sum(1 for r in rows if r.missing_months),
            sum(1 for r in rows if r.missing_quarters),
            [(r.unit.pk, len(r.missing_months), len(r.missing_quarters)) for r in late])


def stored(actor, year: int, *, by_name: bool = False, limit: int = 10_000, offset: int = 0):
    """The same read from the stored figures (never counted over every cell: the period is stored)."""
    paths, ids = selectors._compliance_scope(actor, None)
    c = yearly.compliance_read(paths, ids, year, today=TODAY, offset=offset, limit=limit, worst_first=not by_name)
    assert c is not None, "the stored figures were not read"
    return c.cells, c.late, c.late_regular, c.late_thematic, c.rows


def page(client, url: str) -> tuple[int, int, list[str]]:
    html = client.get(url).content.decode()
    late, cells = TOTALS.search(html).groups()
    return int(late.replace(".", "")), int(cells.replace(".", "")), ROW.findall(html)


def same(actors, client) -> None:
    for actor in actors:
        for year in (2025, 2026):
            for by_name in (False, True):
                assert stored(actor, year, by_name=by_name) == recount(actor, year, by_name=by_name), (year, by_name)
        want = recount(actor, 2026)
        # pages of 3 are slices of the same order (the dirty rows merged in wherever they fall)
        assert [r for k in range(0, 30, 3) for r in stored(actor, 2026, limit=3, offset=k)[4]] == want[4][:30]
    cells, late, _m, _q, rows = recount(actors[0], 2026)
    codes = dict(Unit.objects.filter(pk__in=[pk for pk, _m, _q in rows[:COMPLIANCE_ROWS]]).values_list("pk", "code"))
    assert page(client, "/meetings/compliance/?year=2026") == (late, cells,
                                                               [codes[pk] for pk, _m, _q in rows[:COMPLIANCE_ROWS]])


def dirty() -> int:
    return MeetingComplianceFigure.objects.filter(dirty__gt=0).count()


@override_settings(CHIBO_TODAY=TODAY)
@pytest.mark.django_db
def test_the_stored_page_equals_a_recount_through_changes(tree, actor_of, client_of, unit):  # noqa: F811
    officer, secretary = actor_of("ban.tochuc"), actor_of("bithu.phap")
    actors, client = [officer, secretary], client_of("ban.tochuc")
    call_command("stats_figures", "--years", "3", verbosity=0)
    # kept: the Decembers of the years before and the current month (May 2026)
    assert set(MeetingComplianceStored.objects.filter(ready=True).values_list("year", flat=True)) == {
        2024 * 12 + 11, 2025 * 12 + 11, 2026 * 12 + 4}
    assert dirty() == 0
    same(actors, client)
    cells = list(tree.order_by("pk"))
    late = [c for c in cells if rules.compliance([c], 2026, today=TODAY)[0].missing_months]

    # a meeting recorded in a month a late cell missed: its rows are dirty, counted at read time
    first = rules.compliance([late[0]], 2026, today=TODAY)[0].missing_months[0]
    held = meeting(late[0], MeetingKind.COMBINED, datetime(2026, first, 14, 19), "Europe/Paris")
    assert dirty() > 0
    same(actors, client)
    # cancelled again; another one moved to a month (and a time zone) it did not count in; one deleted
    held.state = MeetingState.CANCELLED
    held.save()
    same(actors, client)
    moved = Meeting.objects.filter(unit=late[1], state=MeetingState.HELD, kind=MeetingKind.REGULAR,
                                   starts_at__year=2026).order_by("starts_at").first()
    moved.starts_at, moved.time_zone = datetime(2026, 4, 30, 23, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), \
        "Asia/Ho_Chi_Minh"
    moved.save()
    same(actors, client)
    Meeting.objects.filter(unit=late[2], state=MeetingState.HELD, starts_at__year=2025).order_by("starts_at") \
        .first().delete()
    same(actors, client)

    # a late cell closes, a cell is created (no meeting yet), a cell is renamed, a cell moves out of France
    unit_services.unit_close(actor=officer, unit=late[3], closed_on=TODAY, document="12-QĐ")
    same(actors, client)
    with connection.cursor() as cur:  # the cells of the fixture were inserted with their ids
        for sql in connection.ops.sequence_reset_sql(no_style(), [Unit]):
            cur.execute(sql)
    new = unit_services.unit_create(actor=officer, parent=unit("PHAP"), kind=UnitKind.SUBORDINATE_CELL,
                                    name="Chi bộ Lyon mới", code="CPT-NEW", opened_on=date(2026, 2, 3))
    assert new.pk in {pk for pk, _m, _q in stored(secretary, 2026)[4]}
    same(actors, client)
    renamed = Unit.objects.get(pk=late[4].pk)
    unit_services.unit_update(actor=officer, unit=renamed, expected_version=renamed.version,
                              changes={"name": "A Chi bộ đổi tên"})
    same(actors, client)
    other = Unit.objects.filter(kind=UnitKind.GRASSROOTS_COMMITTEE, closed_on__isnull=True).exclude(
        subtree_q([unit("PHAP").path])).first()
    unit_services.unit_move(actor=officer, unit=Unit.objects.get(pk=late[5].pk), new_parent=other, document="13-QĐ")
    assert late[5].pk not in {pk for pk, _m, _q in stored(secretary, 2026)[4]}
    same(actors, client)

    # computed again: every row clean, the same page, the rows equal to a recount
    call_command("stats_figures", "--years", "3", verbosity=0)
    assert dirty() == 0
    same(actors, client)
    assert yearly.COMPLIANCE.check() == []


@override_settings(CHIBO_TODAY=TODAY)
@pytest.mark.django_db
def test_a_new_month_replaces_the_month_before(tree):  # noqa: F811
    """The current month's period is kept; once the next one is computed, the one before goes (Decembers stay)."""
    call_command("stats_figures", "--years", "2", verbosity=0)
    assert yearly.compliance_period(2026, TODAY) in yearly.COMPLIANCE.ready_years(0, 10**6)
    with override_settings(CHIBO_TODAY=date(2026, 6, 2)):
        call_command("stats_figures", "--years", "2", verbosity=0)
    assert set(MeetingComplianceStored.objects.values_list("year", flat=True)) == {2025 * 12 + 11, 2026 * 12 + 5}
    assert not MeetingComplianceFigure.objects.filter(year=2026 * 12 + 4).exists()


@override_settings(CHIBO_TODAY=TODAY)
@pytest.mark.django_db
def test_without_the_period_stored_the_page_is_counted(tree, actor_of):  # noqa: F811
    officer = actor_of("ban.tochuc")
    assert yearly.compliance_read(["x"], [], 2026, today=TODAY) is None
    o = selectors.compliance_overview(officer, 2026)
    assert (o.cells, o.late.paginator.count) == recount(officer, 2026)[:2]


@pytest.mark.django_db(transaction=True)
def test_readers_see_exact_figures_while_meetings_move_and_the_rows_are_computed(migrated_data):
    """PostgreSQL, each thread in its own transaction: January's meeting moves back and forth between two cells (one
    of them is always the late one), the rows are computed again and again; every read of the stored figures sees two
    cells, one late, and a page of one row."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL")
    from django.db import transaction

    from chibo.core.access import SYSTEM, Actor, Grant, Role

    with override_settings(CHIBO_TODAY=TODAY):
        root = unit_services.unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao",
                                         code="DU", country="VN", opened_on=date(2000, 1, 1))
        root.refresh_from_db()
        officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
        cells = [unit_services.unit_create(actor=officer, parent=root, kind="grassroots_cell", name=f"Chi bộ {c}",
                                           code=c, country=c[:2], opened_on=date(2001, 1, 1)) for c in ("FR1", "DE1")]
        for cell in cells:
            for month in range(2, 6):
                meeting(cell, MeetingKind.COMBINED, datetime(2026, month, 10, 19), "Europe/Paris")
        january = meeting(cells[0], MeetingKind.REGULAR, datetime(2026, 1, 10, 19), "Europe/Paris")
        yearly.COMPLIANCE.years_compute([yearly.compliance_period(2026, TODAY)])
        root.refresh_from_db()
    seen: list[int] = []

    def move(n: int) -> None:
        with transaction.atomic():
            m = Meeting.objects.select_for_update().get(pk=january.pk)
            m.unit_id = cells[n % 2].pk
            m.save()

    def mover():
        # No retry: the move locks the meeting's row only, and the refresh gives way to it (core.yearly).
        for n in range(1, 13):
            move(n)

    def reader():
        c = yearly.compliance_read([root.path], [], 2026, today=TODAY)
        assert c is not None
        assert (c.cells, c.late, c.late_regular, c.late_thematic, len(c.rows)) == (2, 1, 1, 0, 1), c
        seen.append(c.late)

    while_running(mover, yearly.COMPLIANCE.refresh, reader)
    assert seen
    yearly.COMPLIANCE.refresh()
    assert yearly.COMPLIANCE.check() == []
