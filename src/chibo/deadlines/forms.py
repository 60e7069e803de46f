from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.deadlines.kinds import kind_choices
from chibo.units.picker import UnitChoiceField

# What the radar's "state" filter offers (the API also takes "open" and "late", the raw states).
STATE_CHOICES = [
    ("", _("Tổng hợp")),
    ("overdue", _("Quá hạn")),
    ("soon", _("Sắp đến hạn")),
    ("active", _("Chưa xong (tất cả)")),
    ("met", _("Đã thực hiện")),
    ("waived", _("Được miễn")),
]
API_STATES = ("open", "met", "late", "waived", "overdue", "soon", "active")
WINDOW_CHOICES = [(7, _("7 ngày")), (14, _("14 ngày")), (30, _("30 ngày")), (60, _("60 ngày")), (90, _("90 ngày"))]
DEFAULT_WINDOW = 30
MAX_WINDOW = 365


class RadarFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Xem"), required=False, choices=STATE_CHOICES)
    kind = forms.ChoiceField(label=_("Loại việc"), required=False)
    unit = UnitChoiceField(label=_("Tổ chức"), required=False, empty_label=_("Tất cả"))
    own = forms.BooleanField(label=_("Chỉ của chính tổ chức này (không gồm các tổ chức trực thuộc)"), required=False)
    days = forms.TypedChoiceField(label=_("Sắp đến hạn trong"), required=False, coerce=int, empty_value=None,
                                  choices=WINDOW_CHOICES, initial=DEFAULT_WINDOW)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tất cả")), *kind_choices()]
        self.fields["unit"].bind(actor)
        messages = {"state": _("Chọn một mục của danh sách «Xem»."), "kind": _("Loại việc này không có."),
                    "unit": _("Tổ chức này không có trong phạm vi của bạn."),
                    "days": _("Chọn số ngày trong danh sách (7, 14, 30, 60 hoặc 90).")}
        for name, message in messages.items():
            self.fields[name].error_messages["invalid_choice"] = message
            self.fields[name].error_messages["invalid"] = message


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Cần ghi rõ lý do."),
                                             "max_length": _("Lý do dài tối đa 500 ký tự.")})

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
