"""The lifecycles of inspection, declared once (docs/domain.md §8):

- an item of a yearly plan: planned → in progress → concluded (or cancelled), its steps taken by the committee
  that owns the plan (``inspection.plan``);
- an inspection when there are signs of a violation: opened by a committee on a member or an organization of its
  subtree → the subject's explanation → the committee's conclusion and recommendations (or the inspection dropped).
  The subject never takes the committee's steps on their own case, whatever role they hold, and only the committee
  itself takes them (not a level above it, whose grant reaches it too); a case is visible only to those who need to
  know it (``inspection.selectors``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from chibo.core.access import Role
from chibo.core.lifecycle import Lifecycle, Transition
from chibo.inspection.enums import OPEN_STATES, CaseState, ItemState
from chibo.inspection.forms import AssignForm, CancelForm, ConcludeForm, DropForm, ExplainForm, ItemConcludeForm


def subject_is(actor, subject_member_id: int | None, subject_unit_id: int | None) -> bool:
    """Whether the actor is this subject: the member themself, or for an organization its secretary (a secretary's
    grant on the subject unit itself)."""
    if subject_member_id is not None:
        return actor.member_id is not None and actor.member_id == subject_member_id
    return any(g.role == Role.SECRETARY and g.unit_id == subject_unit_id for g in actor.grants)


def is_subject(actor, case) -> bool:
    """The subject of the case (who never takes the committee's steps on it, whatever role they hold, and sees it
    without the signs and the team)."""
    return subject_is(actor, case.subject_member_id, case.subject_unit_id)


def _not_the_committee(actor, case) -> bool:
    """Refused: the subject, and whoever does not hold ``inspection.open`` on the inspecting committee itself (an
    upper level never acts in a lower committee's name)."""
    return is_subject(actor, case) or case.unit_id not in actor.units_holding("inspection.open")


def _neither_subject_nor_committee(actor, case) -> bool:
    return not is_subject(actor, case) and case.unit_id not in actor.units_holding("inspection.open")


def _not_the_plans_committee(actor, item) -> bool:
    """Refused: whoever does not hold ``inspection.plan`` on the committee that owns the plan itself."""
    return item.plan.unit_id not in actor.units_holding("inspection.plan")


_BY_THE_PLANS_COMMITTEE: dict[str, Any] = {"perm": "inspection.plan", "unit": lambda i: i.plan.unit,
                                           "deny": _not_the_plans_committee}

ITEM = Lifecycle(
    key="inspection_item",
    label=_("Nội dung kế hoạch kiểm tra, giám sát"),
    states=ItemState,
    subject="item",
    start=_("Cấp ủy lập kế hoạch kiểm tra hoặc giám sát của năm và ghi từng nội dung: đối tượng, nội dung, thời gian."),
    final=(ItemState.DONE, ItemState.CANCELLED),
    help=_("Tiến hành → kết luận; hoặc hủy nội dung, ghi lý do."),
    transitions=(
        Transition("start", _("Bắt đầu tiến hành"), sources=(ItemState.PLANNED,), target=ItemState.IN_PROGRESS,
                   **_BY_THE_PLANS_COMMITTEE, done=_("Đã ghi: đang tiến hành.")),
        Transition("conclude", _("Kết luận"), sources=(ItemState.IN_PROGRESS,), target=ItemState.DONE,
                   **_BY_THE_PLANS_COMMITTEE, form=ItemConcludeForm, done=_("Đã ghi kết luận.")),
        Transition("cancel", _("Hủy nội dung này"), sources=(ItemState.PLANNED, ItemState.IN_PROGRESS),
                   target=ItemState.CANCELLED, **_BY_THE_PLANS_COMMITTEE, form=CancelForm, secondary=True,
                   done=_("Đã hủy nội dung.")),
    ),
)

CASE = Lifecycle(
    key="inspection",
    label=_("Cuộc kiểm tra khi có dấu hiệu vi phạm"),
    states=CaseState,
    subject="case",
    start=_("Cấp ủy (ủy ban kiểm tra) ra quyết định kiểm tra một đảng viên hoặc tổ chức đảng cấp dưới khi có dấu hiệu "
            "vi phạm."),
    final=(CaseState.CONCLUDED, CaseState.DROPPED),
    help=_("Đoàn kiểm tra làm việc → đối tượng giải trình → cấp ủy kết luận, kiến nghị (có thể đề nghị xem xét kỷ "
           "luật)."),
    transitions=(
        Transition("assign", _("Thêm thành viên đoàn kiểm tra"), sources=OPEN_STATES, deny=_not_the_committee,
                   perm="inspection.open", form=AssignForm, secondary=True,
                   done=_("Đã thêm; thành viên đoàn kiểm tra xem được cuộc kiểm tra.")),
        Transition("explain", _("Gửi giải trình"), sources=(CaseState.OPEN,),
                   target=CaseState.EXPLAINED, perm="inspection.open", allow=is_subject,
                   deny=_neither_subject_nor_committee,
                   allow_label=_("đảng viên được kiểm tra; bí thư của tổ chức được kiểm tra"), form=ExplainForm,
                   done=_("Đã ghi giải trình.")),
        Transition("conclude", _("Kết luận kiểm tra"), sources=(CaseState.EXPLAINED,), target=CaseState.CONCLUDED,
                   deny=_not_the_committee, perm="inspection.open", form=ConcludeForm,
                   done=_("Đã ghi kết luận và kiến nghị.")),
        Transition("drop", _("Dừng kiểm tra"), sources=OPEN_STATES, target=CaseState.DROPPED, deny=_not_the_committee,
                   perm="inspection.open", form=DropForm, secondary=True, done=_("Đã dừng cuộc kiểm tra.")),
    ),
)
