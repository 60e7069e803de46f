"""The identifiers of a member record, checked in one place for every path that writes one: the member pages and
the API (``services.member_create`` / ``member_update``) and the import (``members.bulk.check_new`` /
``check_changes``, through ``services.validate_member``).

- the citizen ID: its structure (``chibo.core.citizen_ids``) and its agreement with the record's birth year and
  gender, checked on the plain value before the field encrypts it;
- the party card number and the dossier number: the formats are rulebook rows (``members.card_number_format``,
  ``members.dossier_number_format``, unit ``pattern``: a regular expression the whole number must match), read
  for the day of the check. Cards were reissued in 2025 and the new format is not confirmed: the rows say so, and
  the organization officer adds a version when it is.

A caller checking many records at once (the import) reads inside ``core.rulebook.rules_read_once()`` so that
each rule is read once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core.citizen_ids import citizen_id_problem
from chibo.core.labels import TranslatedLabels
from chibo.core.rulebook import pattern, rule, rule_name
from chibo.members.enums import Gender

if TYPE_CHECKING:
    from chibo.members.models import Member

FORMAT_RULES = {"card_number": "members.card_number_format", "dossier_number": "members.dossier_number_format"}
LABELS = TranslatedLabels({"card_number": gettext_noop("Số thẻ đảng viên"),
                           "dossier_number": gettext_noop("Số lý lịch")})


def format_problem(name: str, value: str, *, on: date) -> str:
    """What is wrong with a card or dossier number (already normalized: no spaces, upper case) by the format
    rule in force on ``on``; "" when it matches."""
    version = rule(FORMAT_RULES[name], on=on)
    if pattern(version).fullmatch(value):
        return ""
    expected = (_(": cần %(note)s") % {"note": version.note} if version.note
                else _(" (mẫu %(pattern)s)") % {"pattern": version.value})
    pending = _(", quy định đang chờ xác nhận") if version.confidence == "to_confirm" else ""
    return _("%(field)s «%(value)s» không đúng định dạng%(expected)s (quy định: %(rule)s%(pending)s).") % {
        "field": LABELS[name], "value": value, "expected": expected, "rule": rule_name(version.key), "pending": pending}


def identifier_errors(member: Member, *, today: date) -> dict[str, str]:
    """The identifiers of ``member`` that are wrong: field → message (empty when all are right)."""
    errors: dict[str, str] = {}
    if member.citizen_id:
        female = {Gender.MALE.value: False, Gender.FEMALE.value: True}.get(member.gender)
        birth = member.birth_date if isinstance(member.birth_date, date) else None
        if problem := citizen_id_problem(member.citizen_id, birth_date=birth, female=female, today=today):
            errors["citizen_id"] = problem
    for name in FORMAT_RULES:
        value = getattr(member, name)
        if value and (problem := format_problem(name, value, on=today)):
            errors[name] = problem
    return errors
