from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.countries import country_choices
from chibo.core.forms import VNDateField, translated_choices
from chibo.core.text import hidden_characters_problem
from chibo.members.enums import Category, Education, Gender, PostRole, Status, Theory
from chibo.members.selectors import ALL_STATUSES, MemberFilters, status_filter
from chibo.units.picker import UnitChoiceField, UnitScope
from chibo.units.selectors import countries_visible


class NameField(forms.CharField):
    """A person's name: a hidden character (NUL included) is refused with the message the services give, naming
    the character, before Django's own "Null characters are not allowed." could answer in English."""

    def to_python(self, value):
        if problem := hidden_characters_problem(value if isinstance(value, str) else None):
            raise forms.ValidationError(problem, code="hidden_character")
        return super().to_python(value)


class MemberForm(forms.Form):
    full_name = NameField(label=_("Họ và tên"), max_length=120)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *translated_choices(Gender.choices)])
    birth_date = VNDateField(label=_("Ngày sinh"))
    home_town = forms.CharField(label=_("Quê quán"), max_length=200, required=False)
    ethnicity = forms.CharField(label=_("Dân tộc"), max_length=40, initial="Kinh")
    education = forms.ChoiceField(label=_("Trình độ học vấn"),
                                  choices=[("", "—"), *translated_choices(Education.choices)], required=False)
    political_theory = forms.ChoiceField(label=_("Lý luận chính trị"),
                                         choices=[("", "—"), *translated_choices(Theory.choices)],
                                         required=False)
    job_title = forms.CharField(label=_("Chức vụ, nghề nghiệp"), max_length=200, required=False)
    workplace = forms.CharField(label=_("Nơi làm việc"), max_length=200, required=False)
    card_number = forms.CharField(label=_("Số thẻ đảng viên"), max_length=20, required=False)
    dossier_number = forms.CharField(label=_("Số lý lịch"), max_length=20, required=False)
    admission_decided_on = VNDateField(label=_("Ngày quyết định kết nạp (tính tuổi đảng)"), required=False)
    admission_date = VNDateField(label=_("Ngày vào Đảng"))
    confirmation_date = VNDateField(label=_("Ngày chính thức"), required=False)
    category = forms.ChoiceField(label=_("Diện ở nước ngoài"),
                                 choices=[("", "—"), *translated_choices(Category.choices)])
    abroad_from = VNDateField(label=_("Ở nước ngoài từ"), required=False)
    abroad_to = VNDateField(label=_("Ở nước ngoài đến"), required=False)
    citizen_id = forms.CharField(label=_("Số CCCD"), max_length=20, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)


class MemberCreateForm(MemberForm):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=translated_choices(
        [(Status.PROBATIONARY, Status.PROBATIONARY.label), (Status.FULL, Status.FULL.label)]))
    unit = UnitChoiceField(label=_("Chi bộ"), scope=UnitScope(perm="members.edit", open_only=True))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)
        self.order_fields(["unit", "status"])


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng mới"))
    effective_on = VNDateField(label=_("Ngày hiệu lực"))
    document = forms.CharField(label=_("Văn bản quyết định (số, ngày)"), max_length=120)
    reason = forms.CharField(label=_("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "—"), *[(s, Status(s).label) for s in allowed]]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: nguyen van")}))
    unit = UnitChoiceField(label=_("Tổ chức"), required=False, empty_label=_("Tất cả"),
                           scope=UnitScope(perm="members.view"))
    status = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=[
        ("", _("Đang trong danh sách (dự bị, chính thức, miễn, đình chỉ)")), *translated_choices(Status.choices),
        (ALL_STATUSES, _("Tất cả, kể cả đã ra khỏi danh sách"))])
    category = forms.ChoiceField(label=_("Diện"), required=False,
                                 choices=[("", _("Tất cả")), *translated_choices(Category.choices)])
    country = forms.ChoiceField(label=_("Quốc gia"), required=False)
    solitary = forms.BooleanField(label=_("Chỉ đảng viên đơn lẻ"), required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=[
        ("name", _("Tên (A→Z)")), ("-name", _("Tên (Z→A)")), ("admission", _("Ngày vào Đảng ↑")),
        ("-admission", _("Ngày vào Đảng ↓")), ("birth", _("Ngày sinh ↑")), ("unit", _("Chi bộ"))])

    def __init__(self, *args, actor, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)
        names = dict(country_choices())
        self.fields["country"].choices = [("", _("Tất cả")), *[(c, names.get(c, c)) for c in countries if c]]


def bind_member_filters(actor, params) -> tuple[MemberFilterForm, MemberFilters]:
    """The filter form of the member list bound to a query string, and the filters it means.

    The list page and its export read the same query string through this, so an export is exactly
    the list on screen."""
    countries = countries_visible(actor) if actor.can("members.view") else []
    form = MemberFilterForm(params or None, actor=actor, countries=countries)
    filters = MemberFilters(active_only=True)
    if form.is_valid():
        data = form.cleaned_data
        status, active_only = status_filter(data["status"])
        filters = MemberFilters(q=data["q"], unit=data["unit"], status=status, active_only=active_only,
                                category=data["category"], country=data["country"], solitary=data["solitary"],
                                sort=data["sort"] or "name")
    return form, filters


class PostForm(forms.Form):
    member = forms.IntegerField(label=_("Đảng viên (mã hồ sơ)"), widget=forms.Select)
    role = forms.ChoiceField(label=_("Chức vụ"), choices=translated_choices(PostRole.choices))
    from_date = VNDateField(label=_("Từ ngày"))
    decision_no = forms.CharField(label=_("Số quyết định chỉ định"), max_length=60)
    decision_date = VNDateField(label=_("Ngày quyết định"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].widget.choices = [("", "—"), *[(m.pk, f"{m.full_name} ({m.unit.name})") for m in members]]


class PostEndForm(forms.Form):
    to_date = VNDateField(label=_("Thôi giữ chức vụ từ ngày"))
    reason = forms.CharField(label=_("Lý do"), max_length=200)


class QualityUnitForm(forms.Form):
    """The unit whose records the data quality board reads (in the reader's member scope)."""

    unit = UnitChoiceField(label=_("Tổ chức"), required=False, empty_label=_("Cả phạm vi của tôi"),
                           scope=UnitScope(perm="members.view"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)
