"""What the server-drawn SVG charts share (no script, light on a slow link; each page shows the same numbers as a
table beside its chart)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape

# Colours told apart by people with the common colour-vision deficiencies (Okabe–Ito), then repeated dashed.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def stacked_columns_svg(columns: Sequence[tuple[str, dict[str, int]]], order: Sequence[tuple[str, str, str]], *,
                        aria: str) -> str:
    """One stacked column per entry of ``columns`` (a label, counts by key), the parts in ``order`` (key, label,
    colour), each column's height its share of the tallest; the total under each column, a legend on the right."""
    width, plot_h, top = 120 + 70 * len(columns) + 220, 180, 10
    tallest = max((sum(c.values()) for _label, c in columns), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {plot_h + 40}" width="{width}" '
             f'class="chart" role="img" aria-label="{escape(aria)}">']
    for i, (label, counts) in enumerate(columns):
        x, at = 40 + i * 70, 0.0
        parts.append(f'<g data-column="{escape(label)}">')
        for key, name, colour in order:
            n = counts.get(key, 0)
            if n:
                size = plot_h * n / tallest
                parts.append(f'<rect x="{x}" y="{round(top + plot_h - at - size, 1)}" width="36" '
                             f'height="{round(size, 1)}" fill="{colour}"><title>{escape(name)}: {n}</title></rect>')
                at += size
        parts.append(f'<text x="{x + 18}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">'
                     f'{escape(label)}</text><text x="{x + 18}" y="{top + plot_h + 30}" font-size="10" '
                     f'text-anchor="middle">{sum(counts.values())}</text></g>')
    legend_x = 60 + 70 * len(columns)
    for i, (_key, name, colour) in enumerate(order):
        parts.append(f'<rect x="{legend_x}" y="{top + i * 16}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{legend_x + 18}" y="{top + i * 16 + 10}" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(rows: Sequence[tuple[str, int]], *, aria: str, colour: str = PALETTE[0]) -> str:
    """One horizontal bar per row (a label, a count), each as long as its share of the largest; the label above its
    bar, the count at the bar's end: narrow enough for a card beside its table, for labels too long to stand under
    a column (a status, a country)."""
    bar_w, step = 190, 32
    width, height = bar_w + 50, 6 + step * max(len(rows), 1)
    largest = max((n for _label, n in rows), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'class="chart" role="img" aria-label="{escape(aria)}">']
    for i, (label, n) in enumerate(rows):
        y, size = 4 + i * step, round(bar_w * n / largest, 1)
        name = escape(label)
        parts.append(f'<g data-bar="{name}" data-value="{n}"><text x="0" y="{y + 11}" font-size="12">'
                     f'{escape(label[:44])}</text><rect x="0" y="{y + 15}" width="{size}" height="12" '
                     f'fill="{colour}"><title>{name}: {n}</title></rect><text x="{size + 4}" y="{y + 25}" '
                     f'font-size="11">{n}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
