"""Bank and public-service-portal statements → the dues ledger of a cell.

A treasurer uploads the statement of the cell's account (CSV or XLSX, one line per transfer); each line is
matched to a member of the cell by their party card number (a card column, else a card number written in the
transfer's text), the treasurer sees a preview, then the matched lines are posted through ``payments_post``
(numbered receipts, audited) and the rest is listed to be recorded by hand.

Every line carries a fingerprint (``Entry.statement_key``, unique in the ledger), so importing the same
statement again, or a later statement that overlaps it, never posts a line twice.

The file is read with the kernel's spreadsheet reader (``chibo.core.spreadsheets``) under the statement's
policy (``STATEMENT_POLICY``): a statement is small (MAX_STATEMENT_BYTES, MAX_STATEMENT_ROWS), CSV (UTF-8) or
XLSX only, checked before it is parsed (size, kind by content, the XLSX zip's uncompressed size, compression
ratio and DOCTYPE declarations); formulas are never evaluated (openpyxl returns the cached value). Finding the
header among the bank's banners, the CSV's delimiter, the row limits and reading the cells are the statement's.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.calendar import add_months
from chibo.core.money import format_amount, is_currency, parse_amount
from chibo.core.rulebook import rule_name
from chibo.core.spreadsheets import (
    EXCEL_EPOCH,
    FileRefused,
    SheetPolicy,
    check_size,
    check_zip,
    csv_rows,
    decode_text,
    openpyxl_rows,
    sniff,
)
from chibo.core.text import clean, fold
from chibo.dues import rules as drules
from chibo.dues.enums import Method
from chibo.dues.models import Entry
from chibo.dues.selectors import Position, positions
from chibo.dues.services import PaymentLine, payments_post
from chibo.members.selectors import members_of_unit

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

MAX_STATEMENT_BYTES = 5 * 1024 * 1024      # a cell's statement is a few hundred lines
MAX_BYTES = MAX_STATEMENT_BYTES            # the name the upload view checks before reading the file
MAX_STATEMENT_ROWS = 5000                  # data lines (empty lines not counted)
MAX_RAW_ROWS = MAX_STATEMENT_ROWS * 4      # lines read at all, empty ones included (a sheet full of blanks)
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 30                    # banners above the header (bank name, account, period) are skipped
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024  # of the XLSX zip (5000 lines take well under 1 MB)
MAX_AMOUNT = Decimal(10) ** 13             # Entry.amount: 16 digits, 3 of them decimal

# The messages of the file's checks (``core.spreadsheets`` raises them): said in the reader's language when raised.
ACCEPTED = gettext_lazy("Chỉ nhận sao kê dạng CSV (.csv) hoặc Excel (.xlsx).")
_UNREADABLE = gettext_lazy("Không đọc được bảng tính (tệp hỏng hoặc không phải .xlsx).")
STATEMENT_POLICY = SheetPolicy(
    max_bytes=MAX_STATEMENT_BYTES,
    too_large=gettext_lazy("Tệp quá lớn ({mb:.1f} MB); giới hạn {limit} MB cho một sao kê."),  # type: ignore[arg-type]
    max_uncompressed=MAX_UNCOMPRESSED_BYTES,
    unzipped_too_large=gettext_lazy("Bảng tính giải nén quá lớn; hãy xuất lại sao kê thành tệp nhỏ hơn."),  # type: ignore[arg-type]
    zip_kinds=("xlsx",),
    not_a_workbook=format_lazy("{} {}", gettext_lazy("Tệp nén này không phải bảng tính Excel (.xlsx)."), ACCEPTED),  # type: ignore[arg-type]
    broken_zip=_UNREADABLE, refuse_doctype=True, unreadable=_UNREADABLE,  # type: ignore[arg-type]
    columns=MAX_COLUMNS, refuse_wider=False,  # cells past the 60th are not read, whatever the sheet's width
    encodings=("utf-8-sig",),
    unknown_encoding=gettext_lazy("Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: «CSV UTF-8»)."))  # type: ignore[arg-type]


class LineStatus(models.TextChoices):
    MATCHED = "matched", gettext_noop("Khớp đảng viên, sẽ ghi")
    UNMATCHED = "unmatched", gettext_noop("Không khớp đảng viên nào")
    ALREADY_POSTED = "already_posted", gettext_noop("Đã ghi từ trước")
    SKIPPED = "skipped", gettext_noop("Bỏ qua")
    INVALID = "invalid", gettext_noop("Không ghi được")


# -- columns -----------------------------------------------------------------------------------------------
# Header aliases, folded (lower case, no diacritics, đ→d, punctuation as spaces, a "(…)" part left out).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("ngay", "ngay giao dich", "ngay gd", "ngay hach toan", "ngay thanh toan", "ngay nop", "ngay chuyen",
             "ngay hieu luc", "thoi gian giao dich", "date", "transaction date", "value date", "posting date",
             "booking date"),
    "amount": ("so tien", "so tien nop", "so tien ghi co", "ghi co", "phat sinh co", "so tien co", "tien vao",
               "amount", "credit", "credit amount", "paid in"),
    "reference": ("noi dung", "noi dung giao dich", "noi dung chuyen khoan", "noi dung thanh toan", "dien giai",
                  "mo ta", "reference", "description", "details", "narrative", "remarks", "memo",
                  "payment details"),
    "card": ("so the dang vien", "so the", "the dang vien", "ma the dang vien", "card", "card number", "card no",
             "party card"),
    "currency": ("loai tien", "tien te", "dong tien", "don vi tien", "ma tien te", "currency", "ccy"),
    # A debit column lets a bank's "ghi nợ / ghi có" layout say that a line with no credit is a payment out.
    "debit": ("ghi no", "so tien ghi no", "phat sinh no", "so tien no", "tien ra", "debit", "debit amount",
              "paid out"),
}
REQUIRED_COLUMNS = ("date", "amount", "reference")
# The columns as a message names them (translated there).
COLUMN_LABELS = {"date": gettext_noop("ngày giao dịch"), "amount": gettext_noop("số tiền"),
                 "reference": gettext_noop("nội dung / diễn giải"), "card": gettext_noop("số thẻ đảng viên"),
                 "currency": gettext_noop("loại tiền"), "debit": gettext_noop("ghi nợ")}
_ALIAS_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
_PARENS = re.compile(r"\(([^)]*)\)")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKEN = re.compile(r"[0-9A-Z]+")
_DIGITS = re.compile(r"[0-9]+")  # a card glued to words ("DP79123456") is still found
_CURRENCY_SIGNS = {"Đ": "VND", "₫": "VND", "VNĐ": "VND", "€": "EUR", "£": "GBP", "¥": "JPY"}
_FOOTERS = ("tong", "cong", "total", "so du", "balance", "opening", "closing", "ket chuyen")


def _header_name(text: str) -> tuple[str, str | None]:
    """(folded header, a currency named in parentheses: "Số tiền (EUR)" → ("so tien", "EUR"))."""
    raw = clean(text)
    currency = None
    for inner in _PARENS.findall(raw):
        code = _currency_code(inner)
        if code:
            currency = code
    name = _NOT_ALNUM.sub(" ", fold(_PARENS.sub(" ", raw))).strip()
    return name, currency


def _currency_code(text: str) -> str | None:
    code = clean(text).upper().replace(" ", "")
    code = _CURRENCY_SIGNS.get(code, code)
    return code if is_currency(code) else None


@dataclass
class _Columns:
    index: dict[str, int]                # field → column index
    names: dict[str, str]                # field → the header as written in the file
    extra: list[str]                     # headers not recognised (ignored)
    currency: str | None                 # a currency named in the amount's header


def _columns(header: list[str]) -> _Columns:
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    extra: list[str] = []
    currency = None
    for i, text in enumerate(header):
        if not text:
            continue
        name, in_parens = _header_name(text)
        found = _ALIAS_FIELD.get(name)
        if found is None or found in index:
            extra.append(text)
            continue
        index[found], names[found] = i, text
        if found == "amount":
            currency = in_parens
    return _Columns(index, names, extra, currency)


def _recognised(cells: list[Any]) -> int:
    return len({_ALIAS_FIELD.get(_header_name(_text(c))[0]) for c in cells if _text(c)} - {None})


# -- reading the file --------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour, value.minute) != (0, 0) else f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return clean(str(value))


def _kind(data: bytes, filename: str) -> str:
    check_size(len(data), STATEMENT_POLICY)
    if not data.strip():
        raise FileRefused(_("Tệp rỗng."))  # blank lines only
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    head = data[:8192]
    kind = sniff(head, scan=len(head))
    if kind == "xls":
        raise FileRefused(_("Tệp Excel 97-2003 (.xls) chưa được hỗ trợ: hãy mở tệp và lưu lại thành .xlsx (hoặc "
                            ".csv).") + " " + str(ACCEPTED))
    if kind == "binary" or head.startswith(b"%PDF"):
        raise FileRefused(_("Không đọc được tệp «%(name)s».") % {"name": clean(filename)} + " " + str(ACCEPTED))
    kind = "xlsx" if kind == "zip" else "csv"
    if ext not in ("", "csv", "txt", "xlsx"):
        raise FileRefused(_("Loại tệp «.%(ext)s» không được hỗ trợ.") % {"ext": ext} + " " + str(ACCEPTED))
    if ext == "xlsx" and kind != "xlsx":
        raise FileRefused(_("Tệp «%(name)s» không phải bảng tính Excel (.xlsx) hợp lệ.") % {"name": clean(filename)})
    return kind


def _csv_rows(data: bytes) -> tuple[list[list[str]], str]:
    """All rows of a UTF-8 CSV (BOM or not), with the delimiter (comma, semicolon or tab) that makes a header
    of the most recognised columns; a tie goes to the delimiter the first line uses most."""
    text = decode_text(data, STATEMENT_POLICY)
    first = next((line for line in text.splitlines() if line.strip()), "")
    best: tuple[int, int] | None = None
    chosen: list[list[str]] = []
    delimiter = ","
    for sep in (",", ";", "\t"):
        rows = list(csv_rows(text, delimiter=sep))
        score = (max((_recognised(r) for r in rows[:HEADER_SEARCH_ROWS]), default=0), first.count(sep))
        if best is None or score > best:
            best, chosen, delimiter = score, rows, sep
    return chosen, delimiter


@dataclass
class _Sheet:
    kind: str
    columns: _Columns
    rows: list[tuple[int, list[Any]]]    # (row number in the file, cells), empty rows left out


def _read(data: bytes, filename: str) -> _Sheet:
    try:
        return _read_sheet(data, filename)
    except FileRefused as exc:
        raise ValidationError({"file": str(exc)}) from exc


def _read_sheet(data: bytes, filename: str) -> _Sheet:
    kind = _kind(data, filename)
    raw: Iterator[list[Any]]
    if kind == "xlsx":
        check_zip(io.BytesIO(data), STATEMENT_POLICY)
        raw = openpyxl_rows(io.BytesIO(data), STATEMENT_POLICY)
    else:
        raw = iter(_csv_rows(data)[0])
    head: list[list[Any]] = []
    for cells in raw:
        head.append(cells)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    scores = [_recognised(cells) for cells in head]
    if any(scores):
        at = scores.index(max(scores))
    else:
        at = next((i for i, cells in enumerate(head) if sum(1 for c in cells if _text(c)) >= 2), -1)
        if at < 0:
            raise ValidationError({"file": _("Không tìm thấy dòng tiêu đề (tên cột) trong "
                                             "%(count)s dòng đầu của tệp.") % {"count": HEADER_SEARCH_ROWS}})
    header = [_text(c) for c in head[at]][:MAX_COLUMNS]
    columns = _columns(header)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns.index]
    if missing:
        found = ", ".join(f"«{h}»" for h in header if h) or _("(không có)")
        unknown = ", ".join(f"«{h}»" for h in columns.extra) or _("(không có)")
        # The example headers are the banks' (Vietnamese or English), whatever the reader's language.
        raise ValidationError({"file": _(
            "Sao kê thiếu cột bắt buộc: %(missing)s. Các cột trong tệp: %(found)s; không nhận ra: %(unknown)s. "
            "Tên cột được nhận, ví dụ: «Ngày giao dịch» / «Date», «Số tiền» / «Amount» / «Credit», «Nội dung» / "
            "«Diễn giải» / «Description», «Số thẻ đảng viên» / «Card» (không bắt buộc), «Loại tiền» / «Currency» "
            "(không bắt buộc).") % {"missing": ", ".join(_(COLUMN_LABELS[m]) for m in missing), "found": found,
                                     "unknown": unknown}})
    rows: list[tuple[int, list[Any]]] = []
    number = at + 1
    width = len(header)

    def take(cells: list[Any]) -> None:
        if not any(_text(c) for c in cells[:width]):
            return
        if len(rows) >= MAX_STATEMENT_ROWS:
            raise ValidationError({"file": _("Sao kê quá dài: tối đa %(limit)s dòng mỗi lần; "
                                             "hãy chia theo tháng.") % {"limit": MAX_STATEMENT_ROWS}})
        rows.append((number, list(cells[:width]) + [None] * (width - len(cells))))

    for cells in head[at + 1:]:
        number += 1
        take(cells)
    for cells in raw:
        number += 1
        if number > MAX_RAW_ROWS:
            raise ValidationError({"file": _("Tệp quá nhiều dòng (tối đa %(limit)s dòng giao dịch).") % {
                "limit": MAX_STATEMENT_ROWS}})
        take(cells)
    return _Sheet(kind, columns, rows)


# -- values ------------------------------------------------------------------------------------------------
def _parse_date(value: Any) -> date:
    """A real date, an Excel serial, dd/mm/yyyy (- or . too, a time after it ignored), yyyy-mm-dd, yyyymmdd."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(_("«%(text)s» không phải là ngày.") % {"text": _text(value)})
    text = clean(str(value))
    first = re.split(r"[ T]", text, maxsplit=1)[0]
    try:
        if first.isdigit() and len(first) == 8:
            first = f"{first[:4]}-{first[4:6]}-{first[6:]}"
        parts = re.split(r"[/.\-]", first)
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError
        if len(parts[0]) == 4:
            y, m, d = (int(p) for p in parts)
        else:
            d, m, y = (int(p) for p in parts)
            if len(parts[2]) <= 2:
                y += 2000
        if y < 2000:
            raise ValueError
        return date(y, m, d)
    except ValueError:
        raise ValueError(_("«%(text)s» không phải là ngày (dùng dạng ngày/tháng/năm).") % {"text": text[:30]}) from None


