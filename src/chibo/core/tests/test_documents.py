"""Official documents: the same record gives a PDF and a DOCX that say the same thing."""

from datetime import date

from chibo.core.documents import (
    Field,
    OfficialDocument,
    Paragraph,
    Table,
    docx_text,
    pdf_text,
    render_docx,
    render_pdf,
)


def sample(**extra) -> OfficialDocument:
    return OfficialDocument(
        title="GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", upper_issuer="ĐẢNG ỦY BỘ NGOẠI GIAO",
        issuer="CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN TẠI PHÁP", number="Số 07-GGT/CB", place="Paris",
        issued_on=date(2026, 3, 2), form_code="Mẫu 3-SHĐ",
        blocks=[Paragraph("Trân trọng giới thiệu đồng chí sau đây đến sinh hoạt đảng."),
                Field("Họ và tên", "Nguyễn Thị Hồng Đào"), Field("Số thẻ đảng viên", "10234567"),
                Table(["TT", "Họ và tên", "Ghi chú"], [["1", "Trần Văn Đức", "Đảng phí đến tháng 02/2026"]])],
        signer_on_behalf="T/M CHI ỦY", signer_title="BÍ THƯ", signer_name="Lê Quang Anh",
        recipients=["Đảng ủy Bộ Ngoại giao", "Lưu hồ sơ"], **extra)


EXPECTED = ["ĐẢNG CỘNG SẢN VIỆT NAM", "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", "Số 07-GGT/CB",
            "Paris, ngày 02 tháng 03 năm 2026", "Nguyễn Thị Hồng Đào", "10234567", "Trần Văn Đức",
            "T/M CHI ỦY", "BÍ THƯ", "Lê Quang Anh", "Mẫu 3-SHĐ", "Nơi nhận"]


def test_pdf_and_docx_carry_every_field():
    doc = sample()
    pdf, docx = render_pdf(doc), render_docx(doc)
    assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    pdf_words, docx_words = " ".join(pdf_text(pdf).split()), docx_text(docx)
    for text in EXPECTED:
        assert text in pdf_words, text
        assert text in docx_words, text


def test_a_void_document_says_so_in_both_outputs():
    doc = sample(void_reason="Ghi sai ô số 1")
    assert "ĐÃ HỦY — Ghi sai ô số 1" in " ".join(pdf_text(render_pdf(doc)).split())
    assert "ĐÃ HỦY — Ghi sai ô số 1" in docx_text(render_docx(doc))
