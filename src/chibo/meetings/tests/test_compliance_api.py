"""The compliance page's API twin (/api/v1/meetings/compliance/): the same cells, in the same order and pages, with
the same months and quarters missing, the same totals; scoped like the page; bad input refused clearly."""

from __future__ import annotations

import re
from unittest.mock import patch

from django.test import override_settings

from chibo.meetings.tests.test_compliance_counts import TODAY, tree  # noqa: F401  (the fixture)
from chibo.meetings.tests.test_compliance_scale import ROW, TOTALS

MONTHS = re.compile(r'data-field="months">([^<]*)</td>')


def page_rows(html: str) -> list[tuple[str, str]]:
    return list(zip(ROW.findall(html), [m.strip() for m in MONTHS.findall(html)], strict=True))


def api_rows(answer: dict) -> list[tuple[str, str]]:
    return [(r["unit_code"], ", ".join(map(str, r["missing_months"])) or "✓") for r in answer["rows"]]


def test_the_api_answers_what_the_page_shows(tree, client_of, unit):  # noqa: F811
    officer = client_of("ban.tochuc")
    france = unit("PHAP")
    with override_settings(CHIBO_TODAY=TODAY), patch("chibo.meetings.selectors.COMPLIANCE_ROWS", 3):
        for query in ("", f"unit={france.pk}", f"unit={france.pk}&sort=name", "sort=name&year=2025"):
            first = officer.get(f"/api/v1/meetings/compliance/?{query}").json()
            assert first["late"] > 3 and first["pages"] == (first["late"] + 2) // 3, query
            html = officer.get(f"/meetings/compliance/?{query}").content.decode()
            late, cells = TOTALS.search(html).groups()
            assert (first["late"], first["cells"]) == (int(late.replace(".", "")), int(cells.replace(".", "")))
            assert first["late"] >= first["late_regular"] and first["late"] >= first["late_thematic"]
            for number in range(1, first["pages"] + 1):
                answer = officer.get(f"/api/v1/meetings/compliance/?{query}&page={number}").json()
                html = officer.get(f"/meetings/compliance/?{query}&page={number}").content.decode()
                assert answer["page"] == number and api_rows(answer) == page_rows(html), (query, number)
        assert officer.get(f"/api/v1/meetings/compliance/?unit={france.pk}").json()["unit"] == france.pk
        # The secretary of Germany does not see France's cells, as on the page.
        assert client_of("bithu.duc").get(f"/api/v1/meetings/compliance/?unit={france.pk}").status_code == 404
        for bad, field in (("year=1800", "year"), ("year=abc", "year"), ("page=0", "page"), ("sort=worse", "sort"),
                           ("unit=x", "unit")):
            answer = officer.get(f"/api/v1/meetings/compliance/?{bad}")
            assert answer.status_code == 400 and field in answer.json(), bad
