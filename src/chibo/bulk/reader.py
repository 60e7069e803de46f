"""Reading member spreadsheets safely: XLSX, XLS and ODS (calamine), CSV.

Every check that can refuse a file runs before the file is parsed: its size, its kind (by content,
not by name), the XLSX zip's uncompressed size and compression ratio (zip bombs), and, for XLSX, the
sheet's extent read from its cell references (calamine builds the sheet as a dense grid, so a tiny
file with one cell at A1 and one at XFD1048576 would ask for hundreds of gigabytes): more than
MAX_CELLS cells in the grid, more than MAX_COLUMNS * 20 columns or MAX_ROWS rows are refused before
calamine sees the file. An XLSX whose cells carry no references (rare writers) is streamed with
openpyxl (read-only) instead. An ODS says how often a row or a cell repeats
(table:number-rows-repeated, table:number-columns-repeated), so an 800-byte file can describe a million
rows: its content.xml is streamed first (at most MAX_UNCOMPRESSED_BYTES, no DOCTYPE) and the grid
calamine would build for every table, counting repeats up to the last filled row and column, is held to
the same limits (ODS_MAX_CELLS, as calamine keeps an ODS grid twice) and, past ODS_FREE_CELLS, to one
cell per 10 bytes of XML, so memory grows with what the file really holds. Formulas are never evaluated: calamine and openpyxl both return the value cached in the
file, or nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.parsers import expat

MAX_UPLOAD_BYTES = 50 * 1024 * 1024       # a spreadsheet of 5.6 M rows is not uploaded through a form
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200                            # uncompressed / compressed, per member of the XLSX zip
MAX_COLUMNS = 60
MAX_ROWS = 1_000_000
MAX_CELLS = 15_000_000                     # rows × columns of the grid calamine builds (~30 bytes a cell)
ODS_MAX_CELLS = MAX_CELLS // 2             # calamine holds an ODS grid twice (~60 bytes a cell, measured)
ODS_FREE_CELLS = 1_000_000                 # beyond this, an ODS grid may not exceed one cell per 10 bytes of XML


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


_REF = re.compile(rb' r="([A-Z]{0,3})([0-9]{1,8})"')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s>/]")
_CHUNK = 1 << 20


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _xlsx_extent(path) -> tuple[int, int] | None:
    """(rows, columns) of the largest worksheet, from its row and cell references, read from the zip in
    chunks; None when some row or cell has no reference (its place then depends on its neighbours)."""
    rows = cols = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            tags = refs = 0
            tail = b""
            with zf.open(name) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    data = tail + chunk
                    # a reference or a tag cut by the chunk boundary is counted with the next chunk
                    cut = data.rfind(b"<") if chunk else -1
                    cut = len(data) if cut < 0 else cut
                    head, tail = data[:cut], data[cut:]
                    tags += len(_TAG.findall(head))
                    found = _REF.findall(head)
                    refs += len(found)
                    if found:
                        rows = max(rows, max(int(digits) for _, digits in found))
                        cols = max(cols, max(_column_number(letters) for letters in {lt for lt, _ in found}))
                    if not chunk:
                        break
            if refs < tags:
                return None
    return rows, cols


def _check_extent(path) -> bool:
    """Refuse an XLSX whose grid is too large; False when the grid cannot be known from references."""
    extent = _xlsx_extent(path)
    if extent is None:
        return False
    rows, cols = extent
    if cols > MAX_COLUMNS * 20:
        raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
    if rows > MAX_ROWS + 20:
        raise FileRefused(f"Bảng tính quá nhiều dòng (tối đa {MAX_ROWS:,}).".replace(",", "."))
    if rows * cols > MAX_CELLS:
        raise FileRefused(f"Bảng tính quá lớn ({rows:,} dòng × {cols} cột); hãy chia tệp thành nhiều phần.".replace(",", "."))
    return True


_BROKEN = "Không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng)."
# attributes of a table cell that give it no content; any other (a value, a type, a formula) makes it filled
_PLAIN_CELL = {"style-name", "number-columns-repeated", "number-columns-spanned", "number-rows-spanned",
               "number-matrix-columns-spanned", "number-matrix-rows-spanned", "content-validation-name", "protect",
               "protected"}


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _repeat(attrs: dict, key: str) -> int:
    """The repeat count of a row or cell; an element that spells it twice counts the larger."""
    n = 1
    for name, value in attrs.items():
        if _local(name) == key:
            try:
                n = max(n, int(value.strip()))
            except ValueError:
                raise FileRefused(_BROKEN) from None
    return n


class _OdsExtent:
    """Streams content.xml (expat, no tree is kept) and sizes the grid calamine builds for each table.

    Names are matched by their local part whatever the prefix, so a row calamine reads is always counted
    (a row it skips may be counted too: the estimate is never below calamine's). A table's grid runs from
    A1 to its last filled row and column, repeats included; trailing empty rows and columns, repeated or
    not, do not count (calamine leaves them out). Every table counts: calamine reads them all on opening.
    """

    def __init__(self):
        self.total = 0          # cells of the tables already closed
        self.table = 0          # number of the last table opened (1-based)
        self.open = False       # inside a table
        self.rows = 0           # rows seen in the open table, repeats included
        self.rows_end = 0       # end of its last filled row
        self.cols_end = 0       # end of its last filled column
        self.in_row = False
        self.row_repeat = 1
        self.col = 0
        self.row_end = 0        # end of the last filled cell of the open row
        self.cell_depth = 0     # elements open inside the open cell, the cell included
        self.cell_repeat = 1
        self.filled = False

    def start(self, name, attrs):
        local = _local(name)
        if self.cell_depth:
            if local == "table":
                raise FileRefused("Bảng tính có bảng lồng trong ô; không đọc được. Hãy lưu lại thành bảng phẳng.")
            self.cell_depth += 1
            self.filled = True          # any child (a paragraph, a note) may carry a value; bare text does not
        elif local == "table":
            if self.open:
                raise FileRefused("Bảng tính có bảng lồng trong bảng; không đọc được. Hãy lưu lại thành bảng phẳng.")
            self.open = True
            self.table += 1
            self.rows = self.rows_end = self.cols_end = 0
        elif not self.open:
            return
        elif local == "table-row":
            if self.in_row:
                raise FileRefused(_BROKEN)
            self.in_row = True
            self.row_repeat = _repeat(attrs, "number-rows-repeated")
            self.col = self.row_end = 0
        elif self.in_row and local in ("table-cell", "covered-table-cell"):
            self.cell_depth = 1
            self.cell_repeat = _repeat(attrs, "number-columns-repeated")
            self.filled = any(_local(a) not in _PLAIN_CELL for a in attrs)

    def end(self, name):
        if self.cell_depth:
            self.cell_depth -= 1
            if self.cell_depth == 0:
                self.col += self.cell_repeat
                if self.filled:
                    self.row_end = self.col
            return
        local = _local(name)
        if local == "table-row" and self.in_row:
            self.in_row = False
            self.rows += self.row_repeat
            if self.row_end:
                self.rows_end = self.rows
                self.cols_end = max(self.cols_end, self.row_end)
                self._check()
        elif local == "table" and self.open:
            self.open = False
            self.total += self.rows_end * self.cols_end

    def _check(self):
        where = "" if self.table == 1 else f" (trang thứ {self.table})"
        if self.cols_end > MAX_COLUMNS * 20:
            raise FileRefused(f"Bảng tính có quá nhiều cột{where} (tối đa {MAX_COLUMNS}).")
        if self.rows_end > MAX_ROWS + 20:
            raise FileRefused(f"Bảng tính quá nhiều dòng{where} (tối đa {MAX_ROWS:,}).".replace(",", "."))
        if self.total + self.rows_end * self.cols_end > ODS_MAX_CELLS:
            raise FileRefused(f"Bảng tính quá lớn{where} ({self.rows_end:,} dòng × {self.cols_end} cột); "
                              "hãy chia tệp thành nhiều phần.".replace(",", "."))


def _refuse_doctype(*_args):
    raise FileRefused("Tệp OpenDocument có khai báo DOCTYPE (có thể chứa thực thể nguy hiểm); không đọc.")


def _check_ods(path) -> None:
    """Refuse an ODS whose tables would make calamine build a grid over the limits (see _OdsExtent)."""
    extent = _OdsExtent()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = extent.start
    parser.EndElementHandler = extent.end
    read = 0
    try:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
                if read > MAX_UNCOMPRESSED_BYTES:
                    raise FileRefused("Tệp giải nén quá lớn; hãy chia tệp thành nhiều phần.")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        if extent.total > max(ODS_FREE_CELLS, read // 10):
            # a real sheet writes its cells out; a grid far larger than the XML is made of repeats
            cells = f"{extent.total:,}".replace(",", ".")
            raise FileRefused(f"Bảng tính khai báo {cells} ô, quá nhiều so với dữ liệu thực có trong tệp (các dòng, "
                              "cột lặp lại); hãy xoá các dòng, cột thừa rồi lưu lại.")
    except FileRefused:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
        raise FileRefused(_BROKEN) from exc


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
    """Rows of the first sheet from its first row (empty rows above the data included, so row numbers are the
    file's; empty columns left of the data are left out)."""
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
        raise FileRefused(_BROKEN) from exc
    yield from rows


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
        if kind == "ods":
            _check_ods(path)
        raw = _xlsx_rows(path) if kind == "xlsx" and not _check_extent(path) else _calamine_rows(path)
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
