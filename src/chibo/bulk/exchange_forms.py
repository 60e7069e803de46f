"""The form of an exchange file upload (import into an empty install, reconciliation with a national extract)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.bulk.exchange import MAX_BYTES

EXCHANGE_SUFFIXES = (".json", ".xlsx")


class ExchangeFileForm(forms.Form):
    file = forms.FileField(label=_("Tệp trao đổi (.json hoặc .xlsx)"), error_messages={
        "required": _("Chưa chọn tệp: hãy bấm nút chọn tệp, chọn tệp trao đổi (.json hoặc .xlsx) rồi bấm nút bên "
                      "dưới."),
        "empty": _("Tệp đã chọn rỗng (không có nội dung)."),
    })

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(EXCHANGE_SUFFIXES):
            raise forms.ValidationError(_("Chỉ nhận tệp .json hoặc .xlsx theo định dạng trao đổi."))
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn; giới hạn %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
        return f

    def raw(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read()
