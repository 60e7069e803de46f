"""Forms of the discipline pages and their API twins (dates dd/mm/yyyy). The services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.forms import TodayDateField, VNDateField, translated_choices
from chibo.discipline.enums import Area, Form, Outcome, StateForm
from chibo.discipline.rules import heaviest_form

TEXT = {"rows": 5}


class CaseOpenForm(forms.Form):
    member = forms.IntegerField(label=_("Đảng viên (mã hồ sơ)"), min_value=1, max_value=2**31 - 1)
    deciding_unit = forms.IntegerField(label=_("Tổ chức có thẩm quyền quyết định (mã tổ chức)"), min_value=1,
                                       max_value=2**31 - 1)
    violation = forms.CharField(label=_("Nội dung vi phạm"), widget=forms.Textarea(attrs=TEXT), max_length=10000)
    violated_on = VNDateField(label=_("Ngày vi phạm"))
    area = forms.ChoiceField(label=_("Lĩnh vực vi phạm"), choices=translated_choices(Area.choices),
                             initial=Area.ORDINARY)
    considered = forms.ChoiceField(label=_("Mức kỷ luật xem xét"), choices=translated_choices(Form.choices))
    reference = forms.CharField(label=_("Văn bản mở hồ sơ (số, ngày)"), max_length=120)
    notice = forms.IntegerField(label=_("Theo thông báo của cơ quan nhà nước (mã thông báo)"), min_value=1,
                                max_value=2**31 - 1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units:  # the page: the member's unit and the committees above it, with how far each may go
            self.fields["deciding_unit"] = forms.TypedChoiceField(
                label=_("Tổ chức có thẩm quyền quyết định"), coerce=int,
                choices=[(u.pk, f"{u.name} ({_reach(u)})") for u in units])


def _reach(unit) -> str:
    heaviest, _basis = heaviest_form(unit, clock.today())
    if not heaviest:
        return gettext("chỉ đề nghị")
    return gettext("quyết định đến mức %(form)s") % {"form": gettext(Form(heaviest).label).lower()}


class NoticeForm(forms.Form):
    """A state body's notice that it disciplined a member, recorded by the party organization that received it."""

    member = forms.IntegerField(label=_("Đảng viên (mã hồ sơ)"), min_value=1, max_value=2**31 - 1)
    unit = forms.IntegerField(label=_("Thông báo gửi đến tổ chức đảng (mã tổ chức)"), min_value=1, max_value=2**31 - 1)
    body = forms.CharField(label=_("Cơ quan nhà nước ra quyết định"), max_length=200)
    state_form = forms.ChoiceField(label=_("Hình thức kỷ luật"), choices=translated_choices(StateForm.choices))
    decision_no = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = VNDateField(label=_("Ngày quyết định"))
    received_on = TodayDateField(label=_("Ngày tổ chức đảng nhận thông báo"))
    summary = forms.CharField(label=_("Tóm tắt nội dung vi phạm"), widget=forms.Textarea(attrs=TEXT), max_length=10000,
                              required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units:  # the page: the member's cell and the committees above it
            self.fields["unit"] = forms.TypedChoiceField(label=_("Thông báo gửi đến tổ chức đảng"), coerce=int,
                                                         choices=[(u.pk, u.name) for u in units])


class NoticeCloseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không xem xét kỷ luật đảng"), max_length=500)


class AssignForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập của cán bộ được phân công"), max_length=150)


class ExplainForm(forms.Form):
    explanation = forms.CharField(label=_("Bản tự kiểm điểm, giải trình"), widget=forms.Textarea(attrs={"rows": 8}),
                                  max_length=20000)
    on = TodayDateField(label=_("Ngày"))


class VoteForm(forms.Form):
    proposed = forms.ChoiceField(label=_("Hình thức kỷ luật đề nghị"), choices=translated_choices(Form.choices))
    voted_on = TodayDateField(label=_("Ngày biểu quyết"))
    yes = forms.IntegerField(label=_("Số phiếu tán thành"), min_value=0, max_value=10_000)
    no = forms.IntegerField(label=_("Số phiếu không tán thành"), min_value=0, max_value=10_000)


class DecideForm(forms.Form):
    form = forms.ChoiceField(label=_("Hình thức kỷ luật"), choices=translated_choices(Form.choices))
    decision_no = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = TodayDateField(label=_("Ngày quyết định"))
    effective_on = VNDateField(label=_("Ngày có hiệu lực (để trống: ngày quyết định)"), required=False)
    received_on = VNDateField(label=_("Ngày đảng viên nhận quyết định (nếu đã biết)"), required=False)


class DropForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không kỷ luật"), max_length=500)


class AppealForm(forms.Form):
    text = forms.CharField(label=_("Nội dung khiếu nại"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    filed_on = TodayDateField(label=_("Ngày nộp đơn"))
    received_on = VNDateField(label=_("Ngày nhận quyết định kỷ luật (để trống: theo hồ sơ)"), required=False)
    late_reason = forms.CharField(label=_("Lý do chấp nhận đơn quá hạn (chỉ cán bộ ghi)"), max_length=500,
                                  required=False)


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết quả giải quyết"), choices=translated_choices(Outcome.choices))
    new_form = forms.ChoiceField(label=_("Hình thức mới (khi thay đổi)"),
                                 choices=[("", "—"), *translated_choices(Form.choices)],
                                 required=False)
    decision_no = forms.CharField(label=_("Số quyết định giải quyết khiếu nại"), max_length=60)
    decided_on = TodayDateField(label=_("Ngày quyết định"))
