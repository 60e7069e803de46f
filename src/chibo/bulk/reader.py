"""Reading member spreadsheets safely: XLSX (openpyxl, read-only), XLS/ODS (calamine), CSV.

Every check that can refuse a file runs before the file is parsed: its size, its kind (by content,
not by name), the XLSX zip's uncompressed size and compression ratio (zip bombs), the number of
columns. Formulas are never evaluated: openpyxl returns the cached value (or nothing), calamine the
same. Rows are produced one by one so memory stays bounded.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MAX_UPLOAD_BYTES = 50 * 1024 * 1024       # a spreadsheet of 5.6 M rows is not uploaded through a form
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200                            # uncompressed / compressed, per member of the XLSX zip
MAX_COLUMNS = 60
MAX_ROWS = 1_000_000


class FileRefused(ValueError):
    """The file cannot be read; the message is for the user (Vietnamese)."""


@dataclass
class Sheet:
    kind: str              # xlsx / xls / ods / csv
    header: list[str]
    header_row: int        # 1-based row number of the header in the file
    rows: Iterator[tuple[int, list]]  # (row number, cells)


def sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if b"\x00" in head[:4096]:
        return "binary"
    return "text"


def check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise FileRefused(f"Tệp quá lớn ({size / 1024 / 1024:.0f} MB); giới hạn {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
                          "Hãy chia tệp thành nhiều phần.")
    if size == 0:
        raise FileRefused("Tệp rỗng.")


def _check_zip(path_or_file) -> str:
    try:
        zf = zipfile.ZipFile(path_or_file)
    except zipfile.BadZipFile as exc:
        raise FileRefused("Tệp không phải là bảng tính (tệp nén hỏng).") from exc
    with zf:
        names = set(zf.namelist())
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise FileRefused("Tệp có dấu hiệu «bom nén» (dữ liệu giải nén lớn bất thường); không đọc.")
        if total > MAX_UNCOMPRESSED_BYTES:
            raise FileRefused("Tệp giải nén quá lớn; hãy chia tệp thành nhiều phần.")
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names and b"spreadsheet" in zf.read("mimetype")[:200]:
            return "ods"
    raise FileRefused("Tệp nén này không phải bảng tính Excel (.xlsx) hay OpenDocument (.ods).")


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
    raise FileRefused("Không tìm thấy dòng tiêu đề (tên cột) trong 20 dòng đầu của bảng tính.")


def _numbered(raw_rows: Iterator[list], start: int, width: int) -> Iterator[tuple[int, list]]:
    n = start
    for cells in raw_rows:
        n += 1
        if n - start > MAX_ROWS:
            raise FileRefused(f"Bảng tính quá nhiều dòng (tối đa {MAX_ROWS:,}).".replace(",", "."))
        if len(cells) > MAX_COLUMNS * 20 or sum(1 for c in cells[width:] if c not in (None, "")) > MAX_COLUMNS:
            raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
        cells = list(cells[:width]) + [None] * (width - len(cells))
        if all(c in (None, "") for c in cells):
            continue
        yield n, cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _xlsx_rows(path) -> Iterator[list]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        ws = wb.worksheets[0]
        if ws.max_column and ws.max_column > MAX_COLUMNS * 20:
            raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
        for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS * 20):
            yield list(row)
    finally:
        wb.close()


def _calamine_rows(path) -> Iterator[list]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.get_sheet_by_index(0)
        if sheet.width > MAX_COLUMNS * 20:
            raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
        rows = sheet.iter_rows()
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileRefused("Không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng).") from exc
    for row in rows:
        yield list(row)


def _csv_rows(path) -> Iterator[list]:
    with open(path, "rb") as fh:
        raw = fh.read()
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise FileRefused("Không nhận ra bảng mã của tệp CSV.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(10_000)
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error as exc:
        raise FileRefused(f"Tệp CSV không hợp lệ: {exc}.") from exc


def open_sheet(path, size: int) -> Sheet:
    """Open the first sheet of a member spreadsheet stored at ``path`` (``size`` bytes)."""
    check_size(size)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = sniff(head)
    if kind == "zip":
        kind = _check_zip(path)
        raw = _xlsx_rows(path) if kind == "xlsx" else _calamine_rows(path)
    elif kind == "xls":
        raw = _calamine_rows(path)
    elif kind == "text":
        raw = _csv_rows(path)
        kind = "csv"
    else:
        raise FileRefused("Tệp không phải là bảng tính (chấp nhận .xlsx, .xls, .ods, .csv).")
    try:
        return _header_and_rows(raw, kind)
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused("Không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng).") from exc


# -- values -------------------------------------------------------------------------------------------
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value, *, today: date) -> date | None:
    """dd/mm/yyyy, d/m/yy, dd.mm.yyyy, dd-mm-yyyy, yyyy-mm-dd, Excel serials and real dates; None when empty.
    Raises ValueError with a Vietnamese message otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"«{value}» không phải là ngày.")
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) < 80000 and len(text) <= 5:
        return EXCEL_EPOCH + timedelta(days=int(text))
    text = text.split(" ")[0].replace(".", "/").replace("-", "/")
    parts = text.split("/")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            y, m, d = (int(p) for p in parts)
        elif len(parts) == 3:
            d, m, y = (int(p) for p in parts)
            if len(parts[2]) <= 2:
                y += 2000 if 2000 + y <= today.year else 1900
        else:
            raise ValueError
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"«{value}» không phải là ngày (dùng dạng ngày/tháng/năm, ví dụ 05/03/1980).") from None
