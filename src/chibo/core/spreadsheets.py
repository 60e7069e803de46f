"""Reading spreadsheets safely: XLSX, XLS and ODS (calamine, or openpyxl), CSV. Writing them is core.sheets.

A reader takes what it needs from here and keeps its own rules for the header and the rows: the member import
(``chibo.bulk.reader``) reads every kind with ``open_rows``; a dues statement (``chibo.dues.statements``) reads
CSV and XLSX with ``sniff``, ``check_size``, ``check_zip``, ``openpyxl_rows``, ``decode_text`` and
``csv_rows``. What differs between them (the size of a file, what a zip may unpack to, the kinds a zip may be,
the encodings of a CSV, the columns read, the wording of a refusal) is a ``SheetPolicy``; the default is the
member import's. Every refusal is a ``FileRefused`` whose message is for the user.

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
cell per 10 bytes of XML, so memory grows with what the file really holds. An XLS is an OLE2 container
(checked sector chain by sector chain, then read with olefile) whose workbook stream holds BIFF records:
they are walked first (see _check_xls), and the grids calamine would build, the text its cells would copy
and the room it would reserve are held to XLS_MAX_CELLS, MAX_TEXT_BYTES and XLS_MAX_RESERVE. An XLSX cell
that refers to the shared string table gets its own copy of the string in calamine: what the cells copy is
held to MAX_TEXT_BYTES too (_check_xlsx_text). A policy may also refuse an XLSX whose XML parts declare a
DOCTYPE or an entity (``refuse_doctype``). Formulas are never evaluated: calamine and openpyxl both
return the value cached in the file, or nothing.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from xml.parsers import expat

import olefile
import openpyxl
from python_calamine import CalamineWorkbook

MAX_UPLOAD_BYTES = 50 * 1024 * 1024       # a spreadsheet of 5.6 M rows is not uploaded through a form
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200                            # uncompressed / compressed, per member of the XLSX zip
MAX_COLUMNS = 60
MAX_ROWS = 1_000_000
MAX_CELLS = 15_000_000                     # rows × columns of the grid calamine builds (~30 bytes a cell)
ODS_MAX_CELLS = MAX_CELLS // 2             # calamine holds an ODS grid twice (~60 bytes a cell, measured)
ODS_FREE_CELLS = 1_000_000                 # beyond this, an ODS grid may not exceed one cell per 10 bytes of XML
MAX_TEXT_BYTES = 100 * 1024 * 1024         # text copied into the cells (a shared string once per cell)
_TEXT_CELL = 16                            # what a text cell costs beyond its characters (allocation)

UNREADABLE = "Không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng)."


class FileRefused(ValueError):
    """The file cannot be read; the message is for the user (Vietnamese)."""


@dataclass(frozen=True)
class SheetPolicy:
    """What one kind of upload accepts, and how a refusal is worded. The defaults are the member import's.

    The grid limits (MAX_CELLS, MAX_TEXT_BYTES and the others above) are the kernel's, whoever reads."""

    max_bytes: int = MAX_UPLOAD_BYTES
    too_large: str = "Tệp quá lớn ({mb:.0f} MB); giới hạn {limit} MB. Hãy chia tệp thành nhiều phần."
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES           # all the members of a zip, unpacked
    unzipped_too_large: str = "Tệp giải nén quá lớn; hãy chia tệp thành nhiều phần."
    zip_kinds: tuple[str, ...] = ("xlsx", "ods")               # what a zip may be
    not_a_workbook: str = "Tệp nén này không phải bảng tính Excel (.xlsx) hay OpenDocument (.ods)."
    broken_zip: str = "Tệp không phải là bảng tính (tệp nén hỏng)."
    refuse_doctype: bool = False      # a DOCTYPE or ENTITY declared in any XML part of the zip refuses it
    unreadable: str = UNREADABLE      # openpyxl could not read the workbook
    columns: int = MAX_COLUMNS * 20   # cells openpyxl reads in a row
    refuse_wider: bool = True         # a sheet wider than ``columns`` is refused; else its rows are cut
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1258", "cp1252")   # of a CSV, tried in this order
    unknown_encoding: str = "Không nhận ra bảng mã của tệp CSV."


DEFAULT_POLICY = SheetPolicy()


