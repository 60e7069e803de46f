"""Forms of the reports pages and API (the services check everything again)."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import translated_choices
from chibo.reports import figures as figs
from chibo.reports.enums import PeriodKind

# A figure's name in the reader's language, said when the form is shown.
_shown_label = lazy(lambda key: figs.label_of(key, shown=True), str)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Tên mẫu báo cáo"), max_length=200)
    period_kind = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=translated_choices(PeriodKind.choices),
                                    widget=forms.RadioSelect)
    sections = forms.CharField(label=_("Các phần của báo cáo (mỗi dòng một phần)"), max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 7}),
                               help_text=_("Mỗi phần là một mục để chi bộ viết đánh giá, nhận xét."))
    figures = forms.MultipleChoiceField(label=_("Các số liệu tự động"),
                                        choices=[(f.key, _shown_label(f.key)) for f in figs.FIGURES],
                                        widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Hệ thống tự tính từ dữ liệu; chi bộ không sửa được."))


class OpenForm(forms.Form):
    unit = forms.IntegerField(label=_("Tổ chức đảng"), min_value=1)
    period = forms.CharField(label=_("Kỳ báo cáo"), max_length=10, help_text=_("Ví dụ: 2026-Q1 (quý I năm 2026)."))


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("Lý do điều chỉnh"), max_length=500, min_length=10,
                             widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(forms.Form):
    pass


def narrative_form(sections: list[str], data=None, initial: list[str] | None = None) -> forms.Form:
    """A form with one text field per section of the report's template (``section_1``…)."""
    form = forms.Form(data)
    for i, title in enumerate(sections, start=1):
        form.fields[f"section_{i}"] = forms.CharField(label=title, required=False, max_length=20000,
                                                      widget=forms.Textarea(attrs={"rows": 5}))
        if initial and i <= len(initial):
            form.initial[f"section_{i}"] = initial[i - 1]
    return form
