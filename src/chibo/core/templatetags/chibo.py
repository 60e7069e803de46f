"""Template filters shared by every app's pages."""

from __future__ import annotations

from django import template

from chibo.core.countries import country_name

register = template.Library()


@register.filter(name="country")
def country(code: str | None) -> str:
    """A country code as its official Vietnamese name ("CN" → "Trung Quốc"); empty stays empty."""
    return country_name(code) if code else ""
