"""Writes on applicants. The admission steps (course, introducers, votes, ceremony) build on these."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chibo.admission.models import Applicant
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.text import clean, name_sort_key, search_key


@transaction.atomic
def applicant_record(*, actor: Actor, unit, full_name: str, gender: str, birth_date: date,
                     recorded_on: date | None = None) -> Applicant:
    require(actor, "members.edit", unit)
    full_name = clean(full_name)
    errors = {}
    if len(full_name.split(" ")) < 2:
        errors["full_name"] = "Nhập đầy đủ họ và tên."
    if gender not in ("M", "F"):
        errors["gender"] = "Chọn giới tính."
    if birth_date > timezone.localdate():
        errors["birth_date"] = "Ngày sinh không hợp lệ."
    if not unit.is_open:
        errors["unit"] = "Tổ chức đã giải thể."
    if errors:
        raise ValidationError(errors)
    applicant = Applicant.objects.create(
        full_name=full_name, name_search=search_key(full_name), name_sort=name_sort_key(full_name),
        gender=gender, birth_date=birth_date, unit=unit, recorded_on=recorded_on or timezone.localdate(),
    )
    audit(actor=actor, action="applicant.recorded", obj=applicant, unit=unit, data={"name": full_name})
    return applicant
