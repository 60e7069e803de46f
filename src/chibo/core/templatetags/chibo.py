"""Template filters shared by every app's pages."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from chibo.core import rule_words, rulebook
from chibo.core.countries import country_name
from chibo.core.money import format_amount

register = template.Library()


@register.filter(name="country")
def country(code: str | None) -> str:
    """A country code as its official Vietnamese name ("CN" → "Trung Quốc"); empty stays empty."""
    return country_name(code) if code else ""


@register.filter(name="money")
def money(amount, currency: str | None) -> str:
    """An amount in its currency as the pages write it ("1.234,50 EUR"); "—" for nothing."""
    if amount is None or amount == "" or not currency:
        return "—"
    return format_amount(amount, currency)


@register.filter(name="amounts")
def amounts(values: dict | None) -> str:
    """{currency: amount} as "12,00 EUR; 50.000 VND" ("—" when empty)."""
    return "; ".join(format_amount(v, c) for c, v in sorted((values or {}).items())) or "—"


@register.filter(name="get")
def get(mapping: dict | None, key):
    return (mapping or {}).get(key)


@register.filter(name="rule_name")
def rule_name(key: str | None) -> str:
    """A rule's key as the rule's name in the reader's language ("meeting.min_minutes" → "Thời lượng tối thiểu …")."""
    return _(rulebook.rule_name(key)) if key else ""


@register.filter(name="rule_value")
def rule_value(version) -> str:
    """A rule version's value with its unit, in the reader's language ("60 ngày làm việc", "60 working days")."""
    return rule_words.said_value(version) if version else ""


@register.filter(name="name_rules")
def name_rules(text) -> str:
    """Rule keys quoted in a text (a step's help) as the rules' names, in the reader's language."""
    if not text:
        return ""
    return _QUOTED.sub(lambda found: f"«{_(found.group(1))}»", rulebook.name_rules_in(text))


_QUOTED = re.compile(r"«([^«»]+)»")
