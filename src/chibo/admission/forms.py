"""Forms of the admission steps: one per transition, each handing its cleaned data to a service."""

from __future__ import annotations

from django import forms

from chibo.admission import services
from chibo.admission.models import Stage
from chibo.core.forms import VNDateField
from chibo.members.enums import Category, Status
from chibo.members.selectors import members_of_unit, no_members


def _text(label, max_length=100, required=True):
    return forms.CharField(label=label, max_length=max_length, required=required)


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=10000)


class CourseForm(forms.Form):
    certificate_no = _text("Số giấy chứng nhận", 60)
    issuer = _text("Nơi cấp", 200)
    on = VNDateField(label="Ngày cấp")

    def run(self, actor, case):
        return services.case_course(actor=actor, case=case, **self.cleaned_data)


class ApplicationForm(forms.Form):
    application_on = VNDateField(label="Ngày nhận đơn xin vào Đảng (1-KNĐ)")
    cv_on = VNDateField(label="Ngày nhận lý lịch (2-KNĐ)")

    def run(self, actor, case):
        return services.case_application(actor=actor, case=case, **self.cleaned_data)


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.get_status_display()})"


class IntroducersForm(forms.Form):
    introducer1 = MemberChoice(label="Người giới thiệu thứ nhất", queryset=no_members())
    introducer1_since = VNDateField(label="Người thứ nhất cùng công tác từ ngày")
    introducer2 = MemberChoice(label="Người giới thiệu thứ hai", queryset=no_members(), required=False)
    introducer2_since = VNDateField(label="Người thứ hai cùng công tác từ ngày", required=False)
    union_resolution = _text("Hoặc: số nghị quyết giới thiệu của đoàn thể (thay người thứ hai)", 100, required=False)
    on = VNDateField(label="Ngày phân công")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = members_of_unit(case.unit, statuses=[Status.FULL, Status.PROBATIONARY])
        self.fields["introducer1"].queryset = self.fields["introducer2"].queryset = qs

    def run(self, actor, case):
        return services.case_introducers(actor=actor, case=case, **self.cleaned_data)


class CommentsForm(forms.Form):
    mass_org_on = VNDateField(label="Ngày có nhận xét của đoàn thể")
    residence_on = VNDateField(label="Ngày có nhận xét của nơi cư trú")

    def run(self, actor, case):
        return services.case_comments(actor=actor, case=case, **self.cleaned_data)


class VerifiedForm(forms.Form):
    by = _text("Cấp ủy thẩm tra", 200)
    on = VNDateField(label="Ngày hoàn thành thẩm tra")
    reference = _text("Số văn bản kết luận", 100)

    def run(self, actor, case):
        return services.case_verified(actor=actor, case=case, **self.cleaned_data)


class VoteForm(forms.Form):
    held_on = VNDateField(label="Ngày họp")
    yes = _count("Số tán thành")
    no = _count("Số không tán thành")
    resolution_no = _text("Số nghị quyết", 60, required=False)


class CellVoteForm(VoteForm):
    def run(self, actor, case):
        return services.case_cell_vote(actor=actor, case=case, **self.cleaned_data)


class CommitteeVoteForm(VoteForm):
    def run(self, actor, case):
        return services.case_committee_vote(actor=actor, case=case, **self.cleaned_data)


class ConfirmationVoteForm(VoteForm):
    def run(self, actor, case):
        return services.case_confirmation_vote(actor=actor, case=case, **self.cleaned_data)


class ConfirmForm(VoteForm):
    decision_no = _text("Số quyết định công nhận", 60)

    def run(self, actor, case):
        return services.case_confirm(actor=actor, case=case, **self.cleaned_data)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="Gia hạn thêm (ngày làm việc)", min_value=1, max_value=365)
    reason = _text("Lý do gia hạn", 300)

    def run(self, actor, case):
        return services.case_extend_decision(actor=actor, case=case, **self.cleaned_data)


