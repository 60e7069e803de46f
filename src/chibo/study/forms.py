"""Forms of the study pages and their API twins (dates dd/mm/yyyy). The services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import VNDateField, translated_choices
from chibo.study.enums import CertificateKind, Presence
from chibo.study.services import MATERIALS_MAX, REFLECTION_MAX

MAX_ID = 2**31 - 1


class DocumentIdsField(forms.TypedMultipleChoiceField):
    """Ids of library documents: the page lists the ones the user may choose; any id is passed on, for the service
    says clearly why a document cannot be chosen (the API names documents by id)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        text = str(value)
        return text.isdigit() and 0 < int(text) <= MAX_ID


class CertificateForm(forms.Form):
    member = forms.IntegerField(label=_("Đảng viên (mã hồ sơ)"), required=False, widget=forms.HiddenInput,
                                min_value=1, max_value=MAX_ID)
    applicant = forms.IntegerField(label=_("Quần chúng (mã)"), required=False, widget=forms.HiddenInput,
                                   min_value=1, max_value=MAX_ID)
    kind = forms.ChoiceField(label=_("Loại lớp"), choices=translated_choices(CertificateKind.choices))
    title = forms.CharField(label=_("Tên lớp (nếu là lớp khác)"), max_length=200, required=False)
    number = forms.CharField(label=_("Số giấy chứng nhận"), max_length=60)
    issuer = forms.CharField(label=_("Nơi cấp"), max_length=200)
    issued_on = VNDateField(label=_("Ngày cấp"))

    def clean(self):
        data = super().clean()
        if bool(data.get("member")) == bool(data.get("applicant")):
            raise forms.ValidationError(_("Chọn một đảng viên hoặc một quần chúng."))
        return data


class SessionForm(forms.Form):
    unit = forms.IntegerField(label=_("Chi bộ (mã tổ chức)"), min_value=1, max_value=MAX_ID)
    topic = forms.CharField(label=_("Chủ đề học tập, quán triệt"), max_length=300)
    held_on = VNDateField(label=_("Ngày học tập"))
    documents = DocumentIdsField(label=_("Tài liệu trong tủ tài liệu (gửi tới chi bộ)"))
    materials = forms.CharField(label=_("Tài liệu khác, không có trong tủ tài liệu (số, tên văn bản; mỗi dòng một "
                                "tài liệu)"), required=False, max_length=MATERIALS_MAX,
                                widget=forms.Textarea(attrs={"rows": 4}))
    meeting = forms.IntegerField(label=_("Trong cuộc họp chi bộ (mã cuộc họp, nếu có)"), required=False,
                                 min_value=1, max_value=MAX_ID)

    def __init__(self, *args, units=None, meetings=None, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if documents is not None:  # the page: the library's documents that reach the chosen cell
            self.fields["documents"].choices = documents
            if not documents:
                self.fields["documents"].help_text = _("Tủ tài liệu chưa có tài liệu nào gửi tới chi bộ này.")
        if units is not None:  # the page: the cells the user plans for
            self.fields["unit"] = forms.TypedChoiceField(label=_("Chi bộ"), coerce=int,
                                                         choices=[(u.pk, u.name) for u in units])
        if meetings is not None:
            self.fields["meeting"] = forms.TypedChoiceField(
                label=_("Trong cuộc họp chi bộ"), coerce=int, required=False, empty_value=None,
                choices=[("", _("Buổi học riêng, không trong cuộc họp")), *meetings])


class AttendanceRowForm(forms.Form):
    member = forms.IntegerField(min_value=1, max_value=MAX_ID)
    presence = forms.ChoiceField(choices=translated_choices(Presence.choices))
    reason = forms.CharField(max_length=300, required=False)


class ReflectionForm(forms.Form):
    text = forms.CharField(label=_("Bài thu hoạch"), max_length=REFLECTION_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}))
