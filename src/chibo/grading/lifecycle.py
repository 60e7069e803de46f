"""The lifecycles of grading, declared once (docs/domain.md §7): a member's review (self-assessment → the cell's
vote in a meeting → the committee's appraisal → the decision; a correction is a new decision with a reason), an
organization's review (its report → the level above's decision), and the period (reminders, then the lock once
everything is decided). The services in ``chibo.grading.services`` run each step.

The member's own steps are open to the member themself and, for a paper form typed in, to the cell's committee
(``grading.cell``). The appraisal and the decision belong to the committee above a subordinate cell (the cell's
own committee when it is a grass-roots cell), like an admission; an organization is graded by the level above.
Nothing but a correction moves once the period is locked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from chibo.core.lifecycle import Lifecycle, Transition
from chibo.grading.enums import PeriodState, ReviewState, UnitReviewState
from chibo.grading.forms import (
    AppraiseForm,
    CellVoteForm,
    CorrectForm,
    DecideForm,
    RemindForm,
    ReturnForm,
    SelfForm,
    SelfSubmitForm,
    SetFormForm,
    UnitCorrectForm,
    UnitDecideForm,
    UnitSelfForm,
    points_of,
)
from chibo.grading.rules import criteria_for
from chibo.meetings.selectors import meetings_for_votes
from chibo.units.enums import UnitKind

if TYPE_CHECKING:
    from chibo.grading.models import Review
    from chibo.units.models import Unit

LOCKED = _("Kỳ kiểm điểm đã khóa; chỉ còn điều chỉnh bằng quyết định mới có lý do.")


def deciding(review: Review) -> Unit:
    """The committee that appraises and decides a member's grade: the grass-roots committee above a subordinate
    (or temporary) cell; a grass-roots cell's own committee otherwise."""
    unit = review.unit
    if unit.kind in (UnitKind.SUBORDINATE_CELL, UnitKind.DELEGATION_CELL) and unit.parent is not None:
        return unit.parent
    return unit


def _open(obj) -> bool:
    return obj.period.state == PeriodState.OPEN


def _self(actor, review) -> bool:
    return actor.member_id is not None and actor.member_id == review.member_id


def _self_form(review) -> dict:
    return {"review": review, "criteria": criteria_for(review.form, review.period.rules_on)}


def _unit_form(unit_review) -> dict:
    return {"review": unit_review, "criteria": criteria_for("ORG", unit_review.period.rules_on)}


def _meetings(review) -> dict:
    return {"meetings": list(meetings_for_votes(review.unit))}


REVIEW = Lifecycle(
    key="grading",
    label=_("Kiểm điểm, xếp loại đảng viên"),
    states=ReviewState,
    subject="review",
    start=_("Cấp ủy mở kỳ kiểm điểm cho tổ chức của mình; mỗi đảng viên có một bản kiểm điểm theo mẫu."),
    final=(),
    help=_("Tự đánh giá → chi bộ nhận xét, biểu quyết trong cuộc họp → cấp ủy thẩm định → quyết định xếp loại."),
    transitions=(
        Transition("save", _("Lưu bản nháp"), sources=(ReviewState.PENDING,), perm="grading.cell", allow=_self,
                   allow_label=_("chính đảng viên"), form=SelfForm, form_kwargs=_self_form, prepare=points_of,
                   when=_open, when_label=LOCKED, done=_("Đã lưu bản nháp.")),
        Transition("submit", _("Nộp bản tự đánh giá"), sources=(ReviewState.PENDING,), target=ReviewState.SUBMITTED,
                   perm="grading.cell", allow=_self, allow_label=_("chính đảng viên"), form=SelfSubmitForm,
                   form_kwargs=_self_form, prepare=points_of, when=_open, when_label=LOCKED,
                   done=_("Đã nộp bản tự đánh giá."),
                   help=_("Điểm từng tiêu chí trong khung của mẫu, tổng không quá 100; mức tự nhận phải khớp điểm "
                          "và điều kiện.")),
        Transition("set_form", _("Đổi mẫu tự đánh giá"), sources=(ReviewState.PENDING,), perm="grading.cell",
                   form=SetFormForm, when=_open, when_label=LOCKED, secondary=True, done=_("Đã đổi mẫu.")),
        Transition("return", _("Trả lại để đảng viên sửa"), sources=(ReviewState.SUBMITTED,),
                   target=ReviewState.PENDING, perm="grading.cell", form=ReturnForm, when=_open, when_label=LOCKED,
                   secondary=True, done=_("Đã trả lại bản tự đánh giá.")),
        Transition("cell_vote", _("Chi bộ nhận xét, biểu quyết"), sources=(ReviewState.SUBMITTED,),
                   targets=(ReviewState.CELL_VOTED, ReviewState.SUBMITTED), perm="grading.cell", form=CellVoteForm,
                   form_kwargs=_meetings, when=_open, when_label=LOCKED, done=_("Đã ghi kết quả biểu quyết."),
                   help=_("Trong một cuộc họp của chi bộ; mẫu số là số đảng viên chính thức được triệu tập "
                          "(grading.cell_vote_majority).")),
        Transition("appraise", _("Cấp ủy thẩm định"), sources=(ReviewState.CELL_VOTED,),
                   target=ReviewState.APPRAISED, perm="grading.decide", unit=deciding, form=AppraiseForm,
                   when=_open, when_label=LOCKED, done=_("Đã ghi ý kiến thẩm định.")),
        Transition("decide", _("Quyết định xếp loại"), sources=(ReviewState.APPRAISED,), target=ReviewState.DECIDED,
                   perm="grading.decide", unit=deciding, form=DecideForm, when=_open, when_label=LOCKED,
                   done=_("Đã quyết định xếp loại.")),
        Transition("correct", _("Điều chỉnh xếp loại (quyết định mới)"), sources=(ReviewState.DECIDED,),
                   perm="grading.decide", unit=deciding, form=CorrectForm, secondary=True,
                   done=_("Đã ghi quyết định điều chỉnh."),
                   help=_("Cả sau khi kỳ đã khóa: một quyết định mới có lý do; quyết định cũ vẫn được lưu.")),
    ),
)

