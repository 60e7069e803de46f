"""Official documents of dues: the receipt of a payment and a cell's monthly dues book ("SỔ THU, NỘP ĐẢNG
PHÍ"), rendered by ``chibo.core.documents`` (PDF and DOCX from the same data) and openpyxl (XLSX).

The book has one row per member and currency (a member whose profile changed currency has a second row for the
other one, so every amount cell holds one currency), then one totals row per currency: the totals are the
cell's ``CellMonth.totals()``, which are the sums of the rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.core.money import format_amount, minor_digits, quantize
from chibo.core.sheets import safe_row
from chibo.dues.enums import EntryKind, Method
from chibo.dues.models import Entry
from chibo.dues.selectors import CellLine, CellMonth
from chibo.members.enums import PostRole
from chibo.members.selectors import post_holder_on
from chibo.units.headings import on_behalf, upper_issuer

if TYPE_CHECKING:
    pass

DASH = "—"

# --------------------------------------------------------------------------------------------------
# Amounts in words
# --------------------------------------------------------------------------------------------------
DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ((10**6, "triệu"), (10**3, "nghìn"), (1, ""))  # below a billion; billions recurse ("một nghìn tỷ")

# How a receipt names a currency and its minor unit (the minor amount is written in figures: "và 50 cent").
CURRENCY_WORDS: dict[str, tuple[str, str]] = {
    "VND": ("đồng", ""), "EUR": ("euro", "cent"), "USD": ("đô la Mỹ", "cent"), "GBP": ("bảng Anh", "penny"),
    "CHF": ("franc Thụy Sĩ", "centime"), "JPY": ("yên Nhật", ""), "KRW": ("won Hàn Quốc", ""),
    "CNY": ("nhân dân tệ", "fen"), "RUB": ("rúp Nga", "kopek"), "AUD": ("đô la Úc", "cent"),
    "CAD": ("đô la Canada", "cent"), "SGD": ("đô la Singapore", "cent"), "NZD": ("đô la New Zealand", "cent"),
    "HKD": ("đô la Hồng Kông", "cent"), "TWD": ("đô la Đài Loan", "cent"), "THB": ("baht Thái Lan", "satang"),
    "LAK": ("kíp Lào", "att"), "KHR": ("riel Campuchia", "sen"), "CZK": ("koruna Séc", "haléř"),
    "PLN": ("zloty Ba Lan", "grosz"), "HUF": ("forint Hungary", "fillér"), "SEK": ("krona Thụy Điển", "öre"),
    "NOK": ("krone Na Uy", "øre"), "DKK": ("krone Đan Mạch", "øre"), "INR": ("rupee Ấn Độ", "paisa"),
}


def _group(n: int, *, leading: bool) -> list[str]:
    """A group of three digits (1..999). Inside a number (not ``leading``) the hundreds are always read
    ("không trăm") and a lone unit after them takes "linh": 1 000 005 → "một triệu không trăm linh năm"."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    full = hundreds > 0 or not leading
    if full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += ["linh", DIGITS[units]] if full else [DIGITS[units]]
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def number_in_words(n: int) -> str:
    """A whole number ≥ 0 as it is read in Vietnamese (lower case): 21 → "hai mươi mốt", 105 → "một trăm linh
    năm", 1 000 000 000 → "một tỷ"; beyond 999 tỷ the billions are read as a number of tỷ ("một nghìn tỷ")."""
    if n < 0:
        raise ValueError("number_in_words: a negative number")
    if n == 0:
        return DIGITS[0]
    billions, rest = divmod(n, 10**9)
    words: list[str] = [number_in_words(billions), "tỷ"] if billions else []
    for scale, name in SCALES:
        value, rest = divmod(rest, scale)
        if value:
            words += _group(value, leading=not words)
            if name:
                words.append(name)
    return " ".join(words)


def amount_in_words(amount: Decimal, currency: str) -> str:
    """An amount as a receipt writes it in words ("Bằng chữ"): "Năm nghìn đồng", "Năm mươi euro",
    "Mười hai euro và 50 cent". Rounded to the currency's minor unit first; a negative amount is refused."""
    value = quantize(Decimal(amount), currency)
    if value < 0:
        raise ValueError("amount_in_words: a negative amount")
    whole = int(value)
    minor = int((value - whole).scaleb(minor_digits(currency)))
    name, minor_name = CURRENCY_WORDS.get(currency, (currency, "xu"))
    text = f"{number_in_words(whole)} {name}"
    if minor:
        text += f" và {minor} {minor_name}"
    return text[0].upper() + text[1:]


