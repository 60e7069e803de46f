"""Grading papers from the data entered once (docs/domain.md §7): a member's review as the official form (2A, 2B
or 2C: the self-assessment, the cell's comment and vote, the committee's appraisal and decision) in PDF and DOCX
through ``chibo.core.documents``, and a level's summary table as XLSX."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.core.sheets import safe_row
from chibo.grading.enums import GRADE_ORDER, Form, Grade
from chibo.grading.lifecycle import deciding
from chibo.grading.models import Review
from chibo.grading.rules import criteria_for
from chibo.members.enums import PostRole
from chibo.members.selectors import post_holder_on
from chibo.units.headings import on_behalf, upper_issuer

if TYPE_CHECKING:
    from chibo.grading.models import Period
    from chibo.grading.selectors import SummaryRow

DOTS = "……"


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…/…/……"


def _grade(value: str) -> str:
    return str(Grade(value).label) if value in Grade.values else DOTS


def _yes_no(value: bool | None) -> str:
    return {True: "Có", False: "Không"}.get(value, DOTS)  # type: ignore[arg-type]


def review_document(review: Review) -> OfficialDocument:
    period, member = review.period, review.member
    criteria = criteria_for(review.form, period.rules_on)
    rows = [[c.label, str(c.max_points), str(review.points.get(c.code, "")) or DOTS] for c in criteria]
    rows.append(["Tổng cộng", str(sum(c.max_points for c in criteria)),
                 str(review.score) if review.score is not None else DOTS])
    blocks: list = [
        Field("Họ và tên", member.full_name), Field("Sinh hoạt tại", review.unit.name),
        Field("Kỳ kiểm điểm", period.title),
        Paragraph("I. TỰ ĐÁNH GIÁ, CHẤM ĐIỂM", bold=True, indent=False),
        Table(["Tiêu chí", "Điểm tối đa", "Tự chấm"], rows, widths=[6, 1.4, 1.4], keep_together=True),
        Field("Hoàn thành mọi nhiệm vụ đúng tiến độ", _yes_no(review.all_on_time)),
        Field("Tỷ lệ nhiệm vụ vượt yêu cầu", f"{review.exceeded_percent}%" if review.exceeded_percent is not None
              else DOTS),
        Paragraph("1. Ưu điểm: " + (review.strengths or DOTS)),
        Paragraph("2. Hạn chế, khuyết điểm và nguyên nhân: " + (review.weaknesses or DOTS)),
        Paragraph("3. Phương hướng, biện pháp khắc phục: " + (review.remedies or DOTS)),
        Field("Tự nhận mức xếp loại", _grade(review.proposed_grade)),
        Paragraph("II. NHẬN XÉT, ĐÁNH GIÁ CỦA CHI BỘ", bold=True, indent=False),
    ]
    if review.cell_voted_on:
        blocks += [
            Field("Cuộc họp", f"{review.meeting.title if review.meeting else ''} ngày {_d(review.cell_voted_on)}"),
            Paragraph(review.cell_comment),
            Field("Chi bộ đề nghị mức xếp loại", f"{_grade(review.cell_grade)} ({review.cell_score} điểm)"),
            Field("Kết quả biểu quyết", f"{review.cell_yes}/{review.cell_convened} đảng viên chính thức được triệu tập "
                  f"tán thành, {review.cell_no} không tán thành (cần {review.cell_needed})"),
        ]
    else:
        blocks.append(Paragraph(DOTS))
    blocks.append(Paragraph("III. THẨM ĐỊNH VÀ QUYẾT ĐỊNH XẾP LOẠI CỦA CẤP ỦY", bold=True, indent=False))
    if review.appraised_on:
        blocks += [Paragraph(review.appraisal), Field("Cấp ủy thẩm định mức", _grade(review.appraised_grade))]
    if review.decided_on:
        blocks += [Field("Xếp loại", f"{_grade(review.grade)} ({review.final_score} điểm)"),
                   Field("Quyết định", f"số {review.decision_no} ngày {_d(review.decided_on)}")]
    if not review.appraised_on and not review.decided_on:
        blocks.append(Paragraph(DOTS))
    deciding_unit = deciding(review)
    post = post_holder_on([deciding_unit], PostRole.SECRETARY)
    form_code = f"Mẫu {review.form}" if review.form != Form.ORG else ""
    return OfficialDocument(
        title="BẢN KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN", subtitle=period.title, form_code=form_code,
        issuer=review.unit.name.upper(), upper_issuer=upper_issuer(review.unit), place=review.unit.city,
        issued_on=timezone.localtime(review.submitted_at).date() if review.submitted_at else None, blocks=blocks,
        signer_title="NGƯỜI TỰ KIỂM ĐIỂM", signer_name=member.full_name,
        second_signer_title=f"{on_behalf(deciding_unit)} · BÍ THƯ" if review.decided_on else "",
        second_signer_name=post.member.full_name if post and review.decided_on else "")


SUMMARY_HEADERS = ["Tổ chức", "Số đảng viên kiểm điểm", *[str(Grade(g).label) for g in GRADE_ORDER], "Chưa xếp loại",
                   "Tỷ lệ hoàn thành xuất sắc (%)", "Số tổ chức", *[f"Tổ chức: {Grade(g).label}" for g in GRADE_ORDER]]


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") if whole else "—"


def summary_xlsx(period: Period, level_name: str, rows: list[SummaryRow]) -> bytes:
    """The official summary table of a level: a first row for the level as a whole, then one per child; numbers
    as numbers (each row adds up: the grades plus those not yet graded make the members reviewed)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"Xếp loại {period.year}"
    ws.append(safe_row([f"TỔNG HỢP KẾT QUẢ KIỂM ĐIỂM, XẾP LOẠI — {period.title}"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row([f"Cấp: {level_name}"]))
    ws.append(safe_row(SUMMARY_HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in rows:
        grades = [r.members.get(g, 0) for g in GRADE_ORDER]
        share = round(100 * grades[0] / r.members_total, 1) if r.members_total else None
        ws.append(safe_row([r.unit.name + (" (toàn đảng bộ)" if r.own else ""), r.members_total, *grades,
                            r.undecided, share, r.units_total, *[r.units.get(g, 0) for g in GRADE_ORDER]]))
    ws.column_dimensions["A"].width = 48
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
