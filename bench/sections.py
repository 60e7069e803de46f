"""Rewriting one script's own section of bench/results.md, between its two markers, leaving the rest as it is."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


def write_section(section: str, *, begin: str, end: str, before: str) -> None:
    """``section`` (markers included) in place of the text between ``begin`` and ``end``; the first time, just
    before the heading ``before`` (at the end when there is none)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        at = text.find(before)
        text = text + "\n" + section if at < 0 else text[:at] + "\n" + section + text[at:]
    RESULTS.write_text(text, encoding="utf-8")
