"""Member exports: the on-screen list as streamed XLSX or CSV (constant memory), the member list book 7-HSĐV.

Every export reads through members.selectors.member_search (the actor's scope) and is audited.
Cells that a spreadsheet would run as a formula (= + - @, tab, CR) are neutralised with a leading quote.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.audit import audit
from chibo.core.documents import OfficialDocument, Paragraph, Table, render_pdf
from chibo.core.sheets import XLSX, safe_row, stream_csv, stream_xlsx
from chibo.members.enums import ACTIVE_STATUSES, Category, Gender, Status
from chibo.members.selectors import MemberFilters, member_search

LIST_COLUMNS = [
    ("full_name", "Họ và tên"), ("gender", "Giới tính"), ("birth_date", "Ngày sinh"),
    ("card_number", "Số thẻ đảng viên"), ("dossier_number", "Số lý lịch"), ("admission_date", "Ngày vào Đảng"),
    ("confirmation_date", "Ngày chính thức"), ("status", "Tình trạng"), ("category", "Diện ở nước ngoài"),
    ("unit__code", "Chi bộ"), ("home_town", "Quê quán"), ("job_title", "Chức vụ, nghề nghiệp"),
    ("workplace", "Nơi làm việc"), ("admission_decided_on", "Ngày quyết định kết nạp"),
    ("unit__national_code", "Mã tổ chức quốc gia"),
]
LIST_WIDTHS = (28, 9, 12, 14, 14, 14, 14, 14, 26, 12, 24, 24, 28, 14, 16)
FORMATS = {"xlsx": (XLSX, "danh-sach-dang-vien.xlsx"), "csv": ("text/csv; charset=utf-8", "danh-sach-dang-vien.csv")}


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def export_queryset(actor: Actor, filters: MemberFilters):
    return member_search(actor, filters).defer("citizen_id", "phone", "email")


def member_rows(actor: Actor, filters: MemberFilters, *, chunk: int = 5000) -> Iterator[list]:
    """The rows of the list as exported: plain values read in chunks (no model objects), dates as the party's
    papers write them, statuses and categories by their Vietnamese names, every text made safe for a spreadsheet."""
    gender, status, category = ({value: str(label) for value, label in names.choices}
                                for names in (Gender, Status, Category))
    days: dict[date | None, str] = {None: ""}  # a day is written once per export, then looked up

    def day(value: date | None) -> str:
        text = days.get(value)
        if text is None:
            text = days[value] = _d(value)
        return text

    fields = [field for field, _label in LIST_COLUMNS]
    for (full_name, sex, born, card, dossier, admitted, confirmed, state, kind, unit_code, home_town, job, workplace,
         decided, national_code) in export_queryset(actor, filters).values_list(*fields).iterator(chunk_size=chunk):
        yield safe_row((
            full_name, gender.get(sex, sex), day(born), card or "", dossier or "", day(admitted), day(confirmed),
            status.get(state, state), category.get(kind, kind), unit_code, home_town, job, workplace, day(decided),
            national_code or "",
        ))


def stream_member_list(actor: Actor, filters: MemberFilters, fmt: str = "xlsx") -> Iterator[bytes]:
    """The filtered list as XLSX or CSV (``FORMATS``), written while it is read: memory stays flat however many
    rows there are. Audited once, with the filters, before the first row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    audit(actor=actor, action="members.exported", unit=filters.unit,
          data={"format": fmt, "q": filters.q, "status": filters.status, "category": filters.category,
                "country": filters.country, "unit": filters.unit.code if filters.unit else ""})
    header = [label for _field, label in LIST_COLUMNS]
    rows = member_rows(actor, filters)
    if fmt == "csv":
        return stream_csv(header, rows)
    return stream_xlsx(header, rows, sheet="Danh sách đảng viên", widths=LIST_WIDTHS)


# -- the member list book (Mẫu 7-HSĐV) ------------------------------------------------------------------
BOOK_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Quê quán", "Ngày vào Đảng", "Ngày chính thức",
                "Số thẻ", "Số lý lịch", "Tình trạng", "Ghi chú"]


def book_rows(actor: Actor, unit) -> list[list[str]]:
    qs = member_search(actor, MemberFilters(unit=unit, active_only=True)).filter(status__in=ACTIVE_STATUSES)
    rows = []
    for i, m in enumerate(qs.defer("citizen_id", "phone", "email").iterator(chunk_size=2000), 1):
        rows.append([str(i), m.full_name, _d(m.birth_date), m.get_gender_display(), m.home_town,
                     _d(m.admission_date), _d(m.confirmation_date), m.card_number or "", m.dossier_number or "",
                     m.get_status_display(), m.unit.name if m.unit_id != unit.pk else ""])
    return rows


def book_document(actor: Actor, unit) -> OfficialDocument:
    rows = book_rows(actor, unit)
    upper = unit.parent.name.upper() if unit.parent_id else ""
    return OfficialDocument(
        title="SỔ DANH SÁCH ĐẢNG VIÊN", issuer=unit.name.upper(), upper_issuer=upper, form_code="Mẫu 7-HSĐV",
        subtitle=f"Lập ngày {_d(clock.today())}", landscape=True,
        blocks=[Paragraph(f"Tổng số: {len(rows)} đảng viên.", indent=False),
                Table(headers=BOOK_HEADERS, rows=rows, widths=[4, 16, 8, 5, 12, 8, 8, 8, 8, 8, 15])],
    )


def book_pdf(actor: Actor, unit) -> bytes:
    doc = book_document(actor, unit)
    table = doc.blocks[1]
    assert isinstance(table, Table)
    audit(actor=actor, action="members.book_exported", unit=unit, data={"format": "pdf", "rows": len(table.rows)})
    return render_pdf(doc)


def book_xlsx(actor: Actor, unit) -> bytes:
    rows = book_rows(actor, unit)
    wb = Workbook()
    ws = wb.active
    ws.title = "7-HSĐV"
    ws.append([f"SỔ DANH SÁCH ĐẢNG VIÊN (Mẫu 7-HSĐV) — {unit.name}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Lập ngày {_d(clock.today())}; tổng số {len(rows)} đảng viên"])
    ws.append(BOOK_HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    for letter, width in zip("ABCDEFGHIJK", (5, 26, 12, 8, 18, 12, 12, 12, 12, 12, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    audit(actor=actor, action="members.book_exported", unit=unit, data={"format": "xlsx", "rows": len(rows)})
    return out.getvalue()
