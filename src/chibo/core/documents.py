"""Official documents (letters, decisions, resolutions, minutes, registers) from records, as PDF and
DOCX in the layout of party documents (design principle 6: one data entry, many outputs).

A process fills an ``OfficialDocument`` and calls ``render_pdf`` / ``render_docx``; both outputs
come from the same data, so they always say the same thing. The layout follows the usual form of
party documents: on the left the upper organization and the issuing one with the number, on the
right "ĐẢNG CỘNG SẢN VIỆT NAM" with place and date; a centred title; the body; the signature block
("T/M CHI ỦY" + title + name) on the right and the recipients ("Nơi nhận") on the left.

Registers (books such as 10-SHĐ or 7-HSĐV) are tables: ``Table`` blocks, landscape when wide.
A form with a back (the boxes of the 10-box letter filled by later signers) puts it in ``annex``:
blocks printed after the signature block, from a new page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from pypdf import PdfReader

from chibo.core.audit import audit

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    align: str = "justify"  # left | center | right | justify
    indent: bool = True


@dataclass
class Field:
    """A labelled value on its own line ("Họ và tên: Nguyễn Văn A"); a field with no value is left out of the
    paper (never printed as "Số lý lịch: …")."""

    label: str
    value: str


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths
    caption: str = ""
    keep_together: bool = False  # a small framed table (a box of a form) never split across pages


Block = Paragraph | Field | Table


@dataclass
class OfficialDocument:
    title: str                          # e.g. "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG"
    issuer: str                         # e.g. "CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN TẠI PHÁP"
    upper_issuer: str = ""              # e.g. "ĐẢNG ỦY BỘ NGOẠI GIAO"
    number: str = ""                    # e.g. "Số 12-GGT/CB"
    place: str = ""                     # e.g. "Paris"
    issued_on: date | None = None
    subtitle: str = ""                  # e.g. "(Mẫu 3-SHĐ)" or "V/v …"
    form_code: str = ""                 # printed top right, e.g. "Mẫu 10-SHĐ"
    blocks: list[Block] = field(default_factory=list)
    signer_on_behalf: str = ""          # e.g. "T/M CHI ỦY"
    signer_title: str = ""              # e.g. "BÍ THƯ"
    signer_name: str = ""
    # A document signed by two (minutes: the recorder on the left, the chair on the right).
    second_signer_title: str = ""
    second_signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    landscape: bool = False
    void_reason: str = ""               # a voided document keeps its number and says so on every page
    annex: list[Block] = field(default_factory=list)  # after the signature, from a new page (a form's back)

    @property
    def place_and_date(self) -> str:
        if not self.issued_on:
            return self.place
        d = self.issued_on
        return f"{self.place + ', ' if self.place else ''}ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def render_html(doc: OfficialDocument) -> str:
    return render_to_string("core/documents/official.html", {"doc": doc, "party": PARTY})


def render_pdf(doc: OfficialDocument) -> bytes:
    from weasyprint import HTML  # loads Pango and fonts (0.7 s): only processes that print pay for it

    return HTML(string=render_html(doc)).write_pdf()


def render_docx(doc: OfficialDocument) -> bytes:
    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
             "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
    out = Document()
    style = out.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    section = out.sections[0]
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin, section.right_margin = Cm(3 if not doc.landscape else 2), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)

    def para(cell_or_doc, text, *, bold=False, italic=False, where="left", size=None):
        p = cell_or_doc.add_paragraph()
        p.alignment = align[where]
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        return p

    if doc.void_reason:
        para(out, f"ĐÃ HỦY — {doc.void_reason}", bold=True, where="center")
    if doc.form_code:
        para(out, doc.form_code, italic=True, where="right", size=11)
    head = out.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    left.paragraphs[0].text = ""
    if doc.upper_issuer:
        para(left, doc.upper_issuer, where="center", size=12)
    para(left, doc.issuer, bold=True, where="center", size=12)
    para(left, "*", where="center")
    if doc.number:
        para(left, doc.number, where="center", size=12)
    para(right, PARTY, bold=True, where="center")
    para(right, doc.place_and_date, italic=True, where="center", size=12)
    para(out, doc.title, bold=True, where="center", size=14)
    if doc.subtitle:
        para(out, doc.subtitle, italic=True, where="center")
    def add_blocks(blocks):
        for block in blocks:
            if isinstance(block, Paragraph):
                p = para(out, block.text, bold=block.bold, italic=block.italic, where=block.align)
                if block.indent and block.align == "justify":
                    p.paragraph_format.first_line_indent = Cm(1)
            elif isinstance(block, Field):
                if not block.value:
                    continue
                p = out.add_paragraph()
                p.add_run(f"{block.label}: ").bold = False
                p.add_run(block.value).bold = True
            else:
                if block.caption:
                    para(out, block.caption, bold=True)
                table = out.add_table(rows=1, cols=len(block.headers))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
                    cell.text = ""
                    para(cell, text, bold=True, where="center", size=11)
                for row in block.rows:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, row, strict=True):
                        cell.text = str(text)
                if block.keep_together:  # every row but the last keeps with the next: Word moves it whole
                    for row in table.rows[:-1]:
                        for cell in row.cells:
                            for p in cell.paragraphs:
                                p.paragraph_format.keep_with_next = True

    add_blocks(doc.blocks)
    sign = out.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    if doc.second_signer_title:
        para(left, doc.second_signer_title, bold=True, where="center")
        para(left, "\n\n", where="center")
        if doc.second_signer_name:
            para(left, doc.second_signer_name, bold=True, where="center")
    elif doc.recipients:
        para(left, "Nơi nhận:", bold=True, italic=True, size=12)
        for r in doc.recipients:
            para(left, f"- {r},", size=11)
    if doc.signer_on_behalf:
        para(right, doc.signer_on_behalf, bold=True, where="center")
    if doc.signer_title:
        para(right, doc.signer_title, bold=True, where="center")
    para(right, "\n\n", where="center")
    if doc.signer_name:
        para(right, doc.signer_name, bold=True, where="center")
    if doc.second_signer_title and doc.recipients:
        para(out, "Nơi nhận:", bold=True, italic=True, size=12)
        for r in doc.recipients:
            para(out, f"- {r},", size=11)
    if doc.annex:
        out.add_page_break()
        if doc.void_reason:
            para(out, f"ĐÃ HỦY — {doc.void_reason}", bold=True, where="center")
        add_blocks(doc.annex)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """All text of a DOCX (paragraphs and table cells, in order), for checks and tests."""

    document = Document(io.BytesIO(data))
    parts: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for t in child.iter():
                if t.tag.endswith("}t") and t.text:
                    parts.append(t.text)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download(*, actor, content, filename: str, content_type: str, action: str | None, obj=None, unit=None,
             data: dict | None = None, inline: bool = False, stream: bool = False):
    """Every file the product hands out goes through here: the read is written to the audit chain (who,
    what, about whom, which unit), the answer is never cached and never sniffed, and the file name travels
    safely (ASCII fallback, the Vietnamese name in ``filename*``). ``content``: bytes, an open file, or
    (``stream``) an iterator of chunks. The caller has loaded the object through its scoped selector.
    ``action=None`` only where the producer of the content audits the read itself, with what it counted
    (the member exports, which the command line uses too)."""
    if action is not None:
        audit(actor=actor, action=action, obj=obj, unit=unit, data={"file": filename, **(data or {})})
    response: HttpResponseBase
    if stream:
        response = StreamingHttpResponse(content, content_type=content_type)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = HttpResponse(content, content_type=content_type)
    disposition = content_disposition_header(not inline, filename)
    if disposition:  # None only for an inline file without a name
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_response(doc: OfficialDocument, fmt: str, stem: str, *, actor, action: str, obj=None, unit=None,
                      data: dict | None = None, inline_pdf: bool = False):
    """``doc`` as a download named ``stem``: DOCX when ``fmt`` is "docx", else PDF (shown in the browser
    when ``inline_pdf``), through ``download`` (audited, never cached: the papers carry personal data)."""
    details = {"format": "docx" if fmt == "docx" else "pdf", **(data or {})}
    if fmt == "docx":
        return download(actor=actor, content=render_docx(doc), filename=f"{stem}.docx", content_type=DOCX_TYPE,
                        action=action, obj=obj, unit=unit, data=details)
    return download(actor=actor, content=render_pdf(doc), filename=f"{stem}.pdf", content_type="application/pdf",
                    action=action, obj=obj, unit=unit, data=details, inline=inline_pdf)
