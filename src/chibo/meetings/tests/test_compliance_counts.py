"""The compliance counted in the database (rules.compliance_counts) equals rules.compliance cell by cell: the totals,
which cells are late and how much, the order of the page, whether the year's regular months are read from the stored
yearly figures or counted from the meetings, with meetings on either side of a month's end in other time zones,
cells opened during the year, meetings not held, a meeting marked held in a month to come and a meeting changed
after the figures were computed."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings

from chibo.meetings import rules
from chibo.meetings.models import Meeting, MeetingKind, MeetingState, MeetingYearFigure, MeetingYearStored
from chibo.units.models import Unit, UnitKind
from chibo.units.tests.test_picker import many_units

TODAY = date(2026, 5, 20)


def meeting(cell, kind, local: datetime, zone: str, state=MeetingState.HELD) -> Meeting:
    return Meeting.objects.create(unit=cell, kind=kind, title="Sinh hoạt", time_zone=zone, planned_minutes=90,
                                  starts_at=local.replace(tzinfo=ZoneInfo(zone)), state=state)


def expected(cells, year: int, *, worst_first: bool = True):
    rows = rules.compliance(list(cells.order_by("sort_key", "pk")), year, today=TODAY)
    late = [r for r in rows if not r.ok]
    if worst_first:
        late.sort(key=lambda r: (-len(r.missing_months), -len(r.missing_quarters), r.unit.sort_key, r.unit.pk))
    return (len(rows), len(late), sum(1 for r in rows if r.missing_months),
            sum(1 for r in rows if r.missing_quarters),
            [(r.unit.pk, len(r.missing_months), len(r.missing_quarters)) for r in late])


def counted(cells, year: int, *, worst_first: bool = True, limit: int = 1000):
    c = rules.compliance_counts(cells, year, today=TODAY, limit=limit, worst_first=worst_first)
    return c.cells, c.late, c.late_regular, c.late_thematic, c.rows


@pytest.fixture
def tree(unit):
    """Twelve cells under France with a year and a half of meetings of every kind, some near a month's end."""
    phap = unit("PHAP")
    cells = many_units(phap, 12, "CPT", kind=UnitKind.SUBORDINATE_CELL)
    Unit.objects.filter(pk=cells[1].pk).update(opened_on=date(2026, 3, 15))   # opened during the year
    Unit.objects.filter(pk=cells[2].pk).update(opened_on=date(2026, 7, 1))    # opens after today
    Unit.objects.filter(pk=cells[3].pk).update(opened_on=date(2025, 11, 3))   # opened late last year
    for i, cell in enumerate(cells):
        for month in range(1, 13):
            if (i + month) % (i % 4 + 2):      # each cell skips some months, differently
                meeting(cell, MeetingKind.REGULAR, datetime(2025, month, 12, 19), "Europe/Paris")
            if month <= 5 and (i * month) % 3 != 1:
                meeting(cell, MeetingKind.REGULAR, datetime(2026, month, 8, 19), "Asia/Ho_Chi_Minh")
        if i % 3 == 0:
            meeting(cell, MeetingKind.THEMATIC, datetime(2026, 2, 20, 18), "Europe/Paris")
            meeting(cell, MeetingKind.THEMATIC, datetime(2025, 8, 20, 18), "Europe/Paris")
        if i % 4 == 1:
            meeting(cell, MeetingKind.COMBINED, datetime(2026, 4, 2, 18), "America/New_York")
            meeting(cell, MeetingKind.COMBINED, datetime(2025, 11, 2, 18), "America/New_York")
    c5, c6, c7, c8 = cells[5], cells[6], cells[7], cells[8]
    # On either side of a month's end: late on 31 January in Paris is 1 February in Hanoi; late on 31 December in
    # New York is already the next year on the server's clock.
    meeting(c5, MeetingKind.REGULAR, datetime(2026, 1, 31, 23, 30), "Europe/Paris")
    meeting(c5, MeetingKind.REGULAR, datetime(2026, 3, 1, 0, 30), "Asia/Ho_Chi_Minh")
    meeting(c6, MeetingKind.REGULAR, datetime(2025, 12, 31, 22), "America/New_York")
    meeting(c6, MeetingKind.THEMATIC, datetime(2026, 3, 31, 23), "America/Los_Angeles")
    meeting(c7, MeetingKind.REGULAR, datetime(2026, 2, 10, 19), "Europe/Paris", state=MeetingState.PLANNED)
    meeting(c7, MeetingKind.COMBINED, datetime(2026, 5, 9, 19), "Europe/Paris", state=MeetingState.CANCELLED)
    meeting(cells[1], MeetingKind.REGULAR, datetime(2026, 2, 10, 19), "Europe/Paris")  # before it opened
    # Marked held in a month still to come: not due yet, so it must not stand for a month that is.
    meeting(c8, MeetingKind.REGULAR, datetime(2026, 8, 10, 19), "Europe/Paris")
    return Unit.objects.filter(pk__in=[c.pk for c in cells])


@override_settings(CHIBO_TODAY=TODAY)
@pytest.mark.parametrize("stored", [False, True], ids=["counted", "stored figures"])
def test_counts_equal_the_rules_cell_by_cell(tree, stored):
    if stored:
        call_command("stats_figures", "--years", "3", verbosity=0)
        assert MeetingYearStored.objects.filter(year__in=[2025, 2026], ready=True).count() == 2
    for year in (2025, 2026, 2027, 2019):
        want = expected(tree, year)
        assert counted(tree, year) == want, year
        assert counted(tree, year, worst_first=False) == expected(tree, year, worst_first=False), year
    late = expected(tree, 2026)[4]
    assert len(late) >= 8 and late[0][1] >= late[-1][1]
    # pages: each a slice of the same order
    pages = [rules.compliance_counts(tree, 2026, today=TODAY, offset=k, limit=3).rows for k in range(0, 12, 3)]
    assert [row for page in pages for row in page] == late
    if stored:
        # a meeting recorded after the figures were computed: its cell is counted from its meetings
        cell = Unit.objects.get(pk=late[0][0])
        for month in range(1, 6):
            meeting(cell, MeetingKind.COMBINED, datetime(2026, month, 25, 12), "Europe/Paris")
        assert MeetingYearFigure.objects.filter(unit=cell, year=2026, dirty__gt=0).exists()
        assert counted(tree, 2026) == expected(tree, 2026)
        assert cell.pk not in {pk for pk, _m, _q in counted(tree, 2026)[4]}


@override_settings(CHIBO_TODAY=TODAY)
def test_the_stored_figures_are_what_is_read(tree):
    """With the year stored, a clean cell's regular months come from its figure (not from its meetings)."""
    call_command("stats_figures", "--years", "3", verbosity=0)
    cell = next(c for c in tree.order_by("pk") if c.opened_on < date(2026, 1, 1)
                and rules.compliance([c], 2026, today=TODAY)[0].missing_months)
    before = rules.compliance([cell], 2026, today=TODAY)[0]
    MeetingYearFigure.objects.filter(unit=cell, year=2026).update(held=5)  # as if every month up to May was held
    rows = {pk: (m, q) for pk, m, q in counted(tree, 2026)[4]}
    assert rows.get(cell.pk, (0, len(before.missing_quarters)))[0] == 0
    MeetingYearStored.objects.filter(year=2026).update(ready=False)         # a year not stored: counted
    assert {pk: (m, q) for pk, m, q in counted(tree, 2026)[4]}[cell.pk] == (len(before.missing_months),
                                                                           len(before.missing_quarters))
