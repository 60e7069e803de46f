"""Letters (10-box, 2-SHĐ, 3-SHĐ) and the transfer book (10-SHĐ) as official documents, rendered
by ``chibo.core.documents`` (PDF and DOCX from the same data) and openpyxl (XLSX)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core.countries import country_name
from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.core.sheets import safe_row
from chibo.members.enums import PostRole
from chibo.members.selectors import post_holder_on
from chibo.transfers import selectors
from chibo.transfers.models import DeclarationState, Form, Letter, Transfer, TripState
from chibo.units.headings import on_behalf, upper_issuer

TITLES: dict[str, str] = {
    Form.TEN_BOX: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
    Form.TEMPORARY: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG TẠM THỜI",
    Form.ABROAD: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG RA NƯỚC NGOÀI",
}
FORM_CODES: dict[str, str] = {Form.TEN_BOX: "Giấy giới thiệu 10 ô — ô số 1", Form.TEMPORARY: "Mẫu 2-SHĐ",
              Form.ABROAD: "Mẫu 3-SHĐ"}
BOXES = 10
BLANK = "……………………………………"


def _d(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


def _member_fields(letter: Letter | None, t: Transfer) -> list:
    """Box 1: the member and the sending organization's record (``letter`` is None when box 1 was
    written outside the tree: only what the member record holds is printed, the rest left blank)."""
    m = t.member
    return [
        Field("Họ và tên", m.full_name),
        Field("Ngày sinh", _d(m.birth_date)),
        Field("Số thẻ đảng viên", m.card_number or ""),
        Field("Số lý lịch", m.dossier_number or ""),
        Field("Ngày vào Đảng", _d(m.admission_date)),
        Field("Ngày chính thức", _d(m.confirmation_date)),
        Field("Là đảng viên", m.get_status_display()),
        Field("Số thứ tự trong danh sách đảng viên", str(letter.member_list_row or "") if letter else ""),
        Field("Số thứ tự trong sổ giới thiệu sinh hoạt đảng", f"{letter.seq}/{letter.year}" if letter else ""),
        Field("Đã đóng đảng phí đến hết tháng", letter.dues_paid_through if letter else ""),
        Field("Quyết định điều động", f"{t.decision_doc} ngày {_d(t.decision_date)}"),
        Field("Lý do", t.reason),
    ]


def letter_document(letter: Letter) -> OfficialDocument:
    """The letter as the member carries it: 2-SHĐ and 3-SHĐ are single letters; a box of the 10-box
    letter is printed as the whole form it was written on (``ten_box_document``)."""
    if letter.form == Form.TEN_BOX:
        return ten_box_document(selectors.letter_sheet(letter))
    t: Transfer = letter.transfer
    blocks = [
        Paragraph(f"Kính gửi: {letter.addressee}", bold=True, align="center", indent=False),
        Paragraph(f"{letter.issuer.name} trân trọng giới thiệu đồng chí:", indent=False),
        *_member_fields(letter, t),
    ]
    if letter.form == Form.TEMPORARY:
        blocks.append(Field("Thời gian sinh hoạt tạm thời", f"từ {_d(t.period_from)} đến {_d(t.period_to)}"))
    blocks += [
        Field("Đến sinh hoạt tại", letter.addressee),
        Paragraph(f"Giấy này có giá trị đến hết ngày {_d(letter.valid_until)}. Đề nghị đồng chí xuất trình "
                  "giấy giới thiệu với cấp ủy nơi đến đúng thời hạn.", italic=True),
    ]
    return OfficialDocument(
        title=TITLES[letter.form], issuer=letter.issuer.name.upper(), upper_issuer=upper_issuer(letter.issuer),
        number=f"Số {letter.number}", place=letter.issuer.city or "Hà Nội", issued_on=letter.issued_on,
        form_code=FORM_CODES[letter.form], blocks=blocks,
        signer_on_behalf=on_behalf(letter.issuer), signer_title=letter.signer_title.upper(),
        signer_name=letter.signer_name,
        recipients=[letter.addressee, "Đảng viên có tên trên", "Lưu sổ giới thiệu (10-SHĐ)"],
        void_reason=letter.void_reason,
    )


def _box(n: int, letters: list[Letter]) -> Table:
    """Box ``n`` (2..10) of the form, framed: filled from its letter, or blank with its number to be
    filled by hand; a voided letter of the box is named so the book and the paper agree."""
    valid = [x for x in letters if not x.is_void]
    rows = [[f"Giấy số {x.number} ngày {_d(x.issued_on)} của {x.issuer.name} — ĐÃ HỦY: {x.void_reason}"]
            for x in letters if x.is_void]
    labels = ("Cấp ủy giới thiệu", "Số giấy, ngày", "Giới thiệu tiếp đến", "Có giá trị đến hết ngày", "Người ký")
    values: tuple[str, ...]
    if valid:
        x = valid[-1]
        values = (x.issuer.name, f"Số {x.number}, ngày {_d(x.issued_on)}", x.addressee, _d(x.valid_until),
                  f"{on_behalf(x.issuer)} — {x.signer_title.upper()} — {x.signer_name}")
    else:
        values = (BLANK,) * len(labels)
    rows += [[f"{label}: {value}"] for label, value in zip(labels, values, strict=True)]
    return Table(headers=[f"Ô SỐ {n}"], rows=rows, keep_together=True)


def ten_box_document(sheet: list[Letter]) -> OfficialDocument:
    """One paper 10-box letter (``selectors.letter_sheet``): box 1 on the front, in the layout of a
    letter, signed by the sending cell's committee; boxes 2..10 on the back in order, each filled by
    the next level up that introduced the member on, the others blank; then the receipt of the
    receiving organization. A voided box 1 voids the whole form."""
    t: Transfer = sheet[0].transfer
    first = sheet[0] if sheet[0].box == 1 else None
    by_box: dict[int, list[Letter]] = {}
    for x in sheet:
        by_box.setdefault(x.box, []).append(x)
    void_reason = first.void_reason if first else ""
    if first is not None:
        head: dict[str, Any] = {"issuer": first.issuer.name.upper(), "upper_issuer": upper_issuer(first.issuer),
                "number": f"Số {first.number}", "place": first.issuer.city or "Hà Nội", "issued_on": first.issued_on,
                "signer_on_behalf": on_behalf(first.issuer), "signer_title": first.signer_title.upper(),
                "signer_name": first.signer_name}
        addressee, valid_until = first.addressee, _d(first.valid_until)
        intro = f"{first.issuer.name} trân trọng giới thiệu đồng chí:"
    else:  # box 1 written by the sending organization outside the tree
        origin = t.from_org.name if t.from_org is not None else t.origin
        head = {"issuer": origin.upper(),
                "upper_issuer": t.from_org.upper_name.upper() if t.from_org is not None else "",
                "number": f"Số {t.incoming_letter or '…'}", "issued_on": t.issued_on}
        addressee, valid_until = t.destination, "…"
        intro = (f"Ô số 1 do {origin} ghi (giấy số {t.incoming_letter or '…'} ngày {_d(t.issued_on)}), "
                 "giới thiệu đồng chí:")
    blocks = [
        Paragraph(f"Kính gửi: {addressee}", bold=True, align="center", indent=False),
        Paragraph(intro, indent=False),
        *_member_fields(first, t),
        Field("Đến sinh hoạt tại", addressee),
        Paragraph(f"Giấy này có giá trị đến hết ngày {valid_until}. Đề nghị đồng chí xuất trình giấy giới thiệu "
                  "với cấp ủy nơi đến đúng thời hạn.", italic=True),
    ]
    annex: list = [Paragraph("CÁC Ô GIỚI THIỆU TIẾP", bold=True, align="center", indent=False)]
    annex += [_box(n, by_box.get(n, [])) for n in range(2, BOXES + 1)]
    received = t.received_on and not void_reason and sheet[-1].pk == t.letters.filter(form=Form.TEN_BOX).latest("pk").pk
    annex += [Paragraph("XÁC NHẬN CỦA NƠI NHẬN", bold=True, align="center", indent=False),
              Field("Đơn vị nhận", t.destination if received else BLANK),
              Field("Ngày nhận giấy", _d(t.received_on) if received else BLANK)]
    return OfficialDocument(
        title=TITLES[Form.TEN_BOX], form_code=FORM_CODES[Form.TEN_BOX], blocks=blocks, annex=annex,
        recipients=[addressee, "Đảng viên có tên trên", "Lưu sổ giới thiệu (10-SHĐ)"], void_reason=void_reason,
        **head)


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
        title="SỔ GIỚI THIỆU SINH HOẠT ĐẢNG", issuer=unit.name.upper(), upper_issuer=upper_issuer(unit),
        subtitle=f"Năm {year}", form_code="Mẫu 10-SHĐ", landscape=True,
        blocks=[Table(headers=BOOK_HEADERS, rows=book_rows(letters), widths=[8, 8, 14, 8, 8, 6, 16, 7, 8, 12])],
    )


def book_xlsx(unit, year: int, letters) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"10-SHĐ {year}"
    ws.append(safe_row([f"SỔ GIỚI THIỆU SINH HOẠT ĐẢNG (Mẫu 10-SHĐ) — {unit.name} — năm {year}"]))
    ws["A1"].font = Font(bold=True)
    ws.append(BOOK_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in book_rows(letters):
        ws.append(safe_row(row))
    for col, width in zip("ABCDEFGHIJ", [14, 12, 26, 14, 14, 8, 36, 12, 14, 30], strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------
# Decisions of the committee on a private trip abroad and on a declaration
# ------------------------------------------------------------------------------------------------
def _secretary_on(unit, day) -> tuple[str, str]:
    """The secretary (else the deputy) of ``unit`` on ``day``: the signer of its decisions that day."""
    for role, title in ((PostRole.SECRETARY, "BÍ THƯ"), (PostRole.DEPUTY_SECRETARY, "PHÓ BÍ THƯ")):
        post = post_holder_on([unit], role, day)
        if post is not None:
            return title, post.member.full_name
    return "BÍ THƯ", ""


def _decision(*, unit, approved: bool, reference: str, day, subject: str, blocks: list,
              recipients: list[str]) -> OfficialDocument:
    title, name = _secretary_on(unit, day)
    return OfficialDocument(
        title="QUYẾT ĐỊNH" if approved else "THÔNG BÁO",
        subtitle=f"Về việc {'đồng ý' if approved else 'không đồng ý'} {subject}",
        issuer=unit.name.upper(), upper_issuer=upper_issuer(unit), number=f"Số {reference}",
        place=unit.city or "Hà Nội", issued_on=day, blocks=blocks, signer_on_behalf=on_behalf(unit),
        signer_title=title, signer_name=name, recipients=recipients)


def _member_id_fields(member, unit) -> list:
    return [Field("Họ và tên", member.full_name), Field("Số thẻ đảng viên", member.card_number or ""),
            Field("Sinh hoạt tại", unit.name)]


def trip_decision_document(trip) -> OfficialDocument:
    """The committee's decision on a member's private trip abroad (approved: a decision with the
    report deadline after return; refused: a notice)."""

    unit = trip.unit.parent or trip.unit
    approved = trip.state in (TripState.APPROVED, TripState.REPORTED)
    blocks = [
        Paragraph(f"Căn cứ đơn xin đi nước ngoài về việc riêng của đồng chí {trip.member.full_name} ngày "
                  f"{_d(trip.filed_on)} và ý kiến của {trip.unit.name} ngày {_d(trip.opinion_on)};"),
        Paragraph(f"{unit.name} {'QUYẾT ĐỊNH' if approved else 'THÔNG BÁO'}:", bold=True, align="center",
                  indent=False),
        Paragraph(f"Điều 1. {'Đồng ý' if approved else 'Không đồng ý'} cho đồng chí có tên dưới đây đi nước ngoài "
                  "về việc riêng:", indent=False),
        *_member_id_fields(trip.member, trip.unit),
        Field("Nước đến", country_name(trip.country)),
        Field("Mục đích", trip.purpose),
        Field("Thời gian", f"từ {_d(trip.depart_on)} đến {_d(trip.return_on)}"),
        Field("Quyết định", "Đồng ý" if approved else "Không đồng ý"),
    ]
    if approved:
        blocks.append(Paragraph(f"Điều 2. Sau khi về nước, đồng chí báo cáo với chi bộ về chuyến đi chậm nhất "
                                f"ngày {_d(trip.report_due)}.", indent=False))
    return _decision(unit=unit, approved=approved, reference=trip.decision_doc, day=trip.decided_on,
                     subject="cho đảng viên đi nước ngoài về việc riêng", blocks=blocks,
                     recipients=[trip.unit.name, "Đảng viên có tên trên", "Lưu"])


def declaration_decision_document(declaration) -> OfficialDocument:
    """The committee's decision on what a member declared about themselves abroad."""

    d = declaration
    unit = d.unit.parent or d.unit
    approved = d.state == DeclarationState.APPROVED
    kind = d.get_kind_display()
    blocks = [
        Paragraph(f"Căn cứ bản khai của đồng chí {d.member.full_name} ngày {_d(d.filed_on)} và ý kiến của "
                  f"{d.unit.name} ngày {_d(d.opinion_on)};"),
        Paragraph(f"{unit.name} {'QUYẾT ĐỊNH' if approved else 'THÔNG BÁO'}:", bold=True, align="center",
                  indent=False),
        Paragraph(f"Điều 1. {'Đồng ý' if approved else 'Không đồng ý'} nội dung khai báo của đồng chí có tên "
                  "dưới đây:", indent=False),
        *_member_id_fields(d.member, d.unit),
        Field("Loại khai báo", kind),
    ]
    if d.subject:
        blocks.append(Field("Nội dung khai", d.subject))
    if d.country:
        label = "Quốc tịch của người kết hôn" if d.kind == "foreign_marriage" else "Nước liên quan"
        blocks.append(Field(label, country_name(d.country)))
    if d.event_on:
        blocks.append(Field("Ngày diễn ra (dự kiến)", _d(d.event_on)))
    blocks.append(Field("Quyết định", "Đồng ý" if approved else "Không đồng ý"))
    return _decision(unit=unit, approved=approved, reference=d.decision_doc, day=d.decided_on,
                     subject=f"khai báo: {kind[:1].lower()}{kind[1:]}", blocks=blocks,
                     recipients=[d.unit.name, "Đảng viên có tên trên", "Lưu"])
