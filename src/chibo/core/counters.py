"""Gap-free numbers per unit and year (letters, receipts): a counter row per (unit, year) in the caller's model.

The row stays locked until the caller's transaction ends, so concurrent issuers wait and no number is skipped or
repeated; a rolled-back document rolls its numbers back too. The model has ``unit``, ``year`` and ``last`` fields
and a unique constraint on (unit, year)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F


def take_numbers(model: Any, unit: Any, year: int, count: int = 1) -> range:
    """``count`` consecutive numbers of ``unit`` in ``year`` (call inside a transaction)."""
    if count < 1:
        raise ValueError("take_numbers: count must be at least 1")
    rows = model.objects.select_for_update()
    counter = rows.filter(unit=unit, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                model.objects.create(unit=unit, year=year, last=0)
        except IntegrityError:
            pass  # another issuer created it first
        counter = rows.get(unit=unit, year=year)
    model.objects.filter(pk=counter.pk).update(last=F("last") + count)
    counter.refresh_from_db(fields=["last"])
    return range(counter.last - count + 1, counter.last + 1)
