"""Reading a member spreadsheet: the sheet's header and its numbered rows.

The file itself is read by ``chibo.core.spreadsheets.open_rows`` (XLSX, XLS and ODS through calamine, CSV;
every size, zip-bomb and grid check before the file is parsed; formulas never evaluated). Here the member
import's own rules: the header is found within the first 20 rows, merged header cells are named after
their left cell, at most MAX_COLUMNS filled columns and MAX_ROWS rows, empty rows left out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from chibo.core.spreadsheets import MAX_COLUMNS, MAX_ROWS, UNREADABLE, FileRefused, open_rows


@dataclass
class Sheet:
    kind: str              # xlsx / xls / ods / csv
    header: list[str]
    header_row: int        # 1-based row number of the header in the file
    rows: Iterator[tuple[int, list]]  # (row number, cells)


def _header_and_rows(raw_rows: Iterator[list], kind: str) -> Sheet:
    """The header is the first row with at least two non-empty cells (titles and merged banners above
    it are skipped); merged header cells (empty continuation cells) get the name of their left cell."""
    row_no = 0
    for cells in raw_rows:
        row_no += 1
        if len(cells) > MAX_COLUMNS * 20 or sum(1 for c in cells if c not in (None, "")) > MAX_COLUMNS:
            raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
        filled = [c for c in cells if c not in (None, "")]
        if len(filled) >= 2:
            header = []
            last = ""
            width = max(i for i, c in enumerate(cells) if c not in (None, "")) + 1
            for c in cells[:width]:
                text = _text(c)
                header.append(text or (f"{last} (tiếp)" if last else ""))
                last = text or last
            while header and not header[-1]:
                header.pop()
            return Sheet(kind=kind, header=header, header_row=row_no, rows=_numbered(raw_rows, row_no, len(header)))
        if row_no > 20:
            break
    raise FileRefused("Tệp này không giống danh sách đảng viên: trong 20 dòng đầu không có dòng tiêu đề (một dòng "
                      "ghi tên các cột, ví dụ «Họ và tên», «Ngày sinh»). Hãy dùng tệp mẫu, hoặc kiểm tra lại đã chọn "
                      "đúng tệp chưa.")


def _numbered(raw_rows: Iterator[list], start: int, width: int) -> Iterator[tuple[int, list]]:
    n = start
    for cells in raw_rows:
        n += 1
        if n - start > MAX_ROWS:
            raise FileRefused(f"Bảng tính quá nhiều dòng (tối đa {MAX_ROWS:,}).".replace(",", "."))
        if len(cells) > width:
            if len(cells) > MAX_COLUMNS * 20 or sum(1 for c in cells[width:] if c not in (None, "")) > MAX_COLUMNS:
                raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
            cells = list(cells[:width])
        else:
            cells = list(cells) + [None] * (width - len(cells))
        if cells.count(None) + cells.count("") == width:  # an empty row (0 and False are values)
            continue
        yield n, cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def open_sheet(path, size: int) -> Sheet:
    """Open the first sheet of a member spreadsheet stored at ``path`` (``size`` bytes)."""
    kind, raw = open_rows(path, size)
    try:
        return _header_and_rows(raw, kind)
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused(UNREADABLE) from exc
