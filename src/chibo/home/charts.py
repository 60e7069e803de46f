"""The dashboard's charts, drawn on the server as SVG by the shared helpers of ``core.charts`` (no script, nothing
fetched from elsewhere); each chart stands beside the table that carries the same numbers, read from the same
selectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chibo.core.charts import PALETTE, bars_svg, stacked_columns_svg
from chibo.members.enums import Category

# Countries drawn one bar each; the others are drawn together as one bar (the table lists every country).
COUNTRY_BARS = 12
UNKNOWN_COLOUR = "#767676"


@dataclass
class Trend:
    """New members admitted per year, by category: the chart and the table's rows (year, total, counts in
    ``columns`` order)."""

    svg: SafeString
    columns: list[tuple[str, str]]  # (category key, label) of the categories present, in the enum's order
    rows: list[tuple[int, int, list[int]]]


def _svg(text: str) -> SafeString:
    return mark_safe(text)  # noqa: S308  (every label is escaped by core.charts)


def country_rows(by_country: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """The country bars: the COUNTRY_BARS largest, then the rest together."""
    rows = [(name, n) for _code, name, n in by_country[:COUNTRY_BARS]]
    rest = sum(n for _code, _name, n in by_country[COUNTRY_BARS:])
    if rest:
        rows.append((_("Các nước khác"), rest))
    return rows


def counts_charts(counts) -> dict[str, SafeString]:
    """Members in scope by status, by category and by country (``members.selectors.Dashboard``)."""
    return {
        "status": _svg(
            bars_svg(
                [(_(label), n) for _code, label, n in counts.by_status],
                aria=_("Đảng viên theo tình trạng"),
                colour=PALETTE[0],
            )
        ),
        "category": _svg(
            bars_svg(
                [(_(label), n) for _code, label, n in counts.by_category], aria=_("Đảng viên theo diện"),
                colour=PALETTE[2],
            )
        ),
        "country": _svg(
            bars_svg(country_rows(counts.by_country), aria=_("Đảng viên theo quốc gia"), colour=PALETTE[1])
        ),
    }


def trend(years: list[tuple[int, dict[str, int]]]) -> Trend:
    """Stacked columns, one per year, parts by category (``admission.selectors.admitted_by_year``)."""
    present = {key for _year, counts in years for key, n in counts.items() if n}
    columns = [(c.value, _(c.label)) for c in Category if c.value in present]
    if "" in present:
        columns.append(("", _("Chưa rõ diện")))
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(columns))]
    if columns and columns[-1][0] == "":
        colours[-1] = UNKNOWN_COLOUR
    order = [(key, label, colour) for (key, label), colour in zip(columns, colours, strict=True)]
    svg = stacked_columns_svg(
        [(str(year), counts) for year, counts in years], order, aria=_("Kết nạp đảng viên mới theo năm")
    )
    rows = [(year, sum(counts.values()), [counts.get(key, 0) for key, _label in columns]) for year, counts in years]
    return Trend(svg=_svg(svg), columns=columns, rows=rows)