# --------------------------------------------------------------------------------------------------
# Shared bits
# --------------------------------------------------------------------------------------------------
def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _m(month: date | None) -> str:
    return month.strftime("%m/%Y") if month else ""


def months_text(entry: Entry) -> str:
    """``Entry.months`` as mm/yyyy (a range with "–")."""
    if entry.months is None:
        return "theo thứ tự các tháng còn nợ"
    first, last = entry.months
    return _m(first) if last == first else f"{_m(first)}–{_m(last)}"


def _reversal_text(reversal: Entry) -> str:
    return f"ĐÃ HỦY bằng bút toán đảo ngày {_d(reversal.paid_on)}: {reversal.note}"


# --------------------------------------------------------------------------------------------------
# The receipt
# --------------------------------------------------------------------------------------------------
def receipt_document(entry: Entry, *, reversed_by: Entry | None = None) -> OfficialDocument:
    """The receipt of a payment, numbered per unit and year (``Entry.receipt``), issued by the unit that
    collected it on the day it was paid. ``reversed_by``: the reversal entry of this payment, printed on it
    (and as the void banner on top). A reversal has no receipt of its own: ValueError."""
    if entry.kind == EntryKind.REVERSAL or entry.reverses_id is not None:
        raise ValueError("a reversal entry has no receipt: print the receipt of the payment it reverses")
    if not entry.receipt:
        raise ValueError("this ledger entry has no receipt number")
    if reversed_by is not None and reversed_by.reverses_id != entry.pk:
        raise ValueError("reversed_by does not reverse this entry")
    unit = entry.unit
    blocks: list = [
        Field("Họ và tên người nộp", entry.member.full_name),
        Field("Sinh hoạt tại", unit.name),  # the unit the member belonged to when paying (checked on posting)
        Field("Số tiền", format_amount(entry.amount, entry.currency)),
        Field("Bằng chữ", amount_in_words(entry.amount, entry.currency)),
        Field("Nộp đảng phí cho các tháng", months_text(entry)),
        Field("Hình thức nộp", Method(entry.method).label if entry.method in Method.values else entry.method),
    ]
    if entry.reference:
        blocks.append(Field("Số chứng từ / nội dung chuyển khoản", entry.reference))
    if entry.note:
        blocks.append(Field("Ghi chú", entry.note))
    collector = entry.collector or entry.created_by
    blocks.append(Field("Người thu", collector))
    void = ""
    if reversed_by is not None:
        blocks.append(Paragraph(_reversal_text(reversed_by), bold=True, indent=False))
        void = f"bút toán đảo ngày {_d(reversed_by.paid_on)}"
    return OfficialDocument(
        title="BIÊN LAI THU ĐẢNG PHÍ", issuer=unit.name.upper(), upper_issuer=upper_issuer(unit),
        number=f"Số {entry.receipt}", place=unit.city, issued_on=entry.paid_on, blocks=blocks,
        second_signer_title="NGƯỜI NỘP", second_signer_name=entry.member.full_name,
        signer_title="NGƯỜI THU", signer_name=collector, void_reason=void,
    )


# --------------------------------------------------------------------------------------------------
# The monthly dues book
# --------------------------------------------------------------------------------------------------
BOOK_TITLE = "SỔ THU, NỘP ĐẢNG PHÍ"
BOOK_HEADERS = ["STT", "Họ và tên", "Mức phải đóng tháng", "Đã thu trong tháng (số biên lai)", "Đóng đến tháng",
                "Còn nợ", "Dư có", "Ghi chú"]
XLSX_HEADERS = ["STT", "Họ và tên", "Đồng tiền", "Mức phải đóng tháng", "Đã thu trong tháng", "Số biên lai",
                "Đóng đến tháng", "Còn nợ", "Dư có", "Ghi chú"]
TOTAL_KEYS = ("due", "collected", "arrears", "credit")