UNIT_REVIEW = Lifecycle(
    key="grading_unit",
    label=_("Kiểm điểm, xếp loại tổ chức đảng"),
    states=UnitReviewState,
    subject="unit_review",
    start=_("Mở cùng kỳ kiểm điểm: mỗi tổ chức trong phạm vi có một bản kiểm điểm."),
    transitions=(
        Transition("submit", _("Nộp báo cáo tự đánh giá của tổ chức"), sources=(UnitReviewState.PENDING,),
                   target=UnitReviewState.SUBMITTED, perm="grading.cell", form=UnitSelfForm,
                   form_kwargs=_unit_form, prepare=points_of,
                   when=_open, when_label=LOCKED, done=_("Đã nộp báo cáo tự đánh giá.")),
        Transition("return", _("Trả lại để tổ chức sửa"), sources=(UnitReviewState.SUBMITTED,),
                   target=UnitReviewState.PENDING, perm="grading.decide", unit=lambda r: r.unit.parent,
                   form=ReturnForm, when=_open, when_label=LOCKED, secondary=True, done=_("Đã trả lại.")),
        Transition("decide", _("Quyết định xếp loại tổ chức"), sources=(UnitReviewState.SUBMITTED,),
                   target=UnitReviewState.DECIDED, perm="grading.decide", unit=lambda r: r.unit.parent,
                   form=UnitDecideForm, when=_open, when_label=LOCKED, done=_("Đã quyết định xếp loại."),
                   help=_("Khi mọi đảng viên của tổ chức đã có quyết định: tỷ lệ xuất sắc và số bị kỷ luật "
                          "được đọc từ đó.")),
        Transition("correct", _("Điều chỉnh xếp loại (quyết định mới)"), sources=(UnitReviewState.DECIDED,),
                   perm="grading.decide", unit=lambda r: r.unit.parent, form=UnitCorrectForm, secondary=True,
                   done=_("Đã ghi quyết định điều chỉnh.")),
    ),
)

PERIOD = Lifecycle(
    key="grading_period",
    label=_("Kỳ kiểm điểm"),
    states=PeriodState,
    subject="period",
    start=_("Cấp ủy mở kỳ (năm, quý hoặc nhiệm kỳ) cho tổ chức của mình và các tổ chức trực thuộc."),
    final=(PeriodState.LOCKED,),
    transitions=(
        Transition("remind", _("Nhắc những người chưa nộp"), sources=(PeriodState.OPEN,), perm="grading.open",
                   form=RemindForm, done=lambda n: _("Đã gửi nhắc tới %(n)s đảng viên.") % {"n": n}),
        Transition("lock", _("Khóa kỳ kiểm điểm"), sources=(PeriodState.OPEN,), target=PeriodState.LOCKED,
                   perm="grading.open", when=lambda p: p.undecided == 0,
                   when_label=_("Còn bản kiểm điểm chưa có quyết định xếp loại."), done=_("Đã khóa kỳ kiểm điểm."),
                   help=_("Khi mọi bản kiểm điểm của đảng viên và tổ chức đã có quyết định.")),
    ),
)
