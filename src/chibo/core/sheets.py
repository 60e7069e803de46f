"""The one safe way to put text into a spreadsheet cell: every export goes through ``safe_row``.

A cell whose text starts like a formula (=, +, -, @, tab, carriage return) is written as text with a leading
apostrophe, so an imported name such as ``=HYPERLINK(…)`` never runs in the reader's spreadsheet program.

A character an XLSX file cannot hold (a control character other than tab and line breaks, a lone surrogate,
U+FFFE/U+FFFF: openpyxl refuses the whole file for one of them) is written as its code, visible where it was:
"Phạm\\x07 Ngọc Ánh" → "Phạm[U+0007] Ngọc Ánh". An export never breaks on a pasted hidden character."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _shown_code(found: re.Match[str]) -> str:
    return f"[U+{ord(found.group()):04X}]"


def safe_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = _NOT_IN_XLSX.sub(_shown_code, value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
