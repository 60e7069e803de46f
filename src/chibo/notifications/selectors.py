"""Reads of the outbox: the delivery log (scoped), the messages about one thing, the bell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from chibo.core.access import Actor, subtree_q
from chibo.notifications.enums import FAILING_STATES, OTHER_KIND_LABEL, kind_label
from chibo.notifications.models import Message, Notification

if TYPE_CHECKING:
    from chibo.accounts.models import User


def can_read_log(actor: Actor) -> bool:
    """The upper committee and the secretaries / committees of units (anyone who may read members)."""
    return bool(actor.paths_for("members.view"))


def messages_visible(actor: Actor) -> QuerySet[Message]:
    """Messages the actor may see in the log: all for the upper committee (whole-tree roles), those
    about units of their subtree for a secretary or committee, none for anyone else (members read
    their own bell, not the log). Messages about no unit (security notices) are the upper committee's."""
    if actor.sees_whole_tree():
        return Message.objects.all()
    roots = actor.paths_for("members.view")
    if not roots:
        return Message.objects.none()
    return Message.objects.filter(subtree_q(roots, "unit__path"))


def message_log(actor: Actor, *, state: str = "", kind: str = "", ref: str = "") -> QuerySet[Message]:
    """The delivery log: failures first (they need someone to look), then the newest."""
    qs = messages_visible(actor).select_related("user", "unit")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if ref:
        qs = qs.filter(ref=ref)
    failing = Case(When(state__in=FAILING_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(failing=failing).order_by("failing", "-created_at", "-pk")


def failing_count(actor: Actor) -> int:
    return messages_visible(actor).filter(state__in=FAILING_STATES).count()


def messages_about(actor: Actor, ref: str) -> QuerySet[Message]:
    """What the outbox sent about one thing ("deadline:12"), oldest first, within the actor's log scope."""
    return messages_visible(actor).filter(ref=ref).select_related("user").order_by("created_at", "pk")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


@dataclass
class NotificationGroup:
    """The notifications of one kind received on one day."""

    day: date
    kind: str
    label: str
    items: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.items if n.read_at is None)


@dataclass
class NotificationDay:
    day: date
    groups: list[NotificationGroup] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(g.unread for g in self.groups)


def notifications_grouped(items: Iterable[Notification]) -> list[NotificationDay]:
    """Notifications (newest first, as ``notifications_for`` reads them) grouped per day received, in the
    installation's time zone, and within a day per kind, the kind seen newest first."""
    days: list[NotificationDay] = []
    groups: dict[tuple[date, str], NotificationGroup] = {}
    for n in items:
        day = timezone.localtime(n.created_at).date()
        if not days or days[-1].day != day:
            days.append(NotificationDay(day))
        group = groups.get((day, n.kind))
        if group is None:
            group = groups[(day, n.kind)] = NotificationGroup(day, n.kind, kind_label(n.kind) if n.kind
                                                              else OTHER_KIND_LABEL)
            days[-1].groups.append(group)
        group.items.append(n)
    return days


def has_failing(messages: Iterable[Message]) -> bool:
    return any(m.state in FAILING_STATES for m in messages)


