"""Forms of the admission steps: one per transition, each handing its cleaned data to a service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.admission.models import Stage
from chibo.core.forms import TodayDateField, VNDateField, translated_choices
from chibo.members.enums import Category, Status
from chibo.members.selectors import members_of_unit, no_members
from chibo.units.picker import UnitChoiceField, UnitScope


def _text(label, max_length=100, required=True):
    return forms.CharField(label=label, max_length=max_length, required=required)


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=10000)


class CourseForm(forms.Form):
    certificate_no = _text(_("Số giấy chứng nhận"), 60)
    issuer = _text(_("Nơi cấp"), 200)
    on = VNDateField(label=_("Ngày cấp"))


class ApplicationForm(forms.Form):
    application_on = VNDateField(label=_("Ngày nhận đơn xin vào Đảng (1-KNĐ)"))
    cv_on = VNDateField(label=_("Ngày nhận lý lịch (2-KNĐ)"))


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.get_status_display()})"


class IntroducersForm(forms.Form):
    introducer1 = MemberChoice(label=_("Người giới thiệu thứ nhất"), queryset=no_members())
    introducer1_since = VNDateField(label=_("Người thứ nhất cùng công tác từ ngày"))
    introducer2 = MemberChoice(label=_("Người giới thiệu thứ hai"), queryset=no_members(), required=False)
    introducer2_since = VNDateField(label=_("Người thứ hai cùng công tác từ ngày"), required=False)
    union_resolution = _text(_("Hoặc: số nghị quyết giới thiệu của đoàn thể (thay người thứ hai)"), 100, required=False)
    on = VNDateField(label=_("Ngày phân công"))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = members_of_unit(case.unit, statuses=[Status.FULL, Status.PROBATIONARY])
        self.fields["introducer1"].queryset = self.fields["introducer2"].queryset = qs


class CommentsForm(forms.Form):
    mass_org_on = VNDateField(label=_("Ngày có nhận xét của đoàn thể"))
    residence_on = VNDateField(label=_("Ngày có nhận xét của nơi cư trú"))


class VerifiedForm(forms.Form):
    by = _text(_("Cấp ủy thẩm tra"), 200)
    on = VNDateField(label=_("Ngày hoàn thành thẩm tra"))
    reference = _text(_("Số văn bản kết luận"), 100)


class VoteForm(forms.Form):
    held_on = VNDateField(label=_("Ngày họp"))
    yes = _count(_("Số tán thành"))
    no = _count(_("Số không tán thành"))
    resolution_no = _text(_("Số nghị quyết"), 60, required=False)


class ConfirmForm(VoteForm):
    decision_no = _text(_("Số quyết định công nhận"), 60)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Gia hạn thêm (ngày làm việc)"), min_value=1, max_value=365)
    reason = _text(_("Lý do gia hạn"), 300)


class DecisionForm(forms.Form):
    decision_no = _text(_("Số quyết định kết nạp"), 60)
    decided_on = VNDateField(label=_("Ngày quyết định"))
    received_on = VNDateField(label=_("Ngày chi bộ nhận quyết định"))


class CeremonyForm(forms.Form):
    held_on = VNDateField(label=_("Ngày lễ kết nạp (ngày vào Đảng)"))
    helper = MemberChoice(label=_("Đảng viên chính thức giúp đỡ"), queryset=no_members())
    category = forms.ChoiceField(label=_("Diện ở nước ngoài"), choices=translated_choices(Category.choices))
    card_number = _text(_("Số thẻ đảng viên (nếu có)"), 20, required=False)
    dossier_number = _text(_("Số lý lịch (nếu có)"), 20, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = members_of_unit(case.unit, statuses=[Status.FULL])


class StrikeOffForm(forms.Form):
    on = VNDateField(label=_("Ngày hiệu lực"))
    reason = _text(_("Lý do"), 300)
    document = _text(_("Số quyết định"), 100)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết thúc hồ sơ"), choices=[(Stage.WITHDRAWN, _(Stage.WITHDRAWN.label)),
                                                                  (Stage.REJECTED, _("Không đề nghị kết nạp"))])
    on = VNDateField(label=_("Ngày"))
    reason = _text(_("Lý do"), 300)


class ApplicantForm(forms.Form):
    """Recording an outstanding person and opening their case: only what the regulations need."""

    unit = UnitChoiceField(label=_("Chi bộ"), scope=UnitScope(perm="admission.edit", open_only=True))
    full_name = _text(_("Họ và tên"), 120)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), ("M", _("Nam")), ("F", _("Nữ"))])
    birth_date = VNDateField(label=_("Ngày sinh"))
    citizen_id = _text(_("Số CCCD (để biết người này chưa là đảng viên, chưa có hồ sơ khác)"), 12, required=False)
    email = forms.EmailField(label=_("Thư điện tử (gửi lời mời vào trang hồ sơ của mình)"), max_length=200,
                             required=False)
    recorded_on = TodayDateField(label=_("Ngày ghi nhận"))
    invite = forms.BooleanField(label=_("Gửi ngay lời mời vào trang hồ sơ (cần thư điện tử)"), required=False,
                                initial=False)

    def __init__(self, *args, actor, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)
        if unit is not None:
            self.fields["unit"].initial = unit.pk


class ApplicantInviteForm(forms.Form):
    email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False,
                             help_text=_("Để trống để dùng địa chỉ đã ghi khi mở hồ sơ."))
