from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.countries import country_choices
from chibo.core.forms import VNDateField, translated_choices
from chibo.units.enums import MissionKind, UnitKind


class UnitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tổ chức"), choices=translated_choices(UnitKind.choices))
    name = forms.CharField(label=_("Tên"), max_length=200)
    code = forms.CharField(label=_("Mã (không dấu)"), max_length=32)
    country = forms.ChoiceField(label=_("Quốc gia"), required=False)
    city = forms.CharField(label=_("Thành phố"), max_length=100, required=False)
    mission_kind = forms.ChoiceField(label=_("Loại cơ quan đại diện"), choices=translated_choices(MissionKind.choices),
                                     required=False)
    mission_name = forms.CharField(label=_("Cơ quan đại diện"), max_length=200, required=False)
    national_code = forms.CharField(label=_("Mã tổ chức quốc gia"), max_length=32, required=False,
                                    help_text=_("Mã chính thức của tổ chức trong dữ liệu toàn quốc (nếu đã có); "
                                                "không trùng với tổ chức khác."))
    opened_on = VNDateField(label=_("Ngày thành lập"))
    opened_by_doc = forms.CharField(label=_("Quyết định thành lập"), max_length=100, required=False)
    abbreviation = forms.CharField(label=_("Ký hiệu viết tắt"), max_length=20, required=False,
                                   help_text=_("Ký hiệu chính thức trên số văn bản (ví dụ ĐUBNG trong «12-GGT/ĐUBNG»); "
                                               "để trống thì dùng ĐU hoặc CB theo loại tổ chức."))
    skip_host_holidays = forms.BooleanField(
        label=_("Nghỉ cả ngày lễ của nước sở tại"), required=False,
        help_text=_("Thời hạn tính theo ngày làm việc của tổ chức này bỏ qua cả ngày lễ của nước sở tại."))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", "—"), *country_choices()]
        if editing:
            del self.fields["kind"]
            del self.fields["opened_on"]
        else:  # set on the unit's edit page once it exists
            del self.fields["skip_host_holidays"]
            del self.fields["abbreviation"]


class UnitCloseForm(forms.Form):
    closed_on = VNDateField(label=_("Ngày kết thúc hoạt động"))
    document = forms.CharField(label=_("Quyết định"), max_length=100)


