"""Forms of the rulebook and calendar pages (the services validate again; these only parse)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.calendar import MAX_YEAR, MIN_YEAR
from chibo.core.enums import CalendarDayKind, Confidence, RuleUnit
from chibo.core.forms import VNDateField, filled_lazy, translated_choices
from chibo.core.rulebook import LIMITS
from chibo.units.picker import UnitChoiceField, UnitScope

MAX_WORKING_DAYS = int(LIMITS[RuleUnit.WORKING_DAYS][1])  # the longest clock a rule may set

YEARS_COVERED = filled_lazy(_("Lịch làm việc chỉ tính cho các năm %(first)s–%(last)s."), first=MIN_YEAR, last=MAX_YEAR)


class RuleVersionForm(forms.Form):
    value = forms.CharField(label=_("Giá trị"), max_length=40, error_messages={"required": _("Cần nhập giá trị.")},
                            help_text=_("Một số (60, 0,5) hoặc phân số cho tỷ lệ (2/3)."))
    effective_from = VNDateField(label=_("Có hiệu lực từ ngày"),
                                 error_messages={"required": _("Cần nhập ngày có hiệu lực (dd/mm/yyyy).")})
    basis = forms.CharField(label=_("Căn cứ (số hiệu văn bản, điều khoản)"), max_length=200,
                            error_messages={"required": _("Cần ghi văn bản căn cứ (số hiệu, điều khoản).")})
    confidence = forms.ChoiceField(label=_("Mức độ xác nhận"), choices=translated_choices(Confidence.choices),
                                   initial=Confidence.CONFIRMED)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class CalendarDayForm(forms.Form):
    day = VNDateField(label=_("Ngày"), error_messages={"required": _("Cần nhập ngày (dd/mm/yyyy).")})
    kind = forms.ChoiceField(label=_("Loại"), choices=translated_choices(CalendarDayKind.choices))
    note = forms.CharField(label=_("Nội dung"), max_length=200, help_text=_("Ví dụ: nghỉ bù dịp Quốc khánh."),
                           error_messages={"required": _("Cần ghi nội dung (ví dụ: nghỉ bù dịp Tết Nguyên đán).")})
    document = forms.CharField(label=_("Văn bản công bố"), max_length=100, required=False)


class CalendarRemoveForm(forms.Form):
    day = VNDateField(label=_("Ngày"))
    reason = forms.CharField(label=_("Lý do xóa"), max_length=200,
                             error_messages={"required": _("Cần ghi lý do xóa.")})


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR, error_messages={
        key: YEARS_COVERED for key in ("min_value", "max_value", "invalid")})


class WorkingDayCalculatorForm(forms.Form):
    start = VNDateField(label=_("Từ ngày (không tính ngày này)"),
                        error_messages={"required": _("Cần nhập ngày bắt đầu.")})
    n = forms.IntegerField(label=_("Số ngày làm việc"), min_value=0, max_value=MAX_WORKING_DAYS, error_messages={
        key: filled_lazy(_("Nhập một số nguyên từ 0 đến %(max)s."), max=MAX_WORKING_DAYS)
        for key in ("min_value", "max_value", "invalid", "required")})
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(label=_("Theo lịch của tổ chức"), required=False,
                                              empty_label=_("Lịch Việt Nam"),
                                              scope=UnitScope(open_only=True)).bind(actor)
        self.fields["unit"].error_messages["invalid_choice"] = _("Chọn một tổ chức trong phạm vi của bạn.")

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not MIN_YEAR <= start.year <= MAX_YEAR:
            raise forms.ValidationError(YEARS_COVERED)
        return start


class RuleConfirmForm(forms.Form):
    basis = forms.CharField(label=_("Văn bản đã đối chiếu (số hiệu, ngày, điều khoản)"), max_length=200,
                            error_messages={"required": _("Cần ghi văn bản căn cứ đã đối chiếu.")})
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
