"""Every admission paper as PDF and DOCX: the text extracted from both, field by field."""

from __future__ import annotations

import re

import pytest

from chibo.admission import documents
from chibo.admission.tests.conftest import full_case
from chibo.core.documents import docx_text, pdf_text, render_docx, render_pdf
from chibo.members.models import Member

EXPECTED = {
    "6-KND": ["Mẫu 6-KNĐ", "NGHỊ QUYẾT", "Số 03-NQ/CB", "Họ và tên người vào Đảng: Đỗ Thị Lan Anh",
              "Ngày sinh: 19/05/1998", "Tuổi vào ngày chi bộ xét: 27 tuổi 6 tháng",
              "Thẩm tra lý lịch: Đảng ủy Bộ Ngoại giao, ngày 01/12/2025, số 45-KL/ĐUBNG",
              "Tổng số đảng viên chính thức: 7", "Số tán thành: 7", "Tỉ lệ tán thành: 7/7 (cần 5)", "T/M CHI BỘ"],
    "8-KND": ["Mẫu 8-KNĐ", "Số 12-NQ/ĐU", "Xét nghị quyết số 03-NQ/CB ngày 10/12/2025", "T/M ĐẢNG ỦY"],
    "9-KND": ["Mẫu 9-KNĐ", "QUYẾT ĐỊNH", "Số 25-QĐ/ĐU", "ngày 29 tháng 12 năm 2025",
              "Họ và tên người vào Đảng: Đỗ Thị Lan Anh"],
    "le-ket-nap": ["BIÊN BẢN", "Quyết định kết nạp: số 25-QĐ/ĐU ngày 29/12/2025", "Ngày vào Đảng: 09/01/2026",
                   "Hết thời kỳ dự bị: 09/01/2027"],
    "10-KND": ["Mẫu 10-KNĐ", "BẢN TỰ KIỂM ĐIỂM", "Họ và tên: Đỗ Thị Lan Anh", "Ngày vào Đảng: 09/01/2026"],
    "11-KND": ["Mẫu 11-KNĐ", "BẢN NHẬN XÉT", "Đảng viên dự bị: Đỗ Thị Lan Anh"],
    "13-KND": ["Mẫu 13-KNĐ", "Số 07-NQ/CB", "Hết thời kỳ dự bị: 09/01/2027", "Tổng số đảng viên chính thức: 7",
               "công nhận đảng viên chính thức từ ngày 09/01/2027"],
    "15-KND": ["Mẫu 15-KNĐ", "Số 31-QĐ/ĐU", "Công nhận đảng viên chính thức từ ngày: 09/01/2027"],
}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def case(officer, make_cell, settings):
    return full_case(officer, make_cell(7), settings)


def test_every_form_in_pdf_and_docx(case):
    helper = case.helper.full_name
    assert set(EXPECTED) == set(documents.FORMS)
    for code, lines in EXPECTED.items():
        doc = documents.build(case, code)
        pdf, docx = flat(pdf_text(render_pdf(doc))), flat(docx_text(render_docx(doc)))
        for line in lines:
            assert line in docx, f"{code} DOCX lacks {line!r}"
            assert line in pdf, f"{code} PDF lacks {line!r}"
        assert case.unit.name.upper() in docx.upper() and case.unit.name.upper() in pdf.upper()
        if code in ("11-KND", "le-ket-nap"):
            assert helper in docx and helper in pdf


def test_forms_are_refused_before_their_step(officer, make_cell, settings):
    from django.core.exceptions import ValidationError

    from chibo.admission import services

    cell = make_cell(3)
    case = services.applicant_record(actor=officer, unit=cell, full_name="Vũ Minh Khoa", gender="M",
                                     birth_date=Member.objects.filter(unit=cell).first().birth_date).case
    assert documents.forms_ready(case) == []
    with pytest.raises(ValidationError):
        documents.build(case, "9-KND")
