"""Letters and the transfer book rendered for real (WeasyPrint, python-docx, openpyxl), their text
extracted and checked field by field."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings

from chibo.core.documents import docx_text, pdf_text, render_docx, render_pdf
from chibo.members.models import Member, Status
from chibo.transfers import services
from chibo.transfers.documents import book_document, book_xlsx, letter_document
from chibo.transfers.models import Kind, OutsideOrganization
from chibo.transfers.selectors import transfer_book

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def letters(actor_of, unit):
    secretary = actor_of("bithu.phap")
    org = OutsideOrganization.objects.get(name="Đảng bộ Vụ Châu Âu")
    out = []
    with override_settings(CHIBO_TODAY=TODAY):
        members = list(Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk")[:3])
        for i, member in enumerate(members):
            kind = [Kind.OFFICIAL_OUT, Kind.TEMPORARY, Kind.INTERNAL][i]
            extra = ({"to_org": org} if kind == Kind.OFFICIAL_OUT else
                     {"to_unit": unit("PHAP-DSQ"), "period_from": date(2026, 7, 1), "period_to": date(2027, 1, 31)}
                     if kind == Kind.TEMPORARY else {"to_unit": unit("PHAP-UNESCO")})
            t = services.transfer_request(actor=secretary, member=member, kind=kind, decision_doc=f"{40 + i}/QĐ-BNG",
                                          decision_date=date(2026, 6, 1), reason="Điều động công tác", **extra)
            services.transfer_approve(actor=secretary, transfer=t, on=TODAY)
            out.append(services.transfer_issue_letter(actor=secretary, transfer=t, on=TODAY, signer_title="Bí thư",
                                                      signer_name="Nguyễn Văn An", dues_paid_through="05/2026"))
        services.letter_void(actor=secretary, letter=out[2], reason="Viết sai ô số 1")
    for letter in out:
        letter.refresh_from_db()
    return out


def expected_fields(letter) -> list[str]:
    m = letter.member
    return [
        m.full_name, f"Số thẻ đảng viên: {m.card_number}", f"Số lý lịch: {m.dossier_number}",
        f"Số thứ tự trong danh sách đảng viên: {letter.member_list_row}",
        f"Số thứ tự trong sổ giới thiệu sinh hoạt đảng: {letter.seq}/2026",
        "Đã đóng đảng phí đến hết tháng: 05/2026", f"Kính gửi: {letter.addressee}",
        f"Số {letter.seq}-GGT/CB", "T/M CHI ỦY", "BÍ THƯ", "Nguyễn Văn An", "ngày 15 tháng 06 năm 2026",
        f"Quyết định điều động: {letter.transfer.decision_doc} ngày 01/06/2026",
    ]


@pytest.mark.parametrize("index,title,code", [
    (0, "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", "ô số 1"),
    (1, "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG TẠM THỜI", "Mẫu 2-SHĐ"),
])
def test_letter_pdf_and_docx_field_by_field(letters, index, title, code):
    letter = letters[index]
    doc = letter_document(letter)
    for text in (squash(pdf_text(render_pdf(doc))), squash(docx_text(render_docx(doc)))):
        assert title in text and code in text
        for expected in expected_fields(letter):
            assert expected in text, expected
        assert "ĐÃ HỦY" not in text
    if index == 1:
        assert "từ 01/07/2026 đến 31/01/2027" in squash(docx_text(render_docx(doc)))


def test_abroad_letter_3shd(actor_of, unit):
    from chibo.members.services import member_create

    officer = actor_of("ban.tochuc")
    with override_settings(CHIBO_TODAY=TODAY):
        member = member_create(actor=officer, unit=unit("DUBNG"), status=Status.FULL, full_name="Phạm Thị Hương",
                               gender="F", birth_date=date(1990, 1, 9), admission_date=date(2015, 5, 1),
                               confirmation_date=date(2016, 5, 1), card_number="77001122", dossier_number="HN654321",
                               category="mission_staff")
        t = services.transfer_register_incoming(
            actor=officer, member=member, kind=Kind.ABROAD, from_org=OutsideOrganization.objects.first(),
            incoming_letter="12-GGT", letter_date=date(2026, 6, 10), decision_doc="77/QĐ-BNG",
            decision_date=date(2026, 6, 1), to_unit=unit("PHAP-DSQ"), reason="Nhiệm kỳ", at_unit=unit("DUBNG"))
        letter = services.transfer_forward(actor=officer, transfer=t, on=TODAY, signer_title="Phó Bí thư",
                                           signer_name="Trần Quốc Bảo", dues_paid_through="05/2026")
    text = squash(pdf_text(render_pdf(letter_document(letter))))
    for expected in ("GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG RA NƯỚC NGOÀI", "Mẫu 3-SHĐ", "Phạm Thị Hương", "77001122",
                     "HN654321", "T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Trần Quốc Bảo", f"Kính gửi: {unit('PHAP-DSQ').name}",
                     "Giấy này có giá trị đến hết ngày 15/07/2026"):
        assert expected in text, expected


def test_void_letter_marked_and_in_book(letters, unit):
    void = letters[2]
    text = squash(docx_text(render_docx(letter_document(void))))
    assert "ĐÃ HỦY — Viết sai ô số 1" in text
    book = list(transfer_book(unit("PHAP-LHS"), 2026))
    assert [x.pk for x in book] == [x.pk for x in letters]
    pdf = squash(pdf_text(render_pdf(book_document(unit("PHAP-LHS"), 2026, book))))
    assert "SỔ GIỚI THIỆU SINH HOẠT ĐẢNG" in pdf and "Mẫu 10-SHĐ" in pdf
    dense = pdf.replace(" ", "")  # narrow table columns wrap long values
    for letter in letters:
        assert letter.number in dense and letter.member.full_name.replace(" ", "") in dense
    assert "ĐÃ HỦY: Viết sai ô số 1" in pdf
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(book_xlsx(unit("PHAP-LHS"), 2026, book))).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [x.number for x in letters]
    assert rows[2][9] == "ĐÃ HỦY: Viết sai ô số 1" and rows[0][9] is None
    assert rows[0][2] == letters[0].member.full_name and rows[0][7] == "05/2026"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_book(letters, unit):
    from openpyxl import load_workbook

    member = letters[0].member
    Member.objects.filter(pk=member.pk).update(full_name='=HYPERLINK("http://x.example/","Bấm")')
    book = list(transfer_book(unit("PHAP-LHS"), 2026))
    ws = load_workbook(io.BytesIO(book_xlsx(unit("PHAP-LHS"), 2026, book))).active
    names = [r[2] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert names[0] == "'=HYPERLINK(\"http://x.example/\",\"Bấm\")"
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
