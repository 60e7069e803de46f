from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import translated_choices
from chibo.notifications.enums import KIND_LABELS, State


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Tình trạng"), required=False,
                              choices=lambda: [("", _("Tất cả")), *translated_choices(State.choices)])
    kind = forms.ChoiceField(label=_("Loại"), required=False,
                             choices=lambda: [("", _("Tất cả")), *translated_choices(KIND_LABELS.items())])


class MarkReadForm(forms.Form):
    """What the list's "read" buttons post: one notification (``id``), one group (``day`` and ``kind``; an empty
    kind is the group of notifications without one), or nothing (all of them)."""

    id = forms.IntegerField(required=False, min_value=1)
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    kind = forms.CharField(required=False, max_length=40)
