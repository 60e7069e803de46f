"""A rule as the pages say it in the reader's language: its name and its value with the unit ("60 ngày làm việc",
"60 working days"). The rulebook words both in Vietnamese (its source language); the words are translated here,
when a page shows them, so what is stored, audited and exported stays as the rulebook says it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from chibo.core.enums import RuleUnit
from chibo.core.models import Rule
from chibo.core.rulebook import describe_value, number, rule_name

# A whole number of each counted unit, said with its unit (one or many, as the language needs).
COUNTED: dict[str, Callable[[int], str]] = {
    RuleUnit.CALENDAR_DAYS: lambda n: npgettext("rule value", "%(count)s ngày", "%(count)s ngày", n),
    RuleUnit.WORKING_DAYS: lambda n: npgettext("rule value", "%(count)s ngày làm việc", "%(count)s ngày làm việc", n),
    RuleUnit.MONTHS: lambda n: npgettext("rule value", "%(count)s tháng", "%(count)s tháng", n),
    RuleUnit.YEARS: lambda n: npgettext("rule value", "%(count)s năm", "%(count)s năm", n),
    RuleUnit.MINUTES: lambda n: npgettext("rule value", "%(count)s phút", "%(count)s phút", n),
    RuleUnit.COUNT: lambda n: npgettext("rule value", "%(count)s lần / người", "%(count)s lần / người", n),
    RuleUnit.POINTS: lambda n: npgettext("rule value", "%(count)s điểm", "%(count)s điểm", n),
}


def said_value(version: Rule | None) -> str:
    """``describe_value`` in the reader's language: the unit of a counted value and of an amount in đồng translated,
    a ratio, a format and a name as they are."""
    if version is None:
        return ""
    said = describe_value(version)
    try:
        value = number(version) if version.unit in COUNTED or version.unit == RuleUnit.MONEY else None
    except ValidationError:
        return said
    if value is None or value.denominator != 1:
        return said
    if version.unit == RuleUnit.MONEY:
        unit = version.get_unit_display()
        return said.removesuffix(unit) + _(unit) if said.endswith(unit) else said
    return COUNTED[version.unit](int(value)) % {"count": version.value.strip()}


def said_name(key: str, version: Rule | None = None) -> str:
    """The rule's name in the reader's language. A rule of a family is named "family: what" (the kind of unit, or
    the version's note): both parts are translated, a note nobody translated stays as written."""
    name = rule_name(key, version)
    translated = _(name)
    if translated != name or ": " not in name:
        return translated
    family, what = name.split(": ", 1)
    return f"{_(family)}: {_(what)}"
