"""Labels kept in Vietnamese (the source language) and given in the reader's language when read: the names of a
model's fields, the columns of the import template, as messages name them ("Số thẻ đảng viên «…» đã có …")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class TranslatedLabels(dict[str, str]):
    """A mapping name → Vietnamese label whose lookups (``labels[name]``, ``labels.get(name)``) answer in the active
    language; iterating it gives the Vietnamese labels as written."""

    def __getitem__(self, key: str) -> str:
        return gettext(super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default
