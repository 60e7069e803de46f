"""The compliance page at national scale: only the cells behind with their meetings, 50 a page, with
totals equal to a direct count; its weight and its number of queries do not grow with the tree; ?unit=
narrows to a subtree within the actor's scope (404 outside)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.core import clock
from chibo.core.access import subtree_q
from chibo.meetings import rules
from chibo.meetings.models import Meeting, MeetingKind, MeetingState
from chibo.meetings.selectors import COMPLIANCE_ROWS
from chibo.units.models import Unit, UnitKind
from chibo.units.tests.test_picker import PAGE_BUDGET, many_units

TOTALS = re.compile(r'data-field="totals">([\d.]+) / ([\d.]+) ')
ROW = re.compile(r'<tr data-unit="([^"]+)">')
MONTHS = re.compile(r'data-field="months">([^<]*)</td>')


def held_every_month(cells, year: int) -> None:
    """A combined meeting (regular and thematic at once) held in each month of ``year`` in each cell."""
    Meeting.objects.bulk_create([
        Meeting(unit=cell, kind=MeetingKind.COMBINED, title="Sinh hoạt", time_zone="Europe/Paris", planned_minutes=90,
                starts_at=datetime(year, month, 10, 18, tzinfo=ZoneInfo("Europe/Paris")), state=MeetingState.HELD)
        for cell in cells for month in range(1, 13)])


def direct(scope_paths, year: int) -> tuple[int, int]:
    """(late cells, open cells) under the given paths, counted cell by cell."""
    cells = list(Unit.objects.filter(subtree_q(scope_paths), kind__in=rules.CELL_KINDS, closed_on__isnull=True))
    return sum(1 for cell in cells if not rules.compliance([cell], year)[0].ok), len(cells)


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), len(queries)


def totals(html) -> tuple[int, int]:
    late, cells = TOTALS.search(html).groups()
    return int(late.replace(".", "")), int(cells.replace(".", ""))


def test_compliance_page_lists_only_late_cells_and_stays_small(client_of, unit):
    year = clock.today().year - 1
    url = f"/meetings/compliance/?year={year}"
    officer = client_of("ban.tochuc")
    phap, root = unit("PHAP"), Unit.objects.get(parent=None)
    first = many_units(phap, 20, "SHA", kind=UnitKind.SUBORDINATE_CELL)
    held_every_month(first[:5], year)
    get(officer, url)                                     # the first request fills the per-process caches
    html, baseline = get(officer, url)
    assert totals(html) == direct([root.path], year)
    more = many_units(phap, 2000, "SHB", kind=UnitKind.SUBORDINATE_CELL)
    held_every_month(more[:10], year)
    html, queries = get(officer, url)
    print(f"compliance page, whole tree, {Unit.objects.count()} units: {len(html.encode())} bytes, {queries} queries")
    assert len(html.encode()) < PAGE_BUDGET and queries == baseline
    late, cells = totals(html)
    assert (late, cells) == direct([root.path], year) and cells >= 2020 and late >= 2005
    rows = ROW.findall(html)
    assert len(rows) == COMPLIANCE_ROWS and 'class="pager"' in html
    compliant = {c.code for c in first[:5] + more[:10]}
    assert not compliant & set(rows)                      # cells that held every meeting are not listed
    second = ROW.findall(get(officer, url + "&page=2")[0])
    assert len(second) == COMPLIANCE_ROWS and not set(second) & set(rows)
    # the rows shown are the late cells, those missing the most months first, each with what rules.compliance finds
    found = {r.unit.code: r for r in rules.compliance(list(Unit.objects.filter(code__in=rows)), year)}
    assert all(not found[code].ok for code in rows)
    missing = [(len(found[code].missing_months), len(found[code].missing_quarters)) for code in rows]
    assert missing == sorted(missing, reverse=True)
    months = MONTHS.findall(html)
    assert [len(m.split(", ")) if m != "✓" else 0 for m in months] == [m for m, _q in missing]
    assert 'data-field="summary"' in html and 'data-sort="name"' in html
    # in name order on asking, past the last page the last page
    by_name = ROW.findall(get(officer, url + "&sort=name")[0])
    names = dict(Unit.objects.filter(code__in=by_name).values_list("code", "sort_key"))
    assert len(by_name) == COMPLIANCE_ROWS and [names[c] for c in by_name] == sorted(names[c] for c in by_name)
    last = get(officer, url + "&page=99999")[0]
    assert 0 < len(ROW.findall(last)) <= COMPLIANCE_ROWS and f"Trang {(late + 49) // 50} / " in last


def test_compliance_drill_down_is_scoped(client_of, unit):
    year = clock.today().year - 1
    phap, duc = unit("PHAP"), unit("DUC")
    many_units(phap, 300, "SHC", kind=UnitKind.SUBORDINATE_CELL)
    officer = client_of("ban.tochuc")
    html, _ = get(officer, f"/meetings/compliance/?year={year}&unit={phap.pk}")
    assert totals(html) == direct([phap.path], year)
    assert 'data-link="up"' in html and phap.name in html
    assert all(code.startswith("PHAP") or code.startswith("SHC") for code in ROW.findall(html))
    # the Paris secretary sees Paris, not Germany; junk and unknown units are 404
    secretary = client_of("bithu.phap")
    assert totals(get(secretary, f"/meetings/compliance/?year={year}")[0]) == direct([phap.path], year)
    for query in [f"unit={duc.pk}", "unit=abc", "unit=99999999"]:
        assert secretary.get(f"/meetings/compliance/?year={year}&{query}").status_code == 404
    assert officer.get(f"/meetings/compliance/?year={year}&unit={duc.pk}").status_code == 200
