"""Reads of the outbox: the delivery log (scoped), the messages about one thing, the bell."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, QuerySet, Value, When

from chibo.core.access import Actor, subtree_q
from chibo.notifications.enums import FAILING_STATES
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


def has_failing(messages: Iterable[Message]) -> bool:
    return any(m.state in FAILING_STATES for m in messages)


