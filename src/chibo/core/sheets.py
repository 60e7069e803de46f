"""The one safe way to put text into a spreadsheet cell: every export goes through ``safe_row``.

A cell whose text starts like a formula (=, +, -, @, tab, carriage return) is written as text with a leading
apostrophe, so an imported name such as ``=HYPERLINK(…)`` never runs in the reader's spreadsheet program.

A character an XLSX file cannot hold (a control character other than tab and line breaks, a lone surrogate,
U+FFFE/U+FFFF: openpyxl refuses the whole file for one of them) is written as its code, visible where it was:
"Phạm\\x07 Ngọc Ánh" → "Phạm[U+0007] Ngọc Ánh". An export never breaks on a pasted hidden character."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RISKY = re.compile("(?:\\A|\n)[=+\\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _shown_code(found: re.Match[str]) -> str:
    return f"[U+{ord(found.group()):04X}]"


def safe_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = _NOT_IN_XLSX.sub(_shown_code, value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    row = list(values)
    # The usual row needs nothing: one search over its texts joined by line breaks finds any cell that starts like
    # a formula or holds a character an XLSX cannot (a line break inside a cell may match too: then cell by cell).
    if not _RISKY.search("\n".join([v for v in row if isinstance(v, str)])):
        return row
    return [safe_cell(v) for v in row]


# -- streamed writers ------------------------------------------------------------------------------------------------
# An export of any size is written as it is read, in blocks, with nothing but one batch of rows in memory and no
# temporary file. The XLSX is the smallest file the spreadsheet programs open as a workbook: one sheet of inline
# strings (no shared-string table to hold), a bold header row that stays in view, the columns' widths. Measured
# against openpyxl's write-only mode and XlsxWriter's constant-memory mode in bench/results.md (section 4).

BATCH = 1000  # rows per block handed to the response
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>'),
}


def _workbook_xml(sheet: str) -> str:
    """The workbook naming its one sheet: a name as spreadsheet programs allow it (31 characters, none of
    : \\ / ? * [ ], no apostrophe at either end)."""
    name = re.sub(r"[:\\/?*\[\]]", "-", sheet)[:31].strip("'") or "Sheet1"
    name = _xml_text(name).replace('"', "&quot;")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')


class _Blocks:
    """A write-only sink the zip writer fills (it cannot seek: entries carry their sizes after their data)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        block, self.parts = b"".join(self.parts), []
        return block


_TEXT_OPEN, _TEXT_CLOSE = '<c t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"


def _xml_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _cell(value: Any, style: str = "") -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"<c{style}><v>{value}</v></c>"
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{_xml_text(str(value))}</t></is></c>'


def _row_xml(row: Iterable[Any]) -> str:
    cells = []
    for value in row:  # the usual cell, a text, without a call: this loop is most of an export's time
        cells.append(_TEXT_OPEN + _xml_text(value) + _TEXT_CLOSE if type(value) is str and value else _cell(value))
    return "<row>" + "".join(cells) + "</row>"


def stream_xlsx(header: list[str], rows: Iterable[Iterable[Any]], *, sheet: str = "Sheet1",
                widths: Iterable[float] = ()) -> Iterator[bytes]:
    """An XLSX workbook of one sheet, in blocks: the header in bold and frozen, then ``rows`` (text and numbers;
    pass them through ``safe_row`` first), read one batch at a time."""
    sink = _Blocks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/workbook.xml", _workbook_xml(sheet))
        yield sink.take()
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                           for i, w in enumerate(widths, start=1))
            part.write((
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                'state="frozen"/></sheetView></sheetViews>'
                + (f"<cols>{cols}</cols>" if cols else "")
                + '<sheetData><row>' + "".join(_cell(h, ' s="1"') for h in header) + "</row>").encode())
            batch: list[str] = []
            for row in rows:
                batch.append(_row_xml(row))
                if len(batch) >= BATCH:
                    part.write("".join(batch).encode())
                    batch.clear()
                    yield sink.take()
            part.write(("".join(batch) + "</sheetData></worksheet>").encode())
    yield sink.take()


def stream_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """A CSV file (UTF-8 with a byte-order mark, so that spreadsheet programs read Vietnamese right), in blocks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
