"""Every export cell goes through core.sheets: formulas stay text, characters an XLSX cannot hold are shown by
their code instead of breaking the file."""

from __future__ import annotations

import io

import openpyxl
from openpyxl import Workbook

from chibo.core.sheets import safe_cell, safe_row


def test_formulas_stay_text():
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_row(["-1", 7, None, "Nguyễn Văn An"]) == ["'-1", 7, None, "Nguyễn Văn An"]


def test_characters_an_xlsx_cannot_hold_are_shown_by_their_code():
    assert safe_cell("Phạm\x07 Ngọc Ánh") == "Phạm[U+0007] Ngọc Ánh"
    assert safe_cell("\x00=1+1") == "[U+0000]=1+1"
    assert safe_cell("dòng 1\ndòng 2\tcột") == "dòng 1\ndòng 2\tcột"  # tab and line breaks are kept
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(safe_row(["Phạm\x07 Ngọc Ánh", "A\x1b[31mB", "lẻ \ud800", "\ufffe"]))
    out = io.BytesIO()
    wb.save(out)
    row = next(openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).active.iter_rows(values_only=True))
    assert row == ("Phạm[U+0007] Ngọc Ánh", "A[U+001B][31mB", "lẻ [U+D800]", "[U+FFFE]")
