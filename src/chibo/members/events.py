"""Events the members app publishes (``chibo.core.events``) for the apps above it: the deadlines of
probation follow a member's status, processes react to a member leaving the rolls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chibo.core.access import Actor
from chibo.members.models import Member


@dataclass(frozen=True)
class MembersCreated:
    """New records (one by the services, many at once by the bulk path), in the same transaction."""

    actor: Actor
    members: tuple[Member, ...]


@dataclass(frozen=True)
class MembersDiscarded:
    """Records an import created and then undid (``bulk.members_discard_many``), before they are deleted, in
    the same transaction: what the apps above opened for them on ``MembersCreated`` goes too."""

    actor: Actor
    members: tuple[Member, ...]


@dataclass(frozen=True)
class MemberStatusChanged:
    actor: Actor
    member: Member
    old: str
    new: str
    effective_on: date


@dataclass(frozen=True)
class MemberCountsChanged:
    """The per-unit member counters of these units changed (``members.counters``, every writer of a member's unit,
    status or category; same transaction): the roll-up's stored sums of them mark the units' rows."""

    unit_ids: tuple[int, ...]
