"""The lifecycles of a cell meeting and of a secret ballot, declared once (docs/domain.md §5).

A meeting is planned (notice, agenda, documents, attendance known in advance), opened, closed (held);
its minutes are drafted from the record, edited and approved, after which nothing about the meeting
changes. A secret ballot is opened on an item during the meeting; members cast online slips, the
counting committee enters the paper totals, and the ballot is closed and counted. The secretary and the
committee (``meetings.manage`` on the meeting's cell) take the steps; a member checks in and votes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.lifecycle import Lifecycle, Transition
from chibo.meetings.forms import (
    AttendanceForm,
    AttendanceSheetForm,
    CheckInForm,
    ContentForm,
    DocumentForm,
    MinutesForm,
    OpenVoteForm,
    PaperForm,
    ResolutionForm,
    SecretItemForm,
    VoteForm,
)
from chibo.meetings.models import BallotBox, BallotVoter, BoxState, Meeting, MeetingState, MinutesState

BEFORE_MINUTES = (MeetingState.PLANNED, MeetingState.OPEN, MeetingState.HELD)


def _not_locked(meeting: Meeting) -> bool:
    return meeting.minutes_state != MinutesState.APPROVED


def _meeting(meeting: Meeting) -> dict:
    return {"meeting": meeting}


def _member_here(actor, meeting: Meeting) -> bool:
    return bool(actor.member_id) and actor.member_unit_id == meeting.unit_id


LOCKED = _("Biên bản đã được thông qua: cuộc họp không sửa được nữa.")

MEETING = Lifecycle(
    key="meeting",
    label=_("Sinh hoạt chi bộ"),
    states=MeetingState,
    subject="meeting",
    start=_("Bí thư lên lịch cuộc họp (loại, ngày giờ địa phương, thời lượng, địa điểm, chương trình)"),
    final=(MeetingState.CANCELLED,),
    help=_("Thông báo và tài liệu trước cuộc họp, điểm danh, biểu quyết và bỏ phiếu kín, biên bản được thông qua."),
    transitions=(
        Transition("notice", _("Gửi thông báo cuộc họp"), sources=(MeetingState.PLANNED,), perm="meetings.manage",
                   help=_("Tới đảng viên của chi bộ và cấp ủy cấp trên (trong hệ thống và thư điện tử)."),
                   done=lambda n: _("Đã gửi thông báo tới %(n)s người.") % {"n": n}),
        Transition("content", _("Chương trình, dự thảo nghị quyết, diễn biến"), sources=BEFORE_MINUTES,
                   perm="meetings.manage", form=ContentForm, when=_not_locked, when_label=LOCKED),
        Transition("document", _("Đính kèm tài liệu"), sources=BEFORE_MINUTES, perm="meetings.manage",
                   form=DocumentForm, when=_not_locked, when_label=LOCKED,
                   prepare=lambda actor, meeting, d: {"title": d["title"], "filename": d["file"].name,
                                                      "data": d["file"].read(), "unclassified": d["unclassified"]},
                   help=_("Chỉ tài liệu không mật; tài liệu mật chỉ đăng ký, không lưu nội dung.")),
        Transition("open", _("Khai mạc"), sources=(MeetingState.PLANNED,), target=MeetingState.OPEN,
                   perm="meetings.manage", done=_("Đã khai mạc cuộc họp: đảng viên có thể điểm danh.")),
        Transition("attendance", _("Điểm danh một đảng viên"), sources=BEFORE_MINUTES, perm="meetings.manage",
                   form=AttendanceForm, form_kwargs=_meeting, when=_not_locked, when_label=LOCKED,
                   done=_("Đã ghi điểm danh.")),
        Transition("attendance_sheet", _("Điểm danh cả chi bộ"), sources=BEFORE_MINUTES, perm="meetings.manage",
                   form=AttendanceSheetForm, form_kwargs=_meeting, when=_not_locked, when_label=LOCKED,
                   prepare=lambda actor, meeting, d: {"rows": d["rows"]},
                   done=lambda n: _("Đã ghi điểm danh %(n)s đảng viên.") % {"n": n}),
        Transition("check_in", _("Tự điểm danh"), sources=(MeetingState.OPEN,), allow=_member_here,
                   allow_label=_("đảng viên của chi bộ (của chính mình)"), form=CheckInForm,
                   done=lambda row: _("Đã điểm danh: %(how)s.") % {"how": row.get_presence_display().lower()}),
        Transition("resolution", _("Thêm nội dung biểu quyết"), sources=(MeetingState.PLANNED, MeetingState.OPEN),
                   perm="meetings.manage", form=ResolutionForm, when=_not_locked, when_label=LOCKED),
        Transition("open_vote", _("Ghi kết quả biểu quyết công khai"), sources=(MeetingState.OPEN,),
                   perm="meetings.manage", form=OpenVoteForm, form_kwargs=_meeting,
                   help=_("Thông qua khi quá một nửa số đảng viên được tính (sổ quy định)."),
                   done=_("Đã ghi kết quả biểu quyết.")),
        Transition("ballot_open", _("Mở bỏ phiếu kín"), sources=(MeetingState.OPEN,), perm="meetings.manage",
                   form=SecretItemForm, form_kwargs=_meeting,
                   done=_("Đã mở bỏ phiếu kín; danh sách người bỏ phiếu đã được chốt.")),
        Transition("close", _("Kết thúc cuộc họp"), sources=(MeetingState.OPEN,), target=MeetingState.HELD,
                   perm="meetings.manage", opens=("meeting.regular", "meeting.thematic"),
                   closes=("meeting.regular", "meeting.thematic"), done=_("Đã kết thúc cuộc họp.")),
        Transition("minutes_draft", _("Lập dự thảo biên bản"), sources=(MeetingState.OPEN, MeetingState.HELD),
                   perm="meetings.manage", when=_not_locked, when_label=_("Biên bản đã được thông qua và đã khóa."),
                   done=_("Đã lập dự thảo biên bản từ diễn biến cuộc họp; hãy đọc lại và sửa nếu cần.")),
        Transition("minutes_edit", _("Sửa biên bản"), sources=(MeetingState.OPEN, MeetingState.HELD),
                   perm="meetings.manage", form=MinutesForm,
                   when=lambda m: m.minutes_state == MinutesState.DRAFT,
                   when_label=_("Chỉ sửa được dự thảo biên bản (chưa có, hoặc đã thông qua)."),
                   done=_("Đã lưu biên bản.")),
        Transition("minutes_approve", _("Thông qua biên bản"), sources=(MeetingState.OPEN, MeetingState.HELD),
                   perm="meetings.manage", when=lambda m: m.minutes_state == MinutesState.DRAFT,
                   when_label=_("Chưa có dự thảo biên bản, hoặc biên bản đã được thông qua."),
                   done=_("Biên bản đã được thông qua và khóa.")),
    ),
)


def _box_unit(box: BallotBox):
    return box.resolution.meeting.unit


def _voter(actor, box: BallotBox) -> bool:
    """A member on the ballot's list (fixed when it opened); casting twice is refused by the service."""
    return bool(actor.member_id) and BallotVoter.objects.filter(box=box, member_id=actor.member_id).exists()


