from __future__ import annotations

from django import forms

from chibo.bulk.reader import MAX_UPLOAD_BYTES
from chibo.bulk.services import MODES


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp danh sách (.xlsx, .xls, .ods, .csv)")
    unit = forms.TypedChoiceField(label="Chi bộ (cho các dòng không ghi mã chi bộ)", required=False, coerce=int,
                                  empty_value=None)
    mode = forms.ChoiceField(label="Khi có dòng lỗi", choices=list(MODES.items()), initial="all",
                             widget=forms.RadioSelect)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [("", "— theo cột «Mã chi bộ» —"),
                                       *[(u.pk, ("— " * u.depth) + u.name) for u in units]]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"Tệp quá lớn; giới hạn {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        return f


class RunForm(forms.Form):
    mode = forms.ChoiceField(label="Khi có dòng lỗi", choices=list(MODES.items()), widget=forms.RadioSelect)