@dataclass
class BookRow:
    """One row of the book: a member in one currency (``currency`` "" for a member with no dues profile)."""

    number: str                      # STT ("" on a member's second currency)
    name: str
    currency: str
    due: Decimal | None              # the month's obligation (None: nothing computed for the month)
    collected: Decimal               # net of the month's entries in this currency (payments − reversals)
    receipts: list[str] = field(default_factory=list)  # "1/2026", "2/2026 đã hủy"
    paid_through: str = ""
    arrears: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    note: str = ""


def _entries_around(cm: CellMonth) -> tuple[dict[int, Entry], dict[int, Entry]]:
    """For the month's entries: the reversal of each payment (whenever it was posted) and the payment each
    reversal undoes (whenever it was paid), in one query."""
    entries = [e for line in cm.lines for e in line.entries]
    payments = [e.pk for e in entries if e.reverses_id is None]
    originals = [e.reverses_id for e in entries if e.reverses_id is not None]
    reversal_of: dict[int, Entry] = {}
    original: dict[int, Entry] = {}
    if payments or originals:
        for e in Entry.objects.filter(Q(reverses_id__in=payments) | Q(pk__in=originals)):
            if e.reverses_id is not None and e.reverses_id in payments:
                reversal_of[e.reverses_id] = e
            if e.pk in originals:
                original[e.pk] = e
    return reversal_of, original


def _obligation_note(line: CellLine) -> list[str]:
    o = line.obligation
    if o is None:
        return ["Chưa có mức đóng" if line.position.currency is None else "Không có mức phải đóng tháng này"]
    if o.amount == 0:
        return [o.basis]
    notes = [part[:1].upper() + part[1:] for part in o.basis.split(", ") if part.startswith(("giảm", "cho chậm"))]
    if o.deferred and not any(n.startswith("Cho chậm") for n in notes):
        notes.append("Được chậm đóng theo quyết định")
    return notes


def book_rows(cm: CellMonth) -> list[BookRow]:
    """The rows of the book, in the order of ``cm.lines`` (by name)."""
    reversal_of, original = _entries_around(cm)
    rows: list[BookRow] = []
    for i, line in enumerate(cm.lines, 1):
        pos = line.position
        notes = _obligation_note(line)
        if line.member.unit_id != cm.unit.pk:
            notes.append(f"Nay sinh hoạt tại {line.member.unit.name}")
        for e in line.entries:
            if e.pk in reversal_of:  # a receipt of the month, reversed (in the month or later)
                reversal = reversal_of[e.pk]
                notes.append(f"Biên lai {e.receipt} ĐÃ HỦY (bút toán đảo ngày {_d(reversal.paid_on)}: {reversal.note})")
            elif e.reverses_id is not None and e.reverses_id not in reversal_of:  # reverses an earlier month's
                paid = original.get(e.reverses_id)
                receipt = paid.receipt if paid is not None else "?"
                notes.append(f"Đảo biên lai {receipt} ngày {_d(e.paid_on)}: {e.note}")
        first = line.currency
        others = {e.currency for e in line.entries} | set(pos.arrears) | set(pos.credit)
        currencies = ([first] if first else []) + sorted(others - {first})
        if not currencies:
            rows.append(BookRow(str(i), line.member.full_name, "", None, Decimal(0), note="; ".join(notes)))
            continue
        for k, cur in enumerate(currencies):
            own = [e for e in line.entries if e.currency == cur]
            o = line.obligation
            rows.append(BookRow(
                number=str(i) if k == 0 else "", name=line.member.full_name, currency=cur,
                due=o.amount if o is not None and o.currency == cur else None,
                collected=quantize(sum((e.amount for e in own), Decimal(0)), cur),
                receipts=[e.receipt + (" đã hủy" if e.pk in reversal_of else "") for e in own if e.receipt],
                paid_through=_m(pos.paid_through) if k == 0 else "",
                arrears=pos.arrears.get(cur, Decimal(0)), credit=pos.credit.get(cur, Decimal(0)),
                note="; ".join(notes) if k == 0 else "",
            ))
    return rows


def book_totals(cm: CellMonth) -> list[tuple[str, dict[str, Decimal]]]:
    """The totals per currency, sorted by currency, rounded to its minor unit."""
    return [(cur, {k: quantize(values[k], cur) for k in TOTAL_KEYS}) for cur, values in sorted(cm.totals().items())]


