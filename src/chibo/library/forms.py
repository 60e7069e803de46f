"""Forms of the library pages and their API twins (dates dd/mm/yyyy). Units and members are chosen from the
records, never typed; the services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.access import PATH_STEP
from chibo.core.forms import TodayDateField, VNDateField, translated_choices
from chibo.library.enums import AUDIENCE_ROLES, DocKind, Level
from chibo.units.selectors import subtree_units, units_by_id


def own_units(actor, perm: str) -> list:
    """The units where the actor holds ``perm`` on the unit itself, in tree order."""
    return sorted(units_by_id(actor.units_holding(perm)).values(), key=lambda u: u.path)


def _indent(unit) -> str:
    return "— " * (len(unit.path) // PATH_STEP - 1) + unit.name


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc số văn bản"), required=False, max_length=100)


class DocumentForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Cấp gửi"), error_messages={
        "invalid_choice": _("Chọn cấp ủy nơi đồng chí giữ chức trách."), "required": _("Chọn cấp gửi.")})
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=60)
    issued_on = VNDateField(label=_("Ngày ban hành"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=translated_choices(DocKind.choices))
    title = forms.CharField(label=_("Trích yếu (tên văn bản)"), max_length=300)
    summary = forms.CharField(label=_("Tóm tắt nội dung"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("Tệp (PDF, DOCX, ODT, DOC; tối đa 20 MB)"), required=False)
    targets = forms.TypedMultipleChoiceField(label=_("Gửi đến tổ chức (gồm cả các tổ chức trực thuộc)"), required=False,
                                             coerce=int, widget=forms.CheckboxSelectMultiple, error_messages={
                                                 "invalid_choice": _("Tổ chức này không thuộc phạm vi của cấp gửi.")})
    roles = forms.MultipleChoiceField(label=_("Gửi đến người giữ vai trò"), required=False,
                                      choices=translated_choices(AUDIENCE_ROLES),
                                      widget=forms.CheckboxSelectMultiple)
    to_everyone = forms.BooleanField(label=_("Gửi mọi đảng viên thuộc phạm vi cấp gửi"), required=False)
    read_by = VNDateField(label=_("Đọc trước ngày (để trống nếu không đặt hạn)"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is None:
            return
        senders = {u.pk: u for u in own_units(actor, "library.send")}
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)
        unit_field.choices = [(pk, u.name) for pk, u in senders.items()]
        unit_field.coerce = lambda raw: senders[int(raw)]
        if len(senders) == 1:
            unit_field.initial = next(iter(senders))
        below = list(subtree_units([u.path for u in senders.values()]).filter(closed_on__isnull=True)
                     .order_by("path")[:500])
        target_field = self.fields["targets"]
        assert isinstance(target_field, forms.TypedMultipleChoiceField)
        target_field.choices = [(u.pk, _indent(u)) for u in below]
        self._units = {u.pk: u for u in below}

    def clean_targets(self):
        return [self._units[pk] for pk in self.cleaned_data.get("targets") or [] if pk in getattr(self, "_units", {})]

    def clean(self):
        data = super().clean()
        if self.is_bound and not data.get("file") and "file" not in self.errors:
            self.add_error("file", _("Cần đính kèm tệp văn bản."))
        return data


class VersionForm(forms.Form):
    file = forms.FileField(label=_("Tệp phiên bản mới (PDF, DOCX, ODT, DOC; tối đa 20 MB)"))
    note = forms.CharField(label=_("Ghi chú (đã sửa gì)"), required=False, max_length=300)


class ClassifiedForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Tổ chức giữ sổ"), error_messages={
        "invalid_choice": _("Chọn tổ chức nơi đồng chí giữ chức trách."), "required": _("Chọn tổ chức.")})
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=60)
    issued_on = VNDateField(label=_("Ngày văn bản"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    level = forms.ChoiceField(label=_("Độ mật"), choices=translated_choices(Level.choices))
    copies = forms.IntegerField(label=_("Số bản"), min_value=1, max_value=999)
    custodian = forms.IntegerField(label=_("Người quản lý (mã hồ sơ đảng viên)"), min_value=1)
    received_on = TodayDateField(label=_("Ngày nhận"))
    protected_until = VNDateField(label=_("Hết thời hạn bảo vệ (ngày giải mật)"))
    file = forms.FileField(label=_("Tệp (chỉ khi hệ thống là mạng nội bộ cách ly)"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is None:
            return
        units = {u.pk: u for u in own_units(actor, "library.secret")}
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, u.name) for pk, u in units.items()]
        field.coerce = lambda raw: units[int(raw)]
        if len(units) == 1:
            field.initial = next(iter(units))


class HandoverForm(forms.Form):
    to_member = forms.IntegerField(label=_("Người nhận (mã hồ sơ đảng viên)"), min_value=1)
    handed_on = TodayDateField(label=_("Ngày giao"))
    copies = forms.IntegerField(label=_("Số bản"), min_value=1, max_value=999)


class DestroyForm(forms.Form):
    destroyed_on = TodayDateField(label=_("Ngày tiêu hủy"))
    record = forms.CharField(label=_("Biên bản tiêu hủy (số, ngày, người chứng kiến)"), max_length=300)
