"""Forms of the discipline pages and their API twins (dates dd/mm/yyyy). The services check the rules again."""

from __future__ import annotations

from django import forms

from chibo.core.forms import TodayDateField, VNDateField
from chibo.discipline.enums import Area, Form, Outcome

TEXT = {"rows": 5}


class CaseOpenForm(forms.Form):
    member = forms.IntegerField(label="Đảng viên (mã hồ sơ)", min_value=1, max_value=2**31 - 1)
    deciding_unit = forms.IntegerField(label="Tổ chức có thẩm quyền quyết định (mã tổ chức)", min_value=1,
                                       max_value=2**31 - 1)
    violation = forms.CharField(label="Nội dung vi phạm", widget=forms.Textarea(attrs=TEXT), max_length=10000)
    violated_on = VNDateField(label="Ngày vi phạm")
    area = forms.ChoiceField(label="Lĩnh vực vi phạm", choices=Area.choices, initial=Area.ORDINARY)
    considered = forms.ChoiceField(label="Mức kỷ luật xem xét", choices=Form.choices)
    reference = forms.CharField(label="Văn bản mở hồ sơ (số, ngày)", max_length=120)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units:  # the page: the member's unit and the committees above it
            self.fields["deciding_unit"] = forms.TypedChoiceField(
                label="Tổ chức có thẩm quyền quyết định", coerce=int, choices=[(u.pk, u.name) for u in units])


class AssignForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập của cán bộ được phân công", max_length=150)


class ExplainForm(forms.Form):
    explanation = forms.CharField(label="Bản tự kiểm điểm, giải trình", widget=forms.Textarea(attrs={"rows": 8}),
                                  max_length=20000)
    on = TodayDateField(label="Ngày")


class VoteForm(forms.Form):
    proposed = forms.ChoiceField(label="Hình thức kỷ luật đề nghị", choices=Form.choices)
    voted_on = TodayDateField(label="Ngày biểu quyết")
    yes = forms.IntegerField(label="Số phiếu tán thành", min_value=0, max_value=10_000)
    no = forms.IntegerField(label="Số phiếu không tán thành", min_value=0, max_value=10_000)


class DecideForm(forms.Form):
    form = forms.ChoiceField(label="Hình thức kỷ luật", choices=Form.choices)
    decision_no = forms.CharField(label="Số quyết định", max_length=60)
    decided_on = TodayDateField(label="Ngày quyết định")
    effective_on = VNDateField(label="Ngày có hiệu lực (để trống: ngày quyết định)", required=False)
    received_on = VNDateField(label="Ngày đảng viên nhận quyết định (nếu đã biết)", required=False)


class DropForm(forms.Form):
    reason = forms.CharField(label="Lý do không kỷ luật", max_length=500)


class AppealForm(forms.Form):
    text = forms.CharField(label="Nội dung khiếu nại", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    filed_on = TodayDateField(label="Ngày nộp đơn")
    received_on = VNDateField(label="Ngày nhận quyết định kỷ luật (để trống: theo hồ sơ)", required=False)
    late_reason = forms.CharField(label="Lý do chấp nhận đơn quá hạn (chỉ cán bộ ghi)", max_length=500, required=False)


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(label="Kết quả giải quyết", choices=Outcome.choices)
    new_form = forms.ChoiceField(label="Hình thức mới (khi thay đổi)", choices=[("", "—"), *Form.choices],
                                 required=False)
    decision_no = forms.CharField(label="Số quyết định giải quyết khiếu nại", max_length=60)
    decided_on = TodayDateField(label="Ngày quyết định")