def _as_of(cm: CellMonth) -> date | None:
    return cm.lines[0].position.today if cm.lines else None


def _nonzero(value: Decimal, cur: str) -> str:
    return format_amount(value, cur) if value else DASH


def book_document(cm: CellMonth) -> OfficialDocument:
    """The cell's dues book for ``cm.month``: what each member owed for the month, what was collected in it
    (with the receipt numbers), the month paid through, arrears and credit as of the day it is printed."""
    unit = cm.unit
    rows: list[list[str]] = []
    for r in book_rows(cm):
        if not r.currency:
            rows.append([r.number, r.name, DASH, DASH, DASH, DASH, DASH, r.note])
            continue
        collected = format_amount(r.collected, r.currency) if r.receipts or r.collected else DASH
        if r.receipts:
            collected += f" (BL {', '.join(r.receipts)})"
        rows.append([r.number, r.name, format_amount(r.due, r.currency) if r.due is not None else DASH, collected,
                     r.paid_through or (DASH if r.number else ""), _nonzero(r.arrears, r.currency),
                     _nonzero(r.credit, r.currency), r.note])
    for cur, t in book_totals(cm):
        rows.append(["", f"Tổng cộng ({cur})", format_amount(t["due"], cur), format_amount(t["collected"], cur), "",
                     format_amount(t["arrears"], cur), format_amount(t["credit"], cur), ""])
    as_of = _as_of(cm)
    secretary = post_holder_on([unit], PostRole.SECRETARY, as_of)
    blocks: list = [
        Paragraph(f"Tháng {_m(cm.month)} — {unit.name}", bold=True, align="center", indent=False),
        Table(headers=BOOK_HEADERS, rows=rows, widths=[4, 18, 10, 18, 8, 10, 10, 22]),
    ]
    if as_of:
        blocks.append(Paragraph(f"Cột «Đóng đến tháng», «Còn nợ», «Dư có» tính đến ngày {_d(as_of)}.",
                                italic=True, indent=False))
    return OfficialDocument(
        title=BOOK_TITLE, subtitle=f"Tháng {_m(cm.month)}", issuer=unit.name.upper(), upper_issuer=upper_issuer(unit),
        place=unit.city, issued_on=as_of, blocks=blocks, landscape=True,
        second_signer_title="NGƯỜI GHI SỔ", signer_on_behalf=on_behalf(unit), signer_title="BÍ THƯ",
        signer_name=secretary.member.full_name if secretary else "",
    )


def _number_format(cur: str) -> str:
    digits = minor_digits(cur)
    return "#,##0" + ("." + "0" * digits if digits else "")


def book_xlsx(cm: CellMonth) -> bytes:
    """The book as a spreadsheet: amounts as numbers with the currency in its own column, totals per currency;
    every text cell through ``safe_row`` (a name such as "=HYPERLINK(…)" stays text)."""
    unit = cm.unit
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"Đảng phí {cm.month:%m-%Y}"
    ws.append(safe_row([f"{BOOK_TITLE} — {unit.name} — tháng {_m(cm.month)}"]))
    ws["A1"].font = Font(bold=True, size=13)
    as_of = _as_of(cm)
    ws.append(safe_row([f"Đóng đến tháng, còn nợ, dư có tính đến ngày {_d(as_of)}" if as_of else ""]))
    ws.append(safe_row(XLSX_HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    amount_columns = (4, 5, 8, 9)  # D, E, H, I
    for r in book_rows(cm):
        if not r.currency:
            ws.append(safe_row([int(r.number), r.name, "", None, None, "", "", None, None, r.note]))
            continue
        ws.append(safe_row([int(r.number) if r.number else None, r.name, r.currency, r.due, r.collected,
                            ", ".join(r.receipts), r.paid_through, r.arrears, r.credit, r.note]))
        for col in amount_columns:
            ws.cell(row=ws.max_row, column=col).number_format = _number_format(r.currency)
    for cur, t in book_totals(cm):
        ws.append(safe_row([None, "Tổng cộng", cur, t["due"], t["collected"], "", "", t["arrears"], t["credit"], ""]))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for col in amount_columns:
            ws.cell(row=ws.max_row, column=col).number_format = _number_format(cur)
    for letter, width in zip("ABCDEFGHIJ", (5, 28, 9, 14, 14, 22, 12, 14, 14, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
