"""The statistics' stored per-unit yearly figures (members.yearly, meetings.yearly) on the real database: once stored,
the members at each year's end and the regular meetings held per year read from them equal the figures counted
from the records, for every subtree and year; a change dated in a closed year (a status change, a move between
cells, a meeting recorded late) marks the rows it touches, so the statistics stay exact before the rows are
computed again, and after it; a recount finds nothing wrong."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from chibo.meetings import rules as meeting_rules
from chibo.meetings.models import MeetingYearFigure
from chibo.meetings.selectors import _held_counted, regular_meetings_per_year
from chibo.members.enums import Status
from chibo.members.models import MemberYearFigure
from chibo.members.selectors import _members_at_year_ends_counted, members_at_year_ends
from chibo.members.services import member_change_status, member_move
from chibo.stats import stored
from chibo.stats.tests.test_stats import MEETINGS, MEMBERS, TODAY, _meeting, _transfer, history  # noqa: F401
from chibo.transfers.models import TransferYearFigure
from chibo.transfers.selectors import _transfers_counted, arrivals_from_outside, transfers_per_year
from chibo.units.selectors import subtree_units

pytestmark = pytest.mark.django_db

FIRST, LAST = 2017, 2026


def _units(cell, unit):
    return [cell, unit("PHAP"), unit("PHAP-LHS"), unit("PHAP-DSQ"), unit("PHAP").parent]


def _assert_exact(officer, units):
    """What the selectors answer (stored rows where ready) equals the count from the records, every year."""
    for u in units:
        counted = _members_at_year_ends_counted(u, FIRST, LAST, arrivals=arrivals_from_outside())
        assert members_at_year_ends(officer, u, FIRST, LAST, arrivals=arrivals_from_outside()) == counted, u.code
        cells = subtree_units([u.path]).filter(kind__in=meeting_rules.CELL_KINDS)
        held = _held_counted(cells, FIRST, LAST)
        assert {y: h for y, (_d, h) in regular_meetings_per_year(officer, u, FIRST, LAST).items()} == held, u.code
        assert transfers_per_year(officer, u, FIRST, LAST) == _transfers_counted(u, FIRST, LAST), u.code


@override_settings(CHIBO_TODAY=TODAY)
def test_stored_figures_equal_the_count_from_the_records_and_follow_back_dated_changes(history, actor_of, unit):  # noqa: F811
    cell, officer = history, actor_of("ban.tochuc")
    units = _units(cell, unit)
    before = {u.code: _members_at_year_ends_counted(u, FIRST, LAST, arrivals=arrivals_from_outside())
              for u in units}
    done = stored.refresh(TODAY)
    assert done.computed == list(range(FIRST, LAST + 1))
    assert MemberYearFigure.objects.filter(unit=cell).count() >= 5 and MeetingYearFigure.objects.exists()
    assert not MemberYearFigure.objects.filter(dirty__gt=0).exists()
    # Read from the stored rows: the figures of the statistics test, and the count from the records everywhere.
    got = members_at_year_ends(officer, cell, 2022, 2026, arrivals=arrivals_from_outside())
    assert got == MEMBERS
    assert {y: h for y, (_d, h) in regular_meetings_per_year(officer, cell, 2022, 2026).items()} == {
        y: h for y, (_d, h) in MEETINGS.items()}
    _assert_exact(officer, units)
    assert not any(stored.check().values())

    # A status change dated in a closed year: A left the Party on 1 March 2023.
    a = cell.members.get(full_name="Phạm Văn An")
    member_change_status(actor=officer, member=a, status=Status.LEFT, reason="Xin ra khỏi Đảng", document="9/QĐ",
                         effective_on=date(2023, 3, 1))
    assert MemberYearFigure.objects.filter(unit=cell, year=2023, dirty__gt=0).exists()
    _assert_exact(officer, units)  # exact before the rows are computed again
    after = members_at_year_ends(officer, cell, 2022, 2026, arrivals=arrivals_from_outside())
    assert after[2022] == MEMBERS[2022] and after[2023] == (MEMBERS[2023][0] - 1, MEMBERS[2023][1])

    # A move between cells dated in a closed year: B went to the students' cell on 1 June 2024.
    b = cell.members.get(full_name="Phạm Văn Bình")
    member_move(actor=officer, member=b, to_unit=unit("PHAP-LHS"), reason="Chuyển nơi công tác", document="10/QĐ",
                effective_on=date(2024, 6, 1))
    _assert_exact(officer, units)
    # A regular meeting of January 2023 recorded late.
    with override_settings(CHIBO_TODAY=date(2023, 1, 5)):
        _meeting(officer, cell, date(2023, 1, 10))
    _assert_exact(officer, units)
    assert regular_meetings_per_year(officer, cell, 2023, 2023)[2023][1] == MEETINGS[2023][1] + 1

    # Computed again: nothing dirty left, the same figures, a recount agrees.
    done = stored.refresh(TODAY)
    assert done.computed == [] and done.rows["members"] > 0 and done.rows["meetings"] > 0
    assert not MemberYearFigure.objects.filter(dirty__gt=0).exists()
    assert not MeetingYearFigure.objects.filter(dirty__gt=0).exists()
    _assert_exact(officer, units)
    assert not any(stored.check().values())
    moved = members_at_year_ends(officer, unit("PHAP-LHS"), 2023, 2025, arrivals=arrivals_from_outside())
    # B counts in the students' cell at the end of 2024 (probationary then) and 2025 (full), no longer in the cell.
    assert moved[2024] == (before["PHAP-LHS"][2024][0], before["PHAP-LHS"][2024][1] + 1)
    assert moved[2025] == (before["PHAP-LHS"][2025][0] + 1, before["PHAP-LHS"][2025][1])
    call_command("stats_figures", "--check")


@override_settings(CHIBO_TODAY=TODAY)
def test_subtree_sums_follow_a_unit_moved_and_a_wrong_sum_is_found_and_mended(history, actor_of, unit):  # noqa: F811
    """A subtree's figures read from its root's row: after a unit moves under another parent, the old and the new
    parents' figures equal the count from the records (before and after the dirty rows are computed again); a sum
    broken behind the services is reported by ``--check`` and mended by ``--rebuild``."""
    from chibo.units.services import unit_move

    officer = actor_of("ban.tochuc")
    stored.refresh(TODAY)
    lhs, phap, duc = unit("PHAP-LHS"), unit("PHAP"), unit("DUC")
    root = phap.parent
    moved_members = members_at_year_ends(officer, lhs, FIRST, LAST, arrivals=arrivals_from_outside())
    assert any(sum(v) for v in moved_members.values())
    before = {u.code: members_at_year_ends(officer, u, FIRST, LAST, arrivals=arrivals_from_outside())
              for u in (phap, duc, root)}
    row = MemberYearFigure.objects.get(unit=root, year=2025)
    assert (row.sub_full, row.sub_probationary) == before[root.code][2025]  # the root's row holds the whole tree

    unit_move(actor=officer, unit=lhs, new_parent=duc, document="20-QĐ/ĐUBNG")
    lhs, phap, duc = unit("PHAP-LHS"), unit("PHAP"), unit("DUC")
    units = [lhs, phap, duc, root, unit("PHAP-DSQ")]
    _assert_exact(officer, units)
    assert not any(stored.check().values())
    for year in range(FIRST, LAST + 1):
        after_phap = members_at_year_ends(officer, phap, year, year, arrivals=arrivals_from_outside())[year]
        after_duc = members_at_year_ends(officer, duc, year, year, arrivals=arrivals_from_outside())[year]
        gone = moved_members[year]
        assert after_phap == (before["PHAP"][year][0] - gone[0], before["PHAP"][year][1] - gone[1]), year
        assert after_duc == (before["DUC"][year][0] + gone[0], before["DUC"][year][1] + gone[1]), year
    # A transfer completed now, from the cell to the moved unit: its two ends now meet only at the root.
    traveller = history.members.filter(status=Status.FULL).order_by("pk").first()
    # F's transfer of 2026 into the students' cell now comes into Germany's subtree from outside it.
    before_duc_in_2026 = transfers_per_year(officer, duc, 2026, 2026)[2026][0]
    assert before_duc_in_2026 == 1
    _transfer(officer, traveller, lhs, date(2026, 3, 2))
    assert TransferYearFigure.objects.filter(unit=root, year=2026, dirty__gt=0).exists()
    _assert_exact(officer, units)
    assert transfers_per_year(officer, duc, 2026, 2026)[2026][0] == before_duc_in_2026 + 1
    stored.refresh(TODAY)
    _assert_exact(officer, units)

    # A sum written behind the services: found by the check, mended by computing the year again.
    MemberYearFigure.objects.filter(unit=root, year=2024).update(sub_full=-5)
    MeetingYearFigure.objects.filter(unit=root, year=2024).update(sub_held=0)
    found = stored.check()
    members, meetings = found["members"], found["meetings"]
    assert [(w.unit, w.year, w.what) for w in members] == [(root.pk, 2024, "subtree")]
    assert [(w.unit, w.year, w.what) for w in meetings] == [(root.pk, 2024, "subtree")]
    with pytest.raises(CommandError, match="1 members rows, 1 meetings rows, 0 transfers rows"):
        call_command("stats_figures", "--check")
    call_command("stats_figures", "--rebuild", "2024")
    assert not any(stored.check().values())
    _assert_exact(officer, units)


@override_settings(CHIBO_TODAY=TODAY)
def test_a_computation_leaves_the_planner_the_statistics_of_the_rows_it_wrote(history):  # noqa: F811
    """Stored figures are written hundreds of thousands at once: each computation analyses its table (PostgreSQL),
    so that the planner does not guess many dirty rows and read a subtree's every unit to find none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics: PostgreSQL")
    tables = {family.figure._meta.db_table for family, _options in stored.families().values()}
    with CaptureQueriesContext(connection) as sent:
        call_command("stats_figures")
    analysed = {q["sql"].split('"')[1] for q in sent.captured_queries if q["sql"].startswith("ANALYZE ")}
    assert analysed == tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [MemberYearFigure._meta.db_table])
        assert cursor.fetchone()[0] > 0  # the rows written in this transaction are counted
