"""``{% term "key" %}``: a word of party work with its plain explanation from the glossary (``core.glossary``) as
a tooltip; ``{% term "key" "shown words" %}`` shows other words of the page with the same explanation."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from chibo.core.glossary import term as glossary_term

register = template.Library()


@register.simple_tag(name="term")
def term(key: str, text: str = "") -> SafeString:
    found = glossary_term(key)
    return format_html('<abbr title="{}" data-term="{}">{}</abbr>', found.meaning, found.key, text or found.word)
