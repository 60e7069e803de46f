"""Forms of the transfer pages (Vietnamese labels, dates dd/mm/yyyy)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import CountryField, TodayDateField, VNDateField, translated_choices
from chibo.members.reviews import ApproveField
from chibo.transfers.models import (
    INCOMING,
    DeclarationKind,
    DelegationRole,
    HoldKind,
    Kind,
    OrgKind,
    ReturnReview,
)
from chibo.units.picker import UnitChoiceField, UnitScope

OPEN_UNITS = UnitScope(open_only=True)
OUT_KINDS = [(k.value, _(k.label)) for k in Kind if k not in INCOMING]
# What each kind a cell starts means, in the words of the people who choose it (shown under each choice).
KIND_HELP = {
    Kind.INTERNAL: _("Sang một chi bộ khác trong Đảng bộ, ví dụ khi đổi nơi công tác. Chọn chi bộ nơi đến."),
    Kind.TEMPORARY: _("Đi học, đi công tác hay chữa bệnh một thời gian rồi trở lại chi bộ. Chọn nơi đến và ghi thời "
                       "gian từ ngày đến ngày."),
    Kind.OFFICIAL_OUT: _("Chuyển hẳn sang một tổ chức đảng không thuộc Đảng bộ. Chọn tổ chức nơi đến trong danh mục."),
    Kind.RETURN: _("Hết thời gian ở nước ngoài, về sinh hoạt ở tổ chức đảng trong nước. Cần bản tự kiểm điểm thời gian "
                    "ở nước ngoài đã được xác nhận."),
}


class _UnitOrgMixin:
    def _set_targets(self, actor, orgs):
        self.fields["to_unit"].bind(actor)
        self.fields["to_org"].choices = [("", "—"), *[(o.pk, o.name) for o in orgs]]


class TransferRequestForm(_UnitOrgMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại chuyển sinh hoạt"), choices=OUT_KINDS, widget=forms.RadioSelect)
    to_unit = UnitChoiceField(label=_("Nơi đến trong Đảng bộ"), required=False, scope=OPEN_UNITS)
    to_org = forms.TypedChoiceField(label=_("Nơi đến ngoài Đảng bộ (danh mục tổ chức)"), required=False, coerce=int,
                                    empty_value=None)
    decision_doc = forms.CharField(label=_("Số quyết định điều động"), max_length=120)
    decision_date = VNDateField(label=_("Ngày quyết định"))
    reason = forms.CharField(label=_("Lý do"), max_length=300)
    period_from = VNDateField(label=_("Tạm thời từ ngày"), required=False)
    period_to = VNDateField(label=_("Tạm thời đến ngày"), required=False)
    requested_on = VNDateField(label=_("Ngày đề nghị"), required=False)
    late_reason = forms.CharField(label=_("Lý do chậm (nếu quá hạn)"), required=False, max_length=300)

    def __init__(self, *args, actor, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_targets(actor, orgs)

    def kinds(self) -> list[dict]:
        """The kind's choices with their explanations, the chosen one marked (kept after a refused save)."""
        chosen = str(self["kind"].value() or "")
        order = [k.value for k in KIND_HELP]
        choices = sorted(OUT_KINDS, key=lambda c: order.index(c[0]) if c[0] in order else len(order))
        return [{"value": value, "label": label, "help": KIND_HELP.get(Kind(value), ""), "checked": value == chosen}
                for value, label in choices]


class IncomingForm(_UnitOrgMixin, forms.Form):
    from_org = forms.TypedChoiceField(label=_("Tổ chức đảng nơi đi"), coerce=int)
    incoming_letter = forms.CharField(label=_("Số giấy giới thiệu của nơi đi"), max_length=120)
    letter_date = VNDateField(label=_("Ngày ghi trên giấy giới thiệu"))
    decision_doc = forms.CharField(label=_("Số quyết định cử đi công tác"), max_length=120)
    decision_date = VNDateField(label=_("Ngày quyết định"))
    to_unit = UnitChoiceField(label=_("Giới thiệu đến"), empty_label=None,
                              scope=UnitScope(open_only=True, below_only=True))
    reason = forms.CharField(label=_("Lý do"), max_length=300)
    late_reason = forms.CharField(label=_("Lý do chậm (nếu quá hạn)"), required=False, max_length=300)

    def __init__(self, *args, actor, under, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].bind(actor, under=under)
        self.fields["from_org"].choices = [(o.pk, o.name) for o in orgs]


class LetterForm(forms.Form):
    on = TodayDateField(label=_("Ngày cấp giấy"))
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=60, initial="Bí thư")
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120)
    dues_paid_through = forms.CharField(
        label=_("Đã đóng đảng phí đến hết tháng (mm/yyyy)"), max_length=7, required=False,
        help_text=_("Để trống khi chi bộ ghi đảng phí trong hệ thống: lấy từ sổ đảng phí."))


class DayForm(forms.Form):
    on = TodayDateField(label=_("Ngày"))


class DateForm(DayForm):
    late_reason = forms.CharField(label=_("Lý do chậm (nếu quá hạn)"), required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=300)


class ReviewForm(forms.Form):
    period_from = VNDateField(label=_("Ở nước ngoài từ ngày"))
    period_to = VNDateField(label=_("Đến ngày"))
    text = forms.CharField(label=_("Tự kiểm điểm thời gian ở nước ngoài"), widget=forms.Textarea(attrs={"rows": 8}))


