"""The collection-rate chart of a level, drawn on the server as SVG (no script, light on a slow link; the page
shows the same numbers as a table beside it)."""

from __future__ import annotations

from datetime import date

from django.utils.html import escape
from django.utils.translation import gettext

from chibo.core.charts import PALETTE

MAX_LINES = 16


def rate_chart_svg(axis: list[date], series: list[tuple[object, list[int | None]]]) -> str:
    """One line per unit: its collection rate (0–100 %) for each month of ``axis``; a month with nothing due is a
    gap in the line. Units beyond ``MAX_LINES`` are left to the table."""
    width, height, left, top, bottom, right = 760, 280, 44, 14, 40, 200
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(axis) - 1, 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(value: int) -> float:
        return round(top + plot_h * (1 - min(max(value, 0), 100) / 100), 1)

    aria = escape(gettext("Tỷ lệ thu đảng phí theo tháng, theo đơn vị"))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
             f'aria-label="{aria}">']
    for pct in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(pct)}" y2="{y(pct)}" stroke="#ccc"/>'
                     f'<text x="{left - 6}" y="{y(pct) + 4}" font-size="11" text-anchor="end">{pct}%</text>')
    for i, month in enumerate(axis):
        parts.append(f'<text x="{x(i)}" y="{height - bottom + 16}" font-size="10" text-anchor="middle">'
                     f'{month:%m/%y}</text>')
    for n, (unit, values) in enumerate(series[:MAX_LINES]):
        colour = PALETTE[n % len(PALETTE)]
        dash = ' stroke-dasharray="5 3"' if n >= len(PALETTE) else ""
        name = escape(str(getattr(unit, "name", unit)))
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i)},{y(value)}")
        parts.append(f'<g data-unit="{name}"><title>{name}</title>')
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                             f'points="{" ".join(run)}"/>')
            for point in run:
                px, py = point.split(",")
                parts.append(f'<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>')
        parts.append("</g>")
        ly = top + 14 + n * 16
        parts.append(f'<line x1="{width - right + 12}" x2="{width - right + 30}" y1="{ly - 4}" y2="{ly - 4}" '
                     f'stroke="{colour}" stroke-width="2"{dash}/><text x="{width - right + 36}" y="{ly}" '
                     f'font-size="11">{name[:28]}</text>')
    parts.append("</svg>")
    return "".join(parts)
