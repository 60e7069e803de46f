"""Forms of the dues pages and their API twins (Vietnamese labels; dates dd/mm/yyyy; months mm/yyyy).

Amounts are taken as text and parsed by the services in the member's currency (``core.money.parse_amount``):
"1.234,50", "1234.5" and "1 234,5" are all understood, never through a float.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.forms import TodayDateField, VNDateField, translated_choices
from chibo.core.money import currency_choices
from chibo.dues.enums import Base, DecisionKind, DecisionReason, Method
from chibo.members.enums import Category

ABROAD_CATEGORIES = [(c.value, c.label) for c in Category if c != Category.DOMESTIC]


class MonthField(forms.Field):
    """A month as mm/yyyy (also yyyy-mm, the browser's month input, or a full date): its first day."""

    default_error_messages = {"invalid": _("Tháng không hợp lệ; nhập theo dạng mm/yyyy, ví dụ 03/2026.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "mm/yyyy", "inputmode": "numeric",
                                                           "autocomplete": "off", "size": 8}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return f"{value:%m/%Y}" if isinstance(value, date) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        text = str(value).strip()
        try:
            if "/" in text:
                parts = text.split("/")
                month, year = (int(parts[-2]), int(parts[-1]))
            elif "-" in text:
                parts = text.split("-")
                year, month = int(parts[0]), int(parts[1])
            else:
                raise ValueError(text)
            if not 1900 <= year <= 2200:
                raise ValueError(text)
            return date(year, month, 1)
        except (ValueError, IndexError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class AmountField(forms.CharField):
    """An amount as typed (the service parses it in the right currency)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                           "size": 10}))
        super().__init__(**kwargs)


def _currencies():
    return [("", "—"), *currency_choices()]


class ProfileForm(forms.Form):
    month = MonthField(label=_("Áp dụng từ tháng"))
    base = forms.ChoiceField(label=_("Cách tính"), choices=translated_choices(Base.choices))
    category = forms.ChoiceField(label=_("Diện"),
                                 choices=[("", _("Theo hồ sơ đảng viên")), *translated_choices(Category.choices)],
                                 required=False)
    currency = forms.ChoiceField(label=_("Đồng tiền"), choices=_currencies)
    base_amount = AmountField(label=_("Tiền lương đóng BHXH / lương hưu (nếu tính theo %)"), required=False)
    voluntary = AmountField(label=_("Tự nguyện đóng thêm mỗi tháng"), required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại quyết định"), choices=translated_choices(DecisionKind.choices))
    reason = forms.ChoiceField(label=_("Lý do"), choices=translated_choices(DecisionReason.choices))
    percent = forms.TypedChoiceField(label=_("Mức giảm (nếu giảm)"), coerce=int, empty_value=None, required=False,
                                     choices=[("", "—"), (30, "30%"), (50, "50%"), (70, "70%")])
    month_from = MonthField(label=_("Từ tháng"))
    month_to = MonthField(label=_("Đến hết tháng"))
    document = forms.CharField(label=_("Số quyết định"), max_length=100)
    decided_on = VNDateField(label=_("Ngày quyết định"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=200)


class PaymentForm(forms.Form):
    """One member's payment (the member's page and ``POST /api/v1/members/{id}/dues/payments/``)."""

    amount = AmountField(label=_("Số tiền"))
    paid_on = TodayDateField(label=_("Ngày nộp"))
    method = forms.ChoiceField(label=_("Hình thức"), choices=translated_choices(Method.choices), initial=Method.CASH)
    month_from = MonthField(label=_("Cho tháng (nếu người nộp nói rõ)"), required=False)
    month_to = MonthField(label=_("Đến tháng"), required=False)
    reference = forms.CharField(label=_("Số chứng từ / nội dung chuyển khoản"), max_length=120, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class MonthPostForm(forms.Form):
    """The cell's month: the common fields; each member's amount is a field ``amount_<member id>``."""

    paid_on = TodayDateField(label=_("Ngày thu"))
    method = forms.ChoiceField(label=_("Hình thức"), choices=translated_choices(Method.choices), initial=Method.CASH)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)

    def __init__(self, *args, member_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.member_ids = list(member_ids)
        for pk in self.member_ids:
            self.fields[f"amount_{pk}"] = AmountField(label="", required=False)

    def amounts(self) -> dict[int, str]:
        """{member id: amount typed} for the members with something typed."""
        return {pk: self.cleaned_data[f"amount_{pk}"].strip() for pk in self.member_ids
                if (self.cleaned_data.get(f"amount_{pk}") or "").strip()}


class RateForm(forms.Form):
    category = forms.ChoiceField(label=_("Diện"), choices=ABROAD_CATEGORIES)
    currency = forms.ChoiceField(label=_("Đồng tiền"), choices=_currencies)
    amount = AmountField(label=_("Mức đóng mỗi tháng"))
    effective_from = MonthField(label=_("Áp dụng từ tháng"))
    basis = forms.CharField(label=_("Căn cứ (văn bản)"), max_length=300)
    confirmed = forms.BooleanField(label=_("Đã đối chiếu văn bản gốc (xác nhận)"), required=False)


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Ngoại tệ"), choices=_currencies)
    day = VNDateField(label=_("Ngày"))
    vnd = forms.CharField(label=_("Số đồng cho một đơn vị ngoại tệ"), max_length=24)
    source = forms.CharField(label=_("Nguồn"), max_length=120)


class RateFileForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV (cột: currency, day, vnd)"))
    source = forms.CharField(label=_("Nguồn"), max_length=120)


class RemitForm(forms.Form):
    month = MonthField(label=_("Tháng"))
    currency = forms.ChoiceField(label=_("Đồng tiền"), choices=_currencies)
    sent_on = TodayDateField(label=_("Ngày nộp lên"))
    reference = forms.CharField(label=_("Số chứng từ"), max_length=120, required=False)


class ConfirmForm(forms.Form):
    on = TodayDateField(label=_("Ngày nhận"))
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Sao kê ngân hàng / cổng dịch vụ công (CSV hoặc XLSX)"))
    method = forms.ChoiceField(label=_("Hình thức"), choices=[(Method.BANK, Method.BANK.label),
                                                           (Method.PORTAL, Method.PORTAL.label)])