def _parse_amount(value: Any) -> tuple[Decimal, str | None]:
    """The amount of a cell (a number, or text such as "1.234.000", "12,50", "1,234.56", "(25.00)", "-5",
    "12,50 EUR", "500.000đ") and a currency written beside it. Separators are read without knowing the
    currency, the way statements write them: with both "." and ",", the last one is the decimal mark; with one
    of them only, it groups thousands when it occurs more than once or is followed by exactly three digits, and
    is the decimal mark otherwise."""
    if isinstance(value, bool):
        raise ValueError(_not_amount() % {"text": value})
    if isinstance(value, int | float | Decimal):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        _bounded(amount, value)
        return amount, None
    text = clean(str(value))
    raw = text.replace(" ", "").replace("\u202f", "")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    currency = None
    match = re.fullmatch(r"([^0-9.,+\-]*)([+\-]?)([0-9.,]+)(-?)([^0-9.,+\-]*)", raw)
    if match is None:
        raise ValueError(_not_amount() % {"text": text[:30]})
    before, sign, number, trailing_minus, after = match.groups()
    for side in (before, after):
        if side:
            currency = _currency_code(side)
            if currency is None:
                raise ValueError(_not_amount() % {"text": text[:30]})
    negative = negative or sign == "-" or trailing_minus == "-"
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        mark = "." if number.rfind(".") > number.rfind(",") else ","
        whole, _sep, frac = number.rpartition(mark)
        digits = whole.replace(".", "").replace(",", "") + "." + frac
    elif dots or commas:
        mark = "." if dots else ","
        whole, _sep, frac = number.rpartition(mark)
        if number.count(mark) > 1 or len(frac) == 3:
            digits = number.replace(mark, "")
        else:
            digits = whole + "." + frac
    else:
        digits = number
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValueError(_not_amount() % {"text": text[:30]}) from None
    _bounded(amount, text)
    return (-amount if negative else amount), currency