def sniff(head: bytes, *, scan: int = 4096) -> str:
    """zip / xls / binary (a NUL byte in the first ``scan`` bytes) / text, from the first bytes of a file."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if b"\x00" in head[:scan]:
        return "binary"
    return "text"


def check_size(size: int, policy: SheetPolicy = DEFAULT_POLICY) -> None:
    if size > policy.max_bytes:
        raise FileRefused(policy.too_large.format(mb=size / 1024 / 1024, limit=policy.max_bytes // 1024 // 1024))
    if size == 0:
        raise FileRefused("Tệp rỗng.")


_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def check_zip(file, policy: SheetPolicy = DEFAULT_POLICY) -> str:
    """The kind of a zip (xlsx / ods), one of ``policy.zip_kinds``, once no member unpacks to more than
    MAX_RATIO times its packed size (a zip bomb), all of them to no more than ``policy.max_uncompressed``
    bytes, and (``policy.refuse_doctype``) no XML part declares a DOCTYPE or an entity. ``file``: a path or
    a binary file."""
    try:
        with zipfile.ZipFile(file) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise FileRefused("Tệp có dấu hiệu «bom nén» (dữ liệu giải nén lớn bất thường); không đọc.")
            if total > policy.max_uncompressed:
                raise FileRefused(policy.unzipped_too_large)
            names = set(zf.namelist())
            if "xl/workbook.xml" in names:
                kind = "xlsx"
            elif "content.xml" in names and "mimetype" in names and b"spreadsheet" in zf.read("mimetype")[:200]:
                kind = "ods"
            else:
                kind = ""
            if kind not in policy.zip_kinds:
                raise FileRefused(policy.not_a_workbook)
            if policy.refuse_doctype:
                _refuse_declarations(zf)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, RuntimeError,
            ValueError, zlib.error) as exc:  # a damaged, encrypted or oddly compressed zip
        raise FileRefused(policy.broken_zip) from exc
    return kind


def _refuse_declarations(zf: zipfile.ZipFile) -> None:
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with zf.open(info) as fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                if _DOCTYPE.search(tail + chunk):
                    raise FileRefused("Bảng tính có khai báo DOCTYPE (có thể chứa thực thể nguy hiểm); không đọc.")
                tail = chunk[-16:]


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
        raise FileRefused(f"Bảng tính quá lớn ({rows:,} dòng × {cols} cột); "
                          "hãy chia tệp thành nhiều phần.".replace(",", "."))
    return True


_TOO_MUCH_TEXT = (f"Bảng tính chứa quá nhiều chữ (hơn {MAX_TEXT_BYTES // 1024 // 1024} MB khi đọc, thường do một đoạn "
                  "dài lặp lại ở rất nhiều ô); hãy chia tệp thành nhiều phần.")
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
                raise FileRefused(UNREADABLE) from None
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
                raise FileRefused(UNREADABLE)
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
        raise FileRefused(UNREADABLE) from exc


_SHARED = re.compile(rb"""\st\s*=\s*["']s["']""")


class _SharedSizes:
    """UTF-8 size of each string of a shared string table (every text inside its <si>, phonetic runs too)."""

    def __init__(self):
        self.sizes = array("I")
        self.depth = 0          # elements open inside the open <si>, the <si> included

    def start(self, name, _attrs):
        if self.depth:
            self.depth += 1
        elif _local(name) == "si":
            self.depth = 1
            self.sizes.append(0)

    def end(self, _name):
        if self.depth:
            self.depth -= 1

    def text(self, data):
        if self.depth:
            self.sizes[-1] += len(data.encode("utf-8"))   # the XML is at most MAX_UNCOMPRESSED_BYTES


class _SharedCells:
    """Sums what the shared-string cells (t="s") of a worksheet copy out of the table."""

    def __init__(self, sizes: array):
        self.sizes = sizes
        self.total = 0
        self.cell = False       # inside a shared-string cell
        self.value = None       # the text of its <v>, while open

    def start(self, name, attrs):
        local = _local(name)
        if local == "c":
            self.cell = any(_local(k) == "t" and v.strip() == "s" for k, v in attrs.items())
        elif local == "v" and self.cell:
            self.value = []

    def end(self, name):
        local = _local(name)
        if local == "v" and self.value is not None:
            digits = "".join(self.value).strip()
            index = int(digits) if digits.isdigit() else -1
            self.total += self.sizes[index] + _TEXT_CELL if 0 <= index < len(self.sizes) else 0
            self.value = None
            if self.total > MAX_TEXT_BYTES:
                raise FileRefused(_TOO_MUCH_TEXT)
        elif local == "c":
            self.cell = False

    def text(self, data):
        if self.value is not None:
            self.value.append(data)


def _xml_stream(zf, name, handler) -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    with zf.open(name) as fh:
        while chunk := fh.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _check_xlsx_text(path) -> None:
    """Refuse an XLSX whose cells would copy more than MAX_TEXT_BYTES out of the shared string table: calamine
    gives every cell its own copy of the string, so one long string shared by a million small cells asks for
    gigabytes. The cheap bound (shared-string cells × the longest string) settles nearly every file; only when
    it does not are the cells' indices read."""
    try:
        with zipfile.ZipFile(path) as zf:
            sizes = _SharedSizes()
            for name in zf.namelist():
                if name.lower().endswith("sharedstrings.xml"):
                    _xml_stream(zf, name, sizes)
            if not sizes.sizes:
                return
            sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            cells = 0
            for name in sheets:
                tail = b""
                with zf.open(name) as fh:
                    while True:
                        chunk = fh.read(_CHUNK)
                        data = tail + chunk
                        cut = data.rfind(b"<") if chunk else len(data)
                        cut = len(data) if cut < 0 else cut
                        cells += len(_SHARED.findall(data, 0, cut))
                        tail = data[cut:]
                        if not chunk:
                            break
            if cells * (max(sizes.sizes) + _TEXT_CELL) <= MAX_TEXT_BYTES:
                return
            counted = _SharedCells(sizes.sizes)
            for name in sheets:
                _xml_stream(zf, name, counted)
    except FileRefused:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise FileRefused(UNREADABLE) from exc


# -- XLS: the BIFF8 records are sized before calamine reads them -------------------------------------------
XLS_MAX_CELLS = MAX_CELLS // 2             # calamine holds an XLS grid twice too (~64 bytes a cell, measured)
XLS_MAX_RESERVE = 65_536 * 256             # cells of a whole Excel 97-2003 sheet: room calamine may reserve
_XLS_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")   # the names calamine looks for, in its order
_NOT_XLS = "Tệp không phải là bảng tính Excel 97-2003 (.xls) hợp lệ."
_ROW_COL = struct.Struct("<HH")            # a record's type and length; a cell's row and column
_VALUE_RECORDS = {0x0203, 0x0205, 0x027E, 0x00FD, 0x0204, 0x00D6}  # NUMBER BOOLERR RK LABELSST LABEL RSTRING


def _biff_records(stream: bytes, pos: int) -> Iterator[tuple[int, memoryview, int]]:
    """(type, data, where the next record starts) from ``pos``; the CONTINUE records that follow a record
    are passed over with it, as calamine groups them (see _continued)."""
    view = memoryview(stream)
    end = len(stream)
    header = _ROW_COL.unpack_from
    while pos < end:
        if pos + 4 > end:
            raise FileRefused(UNREADABLE)
        typ, length = header(stream, pos)
        start, pos = pos + 4, pos + 4 + length
        if pos > end:
            raise FileRefused(UNREADABLE)
        while pos + 4 <= end and stream[pos] == 0x3C and stream[pos + 1] == 0:   # CONTINUE
            pos += 4 + header(stream, pos)[1]
            if pos > end:
                raise FileRefused(UNREADABLE)
        yield typ, view[start:start + length], pos


def _continued(stream: bytes, start: int, stop: int) -> list[memoryview]:
    """The data of the CONTINUE records between ``start`` (just past a record) and ``stop``."""
    view, out = memoryview(stream), []
    while start < stop:
        length = struct.unpack_from("<H", stream, start + 2)[0]
        out.append(view[start + 4:start + 4 + length])
        start += 4 + length
    return out


def _utf8_size(chars: memoryview, wide: bool, codepage: int) -> int:
    if wide:
        return len(bytes(chars).decode("utf-16-le", "surrogatepass").encode("utf-8", "surrogatepass"))
    if codepage == 1200:  # 8-bit characters of a UTF-16 workbook are Latin-1
        return len(chars) + sum(1 for b in chars if b >= 0x80)
    return 4 * len(chars)  # another code page: a generous bound


def _sst_sizes(data: memoryview, conts: list[memoryview], codepage: int) -> array:
    """UTF-8 size of each string of the shared string table, read the way calamine reads it (a string may
    run on into CONTINUE records, each starting with its own 8/16-bit flag)."""
    if len(data) < 8:
        raise FileRefused(UNREADABLE)
    data, conts = data[8:], list(conts)
    sizes = array("I")
    while data or conts:
        if not data:
            data = conts.pop(0)
            if not data:
                sizes.append(0)
                continue
        if len(data) < 3:
            raise FileRefused(UNREADABLE)
        count, flags = struct.unpack_from("<HB", data)
        data = data[3:]
        runs = ext = 0
        if flags & 0x8:
            if len(data) < 2:
                raise FileRefused(UNREADABLE)
            runs = struct.unpack_from("<H", data)[0] * 4
            data = data[2:]
        if flags & 0x4:
            if len(data) < 4:
                raise FileRefused(UNREADABLE)
            ext = struct.unpack_from("<i", data)[0]
            if ext < 0:
                raise FileRefused(UNREADABLE)
            data = data[4:]
        wide, size = bool(flags & 0x1), 0
        while count:
            n = min(len(data) // 2 if wide else len(data), count)
            size += _utf8_size(data[:2 * n if wide else n], wide, codepage)
            data, count = data[2 * n if wide else n:], count - n
            if count:
                if not conts or not conts[0]:
                    raise FileRefused(UNREADABLE)
                data = conts.pop(0)
                wide, data = bool(data[0] & 0x1), data[1:]
        skip = runs + ext
        while skip:
            if not data:
                if not conts:
                    raise FileRefused(UNREADABLE)
                data = conts.pop(0)
            n = min(skip, len(data))
            data, skip = data[n:], skip - n
        sizes.append(size)
    return sizes


@dataclass
class _XlsSheet:
    """What calamine builds for one worksheet: its value grid and its formula grid (cells), the width of the
    value grid, the text its cells hold, the room it reserves from DIMENSIONS, and the bytes walked."""
    cells: int = 0
    width: int = 0
    height: int = 0
    text: int = 0
    reserve: int = 0
    walked: int = 0


def _dimensions(data: memoryview) -> int:
    """The number of cells calamine reserves room for on reading a DIMENSIONS record (its arithmetic is
    32-bit, a first row past the last wraps round); 0 when calamine would refuse the record."""
    if len(data) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
    else:
        return 0
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row < 1 or last_col < 1:
        return 1
    return ((last_row - 1 - first_row + 1) % 2**32) * ((last_col - 1 - first_col + 1) % 2**32)


def _xls_sheet(stream: bytes, pos: int, sst: array) -> _XlsSheet:
    """Walk one worksheet substream as calamine does, from its BOF to its EOF, nested substreams (charts)
    skipped. calamine builds a dense grid from the first to the last row and column holding a value, and
    another for the formulas. Blank cells (BLANK, MULBLANK) make no cell in calamine; every other cell record
    does, and a formula is counted as a value whatever its cached result (a string result follows it in a
    STRING record, placed at the formula's cell)."""
    sheet = _XlsSheet()
    top = left = ftop = fleft = 1 << 32
    bottom = right = fbottom = fright = -1
    seen_bof = False
    depth = 0
    formula_at = (0, 0)
    end = len(stream)
    where = _ROW_COL.unpack_from
    for typ, data, after in _biff_records(stream, pos):
        if depth:
            depth += (typ == 0x0809) - (typ == 0x000A)
            continue
        if typ in _VALUE_RECORDS:
            if len(data) < (10 if typ == 0x00FD else 8):
                raise FileRefused(UNREADABLE)
            row, col = where(data)
            last = col
            if typ == 0x00FD:
                index = struct.unpack_from("<I", data, 6)[0]
                sheet.text += sst[index] + _TEXT_CELL if index < len(sst) else 0
            elif typ != 0x0203 and typ != 0x027E and typ != 0x0205:   # LABEL, RSTRING: 3 bytes a character at most
                sheet.text += 3 * (len(data) - 6) + _TEXT_CELL
        elif typ == 0x00BD:                                           # MULRK: one row, several columns
            if len(data) < 6:
                raise FileRefused(UNREADABLE)
            row, col = where(data)
            count = (len(data) - 6) // 6
            if not count:
                continue
            last = col + count - 1
        elif typ == 0x0006:                                           # FORMULA (its cached value, never run)
            if len(data) < 20:
                raise FileRefused(UNREADABLE)
            formula_at = row, col = where(data)
            last = col
            ftop, fbottom, fleft, fright = min(ftop, row), max(fbottom, row), min(fleft, col), max(fright, col)
        elif typ == 0x0207:                                           # STRING: the text a formula left
            row, col = formula_at
            last = col
            sheet.text += 3 * len(data) + _TEXT_CELL
        elif typ == 0x0809:
            depth, seen_bof = (1, True) if seen_bof else (0, True)
            continue
        elif typ == 0x000A:
            end = after
            break
        elif typ == 0x0200:
            sheet.reserve = max(sheet.reserve, _dimensions(data))
            continue
        else:
            continue
        top, bottom, left, right = min(top, row), max(bottom, row), min(left, col), max(right, last)
    if bottom >= 0:
        sheet.height, sheet.width = bottom - top + 1, right - left + 1
        sheet.cells = sheet.height * sheet.width
    if fbottom >= 0:
        sheet.cells += (fbottom - ftop + 1) * (fright - fleft + 1)
    sheet.walked = end - pos
    return sheet


_MARKERS = 0xFFFF_FFFA                     # sector ids from here on mark ends and special sectors
_DIFAT_SECTOR = 0xFFFF_FFFC
_END_OF_CHAIN = 0xFFFF_FFFE


def _ole_workbook_entry(raw: bytes) -> int:
    """The index of the directory entry calamine reads as the workbook, once every sector chain calamine
    follows without a length (the DIFAT, the directory) is known to end, and every length it trusts (the
    mini stream, the mini FAT, the workbook stream) fits in the file: a chain that loops back on itself
    would otherwise make calamine copy the same sectors until it has gigabytes or forever."""
    if len(raw) < 512:
        raise FileRefused(_NOT_XLS)
    shift = struct.unpack_from("<H", raw, 30)[0]
    if shift not in (9, 12):
        raise FileRefused(_NOT_XLS)
    size = 1 << shift
    last = len(raw) // size                # the highest sector id calamine accepts

    def sector(sid: int) -> memoryview:
        if sid > last:
            raise FileRefused(_NOT_XLS)
        return memoryview(raw)[(sid + 1) * size:(sid + 2) * size]

    def ids(data: memoryview) -> list[int]:
        return list(struct.unpack_from(f"<{len(data) // 4}I", data))

    difat = ids(memoryview(raw)[76:512])
    sid, seen = struct.unpack_from("<I", raw, 68)[0], set()
    while sid < _MARKERS:
        if sid in seen:
            raise FileRefused(_NOT_XLS)
        seen.add(sid)
        difat.extend(ids(sector(sid)))
        sid = difat.pop()
    fat_sectors = [s for s in difat if s < _DIFAT_SECTOR]
    if len(fat_sectors) > last + 1:
        raise FileRefused(_NOT_XLS)
    per = size // 4

    def next_sector(sid: int) -> int:
        fat = sector(fat_sectors[sid // per]) if sid // per < len(fat_sectors) else memoryview(b"")
        if (sid % per) * 4 + 4 > len(fat):
            raise FileRefused(_NOT_XLS)
        return struct.unpack_from("<I", fat, (sid % per) * 4)[0]

    directory, sid, seen = bytearray(), struct.unpack_from("<I", raw, 48)[0], set()
    while sid != _END_OF_CHAIN:
        if sid in seen:
            raise FileRefused(_NOT_XLS)
        seen.add(sid)
        directory += sector(sid)
        sid = next_sector(sid)
    entries = []
    for at in range(0, len(directory) - 127, 128):
        name = bytes(directory[at:at + 64]).decode("utf-16-le", "replace").split("\x00")[0]
        length = struct.unpack_from("<I" if size == 512 else "<Q", directory, at + 120)[0]
        entries.append((name, length))
    mini_fat = struct.unpack_from("<I", raw, 64)[0] * size
    if not entries or any(n > len(raw) for n in (entries[0][1], mini_fat)):
        raise FileRefused(_NOT_XLS)
    for wanted in _XLS_STREAMS:
        for index, (name, length) in enumerate(entries):
            if name == wanted:
                if length > len(raw):
                    raise FileRefused(_NOT_XLS)
                return index
    raise FileRefused("Tệp Office này không chứa bảng tính Excel (.xls).")


def _xls_stream(path) -> bytes:
    """The workbook stream calamine reads, through olefile (which refuses a damaged container)."""

    with open(path, "rb") as fh:
        raw = fh.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise FileRefused("Tệp quá lớn; hãy chia tệp thành nhiều phần.")
    index = _ole_workbook_entry(raw)
    try:
        with olefile.OleFileIO(io.BytesIO(raw), raise_defects=olefile.DEFECT_INCORRECT) as ole:
            entry = ole.direntries[index] if index < len(ole.direntries) else None
            if entry is None or entry.entry_type != olefile.STGTY_STREAM:
                raise FileRefused(_NOT_XLS)  # an entry calamine would read that is not the file's own stream
            with ole._open(entry.isectStart, entry.size) as fh:  # that very entry, as openstream() reads one
                return fh.read(MAX_UPLOAD_BYTES + 1)
    except FileRefused:
        raise
    except Exception as exc:  # olefile raises OSError and others for a damaged container
        raise FileRefused(_NOT_XLS) from exc


def _check_xls(path) -> None:
    """Refuse an XLS whose sheets would make calamine build grids over the limits.

    calamine reads every worksheet the workbook lists (BOUNDSHEET records) when it opens the file, and
    builds for each a dense grid from the first to the last row and column holding a value, so a tiny file
    with a value at A1 and one at IV65536 would ask for a gigabyte. The records are walked here the way
    calamine walks them; the DIMENSIONS record is never trusted for the extent (a file may lie), but the room
    calamine reserves from it (address space, not touched memory) may not exceed a whole Excel 97-2003 sheet:
    a record claiming billions of rows makes calamine ask for terabytes and abort the process."""
    stream = _xls_stream(path)
    sheets: list[int] = []
    codepage = 1200
    sst = array("I")
    bof = struct.unpack_from("<HHH", stream) if len(stream) >= 6 else (0, 0, 0)
    if bof[0] != 0x0809 or bof[2] not in (0x0500, 0x0600):
        raise FileRefused(_NOT_XLS)  # a workbook stream opens with the BOF of Excel 97-2003 (or 5.0/95)
    at = 0
    for typ, data, after in _biff_records(stream, 0):
        if typ == 0x002F:  # FILEPASS: the records that follow are encrypted
            raise FileRefused("Tệp Excel được đặt mật khẩu; hãy gỡ mật khẩu, lưu lại rồi nhập.")
        if typ == 0x0042 and len(data) >= 2:
            codepage = struct.unpack_from("<H", data)[0]
        elif typ == 0x0085:
            if len(data) < 8:
                raise FileRefused(UNREADABLE)
            sheets.append(struct.unpack_from("<I", data)[0])
        elif typ == 0x00FC:
            sst = _sst_sizes(data, _continued(stream, at + 4 + len(data), after), codepage)
        elif typ == 0x000A:
            break
        at = after
    total = text = walked = 0
    seen: dict[int, _XlsSheet] = {}
    for number, pos in enumerate(sheets, start=1):
        if pos >= len(stream):
            raise FileRefused(UNREADABLE)
        if pos not in seen:
            seen[pos] = _xls_sheet(stream, pos, sst)
            walked += seen[pos].walked
            if walked > len(stream):  # worksheet substreams do not overlap in a real file
                raise FileRefused(UNREADABLE)
        sheet = seen[pos]
        where = "" if number == 1 else f" (trang thứ {number})"
        if sheet.width > MAX_COLUMNS * 20:
            raise FileRefused(f"Bảng tính có quá nhiều cột{where} (tối đa {MAX_COLUMNS}).")
        total += sheet.cells
        text += sheet.text
        if total > XLS_MAX_CELLS:
            raise FileRefused(f"Bảng tính quá lớn{where} ({sheet.height:,} dòng × {sheet.width} cột); "
                              "hãy chia tệp thành nhiều phần.".replace(",", "."))
        if sheet.reserve > XLS_MAX_RESERVE:
            raise FileRefused(f"Bảng tính khai báo kích thước bất thường{where} (bản ghi DIMENSIONS); "
                              "hãy mở và lưu lại bằng Excel.")
        if text > MAX_TEXT_BYTES:
            raise FileRefused(_TOO_MUCH_TEXT)


def openpyxl_rows(source, policy: SheetPolicy = DEFAULT_POLICY) -> Iterator[list[Any]]:
    """The rows of the first sheet as openpyxl reads them (read-only, the values formulas left, no external
    links), ``policy.columns`` cells at most. ``source``: a path or a binary file."""
    try:
        wb = openpyxl.load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise FileRefused(policy.unreadable) from exc
    try:
        if not wb.worksheets:
            raise FileRefused("Bảng tính không có trang nào.")
        ws = wb.worksheets[0]
        if policy.refuse_wider and ws.max_column and ws.max_column > policy.columns:
            raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
        rows = ws.iter_rows(values_only=True, max_col=policy.columns)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # the sheet's XML is parsed as it is read
                raise FileRefused(policy.unreadable) from exc
            yield list(row)
    finally:
        wb.close()


def _calamine_rows(path) -> Iterator[list]:
    """Rows of the first sheet from its first row (empty rows above the data included, so row numbers are the
    file's; empty columns left of the data are left out)."""

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.get_sheet_by_index(0)
        if sheet.width > MAX_COLUMNS * 20:
            raise FileRefused(f"Bảng tính có quá nhiều cột (tối đa {MAX_COLUMNS}).")
        rows = sheet.iter_rows()
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileRefused(UNREADABLE) from exc
    except BaseException as exc:  # a panic inside calamine (PanicException is not an Exception)
        if type(exc).__name__ != "PanicException":
            raise
        raise FileRefused(UNREADABLE) from exc
    yield from rows


def decode_text(raw: bytes, policy: SheetPolicy = DEFAULT_POLICY) -> str:
    """``raw`` in the first of ``policy.encodings`` that decodes it."""
    for encoding in policy.encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(policy.unknown_encoding)


def csv_rows(text: str, dialect: Any = csv.excel, **fmtparams: Any) -> Iterator[list[str]]:
    """The rows of a CSV text (``csv.reader``'s arguments); a malformed one is refused."""
    try:
        yield from csv.reader(io.StringIO(text), dialect, **fmtparams)
    except csv.Error as exc:
        raise FileRefused(f"Tệp CSV không hợp lệ: {exc}.") from exc


def _csv_file_rows(path, policy: SheetPolicy) -> Iterator[list]:
    with open(path, "rb") as fh:
        raw = fh.read()
    text = decode_text(raw, policy)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(10_000)
    yield from csv_rows(text, dialect)


def open_rows(path, size: int, policy: SheetPolicy = DEFAULT_POLICY) -> tuple[str, Iterator[list]]:
    """(kind, the raw rows of its first sheet) of a spreadsheet stored at ``path`` (``size`` bytes): xlsx, xls,
    ods or csv, every check run before the file is parsed (the policy sets the size, zip, openpyxl and CSV
    checks; the grid checks of an XLSX, ODS or XLS are the kernel's). The rows are read as they are iterated."""
    check_size(size, policy)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = sniff(head)
    raw: Iterator[list]
    if kind == "zip":
        kind = check_zip(path, policy)
        if kind == "ods":
            _check_ods(path)
        else:
            _check_xlsx_text(path)
        raw = openpyxl_rows(path, policy) if kind == "xlsx" and not _check_extent(path) else _calamine_rows(path)
    elif kind == "xls":
        _check_xls(path)
        raw = _calamine_rows(path)
    elif kind == "text":
        raw = _csv_file_rows(path, policy)
        kind = "csv"
    else:
        raise FileRefused("Tệp không phải là bảng tính (chấp nhận .xlsx, .xls, .ods, .csv).")
    return kind, raw


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
