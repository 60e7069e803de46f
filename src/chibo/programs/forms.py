"""Forms of the programs pages and their API twins (dates dd/mm/yyyy, or ISO in the API). The unit of a program
and the owner of an item are chosen from the records (a member of the unit), or the owner is a post or a role
(«Bí thư», «Tổ đảng 1»), never the name of someone outside the party. The services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.forms import TodayDateField, VNDateField
from chibo.core.text import MAX_ID
from chibo.units.selectors import units_by_id

TEXT = {"rows": 5}
QUARTERS = [(0, _("Cả năm")), (1, _("Quý I")), (2, _("Quý II")), (3, _("Quý III")), (4, _("Quý IV"))]


def _id(label, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=1, max_value=MAX_ID)


def _units_choice(label, units: list, message) -> forms.TypedChoiceField:
    by_pk = {u.pk: u for u in units}
    return forms.TypedChoiceField(label=label, choices=[(u.pk, u.name) for u in units],
                                  coerce=lambda raw: by_pk[int(raw)],  # a value offered: one of these units
                                  error_messages={"invalid_choice": message, "required": _("Chọn một tổ chức.")})


class ProgramForm(forms.Form):
    """A unit's program for a year or a quarter: the units offered are those whose meetings the actor runs."""

    unit = _id(_("Tổ chức đảng (mã tổ chức)"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Thời kỳ"), coerce=int, choices=QUARTERS, initial=0, required=False,
                                     empty_value=None)  # none: the whole year
    title = forms.CharField(label=_("Tên chương trình"), max_length=200,
                            help_text=_("Ví dụ: Chương trình công tác năm của chi bộ."))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year
        if units is not None:  # the page: a list of the actor's own units
            self.fields["unit"] = _units_choice(_("Tổ chức đảng"), units,
                                                _("Chọn tổ chức nơi đồng chí giữ chức trách."))
            self.order_fields(["unit", "year", "quarter", "title"])


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Nội dung công việc"), max_length=300)
    owner_member = _id(_("Đảng viên phụ trách (mã hồ sơ)"), required=False)
    owner_role = forms.CharField(label=_("hoặc chức danh, bộ phận phụ trách"), max_length=120, required=False,
                                 help_text=_("Ví dụ: Bí thư, Chi ủy, Tổ đảng 1. Không ghi tên người ngoài Đảng."))
    due_on = VNDateField(label=_("Hạn hoàn thành"))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:  # the page: the members of the unit, when they fit in a list
            self.fields["owner_member"] = forms.TypedChoiceField(
                label=_("Đảng viên phụ trách"), coerce=int, required=False, empty_value=None,
                choices=[("", "—"), *[(m.pk, m.full_name) for m in members]])
            self.order_fields(["title", "owner_member", "owner_role", "due_on"])


class CompleteForm(forms.Form):
    evidence = forms.CharField(label=_("Kết quả, minh chứng"), widget=forms.Textarea(attrs=TEXT), max_length=5000,
                               help_text=_("Việc đã làm, kết quả; số văn bản, biên bản nếu có."))
    document = _id(_("Văn bản trong mục Tài liệu (mã tài liệu, nếu có)"), required=False)
    done_on = TodayDateField(label=_("Ngày hoàn thành"))


class DropForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không thực hiện"), max_length=500)


class UnitIdsField(forms.TypedMultipleChoiceField):
    """Ids of units: the page lists the ones that may be chosen; any id is passed on, for the service says clearly why
    a unit cannot be chosen (the API names units by id)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        text = str(value)
        return text.isdigit() and 0 < int(text) <= MAX_ID


class HandDownForm(forms.Form):
    """The units directly below the program's unit, each to get a linked item in its program of the same period."""

    units = UnitIdsField(label=_("Giao cho tổ chức trực thuộc"))

    def __init__(self, *args, children=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(u.pk, u.name) for u in children or ()]


class ReceiveForm(forms.Form):
    on = TodayDateField(label=_("Ngày nhận"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    on = TodayDateField(label=_("Ngày trả lời"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do rút"), max_length=500)


class ProposalForm(forms.Form):
    unit = _id(_("Tổ chức đảng gửi (mã tổ chức)"))
    title = forms.CharField(label=_("Vấn đề kiến nghị, đề xuất"), max_length=200)
    body = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000,
                           help_text=_("Tình hình, đề xuất giải pháp hoặc câu hỏi gửi cấp ủy cấp trên."))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"] = _units_choice(_("Tổ chức đảng gửi"), units,
                                                _("Chọn tổ chức nơi đồng chí là bí thư hoặc cấp ủy viên."))
            self.order_fields(["unit", "title", "body"])


def own_units(ids) -> list:
    return sorted(units_by_id(ids).values(), key=lambda u: u.path)
