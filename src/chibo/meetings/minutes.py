"""Minutes and resolution: the draft text from the meeting record, and the official documents
(PDF and DOCX through chibo.core.documents)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from chibo.core.documents import Field, OfficialDocument, Paragraph, Table
from chibo.meetings.models import PRESENT, Attendance, Meeting, Presence
from chibo.meetings.rules import headcount, local_day, turnout
from chibo.members.enums import PostRole
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


# What the draft writes where a part was not recorded; approval refuses minutes that still hold one.
NO_AGENDA, NO_DISCUSSION, NO_CONCLUSION = "(không ghi)", "(thư ký ghi bổ sung)", "(chủ trì kết luận)"
BLANKS = (NO_AGENDA, NO_DISCUSSION, NO_CONCLUSION)


def held_day(meeting: Meeting) -> date:
    """The day the meeting was really held (local): the day it opened, else the day it was planned for."""
    moment = meeting.opened_at or meeting.starts_at
    return moment.astimezone(ZoneInfo(meeting.time_zone)).date()


def time_lines(meeting: Meeting) -> list[str]:
    """When the meeting really began and ended (local time); the schedule only while it has not opened. Both
    printed times are the actual ones, so they always agree (the close is refused before the opening)."""
    if meeting.opened_at is None:
        return [f"Thời gian (dự kiến): {_at(meeting, meeting.starts_at)} (giờ địa phương, {meeting.time_zone})."]
    lines = [f"Thời gian bắt đầu: {_at(meeting, meeting.opened_at)} (giờ địa phương, {meeting.time_zone})."]
    if meeting.ended_at:
        lasted = int((meeting.ended_at - meeting.opened_at).total_seconds() // 60)
        lines.append(f"Thời gian kết thúc: {_at(meeting, meeting.ended_at)} (kéo dài {lasted} phút).")
    return lines


def _mark(a: Attendance | None) -> str:
    if a is None:
        return "Chưa điểm danh"
    label = a.get_presence_display()
    if a.presence == Presence.EXCUSED:
        label += f" ({a.reason}{'; lý do được chấp nhận' if a.reason_approved else ''})"
    return label


def figures_lines(meeting: Meeting) -> list[str]:
    """The attendance figures as the reader checks them, each sum written out: the cell's members, those not
    required to attend (named, with why), those required; present + excused + absent (+ not marked) = required;
    then the headcount resolutions are measured against, and how it is reached."""
    t = turnout(meeting)
    head = headcount(meeting)
    parts = [("có mặt", t.present), ("vắng có lý do", t.excused), ("vắng không có lý do", t.absent)]
    if t.unmarked:
        parts.append(("chưa điểm danh", t.unmarked))
    lines = [
        f"Tổng số đảng viên của chi bộ: {t.members} ({t.full} đảng viên chính thức, {t.probationary} đảng viên "
        f"dự bị); không phải dự họp: {len(t.apart)}; phải dự họp: {len(t.required)} = {t.members} − {len(t.apart)}.",
        "Trong số phải dự họp: " + "; ".join(f"{label} {n}" for label, n in parts)
        + f" ({' + '.join(str(n) for _, n in parts)} = {len(t.required)}). Có mặt gồm {t.present_full} đảng viên "
        f"chính thức và {t.present_probationary} đảng viên dự bị (đảng viên dự bị không biểu quyết).",
    ]
    if t.apart:
        lines.append("Không phải dự họp: " + "; ".join(f"{m.full_name} ({why})" for m, why in t.apart) + ".")
    if t.temporary:
        here = sum(1 for _m, a in t.temporary if a is not None and a.presence in PRESENT)
        lines.append(f"Đảng viên chi bộ khác sinh hoạt tạm thời: {len(t.temporary)}, có mặt {here} (không tính vào các "
                     "số trên, không biểu quyết về tổ chức, nhân sự): "
                     + "; ".join(f"{m.full_name} ({m.unit.name})" for m, _a in t.temporary) + ".")
    lines.append(f"Số đảng viên chính thức để tính biểu quyết: {head.count} = {head.on_rolls} đảng viên chính thức "
                 f"− {len(head.excluded)} không tính (chuyển sinh hoạt tạm thời, đình chỉ, miễn sinh hoạt vắng mặt, "
                 f"vắng có lý do được chấp nhận).")
    return lines


def attendance_rows(meeting: Meeting) -> list[list[str]]:
    """One row per member required to attend, in name order, then the members attending on temporary transfer: the
    attendance list, printed once."""
    t = turnout(meeting)
    return ([[m.full_name, _mark(a)] for m, a in t.required]
            + [[f"{m.full_name} (sinh hoạt tạm thời)", _mark(a)] for m, a in t.temporary])


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
        *figures_lines(meeting),
        "Danh sách điểm danh của những đồng chí phải dự họp in kèm theo biên bản.",
        "",
        "II. CHƯƠNG TRÌNH", meeting.agenda or NO_AGENDA, "", "III. DIỄN BIẾN, Ý KIẾN THẢO LUẬN",
        meeting.discussion or NO_DISCUSSION, "", "IV. BIỂU QUYẾT",
    ]
    lines += [_vote_line(item) for item in meeting.resolutions.all()] or ["(không có nội dung biểu quyết)"]
    lines += ["", "V. KẾT LUẬN", meeting.conclusion or NO_CONCLUSION]
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
    rows = attendance_rows(meeting)
    blocks.append(Table(headers=["STT", "Họ và tên", "Điểm danh"],
                        rows=[[str(i), name, mark] for i, (name, mark) in enumerate(rows, 1)],
                        widths=[0.6, 3, 3], caption=f"Danh sách điểm danh ({len(rows)} đồng chí phải dự họp)"))
    if meeting.minutes_approved_at:
        blocks.append(Paragraph(f"Biên bản đã được chi bộ thông qua ngày "
                                f"{meeting.minutes_approved_at.astimezone(ZoneInfo(meeting.time_zone)):%d/%m/%Y}.",
                                italic=True, indent=False))
    return OfficialDocument(
        title="BIÊN BẢN", subtitle=f"{meeting.get_kind_display()} — {meeting.title}",
        issuer=unit.name.upper(), upper_issuer=_upper(unit), number=register_number(meeting, "BB"),
        place=unit.city, issued_on=held_day(meeting), blocks=blocks,
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
