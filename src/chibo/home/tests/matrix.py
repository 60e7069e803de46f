"""Targets of the permission matrix for the help pages that name something other than a record: a role's guide."""

from __future__ import annotations


def help_targets() -> dict[str, str]:
    return {"guide_member": "dang-vien", "guide_unknown": "no-such-role"}
