"""The admission board at national scale: the per-unit table shows one level of the tree at a time
(subtree totals, drill-down with ?unit=, an "up" link, 50 rows a page); each pipeline column shows its
whole count and only the cases waiting longest. The page's weight and number of queries do not grow
with the tree, the numbers equal a direct count, and the drill-down stays within the actor's scope."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.admission.models import OPEN_STAGES, AdmissionCase, Applicant
from chibo.admission.selectors import BOARD_CASES_PER_STAGE, BOARD_UNIT_ROWS
from chibo.core.access import subtree_q
from chibo.core.text import fold, vn_sort_key
from chibo.units.models import Unit, UnitKind
from chibo.units.tests.test_picker import PAGE_BUDGET, many_units

UNIT_ROW = re.compile(r'<tr data-unit="(\d+)"><td><a href="[^"]*">[^<]*</a></td><td class="num">(\d+)</td>')
COLUMN = re.compile(r'data-stage="(\w+)">\s*<h2>[^<(]*\((\d+)\)</h2>')
CASE_LINK = re.compile(r'<a class="case" href=')


def open_cases(cells, per_cell: int = 1) -> None:
    """``per_cell`` open cases in each cell, at every open stage in turn, in two INSERTs."""
    applicants = [Applicant(full_name=f"Người xin vào Đảng {cell.code} {i}", name_search=fold(f"nguoi {cell.code} {i}"),
                            name_sort=vn_sort_key(f"Người {cell.code} {i}"), gender="F", birth_date=date(1995, 5, 5),
                            unit=cell, recorded_on=date(2025, 1, 6))
                  for cell in cells for i in range(per_cell)]
    Applicant.objects.bulk_create(applicants, batch_size=500)
    AdmissionCase.objects.bulk_create([
        AdmissionCase(applicant=a, unit=a.unit, stage=OPEN_STAGES[n % len(OPEN_STAGES)],
                      stage_since=date(2025, 1, 6) + timedelta(days=n % 300))
        for n, a in enumerate(applicants)], batch_size=500)


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), len(queries)


def open_count(path: str) -> int:
    return AdmissionCase.objects.filter(subtree_q([path], "unit__path"), stage__in=OPEN_STAGES).count()


def test_board_stays_small_with_thousands_of_units_and_counts_right(client_of, unit):
    officer = client_of("ban.tochuc")
    phap = unit("PHAP")
    root = Unit.objects.get(parent=None)
    open_cases(many_units(phap, 30, "KNA", kind=UnitKind.SUBORDINATE_CELL))
    get(officer, "/admission/")                           # the first request fills the per-process caches
    _, baseline = get(officer, "/admission/")
    cells = many_units(phap, 2000, "KNB", kind=UnitKind.SUBORDINATE_CELL)
    open_cases(cells)
    html, queries = get(officer, "/admission/")
    print(f"admission board, whole tree, {Unit.objects.count()} units: {len(html.encode())} bytes, {queries} queries")
    assert len(html.encode()) < PAGE_BUDGET and queries == baseline
    # each column: the whole count, and at most BOARD_CASES_PER_STAGE cases
    columns = dict(COLUMN.findall(html))
    for stage in OPEN_STAGES:
        assert int(columns[stage]) == AdmissionCase.objects.filter(stage=stage).count(), stage
    assert len(CASE_LINK.findall(html)) <= BOARD_CASES_PER_STAGE * len(OPEN_STAGES)
    assert f'<span data-count="cases">{open_count(root.path)}</span>' in html
    # the whole tree: a row per grass-roots organization, counting its subtree
    rows = UNIT_ROW.findall(html)
    assert rows and all(Unit.objects.get(pk=pk).parent_id == root.pk for pk, _ in rows)
    for pk, n in rows:
        assert int(n) == open_count(Unit.objects.get(pk=pk).path)
    assert rows[0] == (str(phap.pk), str(open_count(phap.path)))     # the busiest first

    # drill down into Paris: its cells, 50 a page, each its own count; the way back up
    html, queries = get(officer, f"/admission/?unit={phap.pk}")
    assert len(html.encode()) < PAGE_BUDGET and queries <= baseline + 1
    rows = UNIT_ROW.findall(html)
    assert len(rows) == BOARD_UNIT_ROWS and 'data-link="up"' in html
    children = Unit.objects.filter(parent=phap)
    with_cases = sum(1 for c in children if open_count(c.path))
    assert f"Trang 1 / {math.ceil(with_cases / BOARD_UNIT_ROWS)}" in html
    for pk, n in rows:
        assert int(n) == open_count(Unit.objects.get(pk=pk).path)
    last = get(officer, f"/admission/?unit={phap.pk}&page={math.ceil(with_cases / BOARD_UNIT_ROWS)}")[0]
    assert not {pk for pk, _ in UNIT_ROW.findall(last)} & {pk for pk, _ in rows}


def test_board_drill_down_is_scoped(client_of, unit):
    phap, duc = unit("PHAP"), unit("DUC")
    open_cases(many_units(phap, 40, "KNC", kind=UnitKind.SUBORDINATE_CELL), per_cell=2)  # one page
    secretary = client_of("bithu.phap")
    html, _ = get(secretary, "/admission/")
    assert sum(int(n) for _, n in UNIT_ROW.findall(html)) + sum(
        int(n) for n in re.findall(r'data-row="own"><td>[^<]*</td><td class="num">(\d+)', html)
    ) == open_count(phap.path)
    assert secretary.get(f"/admission/?unit={duc.pk}").status_code == 404
    assert secretary.get("/admission/?unit=abc").status_code == 404
    html, _ = get(secretary, f"/admission/?unit={phap.pk}")
    assert {int(pk) for pk, _ in UNIT_ROW.findall(html)} <= set(
        Unit.objects.filter(parent=phap).values_list("pk", flat=True))
    assert client_of("ban.tochuc").get(f"/admission/?unit={duc.pk}").status_code == 200
