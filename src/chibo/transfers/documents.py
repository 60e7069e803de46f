"""Letters (10-box, 2-SHĐ, 3-SHĐ) and the transfer book (10-SHĐ) as official documents, rendered
by ``chibo.core.documents`` (PDF and DOCX from the same data) and openpyxl (XLSX)."""

from __future__ import annotations

import io

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.transfers.models import Form, Letter, Transfer

TITLES = {
    Form.TEN_BOX: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
    Form.TEMPORARY: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG TẠM THỜI",
    Form.ABROAD: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG RA NƯỚC NGOÀI",
}
FORM_CODES = {Form.TEN_BOX: "Giấy giới thiệu 10 ô — ô số {box}", Form.TEMPORARY: "Mẫu 2-SHĐ",
              Form.ABROAD: "Mẫu 3-SHĐ"}


def _d(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


def _upper_of(unit) -> str:
    return unit.parent.name.upper() if unit.parent_id else ""


def letter_document(letter: Letter) -> OfficialDocument:
    t: Transfer = letter.transfer
    m = letter.member
    blocks = [
        Paragraph(f"Kính gửi: {letter.addressee}", bold=True, align="center", indent=False),
        Paragraph(f"{letter.issuer.name} trân trọng giới thiệu đồng chí:", indent=False),
        Field("Họ và tên", m.full_name),
        Field("Ngày sinh", _d(m.birth_date)),
        Field("Số thẻ đảng viên", m.card_number or "…"),
        Field("Số lý lịch", m.dossier_number or "…"),
        Field("Ngày vào Đảng", _d(m.admission_date)),
        Field("Ngày chính thức", _d(m.confirmation_date)),
        Field("Là đảng viên", m.get_status_display()),
        Field("Số thứ tự trong danh sách đảng viên", str(letter.member_list_row or "…")),
        Field("Số thứ tự trong sổ giới thiệu sinh hoạt đảng", f"{letter.seq}/{letter.year}"),
        Field("Đã đóng đảng phí đến hết tháng", letter.dues_paid_through),
        Field("Quyết định điều động", f"{t.decision_doc} ngày {_d(t.decision_date)}"),
        Field("Lý do", t.reason),
    ]
    if letter.form == Form.TEMPORARY:
        blocks.append(Field("Thời gian sinh hoạt tạm thời", f"từ {_d(t.period_from)} đến {_d(t.period_to)}"))
    blocks += [
        Field("Đến sinh hoạt tại", letter.addressee),
        Paragraph(f"Giấy này có giá trị đến hết ngày {_d(letter.valid_until)}. Đề nghị đồng chí xuất trình "
                  "giấy giới thiệu với cấp ủy nơi đến đúng thời hạn.", italic=True),
    ]
    return OfficialDocument(
        title=TITLES[letter.form], issuer=letter.issuer.name.upper(), upper_issuer=_upper_of(letter.issuer),
        number=f"Số {letter.number}", place=letter.issuer.city or "Hà Nội", issued_on=letter.issued_on,
        form_code=FORM_CODES[letter.form].format(box=letter.box), blocks=blocks,
        signer_on_behalf="T/M ĐẢNG ỦY" if letter.issuer.depth == 0 else "T/M CHI ỦY",
        signer_title=letter.signer_title.upper(), signer_name=letter.signer_name,
        recipients=[letter.addressee, "Đảng viên có tên trên", "Lưu sổ giới thiệu (10-SHĐ)"],
        void_reason=letter.void_reason,
    )


BOOK_HEADERS = ["Số", "Ngày cấp", "Họ và tên", "Số thẻ", "Số lý lịch", "Mẫu", "Nơi đến",
                "Đảng phí đến", "Có giá trị đến", "Ghi chú"]


def book_rows(letters) -> list[list[str]]:
    rows = []
    for letter in letters:
        note = f"ĐÃ HỦY: {letter.void_reason}" if letter.is_void else ""
        rows.append([letter.number, _d(letter.issued_on), letter.member.full_name, letter.member.card_number or "",
                     letter.member.dossier_number or "", letter.get_form_display().split("(")[-1].rstrip(")")
                     if letter.form != Form.TEN_BOX else "10 ô", letter.addressee, letter.dues_paid_through,
                     _d(letter.valid_until), note])
    return rows


def book_document(unit, year: int, letters) -> OfficialDocument:
    return OfficialDocument(
        title="SỔ GIỚI THIỆU SINH HOẠT ĐẢNG", issuer=unit.name.upper(), upper_issuer=_upper_of(unit),
        subtitle=f"Năm {year}", form_code="Mẫu 10-SHĐ", landscape=True,
        blocks=[Table(headers=BOOK_HEADERS, rows=book_rows(letters), widths=[8, 8, 14, 8, 8, 6, 16, 7, 8, 12])],
    )


def book_xlsx(unit, year: int, letters) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"10-SHĐ {year}"
    ws.append([f"SỔ GIỚI THIỆU SINH HOẠT ĐẢNG (Mẫu 10-SHĐ) — {unit.name} — năm {year}"])
    ws["A1"].font = Font(bold=True)
    ws.append(BOOK_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in book_rows(letters):
        ws.append(row)
    for col, width in zip("ABCDEFGHIJ", [14, 12, 26, 14, 14, 8, 36, 12, 14, 30], strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
