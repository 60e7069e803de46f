"""Form helpers shared by every app: Vietnamese date fields, service errors onto fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from chibo.core import clock
from chibo.core.audit_labels import OBJECT_TYPES, action_labels
from chibo.core.countries import country_choices
from chibo.core.errors import StaleEdit
from chibo.core.text import vn_sort_key


class DateInput(forms.DateInput):
    """dd/mm/yyyy text input (the native date picker shows the browser's locale, not ours)."""

    def __init__(self, **kwargs):
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                 **kwargs.pop("attrs", {})}
        super().__init__(attrs=attrs, format="%d/%m/%Y", **kwargs)


class VNDateField(forms.DateField):
    widget = DateInput
    default_error_messages = {"invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 02/09/1985.")}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"], **kwargs)


class TodayDateField(VNDateField):
    """The day a step happened: today when left empty (the API may leave it out)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Để trống: hôm nay."))
        super().__init__(**kwargs)

    def clean(self, value):
        return super().clean(value) or clock.today()


def _country_options() -> list[tuple[str, object]]:
    return [("", _("— chọn nước —")), *country_choices()]


class CountryField(forms.ChoiceField):
    """A country picked by its official Vietnamese name (the curated list of core.countries); the value kept is
    its ISO 3166 code, never shown to the user. A code sent in lower case (the API) is read in upper case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", _country_options)
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


def translated_choices(choices) -> list[tuple[object, object]]:
    """An enum's choices with their labels shown in the reader's language (the labels are marked with gettext_noop
    where they are declared, so that exports and official papers keep the Vietnamese)."""
    return [(value, _(label)) for value, label in choices]


def _filled(message, params: dict[str, object]) -> str:
    return str(message) % params


_filled_lazy = lazy(_filled, str)


def filled_lazy(message, **params) -> str:
    """A lazily translated message (``gettext_lazy("… %(name)s …")``) with its placeholders filled when it is read:
    for an error message declared on a form class, where the language is not known yet."""
    return _filled_lazy(message, params)


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form's fields (unknown fields to the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for err in errors:
                for message in err.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class AuditFilterForm(forms.Form):
    """The audit log's filters: the action and the kind of object by their Vietnamese names, the person by
    name (or sign-in name)."""

    action = forms.ChoiceField(label=_("Hành động"), required=False, choices=())
    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150,
                            help_text=_("Họ tên hoặc tên đăng nhập"))
    object_type = forms.ChoiceField(label=_("Loại đối tượng"), required=False, choices=())
    object_id = forms.CharField(label=_("Số hiệu đối tượng"), required=False, max_length=40)
    date_from = VNDateField(label=_("Từ ngày"), required=False)
    date_to = VNDateField(label=_("Đến ngày"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("— tất cả —"))]
        self.fields["action"].choices = every + sorted(action_labels().items(), key=lambda c: vn_sort_key(c[1]))
        self.fields["object_type"].choices = every + sorted(((k, str(v)) for k, v in OBJECT_TYPES.items()),
                                                            key=lambda c: vn_sort_key(c[1]))


class Outcome:
    """What ``submit`` did: ``ok`` when the service ran, with its return ``value``."""

    def __init__(self, ok: bool, value=None):
        self.ok, self.value = ok, value

    def __bool__(self) -> bool:
        return self.ok


def submit(request, form: forms.Form, call) -> Outcome:
    """For a valid POSTed form, run ``call()`` (a service call reading ``form.cleaned_data``);
    a refusal by the service (validation or a stale edit) lands on the form instead."""

    if request.method != "POST" or not form.is_valid():
        return Outcome(False)
    try:
        return Outcome(True, call())
    except StaleEdit as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        apply_service_errors(form, exc)
    return Outcome(False)
