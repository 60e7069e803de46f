"""Minutes and resolution: the draft text from the meeting record, and the official documents
(PDF and DOCX through chibo.core.documents)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.meetings.models import Attendance, Meeting, Presence
from chibo.meetings.rules import headcount, local_day
from chibo.members.enums import FULL_STATUSES, PostRole, Status
from chibo.members.selectors import post_holder_on


def _vote_line(item) -> str:
    if item.passed is None:
        return f"{item.number}. {item.title}: chưa biểu quyết."
    how = "bỏ phiếu kín" if item.secret else "biểu quyết công khai"
    result = "THÔNG QUA" if item.passed else "KHÔNG THÔNG QUA"
    return (f"{item.number}. {item.title} ({how}): tán thành {item.votes_for}, không tán thành "
            f"{item.votes_against}, không biểu quyết {item.votes_abstain}; số đảng viên để tính "
            f"{item.headcount}, cần ít nhất {item.needed} phiếu tán thành: {result}.")


def _at(meeting: Meeting, moment) -> str:
    t = moment.astimezone(ZoneInfo(meeting.time_zone))
    return f"{t:%H} giờ {t:%M} ngày {t:%d/%m/%Y}"


def time_lines(meeting: Meeting) -> list[str]:
    """When the meeting really began and ended (local time); the schedule only while it has not opened."""
    if meeting.opened_at is None:
        return [f"Thời gian (dự kiến): {_at(meeting, meeting.starts_at)} (giờ địa phương, {meeting.time_zone})."]
    lines = [f"Thời gian bắt đầu: {_at(meeting, meeting.opened_at)} (giờ địa phương, {meeting.time_zone})."]
    if meeting.ended_at:
        lines.append(f"Thời gian kết thúc: {_at(meeting, meeting.ended_at)}.")
    return lines


def figures_line(meeting: Meeting) -> str:
    """The headcount as the reader checks it: full members on the rolls, those not counted and why, the
    members counted for resolutions, and who was present (full and probationary members apart)."""
    head = headcount(meeting)
    rows = Attendance.objects.filter(meeting=meeting, presence__in=[Presence.IN_PERSON, Presence.ONLINE])
    present_full = rows.filter(member__status__in=FULL_STATUSES).count()
    present_probationary = rows.filter(member__status=Status.PROBATIONARY).count()
    not_counted = len(head.excluded)
    return (f"Tổng số đảng viên chính thức của chi bộ: {head.on_rolls}; không tính {not_counted} đồng chí "
            f"(chuyển sinh hoạt tạm thời, đình chỉ, miễn sinh hoạt hoặc vắng có lý do được chấp nhận); số đảng "
            f"viên chính thức để tính biểu quyết: {head.count} = {head.on_rolls} − {not_counted}. Có mặt: "
            f"{present_full} đảng viên chính thức và {present_probationary} đảng viên dự bị "
            f"(đảng viên dự bị không biểu quyết).")


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
    """The minutes' text drafted from the record. The attendance list is not in it: the document prints it
    once, as a table, after the text."""
    lines = [
        *time_lines(meeting),
        f"Địa điểm: {meeting.place or 'họp trực tuyến'}"
        + (f"; trực tuyến: {meeting.online_link}" if meeting.online_link and meeting.place else ""),
        f"Loại: {meeting.get_kind_display()}.",
        "",
        "I. ĐIỂM DANH",
        figures_line(meeting) + " Danh sách điểm danh kèm theo biên bản.",
        "",
        "II. CHƯƠNG TRÌNH", meeting.agenda or "(không ghi)", "", "III. DIỄN BIẾN, Ý KIẾN THẢO LUẬN",
        meeting.discussion or "(thư ký ghi bổ sung)", "", "IV. BIỂU QUYẾT",
    ]
    lines += [_vote_line(item) for item in meeting.resolutions.all()] or ["(không có nội dung biểu quyết)"]
    return "\n".join(lines)


def _upper(unit) -> str:
    return unit.parent.name.upper() if unit.parent_id else ""


def _secretary_name(unit) -> str:
    post = post_holder_on([unit, unit.parent], PostRole.SECRETARY)
    return post.member.full_name if post else ""


def register_number(meeting: Meeting, code: str) -> str:
    """``Số 3-BB/CB``: the minutes' number in the cell's register of the year (given on approval)."""
    if meeting.minutes_number is None:
        return f"Số …-{code}/CB (cấp khi thông qua)"
    return f"Số {meeting.minutes_number}-{code}/CB"


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
        issuer=unit.name.upper(), upper_issuer=_upper(unit), number=register_number(meeting, "BB"),
        place=unit.city, issued_on=local_day(meeting), blocks=blocks,
        signer_title="CHỦ TRÌ", signer_name=_secretary_name(unit), second_signer_title="THƯ KÝ",
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
        number=register_number(meeting, "NQ"), place=unit.city, issued_on=local_day(meeting), blocks=blocks,
        signer_on_behalf="T/M CHI BỘ", signer_title="BÍ THƯ", signer_name=_secretary_name(unit),
        recipients=["Đảng ủy cấp trên (để báo cáo)", "Đảng viên trong chi bộ", "Lưu chi bộ"],
    )
