"""The lifecycles of the programs app, declared once (docs/domain.md §14):

- an item of a unit's work program: planned → in progress → done with its evidence (or dropped, with the reason),
  its steps taken by the unit's own committee (``meetings.manage`` held on the unit itself). While open it may be
  handed down to units directly below (each gets a linked item in its own program of the same period), and the
  committee above may send a reminder;
- a proposal or question a unit raises to the committee directly above it: raised → (received) → answered, or
  withdrawn by the unit. Only the committee it is addressed to answers it, within
  ``programs.proposal_answer_within`` (the deadline on its radar)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.access import Role
from chibo.core.lifecycle import Lifecycle, Transition
from chibo.programs.enums import EDIT, ITEM_OPEN_STATES, PROPOSAL_OPEN_STATES, ItemState, ProposalState
from chibo.programs.forms import AnswerForm, CompleteForm, DropForm, HandDownForm, ReceiveForm, WithdrawForm
from chibo.programs.selectors import hand_down_choices

# Who speaks for a unit when it raises a proposal: its secretary or a member of its committee.
RAISERS = (Role.SECRETARY, Role.COMMITTEE)


def raising_units(actor) -> list[int]:
    """The units the actor speaks for: a secretary's or a committee member's role on the unit itself."""
    return list(dict.fromkeys(g.unit_id for g in actor.grants if g.role in RAISERS))


def _not_the_units_committee(actor, item) -> bool:
    """Refused: whoever does not hold ``meetings.manage`` on the program's unit itself."""
    return item.program.unit_id not in actor.units_holding(EDIT)


def _not_above(actor, item) -> bool:
    """The reminder comes from a committee above the unit, never from the unit itself."""
    return item.program.unit_id in actor.units_holding(EDIT)


def _children(item) -> dict:
    return {"children": hand_down_choices(item)}


_OWN: dict = {"perm": EDIT, "unit": lambda i: i.program.unit, "deny": _not_the_units_committee}

ITEM = Lifecycle(
    key="program_item",
    label=_("Việc trong chương trình công tác"),
    states=ItemState,
    subject="item",
    start=_("Cấp ủy ghi từng việc vào chương trình công tác năm hoặc quý: nội dung, người hoặc bộ phận phụ trách, "
            "hạn hoàn thành; việc cấp trên giao xuống tự vào chương trình của cấp dưới."),
    final=(ItemState.DONE, ItemState.DROPPED),
    help=_("Thực hiện → hoàn thành, ghi kết quả và minh chứng; hoặc không thực hiện, ghi lý do. Cấp ủy cấp trên "
           "theo dõi, đôn đốc."),
    transitions=(
        Transition("start", _("Bắt đầu thực hiện"), sources=(ItemState.PLANNED,), target=ItemState.IN_PROGRESS,
                   **_OWN, done=_("Đã ghi: đang thực hiện.")),
        Transition("complete", _("Ghi hoàn thành"), sources=ITEM_OPEN_STATES, target=ItemState.DONE, **_OWN,
                   form=CompleteForm, done=_("Đã ghi hoàn thành và minh chứng.")),
        Transition("hand_down", _("Giao cho tổ chức trực thuộc"), sources=ITEM_OPEN_STATES, **_OWN,
                   form=HandDownForm, form_kwargs=_children, secondary=True,
                   when=lambda i: bool(hand_down_choices(i)),
                   when_label=_("Không còn tổ chức trực thuộc nào để giao việc này."),
                   done=_("Đã giao; mỗi tổ chức nhận một việc trong chương trình của mình.")),
        Transition("remind", _("Nhắc, đôn đốc"), sources=ITEM_OPEN_STATES, perm=EDIT,
                   unit=lambda i: i.program.unit.parent, deny=_not_above, secondary=True,
                   done=_("Đã gửi lời nhắc đến bí thư, cấp ủy của tổ chức.")),
        Transition("drop", _("Không thực hiện"), sources=ITEM_OPEN_STATES, target=ItemState.DROPPED, **_OWN,
                   form=DropForm, secondary=True, done=_("Đã ghi: không thực hiện việc này.")),
    ),
)


def _not_addressed(actor, proposal) -> bool:
    """Refused: whoever does not hold ``meetings.manage`` on the committee the proposal is addressed to."""
    return proposal.to_unit_id not in actor.units_holding(EDIT)


def speaks_for(actor, proposal) -> bool:
    return proposal.unit_id in raising_units(actor)


PROPOSAL = Lifecycle(
    key="program_proposal",
    label=_("Kiến nghị, đề xuất lên cấp trên"),
    states=ProposalState,
    subject="proposal",
    start=_("Bí thư hoặc cấp ủy viên của tổ chức gửi kiến nghị, đề xuất hoặc câu hỏi lên cấp ủy cấp trên trực tiếp."),
    final=(ProposalState.ANSWERED, ProposalState.WITHDRAWN),
    help=_("Cấp ủy cấp trên trả lời trong thời hạn programs.proposal_answer_within kể từ ngày gửi; đến khi trả lời, "
           "kiến nghị nằm trên bảng hạn của cấp ủy đó."),
    transitions=(
        Transition("receive", _("Ghi đã nhận"), sources=(ProposalState.RAISED,), target=ProposalState.RECEIVED,
                   perm=EDIT, unit=lambda p: p.to_unit, deny=_not_addressed, form=ReceiveForm, secondary=True,
                   done=_("Đã ghi: cấp trên đã nhận kiến nghị.")),
        Transition("answer", _("Trả lời"), sources=PROPOSAL_OPEN_STATES, target=ProposalState.ANSWERED,
                   perm=EDIT, unit=lambda p: p.to_unit, deny=_not_addressed, form=AnswerForm,
                   closes=("programs.proposal",), done=_("Đã ghi nội dung trả lời; tổ chức gửi xem được.")),
        Transition("withdraw", _("Rút kiến nghị"), sources=PROPOSAL_OPEN_STATES, target=ProposalState.WITHDRAWN,
                   allow=speaks_for, allow_label=_("bí thư, cấp ủy viên của tổ chức gửi"), form=WithdrawForm,
                   closes=("programs.proposal",), secondary=True, done=_("Đã rút kiến nghị.")),
    ),
)
