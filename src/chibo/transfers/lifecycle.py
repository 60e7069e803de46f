"""The lifecycles of the transfers app, declared once (docs/domain.md §3): transfers, and the requests a
member files while abroad (trips, declarations, exemptions), reviewed by the cell and the committee.

A transfer (chuyển sinh hoạt đảng):

requested → approved by the sending cell → letter issued (box 1 of the 10-box letter, or 2-SHĐ) →
forwarded box by box by the levels above (or introduced on by the upper committee for a letter from
outside the tree) → received at the destination (the receipt goes back) → reported in. An open
transfer can be cancelled. The services in ``chibo.transfers.services`` run each step.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.lifecycle import Lifecycle, Transition, TransitionRefused
from chibo.members.reviews import files_for_self, review_transitions
from chibo.transfers.forms import CloseForm, DateForm, DayForm, LetterForm, ReasonForm, TripReportForm
from chibo.transfers.models import (
    INCOMING,
    OPEN_STATES,
    DeclarationState,
    DelegationState,
    ExemptionState,
    Form,
    Kind,
    State,
    Transfer,
    TripState,
)


def sender(t: Transfer):
    """The unit that starts and issues the transfer's letter."""
    return t.from_unit or t.unit


def receiver(t: Transfer):
    """The unit that receives the letter and the member (the sender for a transfer out of the tree)."""
    return t.to_unit or sender(t)


def next_box_or_refuse(t: Transfer) -> tuple:
    """(issuer, box number, the box before it or None) of the next box of the transfer's letter; refused
    with the reason when no box can follow now. A letter from outside the tree is introduced on once by
    the committee holding the transfer (3-SHĐ abroad, box 2 of the 10-box letter otherwise); a 10-box
    letter issued in the tree goes up box by box, each by the level above the last box's issuer."""
    def refuse(message) -> TransitionRefused:
        return TransitionRefused(str(message), lifecycle="transfer", transition="forward", state=t.state)

    if t.kind in INCOMING:
        if t.state != State.ISSUED:
            raise refuse(_("Không thể giới thiệu tiếp khi đang «%(state)s».") % {"state": t.get_state_display()})
        return t.unit, t.letters.filter(void_reason="").count() + 2, None
    if t.kind == Kind.TEMPORARY or t.state not in (State.ISSUED, State.FORWARDED):
        raise refuse(_("Không thể giới thiệu tiếp khi đang «%(state)s».") % {"state": t.get_state_display()})
    last = (t.letters.filter(form=Form.TEN_BOX, void_reason="").select_related("issuer__parent")
            .order_by("-box", "-pk").first())
    if last is None:
        raise refuse(_("Chưa có giấy giới thiệu (ô số 1) để giới thiệu tiếp."))
    if last.box >= 10:
        raise refuse(_("Giấy giới thiệu đã kín 10 ô; cần cấp giấy mới."))
    if last.issuer.parent is None:
        raise refuse(_("%(unit)s là cấp cao nhất; không còn cấp ủy cấp trên để giới thiệu tiếp.")
                     % {"unit": last.issuer.name})
    return last.issuer.parent, last.box + 1, last


def next_box(t: Transfer) -> tuple | None:
    """The issuer and number of the next box of the transfer's letter, or None when none can follow."""
    try:
        issuer, box, _last = next_box_or_refuse(t)
    except TransitionRefused:
        return None
    return issuer, box


def next_issuer(t: Transfer):
    found = next_box(t)
    return found[0] if found else None


def forward_label(t: Transfer) -> str:
    found = next_box(t)
    if found is None or t.kind in INCOMING:
        return str(_("Giới thiệu tiếp đến nơi đến"))
    return str(_("Giới thiệu tiếp (ô số %(box)s): %(unit)s") % {"box": found[1], "unit": found[0].name})


