"""A unit's report as an official paper (core.documents: PDF and DOCX from the same data): the unit and its
upper committee at the head, the period and its dates, each section's narrative, then the table of figures with
their definitions. A draft says so in its subtitle; a superseded version says which one replaced it."""

from __future__ import annotations

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.reports import figures as figs
from chibo.reports.enums import State
from chibo.reports.models import Report
from chibo.reports.services import period_of
from chibo.units.headings import on_behalf, upper_issuer


def _d(day) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def report_document(report: Report, values: dict[str, str]) -> OfficialDocument:
    """The paper of ``report`` with ``values`` (its frozen figures once submitted, else the live ones)."""
    period = period_of(report)
    unit = report.unit
    blocks: list = [
        Field("Kỳ báo cáo", f"{period.label_vi} (từ ngày {_d(report.period_start)} đến ngày {_d(report.period_end)})"),
        Field("Tổ chức báo cáo", unit.name),
        Field("Lần báo cáo", f"Bản điều chỉnh lần {report.number - 1}" if report.number > 1 else ""),
        Field("Lý do điều chỉnh", report.correction_reason),
        Field("Ngày nộp", _d(report.submitted_on)),
    ]
    for i, (title, text) in enumerate(zip(report.template.sections, report.narrative, strict=False), start=1):
        blocks.append(Paragraph(f"{i}. {title}", bold=True, indent=False, align="left"))
        for line in [x for x in text.splitlines() if x.strip()] or ["(Chưa viết.)"]:
            blocks.append(Paragraph(line.strip()))
    rows = [[str(n), label, value, figs.definition_of(key)]
            for n, (key, label, value) in enumerate(figs.ordered(values, report.template.figures), start=1)]
    blocks.append(Paragraph(f"{len(report.template.sections) + 1}. Số liệu", bold=True, indent=False, align="left"))
    blocks.append(Table(["TT", "Số liệu", "Số", "Cách tính"], rows, widths=[0.6, 3.2, 1.2, 6],
                        caption="Số liệu do hệ thống tính từ dữ liệu của kỳ báo cáo"
                                + (", đã chốt khi nộp." if report.state != State.DRAFT else " (chưa chốt).")))
    superseded = ""
    if report.state == State.SUPERSEDED:
        superseded = "Đã được thay bằng bản điều chỉnh"
    return OfficialDocument(
        title=f"BÁO CÁO CÔNG TÁC ĐẢNG {period.label_vi.upper()}", issuer=unit.name.upper(),
        upper_issuer=upper_issuer(unit), place=unit.city or "", issued_on=report.submitted_on,
        subtitle=f"({report.template.name}{', dự thảo' if report.state == State.DRAFT else ''})",
        blocks=blocks, signer_on_behalf=on_behalf(unit), signer_title="BÍ THƯ",
        recipients=[unit.parent.name if unit.parent else "Cấp ủy cấp trên", "Lưu"], void_reason=superseded)
