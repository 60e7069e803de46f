"""Forms of the inspection pages and their API twins (dates dd/mm/yyyy). The subject of an item, a note or a case is
always chosen from the records (a member by their record, an organization from the tree), never typed. The services
check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.forms import TodayDateField, VNDateField, translated_choices
from chibo.core.text import MAX_ID
from chibo.inspection.enums import Kind
from chibo.units.picker import UnitChoiceField, UnitScope
from chibo.units.selectors import units_by_id

TEXT = {"rows": 6}


def _id(label: Any, required: bool = True) -> forms.IntegerField:  # a (lazily translated) label
    return forms.IntegerField(label=label, required=required, min_value=1, max_value=MAX_ID)


def _members_choice(members) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Đảng viên"), coerce=int, required=False, empty_value=None,
                                  choices=[("", "—"), *[(m.pk, f"{m.full_name} ({m.unit.name})") for m in members]])


def own_units(actor, perm: str) -> list:
    """The committees where the actor holds ``perm`` on the committee itself (where they act in its name), in tree
    order."""
    return sorted(units_by_id(actor.units_holding(perm)).values(), key=lambda u: u.path)


class PlanForm(forms.Form):
    """A committee adopts its own plan: the units offered are those where the actor holds ``inspection.plan`` on the
    unit itself (a level above adopts its own plans, not a lower committee's)."""

    unit = forms.TypedChoiceField(label=_("Cấp ủy lập kế hoạch"), error_messages={
        "invalid_choice": _("Chọn cấp ủy nơi đồng chí giữ chức trách (kế hoạch của cấp dưới do cấp ủy đó lập)."),
        "required": _("Chọn một tổ chức.")})
    kind = forms.ChoiceField(label=_("Loại kế hoạch"), choices=translated_choices(Kind.choices),
                             initial=Kind.INSPECTION)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    reference = forms.CharField(label=_("Văn bản ban hành kế hoạch (số, ký hiệu)"), max_length=120)
    adopted_on = TodayDateField(label=_("Ngày ban hành"))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year
        if actor is not None:
            units = {u.pk: u for u in own_units(actor, "inspection.plan")}
            field = self.fields["unit"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [(pk, u.name) for pk, u in units.items()]
            field.coerce = lambda raw: units[int(raw)]  # a value offered: one of these units


class _SubjectForm(forms.Form):
    """A member (their record) or an organization below the committee: exactly one."""

    subject_member = _id(_("Đảng viên (mã hồ sơ)"), required=False)
    subject_unit = UnitChoiceField(label=_("hoặc tổ chức đảng trực thuộc"), required=False,
                                   scope=UnitScope(below_only=True))

    def __init__(self, *args, actor=None, unit=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None and unit is not None:
            self.fields["subject_unit"].bind(actor, under=unit)
        if members is not None:  # the page: the members of the committee's subtree, when they fit in a list
            self.fields["subject_member"] = _members_choice(members)
        self.order_fields(["subject_member", "subject_unit"])


class PlanItemForm(_SubjectForm):
    topic = forms.CharField(label=_("Nội dung kiểm tra, giám sát"), max_length=300)
    starts_on = VNDateField(label=_("Từ ngày"))
    ends_on = VNDateField(label=_("Đến ngày"))
    officers = forms.CharField(label=_("Cán bộ phụ trách (tên đăng nhập, cách nhau bởi dấu phẩy)"), max_length=500,
                               required=False)


class NoteForm(_SubjectForm):
    on = TodayDateField(label=_("Ngày"))
    content = forms.CharField(label=_("Nội dung giám sát"), widget=forms.Textarea(attrs=TEXT), max_length=10000)
    follow_up = forms.CharField(label=_("Việc cần theo dõi tiếp (nếu có)"), max_length=300, required=False)


class ItemConcludeForm(forms.Form):
    conclusion = forms.CharField(label=_("Kết luận"), widget=forms.Textarea(attrs=TEXT), max_length=20000)
    concluded_on = TodayDateField(label=_("Ngày kết luận"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500)


class InspectionOpenForm(forms.Form):
    unit = _id(_("Cấp ủy tiến hành kiểm tra (mã tổ chức)"))
    subject_member = _id(_("Đảng viên được kiểm tra (mã hồ sơ)"), required=False)
    subject_unit = _id(_("Tổ chức đảng được kiểm tra (mã tổ chức)"), required=False)
    signs = forms.CharField(label=_("Dấu hiệu vi phạm"), widget=forms.Textarea(attrs=TEXT), max_length=10000)
    decision_no = forms.CharField(label=_("Quyết định kiểm tra (số, ký hiệu)"), max_length=60)
    opened_on = TodayDateField(label=_("Ngày quyết định"))
    plan_item = _id(_("Theo kế hoạch (mã nội dung kế hoạch, nếu có)"), required=False)

    def __init__(self, *args, units=None, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:  # the page: the subject comes from the address, the committee from a list
            del self.fields["subject_member"], self.fields["subject_unit"]
            self.fields["unit"] = forms.TypedChoiceField(label=_("Cấp ủy tiến hành kiểm tra"), coerce=int,
                                                         choices=[(u.pk, u.name) for u in units])
            self.fields["plan_item"] = forms.TypedChoiceField(
                label=_("Theo kế hoạch (nếu có)"), coerce=int, required=False, empty_value=None,
                choices=[("", _("— Không theo kế hoạch —")),
                         *[(i.pk, f"{i.plan.year}: {i.topic}") for i in items or ()]])
            self.order_fields(["unit", "signs", "decision_no", "opened_on", "plan_item"])


class AssignForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập của thành viên đoàn kiểm tra"), max_length=150)


class ExplainForm(forms.Form):
    explanation = forms.CharField(label=_("Giải trình"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    on = TodayDateField(label=_("Ngày"))


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(label=_("Kết luận"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    recommendations = forms.CharField(label=_("Kiến nghị (nếu có)"), widget=forms.Textarea(attrs=TEXT),
                                      max_length=20000, required=False)
    conclusion_no = forms.CharField(label=_("Số thông báo kết luận"), max_length=60)
    concluded_on = TodayDateField(label=_("Ngày kết luận"))


class DropForm(forms.Form):
    reason = forms.CharField(label=_("Lý do dừng kiểm tra"), max_length=500)


class OrganizationPickForm(forms.Form):
    """The index's way to an inspection of an organization: the organization (below a committee where the user
    holds ``inspection.open``), then the page of ``new``."""

    unit = UnitChoiceField(label=_("Tổ chức đảng được kiểm tra"), empty_label=None,
                           scope=UnitScope(perm="inspection.open", open_only=True, below_only=True))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            own = own_units(actor, "inspection.open")
            self.fields["unit"].bind(actor, under=own[0] if len(own) == 1 else None)
