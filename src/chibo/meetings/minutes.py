"""Minutes and resolution: the draft text from the meeting record, and the official documents
(PDF and DOCX through chibo.core.documents)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.meetings.models import Attendance, Meeting, Presence
from chibo.meetings.rules import headcount, local_day
from chibo.members.enums import PostRole
from chibo.members.selectors import post_holder_on


def _local(meeting: Meeting):
    return meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))


def _vote_line(item) -> str:
    if item.passed is None:
        return f"{item.number}. {item.title}: chưa biểu quyết."
    how = "bỏ phiếu kín" if item.secret else "biểu quyết công khai"
    result = "THÔNG QUA" if item.passed else "KHÔNG THÔNG QUA"
    return (f"{item.number}. {item.title} ({how}): tán thành {item.votes_for}, không tán thành "
            f"{item.votes_against}, không biểu quyết {item.votes_abstain}; số đảng viên để tính "
            f"{item.headcount}, cần ít nhất {item.needed} phiếu tán thành: {result}.")


def attendance_lines(meeting: Meeting) -> list[tuple[str, str]]:
    rows = (Attendance.objects.filter(meeting=meeting).select_related("member")
            .order_by("member__name_sort", "member_id"))
    out = []
    for a in rows:
        label = a.get_presence_display()
        if a.presence == Presence.EXCUSED:
            label += f" ({a.reason}{'; lý do được chấp nhận' if a.reason_approved else ''})"
        out.append((a.member.full_name, label))
    return out


def draft_text(meeting: Meeting) -> str:
    local = _local(meeting)
    head = headcount(meeting)
    marks = attendance_lines(meeting)
    present = [n for n, p in marks if p.startswith("Có mặt")]
    lines = [
        f"Thời gian: {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y} (giờ địa phương, {meeting.time_zone}).",
        f"Địa điểm: {meeting.place or 'họp trực tuyến'}" + (f"; trực tuyến: {meeting.online_link}" if meeting.online_link and meeting.place else ""),
        f"Loại: {meeting.get_kind_display()}.",
        f"Tổng số đảng viên chính thức của chi bộ: {head.on_rolls}; số đảng viên để tính biểu quyết: {head.count}; "
        f"có mặt: {len(present)}.",
        "",
        "I. ĐIỂM DANH",
    ]
    lines += [f"- {name}: {label}" for name, label in marks] or ["- (chưa điểm danh)"]
    lines += ["", "II. CHƯƠNG TRÌNH", meeting.agenda or "(không ghi)", "", "III. DIỄN BIẾN, Ý KIẾN THẢO LUẬN",
              meeting.discussion or "(thư ký ghi bổ sung)", "", "IV. BIỂU QUYẾT"]
    lines += [_vote_line(item) for item in meeting.resolutions.all()] or ["(không có nội dung biểu quyết)"]
    if meeting.ended_at:
        end = meeting.ended_at.astimezone(ZoneInfo(meeting.time_zone))
        lines += ["", f"Cuộc họp kết thúc lúc {end:%H} giờ {end:%M} ngày {end:%d/%m/%Y}."]
    return "\n".join(lines)


def _upper(unit) -> str:
    return unit.parent.name.upper() if unit.parent_id else ""


def _secretary_name(unit) -> str:
    post = post_holder_on([unit, unit.parent], PostRole.SECRETARY)
    return post.member.full_name if post else ""


def minutes_document(meeting: Meeting) -> OfficialDocument:
    unit = meeting.unit
    blocks: list = [Field("Chi bộ", unit.name)]
    for line in meeting.minutes_text.split("\n"):
        if line.strip():
            blocks.append(Paragraph(line, bold=line.isupper() and len(line) < 60, indent=False))
    blocks.append(Table(headers=["Họ và tên", "Điểm danh"], rows=[[n, p] for n, p in attendance_lines(meeting)],
                        widths=[3, 3], caption="Danh sách điểm danh"))
    if meeting.minutes_approved_at:
        blocks.append(Paragraph(f"Biên bản đã được chi bộ thông qua ngày "
                                f"{meeting.minutes_approved_at.astimezone(ZoneInfo(meeting.time_zone)):%d/%m/%Y}.",
                                italic=True, indent=False))
    return OfficialDocument(
        title="BIÊN BẢN", subtitle=f"{meeting.get_kind_display()} — {meeting.title}",
        issuer=unit.name.upper(), upper_issuer=_upper(unit), number=f"Số {meeting.pk}-BB/CB",
        place=unit.city, issued_on=local_day(meeting), blocks=blocks,
        signer_on_behalf="T/M CHI BỘ", signer_title="BÍ THƯ", signer_name=_secretary_name(unit),
        recipients=["Đảng ủy cấp trên (để báo cáo)", "Lưu chi bộ"],
    )


def resolution_document(meeting: Meeting) -> OfficialDocument:
    unit = meeting.unit
    blocks: list = [Paragraph(f"Căn cứ kết quả {meeting.get_kind_display().lower()} ngày {local_day(meeting):%d/%m/%Y},"
                              f" chi bộ quyết nghị:", indent=False)]
    passed = [r for r in meeting.resolutions.all() if r.passed]
    for i, item in enumerate(passed, 1):
        blocks.append(Paragraph(f"{i}. {item.title}", bold=True, indent=False))
        if item.text:
            for line in item.text.split("\n"):
                if line.strip():
                    blocks.append(Paragraph(line))
        blocks.append(Paragraph(f"(Tán thành {item.votes_for}/{item.headcount} đảng viên; cần {item.needed}.)",
                                italic=True, indent=False))
    if not passed:
        blocks.append(Paragraph("Không có nội dung nào được thông qua.", indent=False))
    if meeting.draft_resolution:
        blocks.append(Paragraph("Nội dung nghị quyết:", bold=True, indent=False))
        blocks += [Paragraph(line) for line in meeting.draft_resolution.split("\n") if line.strip()]
    return OfficialDocument(
        title="NGHỊ QUYẾT", subtitle=meeting.title, issuer=unit.name.upper(), upper_issuer=_upper(unit),
        number=f"Số {meeting.pk}-NQ/CB", place=unit.city, issued_on=local_day(meeting), blocks=blocks,
        signer_on_behalf="T/M CHI BỘ", signer_title="BÍ THƯ", signer_name=_secretary_name(unit),
        recipients=["Đảng ủy cấp trên (để báo cáo)", "Đảng viên trong chi bộ", "Lưu chi bộ"],
    )