class CertifyForm(forms.Form):
    certified_by = forms.ChoiceField(label=_("Xác nhận bởi"),
                                     choices=translated_choices(ReturnReview.Certifier.choices))
    certifier_label = forms.CharField(label=_("Tên tổ chức / cơ quan xác nhận"), max_length=200)
    certified_on = VNDateField(label=_("Ngày xác nhận"))
    certified_ref = forms.CharField(label=_("Số văn bản xác nhận"), max_length=120)


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=translated_choices(HoldKind.choices))
    reference = forms.CharField(label=_("Số văn bản"), max_length=120)
    opened_on = VNDateField(label=_("Từ ngày"))


class OrgForm(forms.Form):
    name = forms.CharField(label=_("Tên tổ chức"), max_length=200)
    kind = forms.TypedChoiceField(label=_("Loại"), choices=translated_choices(OrgKind.choices), required=False,
                                  empty_value=OrgKind.DOMESTIC_PARTY, initial=OrgKind.DOMESTIC_PARTY)
    upper_name = forms.CharField(label=_("Cấp ủy cấp trên"), max_length=200, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)


class OrgActiveForm(forms.Form):
    # "0"/"1" from the page's hidden input, false/true from the API
    active = ApproveField(label=_("Dùng lại (không: ngừng sử dụng)"),
                          choices=[("0", _("Ngừng sử dụng")), ("1", _("Dùng lại"))],
                          coerce=lambda v: v == "1", widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Lý do ngừng sử dụng (sáp nhập, giải thể…)"), max_length=300, required=False)


class TripForm(forms.Form):
    country = CountryField(label=_("Nước đến"))
    purpose = forms.CharField(label=_("Mục đích chuyến đi"), max_length=300)
    depart_on = VNDateField(label=_("Ngày đi"))
    return_on = VNDateField(label=_("Ngày về"))


class TripReportForm(forms.Form):
    text = forms.CharField(label=_("Báo cáo sau chuyến đi"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class DeclarationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại khai báo"), choices=translated_choices(DeclarationKind.choices))
    country = CountryField(label=_("Nước liên quan"), required=False,
                           help_text=_("Kết hôn với người nước ngoài: quốc tịch của người kia."))
    event_on = VNDateField(label=_("Ngày diễn ra (dự kiến)"), required=False,
                           help_text=_("Bắt buộc khi khai kết hôn với người nước ngoài hoặc nhập quốc tịch nước "
                                       "ngoài."))
    subject = forms.CharField(label=_("Nội dung khai (chỉ về bản thân)"), max_length=300, required=False,
                              help_text=_("Chỉ ghi về bản thân đồng chí. Không ghi tên, năm sinh hay thông tin khác về "
                                          "người khác. Kết hôn, nhập quốc tịch: để trống."))


class ExemptionForm(forms.Form):
    period_from = VNDateField(label=_("Từ ngày"))
    period_to = VNDateField(label=_("Đến ngày"))
    reason = forms.CharField(label=_("Lý do"), max_length=300)


class RotationForm(_UnitOrgMixin, forms.Form):
    members = forms.TypedMultipleChoiceField(label=_("Đảng viên"), coerce=int, widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Loại chuyển sinh hoạt"),
                             choices=[(k, v) for k, v in OUT_KINDS if k != "temporary"])
    to_unit = UnitChoiceField(label=_("Nơi đến trong Đảng bộ"), required=False, scope=OPEN_UNITS)
    to_org = forms.TypedChoiceField(label=_("Nơi đến ngoài Đảng bộ"), required=False, coerce=int, empty_value=None)
    decision_doc = forms.CharField(label=_("Số quyết định điều động"), max_length=120)
    decision_date = VNDateField(label=_("Ngày quyết định"))
    reason = forms.CharField(label=_("Lý do"), max_length=300)

    def __init__(self, *args, actor, members=(), orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, m.full_name) for m in members]
        self._set_targets(actor, orgs)


class DelegationForm(forms.Form):
    """The temporary cell's decision; the picked members (``member`` + ``role_<id>``) and the task
    rows (``task_text`` / ``task_due``) come from the page's repeated inputs."""

    name = forms.CharField(label=_("Tên chi bộ tạm thời"), max_length=200)
    code = forms.CharField(label=_("Mã"), max_length=32)
    country = CountryField(label=_("Nước đến"))
    opened_on = VNDateField(label=_("Ngày thành lập"))
    return_on = VNDateField(label=_("Dự kiến về nước"))
    document = forms.CharField(label=_("Số quyết định thành lập của Đảng ủy cấp trên"), max_length=100)

    MAX_ROWS = 100

    def clean(self):
        data = super().clean()
        raw = self.data
        team = []
        for pk in raw.getlist("member")[: self.MAX_ROWS]:
            if not pk.isdigit():
                self.add_error(None, _("Danh sách thành viên đoàn không hợp lệ."))
                continue
            team.append((int(pk), raw.get(f"role_{pk}", DelegationRole.MEMBER)))
        texts, dues = raw.getlist("task_text")[: self.MAX_ROWS], raw.getlist("task_due")
        tasks = []
        for i, text in enumerate(texts):
            due_raw = dues[i] if i < len(dues) else ""
            due = None
            if due_raw.strip():
                try:
                    due = VNDateField(required=False).clean(due_raw)
                except forms.ValidationError:
                    self.add_error(None, _("Nhiệm vụ %(n)s: thời hạn ghi theo dạng dd/mm/yyyy.") % {"n": i + 1})
            tasks.append((text, due))
        data["team"], data["tasks"] = team, tasks
        return data


class HoldCloseForm(forms.Form):
    closed_on = VNDateField(label=_("Kết thúc ngày"))


class CloseForm(forms.Form):
    closed_on = VNDateField(label=_("Ngày đoàn về nước, chi bộ kết thúc"))
    document = forms.CharField(label=_("Số quyết định"), max_length=100)
