"""Today's date for business rules. Tests (and the browser journeys) move it with the setting
``CHIBO_TODAY`` (a date) instead of sleeping; production never sets it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def today() -> date:
    fixed = getattr(settings, "CHIBO_TODAY", None)
    return fixed if fixed is not None else timezone.localdate()


def check_day(errors: dict, name: str, value: date | None, *, not_before: date | None = None,
              label: str = "") -> None:
    """The day a step happened: given, not in the future, not before ``not_before`` (named ``label``); the
    refusal is put in ``errors[name]``."""
    if value is None:
        errors[name] = _("Nhập ngày.")
    elif value > today():
        errors[name] = _("Ngày không thể ở tương lai.")
    elif not_before is not None and value < not_before:
        errors[name] = _("Ngày không thể trước %(step)s (%(day)s).") % {"step": label, "day": f"{not_before:%d/%m/%Y}"}