class DecisionForm(forms.Form):
    decision_no = _text("Số quyết định kết nạp", 60)
    decided_on = VNDateField(label="Ngày quyết định")
    received_on = VNDateField(label="Ngày chi bộ nhận quyết định")

    def run(self, actor, case):
        return services.case_decision(actor=actor, case=case, **self.cleaned_data)


class CeremonyForm(forms.Form):
    held_on = VNDateField(label="Ngày lễ kết nạp (ngày vào Đảng)")
    helper = MemberChoice(label="Đảng viên chính thức giúp đỡ", queryset=no_members())
    category = forms.ChoiceField(label="Diện ở nước ngoài", choices=Category.choices)
    card_number = _text("Số thẻ đảng viên (nếu có)", 20, required=False)
    dossier_number = _text("Số lý lịch (nếu có)", 20, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = members_of_unit(case.unit, statuses=[Status.FULL])

    def run(self, actor, case):
        return services.case_ceremony(actor=actor, case=case, **self.cleaned_data)


class StrikeOffForm(forms.Form):
    on = VNDateField(label="Ngày hiệu lực")
    reason = _text("Lý do", 300)
    document = _text("Số quyết định", 100)

    def run(self, actor, case):
        return services.case_strike_off(actor=actor, case=case, **self.cleaned_data)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Kết thúc hồ sơ", choices=[(Stage.WITHDRAWN, Stage.WITHDRAWN.label),
                                                                  (Stage.REJECTED, "Không đề nghị kết nạp")])
    on = VNDateField(label="Ngày")
    reason = _text("Lý do", 300)

    def run(self, actor, case):
        return services.case_close(actor=actor, case=case, **self.cleaned_data)


# action → (title, form class)
ACTIONS = {
    "course": ("Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng", CourseForm),
    "application": ("Nhận đơn và lý lịch", ApplicationForm),
    "introducers": ("Phân công người giới thiệu", IntroducersForm),
    "comments": ("Nhận xét của đoàn thể và nơi cư trú", CommentsForm),
    "verified": ("Kết quả thẩm tra lý lịch", VerifiedForm),
    "cell_vote": ("Chi bộ biểu quyết đề nghị kết nạp (6-KNĐ)", CellVoteForm),
    "extend": ("Gia hạn thời hạn quyết định", ExtendForm),
    "committee_vote": ("Cấp ủy biểu quyết (8-KNĐ)", CommitteeVoteForm),
    "decision": ("Quyết định kết nạp (9-KNĐ)", DecisionForm),
    "ceremony": ("Lễ kết nạp", CeremonyForm),
    "confirmation_vote": ("Chi bộ xét công nhận chính thức (13-KNĐ)", ConfirmationVoteForm),
    "confirm": ("Cấp ủy công nhận đảng viên chính thức (15-KNĐ)", ConfirmForm),
    "strike_off": ("Xóa tên đảng viên dự bị", StrikeOffForm),
    "close": ("Rút hồ sơ / không đề nghị kết nạp", CloseForm),
}

BY_STAGE = {
    Stage.RECORDED: ["course", "close"],
    Stage.COURSE: ["application", "close"],
    Stage.APPLICATION: ["introducers", "close"],
    Stage.INTRODUCERS: ["comments", "close"],
    Stage.COMMENTS: ["verified", "close"],
    Stage.VERIFIED: ["cell_vote", "close"],
    Stage.CELL_VOTED: ["committee_vote", "extend", "close"],
    Stage.COMMITTEE_VOTED: ["decision", "extend", "close"],
    Stage.DECIDED: ["ceremony", "close"],
    Stage.PROBATION: ["confirmation_vote", "confirm", "strike_off"],
    Stage.ESCALATED: ["confirm", "strike_off"],
}


def actions_for(case) -> list[str]:
    names = list(BY_STAGE.get(case.stage, []))
    if case.stage == Stage.PROBATION:
        names.remove("confirm" if not case.confirmation_voted_on else "confirmation_vote")
    return names


def make_form(action: str, case, data=None):
    form_class = ACTIONS[action][1]
    kwargs = {"case": case} if form_class in (IntroducersForm, CeremonyForm) else {}
    return form_class(data, prefix=action, **kwargs)
