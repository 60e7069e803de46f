"""The discipline decision as an official paper (PDF and DOCX through ``chibo.core.documents``), and the register
of the year's decisions as XLSX and as a PDF in the party layout (the same rows in both)."""

from __future__ import annotations

from collections import Counter
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core import clock
from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.core.sheets import safe_row
from chibo.discipline.enums import Form
from chibo.discipline.models import Case
from chibo.members.enums import PostRole
from chibo.members.selectors import post_holder_on
from chibo.units.headings import on_behalf, upper_issuer


def decision_document(case: Case) -> OfficialDocument:
    unit, member = case.deciding_unit, case.member
    post = post_holder_on([unit], PostRole.SECRETARY)
    vote = (f"{case.yes}/{case.eligible} đảng viên chính thức tán thành, {case.no} không tán thành "
            f"(cần {case.needed})" if case.voted_on else "—")
    return OfficialDocument(
        title="QUYẾT ĐỊNH", subtitle=f"Về việc thi hành kỷ luật đối với đảng viên {member.full_name}",
        issuer=unit.name.upper(), upper_issuer=upper_issuer(unit), number=f"Số {case.decision_no}",
        place=unit.city, issued_on=case.decided_on,
        blocks=[Paragraph("Căn cứ Điều lệ Đảng và các quy định về kỷ luật đảng; xét nội dung vi phạm, bản tự kiểm "
                          "điểm của đảng viên và đề nghị của chi bộ,", indent=False),
                Paragraph("QUYẾT ĐỊNH:", bold=True, align="center", indent=False),
                Field("Thi hành kỷ luật đối với đảng viên", f"{member.full_name}, sinh hoạt tại {case.unit.name}"),
                Field("Hình thức", case.get_form_display().upper()),
                Field("Nội dung vi phạm", case.violation),
                Field("Ngày vi phạm", f"{case.violated_on:%d/%m/%Y}"),
                Field("Kết quả biểu quyết của chi bộ", vote),
                Field("Quyết định có hiệu lực từ ngày", f"{case.effective_on:%d/%m/%Y}" if case.effective_on else ""),
                Paragraph("Đảng viên có quyền khiếu nại lên cấp ủy cấp trên trong thời hạn quy định; trong thời gian "
                          "chờ giải quyết, quyết định vẫn có hiệu lực.", italic=True, indent=False)],
        signer_on_behalf=on_behalf(unit), signer_title="BÍ THƯ", signer_name=post.member.full_name if post else "",
        recipients=["Đảng viên có tên trên", "Chi bộ nơi đảng viên sinh hoạt", "Lưu hồ sơ"])


REGISTER_HEADERS = ["STT", "Đảng viên", "Chi bộ", "Cấp quyết định", "Số quyết định", "Ngày quyết định",
                    "Hình thức", "Ngày hiệu lực", "Khiếu nại"]


def _register_rows(cases: list[Case]) -> list[list]:
    rows = []
    for n, c in enumerate(cases, 1):
        appeal = getattr(c, "appeal", None)
        appealed = (appeal.get_outcome_display() or "Đang giải quyết") if appeal is not None else ""
        rows.append([n, c.member.full_name, c.unit.name, c.deciding_unit.name, c.decision_no, c.decided_on,
                     c.get_form_display(), c.effective_on, appealed])
    return rows


def register_xlsx(year: int, cases: list[Case]) -> bytes:
    """The register of the year's discipline decisions among the cases the reader needs to know: one row per
    decision, the form in force (after an appeal's outcome) and whether it was appealed."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"Kỷ luật {year}"
    ws.append(safe_row([f"SỔ ĐĂNG KÝ QUYẾT ĐỊNH KỶ LUẬT NĂM {year}"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(REGISTER_HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in _register_rows(cases):
        ws.append(safe_row(row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def register_document(year: int, cases: list[Case], issuer) -> OfficialDocument:
    """The same register as a paper of ``issuer`` (the reader's highest organization), with the count by form."""
    rows = [[str(v) if not hasattr(v, "strftime") else f"{v:%d/%m/%Y}" for v in row] for row in _register_rows(cases)]
    counts = Counter(c.form for c in cases)
    tally = "; ".join(f"{label.lower()}: {counts.get(f, 0)}" for f, label in Form.choices)
    return OfficialDocument(
        title=f"SỔ ĐĂNG KÝ QUYẾT ĐỊNH KỶ LUẬT NĂM {year}", issuer=issuer.name.upper(),
        upper_issuer=upper_issuer(issuer), place=issuer.city, issued_on=clock.today(),
        blocks=[Table(REGISTER_HEADERS, rows or [["", "Không có quyết định nào", *[""] * 7]],
                      widths=[0.5, 2.2, 2, 2, 1.3, 1.2, 1, 1.2, 1.4]),
                Paragraph(f"Tổng số {len(cases)} quyết định ({tally}).", indent=False)],
        landscape=True)
