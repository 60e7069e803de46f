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


def test_annex_follows_the_signature_on_a_new_page_and_keeps_boxes_whole():
    from io import BytesIO

    from docx import Document
    from pypdf import PdfReader

    lines = ["Số giấy, ngày: ……", "Giới thiệu tiếp đến: ……", "Có giá trị đến hết ngày: ……", "Ghi chú: ……"]
    boxes = [Table([f"Ô SỐ {n}"], [[f"Cấp ủy giới thiệu: Đảng ủy số {n}"], *([x] for x in lines),
                                   [f"Người ký: bí thư số {n}"]], keep_together=True) for n in range(2, 11)]
    doc = sample(annex=[Paragraph("CÁC Ô GIỚI THIỆU TIẾP", bold=True, align="center"), *boxes],
                 void_reason="Viết sai ô số 1")
    pdf, docx = render_pdf(doc), render_docx(doc)
    for text in (" ".join(pdf_text(pdf).split()), " ".join(docx_text(docx).split())):
        # the signature, then the annex in order; the void mark on the front and on the back
        assert text.index("Lê Quang Anh") < text.index("CÁC Ô GIỚI THIỆU TIẾP") < text.index("Ô SỐ 2")
        assert [text.index(f"Ô SỐ {n} Cấp ủy giới thiệu: Đảng ủy số {n}") for n in range(2, 11)] == sorted(
            text.index(f"Ô SỐ {n} ") for n in range(2, 11))
        assert text.count("ĐÃ HỦY — Viết sai ô số 1") == 2
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(BytesIO(pdf)).pages]
    assert "Lê Quang Anh" in pages[0] and "CÁC Ô GIỚI THIỆU TIẾP" in pages[1]
    assert len(pages) >= 3  # the boxes need more than one page: some must move whole to the next
    for n in range(2, 11):  # each box on one page, whole
        assert sum(f"Ô SỐ {n} " in p for p in pages) == 1
        page = next(p for p in pages if f"Ô SỐ {n} " in p)
        assert f"Đảng ủy số {n}" in page and f"bí thư số {n}" in page
    word = Document(BytesIO(docx))
    assert any(p.paragraph_format.keep_with_next for t in word.tables for c in t._cells for p in c.paragraphs)


def test_a_field_with_no_value_is_left_out_of_both_outputs():
    from dataclasses import replace

    doc = replace(sample(), blocks=[Field("Họ và tên", "Nguyễn Văn A"), Field("Số lý lịch", ""),
                                    Field("Số thẻ đảng viên", "")])
    for text in (" ".join(pdf_text(render_pdf(doc)).split()), docx_text(render_docx(doc))):
        assert "Họ và tên: Nguyễn Văn A" in text
        assert "Số lý lịch" not in text and "Số thẻ đảng viên" not in text and "…" not in text
