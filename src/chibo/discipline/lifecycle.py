"""The lifecycle of a discipline case, declared once (docs/domain.md §8): opened on a member with a violation →
the member's own explanation → the vote on the proposed form (in the member's cell) → the competent committee's
decision (or no discipline) → an appeal to the level above → its outcome. The services in
``chibo.discipline.services`` run each step; a case is visible only to those who need to know it
(``discipline.selectors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.lifecycle import Lifecycle, Transition
from chibo.discipline.enums import OPEN_STATES, CaseState, NoticeState
from chibo.discipline.forms import (
    AppealDecideForm,
    AppealForm,
    AssignForm,
    DecideForm,
    DropForm,
    ExplainForm,
    NoticeCloseForm,
    VoteForm,
)


def _self(actor, case) -> bool:
    return actor.member_id is not None and actor.member_id == case.member_id


def _own_case(actor, case) -> bool:
    """A member never takes the committee's steps on their own case, whatever role they hold."""
    return _self(actor, case)


def _instance(case):
    appeal = getattr(case, "appeal", None)
    return appeal.instance if appeal is not None else None


CASE = Lifecycle(
    key="discipline",
    label=_("Kỷ luật đảng viên"),
    states=CaseState,
    subject="case",
    start=_("Tổ chức đảng mở hồ sơ khi có dấu hiệu vi phạm: nội dung, ngày vi phạm, mức xem xét, thẩm quyền."),
    final=(CaseState.DROPPED, CaseState.CLOSED),
    help=_("Tự kiểm điểm → chi bộ biểu quyết → cấp có thẩm quyền quyết định → khiếu nại (nếu có) → giải quyết."),
    transitions=(
        Transition("assign", _("Phân công cán bộ theo dõi"), sources=(*OPEN_STATES, CaseState.APPEALED),
                   deny=_own_case, perm="discipline.open", unit=lambda c: c.deciding_unit, form=AssignForm,
                   secondary=True,
                   done=_("Đã phân công; người được phân công xem được hồ sơ.")),
        Transition("explain", _("Bản tự kiểm điểm của đảng viên"), sources=(CaseState.OPEN,),
                   target=CaseState.EXPLAINED, perm="discipline.open", allow=_self, allow_label=_("chính đảng viên"),
                   form=ExplainForm, done=_("Đã ghi bản tự kiểm điểm.")),
        Transition("vote", _("Chi bộ biểu quyết đề nghị hình thức kỷ luật"), sources=(CaseState.EXPLAINED,),
                   targets=(CaseState.VOTED, CaseState.EXPLAINED), deny=_own_case, perm="discipline.open",
                   form=VoteForm,
                   done=_("Đã ghi kết quả biểu quyết."),
                   help=_("Mẫu số: đảng viên chính thức của chi bộ ngày biểu quyết (discipline.vote_ratio).")),
        Transition("decide", _("Quyết định kỷ luật"), sources=(CaseState.VOTED,), target=CaseState.DECIDED,
                   deny=_own_case, perm="discipline.decide", unit=lambda c: c.deciding_unit, form=DecideForm,
                   done=_("Đã quyết định kỷ luật; quyết định có hiệu lực ngay cả khi có khiếu nại."),
                   help=_("Cách chức: thôi các chức vụ trong cấp ủy; khai trừ: ra khỏi danh sách đảng viên.")),
        Transition("drop", _("Không kỷ luật, đóng hồ sơ"), sources=OPEN_STATES, target=CaseState.DROPPED,
                   deny=_own_case, perm="discipline.decide", unit=lambda c: c.deciding_unit, form=DropForm,
                   secondary=True,
                   done=_("Đã đóng hồ sơ, không kỷ luật.")),
        Transition("appeal", _("Khiếu nại quyết định kỷ luật"), sources=(CaseState.DECIDED,),
                   target=CaseState.APPEALED, perm="discipline.open", allow=_self, allow_label=_("chính đảng viên"),
                   form=AppealForm, opens=("discipline.appeal",), done=_("Đã ghi đơn khiếu nại."),
                   help=_("Trong thời hạn discipline.appeal_within kể từ ngày nhận quyết định; quyết định vẫn có "
                          "hiệu lực trong khi chờ giải quyết.")),
        Transition("appeal_decide", _("Giải quyết khiếu nại"), sources=(CaseState.APPEALED,),
                   target=CaseState.CLOSED, deny=_own_case, perm="discipline.decide", unit=_instance,
                   form=AppealDecideForm,
                   closes=("discipline.appeal",), done=_("Đã ghi kết quả giải quyết khiếu nại.")),
    ),
)


NOTICE = Lifecycle(
    key="discipline_notice",
    label=_("Thông báo kỷ luật của cơ quan nhà nước"),
    states=NoticeState,
    subject="notice",
    start=_("Tổ chức đảng ghi thông báo của cơ quan nhà nước đã kỷ luật đảng viên (số, ngày quyết định, ngày nhận)."),
    final=(NoticeState.CASE, NoticeState.CLOSED),
    help=_("Thời hạn thông báo: discipline.state_notice_within kể từ ngày quyết định. Tổ chức đảng xem xét: mở hồ sơ "
           "kỷ luật đảng từ thông báo, hoặc ghi lý do không xem xét."),
    transitions=(
        Transition("close", _("Không xem xét kỷ luật đảng"), sources=(NoticeState.RECEIVED,),
                   target=NoticeState.CLOSED, deny=_own_case, perm="discipline.decide", form=NoticeCloseForm,
                   done=_("Đã ghi lý do; thông báo được lưu.")),
    ),
)
