"""Forms of the grading pages and their API twins (Vietnamese labels; dates dd/mm/yyyy). The services check
everything again (ranges, totals, the grade against score and conditions): a form only types the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.forms import TodayDateField, VNDateField, translated_choices
from chibo.grading.enums import MEMBER_FORM_CHOICES, Grade, PeriodKind
from chibo.units.picker import UnitChoiceField, UnitScope

YES_NO = [("", "—"), ("yes", _("Có")), ("no", _("Không"))]
GRADE_CHOICES = [("", "—"), *translated_choices(Grade.choices)]
TEXT = {"rows": 4}


def yes_no(value) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PeriodOpenForm(forms.Form):
    unit = UnitChoiceField(label=_("Tổ chức (cả các tổ chức trực thuộc)"), empty_label=None,
                           scope=UnitScope(perm="grading.open", open_only=True))
    kind = forms.ChoiceField(label=_("Kỳ kiểm điểm"), choices=translated_choices(PeriodKind.choices),
                             initial=PeriodKind.YEAR)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=_("Quý (kỳ theo quý)"), min_value=1, max_value=4, required=False)
    title = forms.CharField(label=_("Tên kỳ (để trống: tự đặt)"), max_length=200, required=False)
    self_due = VNDateField(label=_("Hạn nộp bản tự đánh giá (để trống: theo quy định)"), required=False)
    cell_due = VNDateField(label=_("Hạn chi bộ biểu quyết (để trống: theo quy định)"), required=False)
    decide_due = VNDateField(label=_("Hạn cấp ủy quyết định (để trống: theo quy định)"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year
        if actor is not None:
            self.fields["unit"].bind(actor)


class SelfForm(forms.Form):
    """The self-assessment: points per criterion of the review's form (``p_<group>_<code>``, added for the form's
    criteria), the conditions, the text, the grade the member proposes. Saved as a draft with blanks; submitted
    complete. ``points_of`` gathers the points for the service."""

    complete = False
    all_on_time = forms.ChoiceField(label=_("Hoàn thành mọi nhiệm vụ đúng tiến độ"), choices=YES_NO, required=False)
    exceeded_percent = forms.IntegerField(label=_("Tỷ lệ nhiệm vụ hoàn thành vượt yêu cầu (%)"), min_value=0,
                                          max_value=100, required=False)
    strengths = forms.CharField(label=_("Ưu điểm"), widget=forms.Textarea(attrs=TEXT), required=False, max_length=5000)
    weaknesses = forms.CharField(label=_("Hạn chế, khuyết điểm và nguyên nhân"), required=False,
                                 widget=forms.Textarea(attrs=TEXT), max_length=5000)
    remedies = forms.CharField(label=_("Phương hướng, biện pháp khắc phục"), required=False,
                               widget=forms.Textarea(attrs=TEXT), max_length=5000)
    proposed_grade = forms.ChoiceField(label=_("Tự nhận mức xếp loại"), choices=GRADE_CHOICES, required=False)

    def __init__(self, *args, review=None, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        points = {f"p_{c.code}": forms.IntegerField(
            label=_("%(label)s (0–%(max)s điểm)") % {"label": c.label, "max": c.max_points}, min_value=0,
            max_value=c.max_points, required=self.complete,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4})) for c in criteria}
        self.fields = {**points, **self.fields}
        for name in ("all_on_time", "exceeded_percent", "proposed_grade"):
            self.fields[name].required = self.complete
        if review is not None and not self.is_bound:
            self.initial.update(initial_from(review, criteria))

    def clean(self):
        data = super().clean()
        data["all_on_time"] = yes_no(data.get("all_on_time"))
        return data


def points_of(actor, review, data: dict) -> dict:
    """The transition's ``prepare``: the ``p_…`` fields gathered as the service's ``points``."""
    points = {name[2:]: value for name, value in data.items() if name.startswith("p_") and value is not None}
    return {"points": points, **{k: v for k, v in data.items() if not k.startswith("p_")}}


class SelfSubmitForm(SelfForm):
    complete = True


def initial_from(review, criteria) -> dict:
    """The form's starting values from what the review holds (a member's or an organization's)."""
    out: dict = {f"p_{c.code}": review.points.get(c.code) for c in criteria}
    out["all_on_time"] = {True: "yes", False: "no"}.get(review.all_on_time, "")
    for name in ("exceeded_percent", "strengths", "weaknesses", "remedies", "proposed_grade", "late_percent", "report"):
        if hasattr(review, name):
            out[name] = getattr(review, name)
    return out


