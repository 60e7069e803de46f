from __future__ import annotations

from django import forms

from chibo.notifications.enums import KIND_LABELS, State


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(label="Tình trạng", required=False, choices=[("", "Tất cả"), *State.choices])
    kind = forms.ChoiceField(label="Loại", required=False, choices=[("", "Tất cả"), *KIND_LABELS.items()])
