"""The one safe way to put text into a spreadsheet cell: every export goes through ``safe_row``.

A cell whose text starts like a formula (=, +, -, @, tab, carriage return) is written as text with a leading
apostrophe, so an imported name such as ``=HYPERLINK(…)`` never runs in the reader's spreadsheet program."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