TRANSFER = Lifecycle(
    key="transfer",
    label=_("Chuyển sinh hoạt đảng"),
    states=State,
    subject="transfer",
    start=_("Chi bộ ghi đề nghị của đảng viên (hoặc Đảng ủy tiếp nhận giấy giới thiệu từ nơi khác đến)"),
    final=(State.REPORTED, State.CANCELLED),
    help=_("Từ đề nghị của đảng viên đến khi đảng viên đến sinh hoạt tại nơi mới; thời hạn theo sổ quy định."),
    transitions=(
        Transition(
            "approve", _("Chi bộ đồng ý chuyển sinh hoạt"), sources=(State.REQUESTED,), target=State.APPROVED,
            perm="transfers.edit", unit=sender, form=DayForm, done=_("Chi bộ đã đồng ý."),
            help=_("Chi bộ nơi đi xem xét đề nghị và đồng ý.")),
        Transition(
            "issue", _("Cấp giấy giới thiệu"), sources=(State.APPROVED,), target=State.ISSUED,
            perm="transfers.edit", unit=sender, form=LetterForm, opens=("transfer.report",),
            when=lambda t: t.kind not in INCOMING, done=_("Đã cấp giấy giới thiệu."),
            help=_("Ô số 1 của giấy 10 ô, hoặc giấy 2-SHĐ khi chuyển tạm thời; số giấy liên tục theo năm.")),
        Transition(
            "forward", _("Giới thiệu tiếp"), sources=(State.ISSUED, State.FORWARDED), target=State.FORWARDED,
            perm="transfers.edit", unit=next_issuer, when=lambda t: next_issuer(t) is not None, label_for=forward_label,
            when_label=_("Không còn ô nào để giới thiệu tiếp lúc này."), form=LetterForm,
            opens=("transfer.report",), done=_("Đã giới thiệu tiếp."),
            help=_("Cấp ủy cấp trên viết ô tiếp theo của giấy (hoặc giới thiệu tiếp giấy từ nơi khác đến).")),
        Transition(
            "receive", _("Nơi đến đã nhận giấy giới thiệu"), sources=(State.ISSUED, State.FORWARDED),
            target=State.RECEIVED, perm="transfers.edit", unit=receiver,
            when=lambda t: t.state == State.FORWARDED or t.kind not in INCOMING,
            when_label=_("Đảng ủy cấp trên chưa giới thiệu tiếp đến nơi đến."), form=DayForm,
            done=_("Đã ghi nhận nơi đến nhận giấy."), help=_("Phiếu báo đã nhận gửi lại nơi gửi.")),
        Transition(
            "report", _("Đảng viên đã đến sinh hoạt"), sources=(State.RECEIVED,), target=State.REPORTED,
            perm="transfers.edit", unit=receiver, form=DateForm, closes=("transfer.report",),
            done=_("Đã ghi nhận đảng viên đến sinh hoạt."),
            help=_("Quá hạn xuất trình giấy thì cần lý do chậm.")),
        Transition(
            "cancel", _("Hủy việc chuyển sinh hoạt"), sources=tuple(s for s in State.values if s in OPEN_STATES),
            target=State.CANCELLED,
            perm="transfers.edit", form=ReasonForm, closes=("transfer.report",), secondary=True,
            done=_("Đã hủy.")),
    ),
)


# --- requests reviewed by the cell and the committee (members.reviews) ------------------------------
def _self(actor, obj) -> bool:
    return files_for_self(actor, obj)


TRIP = Lifecycle(
    key="trip",
    label=_("Đi nước ngoài về việc riêng"),
    states=TripState,
    subject="trip",
    start=_("Đảng viên nộp đơn trước chuyến đi (hoặc chi bộ ghi đơn cho đảng viên)"),
    final=(TripState.REFUSED, TripState.REPORTED),
    help=_("Xin phép trước khi đi, báo cáo sau khi về trong thời hạn theo sổ quy định."),
    transitions=(
        *review_transitions(perm="transfers.edit", opens_on_approval=("trip.report",)),
        Transition(
            "report", _("Báo cáo sau chuyến đi"), sources=(TripState.APPROVED,), target=TripState.REPORTED,
            perm="transfers.edit", allow=_self, allow_label=_("đảng viên (của chính mình)"),
            when=lambda trip: clock.today() >= trip.return_on,
            when_label=_("Chuyến đi chưa kết thúc; báo cáo sau ngày về."), form=TripReportForm,
            closes=("trip.report",), done=_("Đã nộp báo cáo sau chuyến đi.")),
    ),
)

DECLARATION = Lifecycle(
    key="declaration",
    label=_("Khai báo khi ở nước ngoài"),
    states=DeclarationState,
    subject="declaration",
    start=_("Đảng viên khai về bản thân (hoặc chi bộ ghi lời khai cho đảng viên)"),
    final=(DeclarationState.APPROVED, DeclarationState.REFUSED),
    help=_("Mang tài liệu mật ra nước ngoài, nhận danh hiệu, tham gia tổ chức, kết hôn, quốc tịch nước ngoài."),
    transitions=review_transitions(perm="transfers.edit"),
)

EXEMPTION = Lifecycle(
    key="exemption",
    label=_("Miễn công tác và sinh hoạt đảng"),
    states=ExemptionState,
    subject="exemption",
    start=_("Đảng viên làm đơn (hoặc chi bộ ghi đơn cho đảng viên)"),
    final=(ExemptionState.APPROVED, ExemptionState.REFUSED),
    help=_("Ở nước ngoài một mình dưới thời hạn phải chuyển sinh hoạt chính thức: miễn công tác và sinh hoạt."),
    transitions=review_transitions(perm="transfers.edit", opinion_label=_("Nghị quyết của chi bộ")),
)


DELEGATION = Lifecycle(
    key="delegation",
    label=_("Chi bộ tạm thời của đoàn công tác"),
    states=DelegationState,
    subject="delegation",
    start=_("Đảng ủy cấp trên lập chi bộ tạm thời, chỉ định cấp ủy, giao nhiệm vụ"),
    final=(DelegationState.RETURNED,),
    help=_("Đoàn công tác có đủ đảng viên chính thức theo sổ quy định thì lập chi bộ tạm thời "
           "cho thời gian ở nước ngoài."),
    transitions=(
        Transition("close", _("Đoàn về nước, kết thúc chi bộ tạm thời"), sources=(DelegationState.ABROAD,),
                   target=DelegationState.RETURNED, perm="units.edit", form=CloseForm,
                   done=_("Đoàn đã về nước; đảng viên trở về chi bộ cũ, chi bộ tạm thời kết thúc."),
                   help=_("Cấp ủy của chi bộ tạm thời thôi chức vụ; đảng viên trở về chi bộ đã đi.")),
    ),
)
