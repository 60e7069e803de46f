"""The API's JSON parser: hostile bodies (nested thousands deep) answer 400, never a server error."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 16  # no operation takes more than a couple of levels


def _depth(value, limit: int) -> int:
    """Nesting depth of a parsed value, counting no further than ``limit + 1``."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("Nội dung JSON lồng nhau quá sâu.")) from exc
        if _depth(data, MAX_DEPTH) > MAX_DEPTH:
            raise ParseError(_("Nội dung JSON lồng nhau quá sâu."))
        return data