def _not_amount() -> str:
    return _("«%(text)s» không phải một số tiền.")


def _bounded(amount: Decimal, text: Any) -> None:
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError(_("«%(text)s» không phải một số tiền hợp lệ (quá lớn).") % {"text": str(text)[:30]})


def _card(value: Any) -> str:
    """A card number as the member records keep it: letters and digits, upper case."""
    return re.sub(r"[\s.\-]", "", _text(value)).upper()


def _canonical(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _fingerprint(unit_id: int, day: date, amount: Decimal, reference: str, card: str, occurrence: int) -> str:
    parts = (str(unit_id), day.isoformat(), _canonical(amount), reference, card, str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# -- the preview ---------------------------------------------------------------------------------------------
@dataclass
class StatementLine:
    """One line of the statement and what the import does with it."""

    row: int                              # its row number in the file (the header's row + n)
    status: str                           # LineStatus
    date: date | None
    amount: Decimal | None                # as read (negative: a debit)
    currency: str | None                  # the file's, else the member's profile currency, else None (unknown)
    reference: str                        # the transfer's text, cleaned
    card: str = ""                        # the card column's value ("" when there is none)
    member: Member | None = None
    reason: str = ""                      # why it is not matched, skipped or invalid; what a duplicate repeats
    key: str | None = None                # its fingerprint (Entry.statement_key); None when it cannot be read
    same_as: int | None = None            # an identical line came first in the file: its row number
    entry: Entry | None = None            # the ledger entry: the earlier one (already posted) or the new one

    @property
    def day(self) -> _dt.date | None:  # ``date`` here is the field
        """``date`` under the name the templates use."""
        return self.date

    @property
    def status_label(self) -> str:
        return LineStatus(self.status).label

    @property
    def amount_text(self) -> str:
        return format_amount(self.amount, self.currency or "") if self.amount is not None else ""


@dataclass
class StatementPreview:
    filename: str
    kind: str                             # csv / xlsx
    columns: dict[str, str]               # recognised field (date, amount, reference, card, currency, debit) → header
    extra_columns: list[str]              # headers not recognised: ignored
    lines: list[StatementLine]
    counts: dict[str, int]                # per LineStatus, every status present
    totals: dict[str, dict[str, Decimal]]  # per LineStatus, per currency ("" when unknown): the amounts
    duplicates: int = 0                   # lines identical to an earlier line of the file

    def of(self, status: str) -> list[StatementLine]:
        return [line for line in self.lines if line.status == status]

    @property
    def matched(self) -> list[StatementLine]:
        return self.of(LineStatus.MATCHED)

    @property
    def unmatched(self) -> list[StatementLine]:
        return self.of(LineStatus.UNMATCHED)

    @property
    def invalid(self) -> list[StatementLine]:
        return self.of(LineStatus.INVALID)


@dataclass
class StatementResult:
    preview: StatementPreview             # as read before posting (the posted lines carry their new entry)
    posted: list[Entry] = field(default_factory=list)
    unmatched: list[StatementLine] = field(default_factory=list)
    invalid: list[StatementLine] = field(default_factory=list)
    message: str = ""                     # what the treasurer is told


def statement_preview(*, actor: Actor, unit: Unit, data: bytes, filename: str) -> StatementPreview:
    """What importing this statement into ``unit``'s ledger would do, line by line; writes nothing.

    A line is *matched* when its card number (the card column's cell; when there is no such column or the cell is
    empty, a card number in its text, as a word or a run of digits) belongs to a member on the rolls of ``unit``
    itself (not of the units below it, not struck off), and the ledger would accept it;
    *unmatched* when no member (or more than one) is found; *already posted* when its fingerprint is in the
    ledger; *skipped* when it is not money received (an amount ≤ 0, a debit, a total or balance line);
    *invalid* when it cannot be read or ``payments_post`` would refuse it (no dues profile, another currency,
    beyond the prepayment limit, a date to come): the reason says which.

    The fingerprint of a line is the sha256 of (unit id, date, amount, reference folded, card, occurrence),
    the occurrence being how many identical lines (same date, amount, reference and card) came before it in
    the file. Two identical lines are two transfers the bank made (a member who paid twice, two payers writing
    the same text), so both are posted, under distinct keys; the preview shows the second as a duplicate
    (``same_as``). The same file, or a later statement listing the same transfers in the same order, gives the
    same keys, so nothing is posted twice: only a new identical transfer (a third one) would be."""
    require(actor, "dues.record", unit)
    return _preview(unit, data, clean(filename)[:200])


def _preview(unit: Unit, data: bytes, filename: str) -> StatementPreview:
    sheet = _read(data, filename)
    cols = sheet.columns
    today = clock.today()

    def cell(cells: list[Any], name: str) -> Any:
        i = cols.index.get(name)
        return cells[i] if i is not None else None

    lines: list[StatementLine] = []
    seen: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    for row, cells in sheet.rows:
        reference = _text(cell(cells, "reference"))
        card = _card(cell(cells, "card"))
        line = StatementLine(row=row, status=LineStatus.INVALID, date=None, amount=None, currency=None,
                             reference=reference, card=card)
        lines.append(line)
        raw_date, raw_amount = cell(cells, "date"), cell(cells, "amount")
        if not _text(raw_date):
            if any(fold(_text(c)).startswith(_FOOTERS) for c in cells):
                line.status, line.reason = LineStatus.SKIPPED, _("Dòng tổng cộng / số dư, không phải giao dịch.")
            else:
                line.reason = _("Thiếu ngày giao dịch.")
            continue
        try:
            line.date = _parse_date(raw_date)
        except ValueError as exc:
            line.reason = str(exc)
            continue
        currency_text = _text(cell(cells, "currency"))
        file_currency = _currency_code(currency_text) if currency_text else None
        if currency_text and file_currency is None:
            line.reason = _("«%(text)s» không phải mã đồng tiền (ví dụ EUR, USD, VND).") % {"text": currency_text[:20]}
            continue
        if not _text(raw_amount):
            debit = _text(cell(cells, "debit"))
            if debit:
                line.status, line.reason = LineStatus.SKIPPED, _("Không phải khoản thu (ghi nợ).")
            else:
                line.reason = _("Thiếu số tiền.")
            continue
        try:
            amount, written = _parse_amount(raw_amount)
        except ValueError as exc:
            line.reason = str(exc)
            continue
        line.amount = amount
        line.currency = file_currency or written or cols.currency
        if amount <= 0:
            line.status, line.reason = LineStatus.SKIPPED, _("Không phải khoản thu (số tiền không lớn hơn 0).")
            continue
        identity = (line.date.isoformat(), _canonical(amount), " ".join(fold(reference).split()), card)
        earlier = seen[identity]
        line.key = _fingerprint(unit.pk, line.date, amount, identity[2], card, len(earlier))
        if earlier:
            line.same_as = earlier[0]
        earlier.append(row)
        line.status = LineStatus.MATCHED  # for now: the ledger and the members decide below
    _settle(unit, lines, cols, today)
    counts = {status.value: 0 for status in LineStatus}
    totals: dict[str, dict[str, Decimal]] = {status.value: {} for status in LineStatus}
    for line in lines:
        counts[line.status] += 1
        if line.amount is not None:
            per = totals[line.status]
            per[line.currency or ""] = per.get(line.currency or "", Decimal(0)) + line.amount
    return StatementPreview(filename=filename, kind=sheet.kind, columns=dict(cols.names), extra_columns=cols.extra,
                            lines=lines, counts=counts, totals=totals,
                            duplicates=sum(1 for line in lines if line.same_as is not None))


def _settle(unit: Unit, lines: list[StatementLine], cols: _Columns, today: date) -> None:
    """Lines still MATCHED (readable money in): already posted, unmatched, invalid for the ledger, or matched."""
    pending = [line for line in lines if line.status == LineStatus.MATCHED]
    keys = [line.key for line in pending if line.key]
    posted: dict[str, Entry] = {}
    for i in range(0, len(keys), 900):
        posted.update((e.statement_key, e) for e in Entry.objects.filter(statement_key__in=keys[i:i + 900])
                      .select_related("member") if e.statement_key)
    members = list(members_of_unit(unit).exclude(card_number__isnull=True).exclude(card_number=""))
    by_card = {_card(m.card_number): m for m in members}
    found: dict[int, Member] = {}
    for line in pending:
        entry = posted.get(line.key or "")
        if entry is not None:
            line.status, line.entry, line.member = LineStatus.ALREADY_POSTED, entry, entry.member
            line.reason = _("Đã ghi trước đó: biên lai %(receipt)s, ngày %(day)s.") % {
                "receipt": entry.receipt, "day": f"{entry.paid_on:%d/%m/%Y}"}
            continue
        if "card" in cols.index and line.card:
            member = by_card.get(line.card)
            if member is None:
                line.status = LineStatus.UNMATCHED
                line.reason = _("Số thẻ «%(card)s» không thuộc đảng viên nào trong danh sách của %(unit)s.") % {
                    "card": line.card, "unit": unit.name}
                continue
        else:
            text = fold(line.reference).upper()
            tokens = set(_TOKEN.findall(text)) | set(_DIGITS.findall(text))
            hits = {by_card[t].pk: by_card[t] for t in tokens if t in by_card}
            if len(hits) != 1:
                line.status = LineStatus.UNMATCHED
                line.reason = (_("Không tìm thấy số thẻ đảng viên nào của chi bộ trong nội dung.") if not hits else
                               _("Nội dung có số thẻ của nhiều đảng viên (%(names)s): không biết ghi cho ai.") % {
                                   "names": ", ".join(m.full_name for m in hits.values())})
                continue
            member = next(iter(hits.values()))
        line.member = member
        found[member.pk] = member
    _check_for_ledger([line for line in pending if line.status == LineStatus.MATCHED], found, today)


def _check_for_ledger(lines: list[StatementLine], members: dict[int, Member], today: date) -> None:
    """What ``services._check_line`` would refuse, for every matched line at once (one ``positions`` read, not
    one per line), in file order, each member's lines added up as ``payments_post`` will see them: a line the
    ledger would refuse becomes invalid with the reason and is left out of the sum. (``payments_post`` checks
    every line again when posting; a disagreement refuses the whole statement, never posts a wrong line.)"""
    if not lines:
        return
    found: dict[int, Position] = positions(members.values(), today=today)
    limit = drules.prepay_limit(today)
    horizon = add_months(drules.month_start(today), limit)
    running: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        member = line.member
        assert member is not None and line.amount is not None and line.date is not None
        position = found[member.pk]
        currency = position.currency
        problem = ""
        amount = line.amount
        if line.date > today:
            problem = _("Ngày giao dịch ở tương lai.")
        elif currency is None:
            problem = _("%(member)s chưa có mức đóng đảng phí: hãy ghi mức đóng trước.") % {"member": member.full_name}
        elif line.currency and line.currency != currency:
            problem = (_("Khoản chuyển bằng %(currency)s, còn mức đóng đảng phí của %(member)s tính bằng "
                         "%(their_currency)s: hãy ghi tay sau khi quy đổi.") % {
                           "currency": line.currency, "member": member.full_name, "their_currency": currency})
        else:
            try:
                amount = parse_amount(line.amount, currency)
            except ValueError as exc:
                problem = f"{member.full_name}: {exc}"
            else:
                if not position.covers_with(running[member.pk] + amount, through=horizon):
                    problem = (_("%(member)s: %(amount)s vượt quá số tiền đóng trước "
                                 "cho phép (đến hết tháng %(horizon)s, %(rule_name)s: "
                                 "%(limit)s tháng).") % {
                                   "member": member.full_name, "amount": format_amount(amount, currency),
                                   "horizon": format(horizon, "%m/%Y"),
                                   "rule_name": rule_name('dues.prepay_max_months'), "limit": limit})
        if problem:
            line.status, line.reason = LineStatus.INVALID, problem
            continue
        line.amount, line.currency = amount, currency
        running[member.pk] += amount
        if line.same_as is not None:
            line.reason = _("Giống hệt dòng %(row)s: được ghi như một khoản chuyển riêng.") % {"row": line.same_as}


# -- posting -----------------------------------------------------------------------------------------------
def _batches(lines: Sequence[StatementLine]) -> list[tuple[date, list[StatementLine]]]:
    """The lines to post, by payment date (oldest first), each date's lines split so that no member appears
    twice in one ``payments_post`` call (a member's lines keep their order in the file)."""
    by_day: dict[date, list[list[StatementLine]]] = defaultdict(list)
    for line in lines:
        assert line.date is not None and line.member is not None
        batches = by_day[line.date]
        pk = line.member.pk
        target = next((b for b in batches if all(x.member is not None and x.member.pk != pk for x in b)), None)
        if target is None:
            target = []
            batches.append(target)
        target.append(line)
    return [(day, batch) for day in sorted(by_day) for batch in by_day[day]]


def statement_post(*, actor: Actor, unit: Unit, data: bytes, filename: str,
                   method: str = Method.BANK) -> StatementResult:
    """Read the statement again (as ``statement_preview``) and post its matched lines not yet in the ledger,
    through ``payments_post`` (one call per payment date, each line with its fingerprint as ``statement_key``),
    in one transaction: all of them or none. Unmatched and invalid lines are returned to be recorded by hand.
    One audit row ``dues.statement_posted`` sums it up (each entry is audited by ``payments_post``); a statement
    with nothing new posts nothing, writes nothing, and says so."""
    require(actor, "dues.record", unit)
    if method not in (Method.BANK, Method.PORTAL):
        raise ValidationError({"method": _("Sao kê là của ngân hàng (chuyển khoản) hoặc cổng dịch vụ công.")})
    filename = clean(filename)[:200]
    note = f"Sao kê {filename}"[:200]
    try:
        with transaction.atomic():
            preview = _preview(unit, data, filename)
            entries: list[Entry] = []
            for paid_on, batch in _batches(preview.matched):
                result = payments_post(actor=actor, unit=unit, paid_on=paid_on, method=method, note=note, lines=[
                    PaymentLine(line.member, line.amount, reference=line.reference, statement_key=line.key)
                    for line in batch if line.member is not None and line.amount is not None])
                for line, entry in zip(batch, result.entries, strict=True):
                    line.entry = entry
                entries.extend(result.entries)
            if entries:
                totals: dict[str, Decimal] = defaultdict(Decimal)
                for entry in entries:
                    totals[entry.currency] += entry.amount
                audit(actor=actor, action="dues.statement_posted", unit=unit, data={
                    "filename": filename, "method": method, "lines": len(preview.lines), "posted": len(entries),
                    "already_posted": preview.counts[LineStatus.ALREADY_POSTED],
                    "unmatched": preview.counts[LineStatus.UNMATCHED], "invalid": preview.counts[LineStatus.INVALID],
                    "skipped": preview.counts[LineStatus.SKIPPED], "duplicates": preview.duplicates,
                    "totals": {c: str(v) for c, v in sorted(totals.items())},
                    "receipts": [entries[0].receipt, entries[-1].receipt]})
    except IntegrityError as exc:  # another import of the same lines committed first (Entry.statement_key)
        raise ValidationError({"file": _("Một số dòng của sao kê này vừa được người khác ghi; "
                                         "hãy xem trước lại.")}) from exc
    return StatementResult(preview=preview, posted=entries, unmatched=preview.unmatched, invalid=preview.invalid,
                           message=_message(preview, entries))


def _message(preview: StatementPreview, entries: list[Entry]) -> str:
    counts = preview.counts
    parts: list[str] = []
    if entries:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for entry in entries:
            totals[entry.currency] += entry.amount
        money = ", ".join(format_amount(v, c) for c, v in sorted(totals.items()))
        parts.append(_("Đã ghi %(count)s khoản thu (%(money)s) từ sao kê «%(file)s».") % {
            "count": len(entries), "money": money, "file": preview.filename})
    elif counts[LineStatus.ALREADY_POSTED]:
        parts.append(_("Không có khoản nào mới để ghi: %(count)s dòng của sao kê này đã được ghi từ trước.") % {
            "count": counts[LineStatus.ALREADY_POSTED]})
    else:
        parts.append(_("Không có khoản nào để ghi."))
    if entries and counts[LineStatus.ALREADY_POSTED]:
        parts.append(_("%(count)s dòng đã được ghi từ trước, không ghi lại.") % {
            "count": counts[LineStatus.ALREADY_POSTED]})
    if counts[LineStatus.UNMATCHED]:
        parts.append(_("%(count)s dòng chưa khớp được đảng viên nào của chi bộ: hãy ghi tay.") % {
            "count": counts[LineStatus.UNMATCHED]})
    if counts[LineStatus.INVALID]:
        parts.append(_("%(count)s dòng không ghi được (xem lý do từng dòng).") % {
            "count": counts[LineStatus.INVALID]})
    return " ".join(parts)
