"""The statistics tables as one XLSX workbook (served through ``core.documents.download`` by the view)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core.sheets import safe_row
from chibo.stats.figures import Figures, Table


def xlsx(f: Figures, tabs: list[Table]) -> bytes:
    """The tables as one workbook, a sheet per table: its title, the unit and years, the column heads, the rows,
    then the totals; numbers as numbers."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for table in tabs:
        ws = wb.create_sheet(table.key)
        ws.append(safe_row([table.title]))
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(safe_row([f"{f.unit.name}, {f.first}–{f.last}"]))
        ws.append(safe_row(table.columns))
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for row in [*table.rows, *table.totals]:
            ws.append(safe_row(row))
        ws.column_dimensions["A"].width = 14
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
