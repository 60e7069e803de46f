"""The roll-up's live column read from stored rows (reports.live; the families stored per month by meetings,
transfers and units; today's member counters summed per subtree) equals the same column counted from the records,
for every subtree and period tried: once stored, after writes through the services while their rows are dirty
(not computed again yet), and after the sweep computes them; a period older than the stored months is counted; a
stored row broken behind the services is found by ``stats_figures --check``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from chibo.meetings.models import MeetingMonthFigure
from chibo.meetings.selectors import held_by_kind_stored
from chibo.members.enums import Category, Status
from chibo.members.models import MembersNowFigure
from chibo.members.services import member_change_status, member_create, member_move
from chibo.reports import figures, live
from chibo.reports.periods import Period
from chibo.stats import stored
from chibo.stats.tests.test_stats import TODAY, _meeting, _transfer, history  # noqa: F401
from chibo.transfers import services as transfers
from chibo.transfers.models import Kind, TransferMonthFigure
from chibo.transfers.selectors import transfers_across_stored
from chibo.units.models import UnitMonthFigure
from chibo.units.selectors import cells_open_stored
from chibo.units.services import unit_close, unit_create, unit_move

pytestmark = pytest.mark.django_db

PERIODS = [Period("quarter", 2025, 2), Period("quarter", 2025, 3), Period("quarter", 2026, 1),
           Period("quarter", 2026, 2), Period("month", 2026, 6), Period("half", 2026, 1),
           Period("quarter", 2024, 1),  # before the stored months: counted
           Period("year", 2026)]  # its last months are not stored yet: counted


def _counted(officer, unit, period):
    """The live column with nothing read from stored rows (every stored period set aside, then put back)."""
    with transaction.atomic():
        for family, _options in stored.families().values():
            family.stored.objects.update(ready=False)
        got = figures.compute(officer, unit, period.start, period.end, counters=True)
        transaction.set_rollback(True)
    return got


def _assert_exact(officer, units):
    for u in units:
        for period in PERIODS:
            got = figures.compute(officer, u, period.start, period.end, counters=True)
            assert got == _counted(officer, u, period), (u.code, period.code)


def _issued(officer, member, to_unit, on, doc):
    """A transfer to another cell, its letter issued on ``on`` (not yet received)."""
    t = transfers.transfer_request(actor=officer, member=member, kind=Kind.INTERNAL, to_unit=to_unit,
                                   decision_doc=doc, decision_date=on, reason="Chuyển nơi công tác", requested_on=on)
    transfers.transfer_approve(actor=officer, transfer=t, on=on)
    transfers.transfer_issue_letter(actor=officer, transfer=t, on=on, signer_title="Bí thư",
                                    signer_name="Nguyễn Văn An", dues_paid_through=f"{on:%m/%Y}")
    return t


@override_settings(CHIBO_TODAY=TODAY)
def test_the_live_column_read_from_stored_rows_equals_the_count_and_follows_writes(history, actor_of, unit):  # noqa: F811
    cell, officer = history, actor_of("ban.tochuc")
    root, phap, lhs, duc = unit("PHAP").parent, unit("PHAP"), unit("PHAP-LHS"), unit("DUC")
    units = [root, phap, cell, lhs, duc]
    quarter = Period("quarter", 2026, 2)
    assert held_by_kind_stored(officer, root, quarter.start, quarter.end) is None  # nothing stored yet
    counted = {u.code: _counted(officer, u, quarter) for u in units}

    stored.refresh(TODAY)
    assert not any(stored.check().values())
    # Read from the rows now, and the same figures.
    assert live.members_now(officer, root) is not None
    assert held_by_kind_stored(officer, root, quarter.start, quarter.end) is not None
    assert transfers_across_stored(officer, root, quarter.start, quarter.end) is not None
    assert cells_open_stored(root, quarter.end) is not None
    assert held_by_kind_stored(officer, root, date(2024, 1, 1), date(2024, 3, 31)) is None  # not stored: counted
    assert cells_open_stored(root, date(2026, 6, 15)) is None  # not a month's end
    for u in units:
        assert figures.compute(officer, u, quarter.start, quarter.end, counters=True) == counted[u.code], u.code
    assert int(counted[root.code]["meetings.due"]) > 0 and int(counted[cell.code]["members.total"]) > 0
    _assert_exact(officer, units)

    # Writes through the services, each leaving rows dirty: a thematic meeting of the quarter, a member admitted
    # elsewhere, a status change, a move, a transfer issued (not yet received) and one cancelled, a cell opened, a
    # cell closed, a unit moved under another parent.
    _meeting(officer, cell, date(2026, 5, 20), kind="thematic")
    assert MeetingMonthFigure.objects.filter(unit=cell, dirty__gt=0).exists()
    newcomer = member_create(actor=officer, unit=lhs, status=Status.PROBATIONARY, full_name="Lê Thị Mới", gender="F",
                             birth_date=date(1995, 2, 2), admission_date=date(2026, 5, 2),
                             category=Category.SELF_STUDENT)
    assert MembersNowFigure.objects.filter(unit=lhs, dirty__gt=0).exists()
    a = cell.members.get(full_name="Phạm Văn An")
    member_change_status(actor=officer, member=a, status=Status.SUSPENDED, reason="Đình chỉ sinh hoạt",
                         document="11/QĐ", effective_on=date(2026, 6, 1))
    member_move(actor=officer, member=newcomer, to_unit=cell, reason="Chuyển nơi công tác", document="12/QĐ",
                effective_on=date(2026, 6, 2))
    _assert_exact(officer, units)
    traveller = cell.members.filter(status=Status.FULL).order_by("pk").first()
    on = date(2026, 6, 3)
    t = _issued(officer, traveller, duc, on, "13/QĐ")
    assert TransferMonthFigure.objects.filter(unit=root, dirty__gt=0).exists()  # their lowest common ancestor
    _assert_exact(officer, units)
    assert int(figures.compute(officer, phap, quarter.start, quarter.end, counters=True)["transfers.out"]) == int(
        counted[phap.code]["transfers.out"]) + 1
    transfers.transfer_receive(actor=officer, transfer=t, on=on + timedelta(days=1))
    _assert_exact(officer, units)
    other = cell.members.filter(status=Status.PROBATIONARY).order_by("pk").first()
    transfers.transfer_cancel(actor=officer, transfer=_issued(officer, other, lhs, on, "14/QĐ"), reason="Không đi nữa")
    _transfer(officer, cell.members.filter(status=Status.FULL).order_by("-pk").first(), lhs, date(2026, 4, 7))
    opened = unit_create(actor=officer, parent=phap, kind="subordinate_cell", name="Chi bộ mới", code="PHAP-MOI",
                         country="FR", city="Nice", opened_on=date(2026, 4, 1))
    assert UnitMonthFigure.objects.filter(unit=opened, dirty__gt=0).exists()
    closing = unit_create(actor=officer, parent=phap, kind="subordinate_cell", name="Chi bộ tạm", code="PHAP-TAM",
                          country="FR", city="Nice", opened_on=date(2026, 2, 1))
    unit_close(actor=officer, unit=closing, closed_on=date(2026, 5, 31), document="15/QĐ")
    _assert_exact(officer, units + [opened])
    unit_move(actor=officer, unit=lhs, new_parent=duc, document="16-QĐ/ĐUBNG")
    lhs, phap, duc = unit("PHAP-LHS"), unit("PHAP"), unit("DUC")
    units = [root, phap, cell, lhs, duc, opened]
    _assert_exact(officer, units)

    # Computed again by the sweep: nothing dirty, the same figures, a recount agrees.
    done = stored.refresh(TODAY)
    assert done.rows["meetings_months"] and done.rows["members_now"] and done.rows["transfers_months"]
    assert done.rows["cells_months"]
    for model in (MeetingMonthFigure, MembersNowFigure, TransferMonthFigure, UnitMonthFigure):
        assert not model.objects.filter(dirty__gt=0).exists(), model
    _assert_exact(officer, units)
    assert not any(stored.check().values())

    # Rows broken behind the services: a subtree sum and a unit's own figure, found by the check.
    MeetingMonthFigure.objects.filter(unit=root, year=2026 * 12 + 4).update(sub_other=99)
    MembersNowFigure.objects.filter(unit=cell).update(status_full=77)
    found = stored.check()
    assert [(w.unit, w.year, w.what) for w in found["meetings_months"]] == [(root.pk, 2026 * 12 + 4, "subtree")]
    assert (cell.pk, 0, "row") in [(w.unit, w.year, w.what) for w in found["members_now"]]
    with pytest.raises(CommandError, match="meetings_months rows"):
        call_command("stats_figures", "--check")
    call_command("stats_figures", "--rebuild", "2026")
    assert not any(stored.check().values())
    _assert_exact(officer, units)


@override_settings(CHIBO_TODAY=TODAY)
def test_writes_mark_only_the_months_they_change_and_the_months_kept_move_with_the_calendar(
        history, actor_of, unit):  # noqa: F811
    from datetime import time

    from chibo.core.yearly import MONTHS_KEPT, month_period
    from chibo.meetings import services as meetings
    from chibo.meetings.models import MeetingMonthStored

    cell, officer = history, actor_of("ban.tochuc")
    root, duc = unit("PHAP").parent, unit("DUC")
    stored.refresh(TODAY)
    now = month_period(TODAY)
    assert sorted(MeetingMonthStored.objects.values_list("year", flat=True)) == list(range(now - MONTHS_KEPT + 1,
                                                                                           now + 1))
    # Saves that change nothing the months count mark nothing: a meeting planned, a transfer asked for and approved
    # (no date yet). The top of the tree is the lowest common ancestor of a transfer between two countries: marked
    # on every save, its rows would be locked by every transfer in the country.
    meetings.meeting_plan(actor=officer, unit=cell, kind="regular", title="Sinh hoạt chi bộ", day=date(2026, 6, 20),
                          time=time(18, 30), planned_minutes=120, place="Phòng họp")
    on = date(2026, 6, 3)
    traveller = cell.members.filter(status=Status.FULL).order_by("pk").first()
    t = transfers.transfer_request(actor=officer, member=traveller, kind=Kind.INTERNAL, to_unit=duc,
                                   decision_doc="21/QĐ", decision_date=on, reason="Chuyển nơi công tác",
                                   requested_on=on)
    transfers.transfer_approve(actor=officer, transfer=t, on=on)
    for model in (MeetingMonthFigure, TransferMonthFigure):
        assert not model.objects.filter(dirty__gt=0).exists(), model
    # The letter issued: the month of its date only, at its two units and their common ancestor.
    transfers.transfer_issue_letter(actor=officer, transfer=t, on=on, signer_title="Bí thư",
                                    signer_name="Nguyễn Văn An", dues_paid_through=f"{on:%m/%Y}")
    marked = set(TransferMonthFigure.objects.filter(dirty__gt=0).values_list("unit_id", "year"))
    assert marked == {(u, month_period(on)) for u in (cell.pk, duc.pk, root.pk)}
    _meeting(officer, cell, date(2026, 5, 20), kind="thematic")  # held: its month, at its cell
    assert set(MeetingMonthFigure.objects.filter(dirty__gt=0).values_list("unit_id", "year")) == {
        (cell.pk, month_period(date(2026, 5, 20)))}
    _assert_exact(officer, [root, cell, duc])

    # Two months later the two oldest months are no longer kept: gone, rows and all, and never marked again; a
    # rebuild of whole years stores no month outside the window.
    later = date(2026, 8, 15)
    stored.refresh(later)
    stored.refresh(later, rebuild=[2024, 2026])
    window = list(range(month_period(later) - MONTHS_KEPT + 1, month_period(later) + 1))
    for family in (MeetingMonthStored, TransferMonthFigure, MeetingMonthFigure, UnitMonthFigure):
        assert set(family.objects.values_list("year", flat=True)) <= set(window), family
    assert sorted(MeetingMonthStored.objects.values_list("year", flat=True)) == window
    assert not any(stored.check().values())
