"""The dashboard's charts: each SVG holds the same numbers as the table beside it and as the selectors they are read
from; only the staff's dashboard has them; labels are escaped."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from chibo.admission.models import AdmissionCase
from chibo.admission.selectors import admitted_by_year, statistics
from chibo.core import clock
from chibo.core.charts import bars_svg
from chibo.home.charts import COUNTRY_BARS, country_rows
from chibo.members.enums import Category
from chibo.members.selectors import dashboard_counts

pytestmark = pytest.mark.django_db


def _section(page: str, chart: str) -> str:
    return page.split(f'data-chart="{chart}"', 1)[1].split("</section>", 1)[0]


def _bars(section: str) -> list[tuple[str, int]]:
    return [
        (html.unescape(label), int(n)) for label, n in re.findall(r'data-bar="([^"]*)" data-value="(\d+)"', section)
    ]


def _table(section: str) -> list[tuple[str, int]]:
    table = section.split("<table", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th>(.*?)</th><td[^>]*>([\d.]+)</td></tr>", table, re.S)
    return [(html.unescape(re.sub(r"<[^>]+>", "", label).strip()), int(n.replace(".", ""))) for label, n in rows]


def test_each_chart_holds_the_numbers_of_its_table_and_of_the_selector(client_of, actor_of):
    page = client_of("ban.tochuc").get("/").content.decode()
    counts = dashboard_counts(actor_of("ban.tochuc"))
    for chart, rows in (("status", counts.by_status), ("category", counts.by_category)):
        section = _section(page, chart)
        expected = [(str(label), n) for _code, label, n in rows]
        assert sum(n for _label, n in expected) == counts.total > 0
        assert _bars(section) == expected == _table(section), chart
        assert 'role="img"' in section and "<svg" in section
    section = _section(page, "country")
    table = _table(section)
    assert table == [(name, n) for _code, name, n in counts.by_country]
    assert _bars(section) == country_rows(counts.by_country)
    assert sum(n for _label, n in _bars(section)) == sum(n for _label, n in table) == counts.total
    if len(table) > COUNTRY_BARS:
        assert _bars(section)[-1] == ("Các nước khác", sum(n for _label, n in table[COUNTRY_BARS:]))


def test_a_secretary_sees_the_charts_of_her_own_scope(client_of, actor_of):
    page = client_of("bithu.duc").get("/").content.decode()
    counts = dashboard_counts(actor_of("bithu.duc"))
    assert _bars(_section(page, "status")) == [(str(label), n) for _code, label, n in counts.by_status]
    assert counts.total < dashboard_counts(actor_of("ban.tochuc")).total


@pytest.mark.parametrize("username", ["dangvien.phap", "ungvien.phap"])
def test_a_member_and_an_applicant_get_no_charts(client_of, username):
    page = client_of(username).get("/").content.decode()
    assert "data-chart=" not in page and "<svg" not in page


def test_the_trend_counts_admissions_per_year_as_the_admission_statistics_do(client_of, actor_of, personas):
    year = clock.today().year
    officer, german = actor_of("ban.tochuc"), actor_of("bithu.duc")

    def last_year(actor) -> int:
        return sum(dict(admitted_by_year(actor))[year - 1].values())

    before = (last_year(officer), last_year(german))
    case = AdmissionCase.objects.get(applicant_id=personas["ungvien.phap"].applicant_id)  # in PHAP-DSQ
    assert case.ceremony_on is None
    AdmissionCase.objects.filter(pk=case.pk).update(ceremony_on=date(year - 1, 5, 19))
    assert (last_year(officer), last_year(german)) == (before[0] + 1, before[1])  # the French case, not in Germany
    trend = dict(admitted_by_year(officer))
    assert list(trend) == list(range(year - 5, year + 1))
    stats = statistics(officer)
    assert {y: sum(trend[y].values()) for y in stats.years if y in trend} == {
        y: stats.admitted[y] for y in stats.years if y in trend
    }

    page = client_of("ban.tochuc").get("/").content.decode()
    section = _section(page, "trend")
    row = re.search(
        rf'<tr data-year="{year - 1}"><th>{year - 1}</th><td class="num" data-field="total">(\d+)</td>', section
    )
    assert row and int(row.group(1)) == sum(trend[year - 1].values())
    column = section.split(f'data-column="{year - 1}"', 1)[1].split("</g>", 1)[0]
    assert re.findall(r'text-anchor="middle">(\d+)</text>', column) == [str(year - 1), row.group(1)]  # label, total
    drawn = {html.unescape(name): int(n) for name, n in re.findall(r"<title>([^<:]+): (\d+)</title>", column)}
    labels = {c.value: str(c.label) for c in Category} | {"": "Chưa rõ diện"}
    assert drawn == {labels[key]: n for key, n in trend[year - 1].items() if n}
    assert 'data-chart="trend"' not in client_of("dangvien.phap").get("/").content.decode()


def test_bars_are_drawn_to_scale_and_escape_their_labels():
    svg = bars_svg([("<b>Pháp</b>", 40), ("Đức", 10), ("Không", 0)], aria='a "chart"')
    assert "<b>" not in svg and "&lt;b&gt;Pháp&lt;/b&gt;" in svg and 'aria-label="a &quot;chart&quot;"' in svg
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [190.0, 47.5, 0.0]
    assert bars_svg([], aria="x").startswith("<svg") and "data-bar" not in bars_svg([], aria="x")
