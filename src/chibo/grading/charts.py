"""The grading charts of a level, drawn on the server as SVG beside the tables that carry the same numbers: the
members of each unit by grade (stacked bars, as shares), and the level's grades year over year (the shared
stacked columns of ``core.charts``)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext

from chibo.core.charts import PALETTE, stacked_columns_svg
from chibo.grading.enums import GRADE_ORDER, Grade

COLOURS = dict(zip(GRADE_ORDER, (PALETTE[2], PALETTE[0], PALETTE[4], PALETTE[1]), strict=True))
MAX_BARS = 24


def _legend(parts: list[str], x: int, y: int) -> None:
    for i, grade in enumerate(GRADE_ORDER):
        parts.append(f'<rect x="{x}" y="{y + i * 16}" width="12" height="12" fill="{COLOURS[grade]}"/>'
                     f'<text x="{x + 18}" y="{y + i * 16 + 10}" font-size="11">'
                     f'{escape(gettext(Grade(grade).label))}</text>')


def _bar(parts: list[str], counts: dict[str, int], x: float, y: float, length: float, thick: float) -> None:
    total = sum(counts.get(g, 0) for g in GRADE_ORDER)
    at = 0.0
    for grade in GRADE_ORDER:
        n = counts.get(grade, 0)
        if not n or not total:
            continue
        size = length * n / total
        parts.append(f'<rect x="{round(x + at, 1)}" y="{y}" width="{round(size, 1)}" height="{thick}" '
                     f'fill="{COLOURS[grade]}"><title>{escape(gettext(Grade(grade).label))}: {n}</title></rect>')
        at += size


def grades_chart_svg(rows) -> str:
    """One horizontal bar per unit (``SummaryRow``): its decided members by grade, as shares of the bar."""
    rows = [r for r in rows if sum(r.members.values())][:MAX_BARS]
    left, bar_w, height = 220, 360, 30 + 22 * max(len(rows), 1)
    width = left + bar_w + 220
    aria = escape(gettext("Xếp loại đảng viên theo tổ chức"))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 90)}" width="{width}" '
             f'class="chart" role="img" aria-label="{aria}">']
    for i, r in enumerate(rows):
        y = 10 + i * 22
        name = escape(r.unit.name)
        parts.append(f'<g data-unit="{name}"><text x="{left - 8}" y="{y + 12}" font-size="11" text-anchor="end">'
                     f'{name[:34]}</text>')
        _bar(parts, r.members, left, y, bar_w, 16)
        parts.append("</g>")
    _legend(parts, left + bar_w + 16, 10)
    parts.append("</svg>")
    return "".join(parts)


def years_chart_svg(years: list[tuple[int, dict[str, int]]]) -> str:
    """One stacked column per year: the members graded in the level's yearly periods, by grade (each column its
    share of the largest year)."""
    order = [(g, gettext(Grade(g).label), COLOURS[g]) for g in GRADE_ORDER]
    return stacked_columns_svg([(str(year), counts) for year, counts in years], order,
                               aria=gettext("Xếp loại đảng viên qua các năm"))
