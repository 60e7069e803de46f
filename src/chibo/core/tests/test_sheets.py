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


def test_the_streamed_workbook_opens_with_every_value_as_written():
    import io as _io
    import zipfile

    import openpyxl

    from chibo.core.sheets import BATCH, stream_xlsx

    header = ["Họ và tên", "Ghi chú", "Số"]
    odd = ["A & B <c> \"d\" 'e'", "=1+1", "Phạm\x07 Ngọc Ánh", "  spaces kept  ", "dòng 1\ndòng 2"]
    rows = [safe_row((f"Nguyễn Văn {i}", odd[i % len(odd)], i)) for i in range(BATCH * 2 + 7)]
    rows.append(safe_row(("", None, 0)))
    blocks = list(stream_xlsx(header, iter(rows), sheet="Danh sách: <đảng viên> & khác quá dài để làm tên",
                              widths=(30, 20, 8)))
    assert len(blocks) >= 4  # written while read: the parts, each batch of rows, the end
    data = b"".join(blocks)
    assert zipfile.ZipFile(_io.BytesIO(data)).testzip() is None
    book = openpyxl.load_workbook(_io.BytesIO(data))  # the full reader: styles, views and columns too
    sheet = book.active
    assert sheet.title == "Danh sách- <đảng viên> & khác quá dài"[:31]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(header) and sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30
    assert len(values) == len(rows) + 1
    for written, read in zip(rows, values[1:], strict=True):
        assert read == tuple(v if v not in ("", None) else None for v in written)
    assert values[2][1] == "'=1+1" and values[3][1] == "Phạm[U+0007] Ngọc Ánh" and values[5][1] == "dòng 1\ndòng 2"
    assert values[4][1] == "  spaces kept  " and values[1][2] == 0 and isinstance(values[1][2], int)


def test_the_streamed_csv_reads_back_in_vietnamese():
    import csv as _csv

    from chibo.core.sheets import BATCH, stream_csv

    rows = [safe_row((f"Trần Thị {i}", "=SUM(A1)" if i == 3 else "a,b \"c\"")) for i in range(BATCH + 3)]
    blocks = list(stream_csv(["Họ và tên", "Ghi chú"], rows))
    assert len(blocks) == 2
    text = b"".join(blocks).decode("utf-8")
    assert text.startswith("\ufeffHọ và tên,Ghi chú\r\n")
    read = list(_csv.reader(text[1:].splitlines()))
    assert read[1:] == [list(r) for r in rows] and read[4][1] == "'=SUM(A1)"
