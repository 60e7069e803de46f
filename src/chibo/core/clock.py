"""Today's date for business rules. Tests (and the browser journeys) move it with the setting
``CHIBO_TODAY`` (a date) instead of sleeping; production never sets it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    fixed = getattr(settings, "CHIBO_TODAY", None)
    return fixed if fixed is not None else timezone.localdate()
