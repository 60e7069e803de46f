"""Obligations computed for many members and months at once, reading each member's profiles and decisions once
(the services materialize them; the selectors project the months not yet due, for prepayment)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from chibo.core.rulebook import RuleNotInForce, UnknownRule
from chibo.dues import rules as drules
from chibo.dues.models import Decision, Profile


@dataclass
class Computer:
    """Computes obligations for many members and months, reading each member's profiles and decisions once."""

    profiles: dict[int, list[Profile]] = field(default_factory=dict)
    decisions: dict[int, list[Decision]] = field(default_factory=dict)

    @classmethod
    def for_members(cls, ids: Iterable[int]) -> Computer:
        ids = list(ids)
        out = cls()
        for profile in Profile.objects.filter(member_id__in=ids).order_by("member_id", "month"):
            out.profiles.setdefault(profile.member_id, []).append(profile)
        for decision in Decision.objects.filter(member_id__in=ids, revoked_at__isnull=True):
            out.decisions.setdefault(decision.member_id, []).append(decision)
        return out

    def profile_on(self, member_id: int, month: date) -> Profile | None:
        found = None
        for profile in self.profiles.get(member_id, []):
            if profile.month <= month:
                found = profile
        return found

    def due(self, member_id: int, admission_date: date, month: date) -> drules.Due | None:
        profile = self.profile_on(member_id, month)
        if profile is None:
            return None
        try:
            return drules.due_for(admission_date=admission_date, profile=profile,
                                  decisions=self.decisions.get(member_id, []), month=month)
        except (UnknownRule, RuleNotInForce):
            return None
