from __future__ import annotations

from django import forms

from chibo.notifications.enums import KIND_LABELS, State


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(label="Tình trạng", required=False, choices=[("", "Tất cả"), *State.choices])
    kind = forms.ChoiceField(label="Loại", required=False, choices=[("", "Tất cả"), *KIND_LABELS.items()])


class MarkReadForm(forms.Form):
    """What the list's "read" buttons post: one notification (``id``), one group (``day`` and ``kind``; an empty
    kind is the group of notifications without one), or nothing (all of them)."""

    id = forms.IntegerField(required=False, min_value=1)
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    kind = forms.CharField(required=False, max_length=40)