BALLOT = Lifecycle(
    key="ballot",
    label=_("Bỏ phiếu kín"),
    states=BoxState,
    subject="box",
    start=_("Bí thư mở bỏ phiếu kín một nội dung trong cuộc họp: danh sách người bỏ phiếu được chốt"),
    final=(BoxState.CLOSED,),
    help=_("Phiếu không gắn với người bỏ: mỗi người nhận một mã biên nhận để tự kiểm tra phiếu đã được tính."),
    transitions=(
        Transition("cast", _("Bỏ phiếu"), sources=(BoxState.OPEN,), allow=_voter,
                   allow_label=_("đảng viên có tên trong danh sách bỏ phiếu"), form=VoteForm,
                   when=lambda box: box.online,
                   when_label=_("Chi bộ không cho phép bỏ phiếu kín trực tuyến; đồng chí bỏ phiếu giấy tại cuộc họp."),
                   returns="receipt", done=_("Đã bỏ phiếu.")),
        Transition("paper", _("Nhập kết quả kiểm phiếu giấy"), sources=(BoxState.OPEN,), perm="meetings.manage",
                   unit=_box_unit, form=PaperForm, done=_("Đã nhập kết quả kiểm phiếu giấy.")),
        Transition("ballot_close", _("Kết thúc bỏ phiếu và kiểm phiếu"), sources=(BoxState.OPEN,),
                   target=BoxState.CLOSED, perm="meetings.manage", unit=_box_unit,
                   done=_("Đã kết thúc bỏ phiếu và công bố kết quả.")),
    ),
)
