from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.bulk.services import MODES
from chibo.core.spreadsheets import MAX_UPLOAD_BYTES
from chibo.units.picker import UnitChoiceField, UnitScope

SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp danh sách (.xlsx, .xls, .ods, .csv)"), error_messages={
        "required": _("Chưa chọn tệp: hãy bấm nút chọn tệp, chọn tệp danh sách đảng viên (.xlsx, .xls, .ods "
                      "hoặc .csv) rồi bấm «Kiểm tra»."),
        "empty": _("Tệp đã chọn rỗng (không có nội dung); hãy chọn đúng tệp danh sách."),
    })
    unit = UnitChoiceField(label=_("Chi bộ (cho các dòng không ghi mã chi bộ)"), required=False,
                           empty_label=_("— theo cột «Mã chi bộ» —"),
                           scope=UnitScope(perm="members.edit", open_only=True))
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=[(k, _(v)) for k, v in MODES.items()], initial="all",
                             widget=forms.RadioSelect)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(SPREADSHEET_SUFFIXES):
            raise forms.ValidationError(
                _("Tệp «%(name)s» không phải bảng tính. Chỉ nhận tệp Excel (.xlsx, .xls), OpenDocument (.ods) "
                  "hoặc CSV (.csv); hãy mở danh sách trong Excel và lưu lại dưới một trong các dạng đó.")
                % {"name": f.name})
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn; giới hạn %(mb)s MB.")
                                        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return f


class BookForm(forms.Form):
    """Which unit's member list book (Mẫu 7-HSĐV) to open."""

    unit = UnitChoiceField(label=_("Tổ chức"), scope=UnitScope(perm="members.view", open_only=True))
    format = forms.ChoiceField(label=_("Định dạng"), choices=[("pdf", "PDF"), ("xlsx", "Excel")], required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].bind(actor)


class RunForm(forms.Form):
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=[(k, _(v)) for k, v in MODES.items()],
                             widget=forms.RadioSelect)