class ConditionsForm(forms.Form):
    """The score and conditions as the cell or the committee sees them (the grade follows from them)."""

    score = forms.IntegerField(label=_("Tổng điểm"), min_value=0, max_value=100)
    all_on_time = forms.ChoiceField(label=_("Hoàn thành mọi nhiệm vụ đúng tiến độ"), choices=YES_NO[1:])
    exceeded_percent = forms.IntegerField(label=_("Tỷ lệ nhiệm vụ vượt yêu cầu (%)"), min_value=0, max_value=100)
    grade = forms.ChoiceField(label=_("Mức xếp loại"), choices=translated_choices(Grade.choices))

    def clean(self):
        data = super().clean()
        data["all_on_time"] = yes_no(data.get("all_on_time"))
        return data


class CellVoteForm(ConditionsForm):
    meeting = forms.IntegerField(label=_("Cuộc họp chi bộ (mã cuộc họp)"), min_value=1, max_value=2**31 - 1)
    yes = forms.IntegerField(label=_("Số phiếu tán thành mức xếp loại"), min_value=0, max_value=10_000)
    no = forms.IntegerField(label=_("Số phiếu không tán thành"), min_value=0, max_value=10_000)
    comment = forms.CharField(label=_("Ý kiến nhận xét của chi bộ"), widget=forms.Textarea(attrs=TEXT), max_length=5000)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        if meetings:
            self.fields["meeting"] = forms.TypedChoiceField(label=_("Cuộc họp chi bộ"), coerce=int, choices=[
                (m.pk, f"{m.title} ({m.starts_at:%d/%m/%Y})") for m in meetings])


class AppraiseForm(ConditionsForm):
    disciplined = forms.BooleanField(label=_("Bị kỷ luật trong kỳ"), required=False)
    appraisal = forms.CharField(label=_("Ý kiến thẩm định của cấp ủy"), widget=forms.Textarea(attrs=TEXT),
                                max_length=5000)


class DecideForm(forms.Form):
    grade = forms.ChoiceField(label=_("Mức xếp loại"), choices=translated_choices(Grade.choices))
    decision_no = forms.CharField(label=_("Số quyết định (thông báo) xếp loại"), max_length=60)
    decided_on = TodayDateField(label=_("Ngày quyết định"))


class CorrectForm(ConditionsForm, DecideForm):
    disciplined = forms.BooleanField(label=_("Bị kỷ luật trong kỳ"), required=False)
    reason = forms.CharField(label=_("Lý do điều chỉnh"), max_length=500)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Lý do trả lại"), max_length=500)


class SetFormForm(forms.Form):
    form = forms.ChoiceField(label=_("Mẫu tự đánh giá"), choices=MEMBER_FORM_CHOICES)


class UnitSelfForm(SelfSubmitForm):
    """An organization's own report: points per criterion, conditions, late tasks, the report text."""

    strengths = weaknesses = remedies = None  # type: ignore[assignment]  # not on an organization's report
    late_percent = forms.IntegerField(label=_("Tỷ lệ nhiệm vụ chậm tiến độ (%)"), min_value=0, max_value=100)
    report = forms.CharField(label=_("Báo cáo kiểm điểm (tóm tắt)"), max_length=20000,
                             widget=forms.Textarea(attrs={"rows": 8}))


class UnitDecideForm(ConditionsForm, DecideForm):
    late_percent = forms.IntegerField(label=_("Tỷ lệ nhiệm vụ chậm tiến độ (%)"), min_value=0, max_value=100)


class UnitCorrectForm(UnitDecideForm):
    reason = forms.CharField(label=_("Lý do điều chỉnh"), max_length=500)


class RemindForm(forms.Form):
    note = forms.CharField(label=_("Lời nhắn thêm (không bắt buộc)"), max_length=300, required=False)
