"""The lifecycle of an admission case (kết nạp → dự bị → chính thức), declared once (docs/domain.md §4).

The cell records the applicant and opens the case; the steps run through the papers of the KNĐ series
to the cell's vote, the deciding committee's vote and decision, the ceremony (the member record is
created), probation and confirmation. Steps of the cell need ``admission.edit`` on the case's cell; the
deciding committee's need ``admission.decide`` on the deciding unit. The services in
``chibo.admission.services`` run each step.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.admission.forms import (
    ApplicationForm,
    CeremonyForm,
    CloseForm,
    CommentsForm,
    ConfirmForm,
    CourseForm,
    DecisionForm,
    ExtendForm,
    IntroducersForm,
    StrikeOffForm,
    VerifiedForm,
    VoteForm,
)
from chibo.admission.models import AdmissionCase, Stage
from chibo.core.lifecycle import Lifecycle, Transition

BEFORE_CEREMONY = (Stage.RECORDED, Stage.COURSE, Stage.APPLICATION, Stage.INTRODUCERS, Stage.COMMENTS,
                   Stage.VERIFIED, Stage.CELL_VOTED, Stage.COMMITTEE_VOTED, Stage.DECIDED)


def deciding(case: AdmissionCase):
    """The committee that decides the case (the grass-roots committee above a subordinate cell)."""
    return case.deciding_unit or case.unit


def _case(case: AdmissionCase) -> dict:
    return {"case": case}


def _cell(name: str, label, source: str, target: str, form, **kw) -> Transition:
    return Transition(name, label, sources=(source,), target=target, perm="admission.edit", form=form, **kw)


CASE = Lifecycle(
    key="admission",
    label=_("Kết nạp đảng viên"),
    states=Stage,
    subject="case",
    state_attr="stage",
    start=_("Chi bộ ghi nhận quần chúng ưu tú và mở hồ sơ kết nạp"),
    final=(Stage.FULL, Stage.WITHDRAWN, Stage.REJECTED, Stage.STRUCK_OFF),
    help=_("Từ lớp bồi dưỡng nhận thức về Đảng đến khi được công nhận đảng viên chính thức."),
    transitions=(
        _cell("course", _("Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng"), Stage.RECORDED, Stage.COURSE, CourseForm),
        _cell("application", _("Nhận đơn và lý lịch"), Stage.COURSE, Stage.APPLICATION, ApplicationForm,
              help=_("Đơn xin vào Đảng (1-KNĐ) và lý lịch (2-KNĐ).")),
        _cell("introducers", _("Phân công người giới thiệu"), Stage.APPLICATION, Stage.INTRODUCERS, IntroducersForm,
              form_kwargs=_case, help=_("Hai đảng viên chính thức cùng công tác ít nhất một năm (3-KNĐ), hoặc nghị "
                                        "quyết của đoàn thể và một đảng viên (4-KNĐ).")),
        _cell("comments", _("Nhận xét của đoàn thể và nơi cư trú"), Stage.INTRODUCERS, Stage.COMMENTS, CommentsForm,
              help=_("Nhận xét của đoàn thể và chi ủy nơi cư trú (5-KNĐ).")),
        _cell("verified", _("Kết quả thẩm tra lý lịch"), Stage.COMMENTS, Stage.VERIFIED, VerifiedForm,
              help=_("Chỉ ghi đã thẩm tra, ai, ngày nào, văn bản số mấy; không lưu thông tin về người thân.")),
        Transition("cell_vote", _("Chi bộ biểu quyết đề nghị kết nạp (6-KNĐ)"), sources=(Stage.VERIFIED,),
                   targets=(Stage.CELL_VOTED, Stage.REJECTED), perm="admission.edit", form=VoteForm,
                   opens=("admission.decision",),
                   help=_("Cần từ hai phần ba số đảng viên chính thức của chi bộ trở lên (theo sổ quy định).")),
        Transition("extend", _("Gia hạn thời hạn quyết định"), sources=(Stage.CELL_VOTED, Stage.COMMITTEE_VOTED),
                   perm="admission.decide", unit=deciding, form=ExtendForm, secondary=True),
        Transition("committee_vote", _("Cấp ủy biểu quyết (8-KNĐ)"), sources=(Stage.CELL_VOTED,),
                   targets=(Stage.COMMITTEE_VOTED, Stage.REJECTED), perm="admission.decide", unit=deciding,
                   form=VoteForm),
        Transition("decision", _("Quyết định kết nạp (9-KNĐ)"), sources=(Stage.COMMITTEE_VOTED,), target=Stage.DECIDED,
                   perm="admission.decide", unit=deciding, form=DecisionForm, closes=("admission.decision",),
                   opens=("admission.ceremony",)),
        _cell("ceremony", _("Lễ kết nạp"), Stage.DECIDED, Stage.PROBATION, CeremonyForm, form_kwargs=_case,
              closes=("admission.ceremony",), opens=("probation.confirmation",),
              help=_("Hồ sơ đảng viên dự bị được lập; ngày vào Đảng là ngày lễ kết nạp.")),
        Transition("confirmation_vote", _("Chi bộ xét công nhận chính thức (13-KNĐ)"), sources=(Stage.PROBATION,),
                   targets=(Stage.PROBATION, Stage.ESCALATED), perm="admission.edit", form=VoteForm,
                   when=lambda case: not case.confirmation_voted_on,
                   when_label=_("Chi bộ đã nghị quyết đề nghị công nhận; chờ cấp ủy quyết định."),
                   closes=("probation.confirmation",),
                   help=_("Sau số lần biểu quyết không đạt theo sổ quy định, hồ sơ chuyển cấp ủy cấp trên.")),
        Transition("confirm", _("Cấp ủy công nhận đảng viên chính thức (15-KNĐ)"),
                   sources=(Stage.PROBATION, Stage.ESCALATED), target=Stage.FULL, perm="admission.decide",
                   unit=deciding, form=ConfirmForm,
                   when=lambda case: case.stage == Stage.ESCALATED or bool(case.confirmation_voted_on),
                   when_label=_("Chi bộ chưa nghị quyết đề nghị công nhận đảng viên chính thức.")),
        Transition("strike_off", _("Xóa tên đảng viên dự bị"), sources=(Stage.PROBATION, Stage.ESCALATED),
                   target=Stage.STRUCK_OFF, perm="members.status", form=StrikeOffForm, secondary=True),
        Transition("close", _("Rút hồ sơ / không đề nghị kết nạp"), sources=BEFORE_CEREMONY,
                   targets=(Stage.WITHDRAWN, Stage.REJECTED), perm="admission.edit", form=CloseForm, secondary=True,
                   closes=("admission.decision", "admission.ceremony")),
    ),
)
