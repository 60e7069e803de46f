"""Forms of the privacy pages and their API twins (dates dd/mm/yyyy). The services check the rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import TodayDateField, translated_choices
from chibo.privacy.enums import PersonKind, RequestKind

TEXT = {"rows": 4}
DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Đồng chí muốn"), choices=translated_choices(RequestKind.choices),
                             widget=forms.RadioSelect)
    details = forms.CharField(label=_("Nói rõ thêm (nếu cần: dữ liệu nào sai, sửa thế nào)"), required=False,
                              max_length=5000, widget=forms.Textarea(attrs=TEXT))
    member = forms.IntegerField(label=_("Đảng viên (mã hồ sơ) — chỉ khi cán bộ ghi yêu cầu của người đã ra khỏi Đảng"),
                                min_value=1, max_value=2**31 - 1, required=False)
    filed_on = TodayDateField(label=_("Ngày nhận yêu cầu"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    on = TodayDateField(label=_("Ngày trả lời"))


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    on = TodayDateField(label=_("Ngày trả lời"))


class ExportForm(forms.Form):
    password = forms.CharField(label=_("Mật khẩu mở tệp (ít nhất 10 ký tự)"), min_length=10, max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class BreachForm(forms.Form):
    detected_at = forms.DateTimeField(label=_("Thời điểm phát hiện (dd/mm/yyyy hh:mm)"), input_formats=DATETIME_FORMATS,
                                      widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))
    summary = forms.CharField(label=_("Sự cố"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    data_affected = forms.CharField(label=_("Dữ liệu và số người bị ảnh hưởng"), max_length=5000,
                                    widget=forms.Textarea(attrs=TEXT))
    actions = forms.CharField(label=_("Biện pháp đã làm"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs=TEXT))


class NotifyForm(forms.Form):
    notified_at = forms.DateTimeField(label=_("Thời điểm đã thông báo (dd/mm/yyyy hh:mm)"),
                                      input_formats=DATETIME_FORMATS,
                                      widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))
    notified_to = forms.CharField(label=_("Cơ quan được thông báo"), max_length=200)
    actions = forms.CharField(label=_("Biện pháp đã làm"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs=TEXT))


class AnonymiseForm(forms.Form):
    """The confirmed run of an anonymisation (the dry run is the list of candidates: the page, the API's GET, the
    command without ``--confirm``)."""

    kind = forms.ChoiceField(label=_("Loại hồ sơ"), choices=translated_choices(PersonKind.choices))
    person = forms.IntegerField(label=_("Mã hồ sơ"), min_value=1, max_value=2**31 - 1)
    confirm = forms.BooleanField(label=_("Tôi xác nhận ẩn danh: họ tên, số định danh, liên lạc và nội dung về người "
                                       "này bị xóa vĩnh viễn, không khôi phục được"),
                                 error_messages={"required": _("Đánh dấu xác nhận trước khi ẩn danh.")})
