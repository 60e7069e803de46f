"""Member exports: the on-screen list as streamed XLSX (constant memory), the member list book 7-HSĐV.

Every export reads through members.selectors.member_search (the actor's scope) and is audited.
Cells that a spreadsheet would run as a formula (= + - @, tab, CR) are neutralised with a leading quote.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.audit import audit
from chibo.core.documents import OfficialDocument, Paragraph, Table, render_pdf
from chibo.core.sheets import safe_row
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.selectors import MemberFilters, member_search

if TYPE_CHECKING:
    from chibo.members.models import Member


LIST_COLUMNS = [
    ("full_name", "Họ và tên"), ("gender", "Giới tính"), ("birth_date", "Ngày sinh"),
    ("card_number", "Số thẻ đảng viên"), ("dossier_number", "Số lý lịch"), ("admission_date", "Ngày vào Đảng"),
    ("confirmation_date", "Ngày chính thức"), ("status", "Tình trạng"), ("category", "Diện ở nước ngoài"),
    ("unit", "Chi bộ"), ("home_town", "Quê quán"), ("job_title", "Chức vụ, nghề nghiệp"), ("workplace", "Nơi làm việc"),
    ("admission_decided_on", "Ngày quyết định kết nạp"),
    ("unit_national_code", "Mã tổ chức quốc gia"),
]



def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _row(m: Member) -> list:
    return safe_row((
        m.full_name, m.get_gender_display(), _d(m.birth_date), m.card_number or "", m.dossier_number or "",
        _d(m.admission_date), _d(m.confirmation_date), m.get_status_display(), m.get_category_display(),
        m.unit.code, m.home_town, m.job_title, m.workplace, _d(m.admission_decided_on),
        m.unit.national_code or "",
    ))


def export_queryset(actor: Actor, filters: MemberFilters):
    return member_search(actor, filters).defer("citizen_id", "phone", "email")


def stream_member_xlsx(actor: Actor, filters: MemberFilters, *, chunk: int = 2000) -> Iterator[bytes]:
    """The filtered list as an XLSX, produced with openpyxl's write-only mode into a temporary file and
    streamed back in blocks: memory stays flat however many rows there are."""

    qs = export_queryset(actor, filters)
    audit(actor=actor, action="members.exported", unit=filters.unit,
          data={"format": "xlsx", "q": filters.q, "status": filters.status, "category": filters.category,
                "country": filters.country, "unit": filters.unit.code if filters.unit else ""})
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Danh sách đảng viên")
        ws.append([label for _, label in LIST_COLUMNS])
        for m in qs.iterator(chunk_size=chunk):
            ws.append(_row(m))
        wb.save(path)
        with open(path, "rb") as fh:
            yield from iter(lambda: fh.read(64 * 1024), b"")
    finally:
        os.unlink(path)


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
