"""Targets of the permission matrix for the members routes that name something other than a record: the data quality
board's problems (a drill-down's key)."""

from __future__ import annotations


def quality_targets() -> dict[str, str]:
    return {"quality_problem": "no_card_number", "quality_unknown": "no-such-problem"}
