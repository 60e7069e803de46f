"""Writes on a user's own in-app notifications (the bell): marking them read."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from chibo.core.access import Actor
from chibo.deadlines.models import Notification


def notifications_mark_read(*, actor: Actor, pk: int | None = None) -> int:
    """Mark the actor's unread notifications read (all, or the one ``pk``); returns how many changed.

    A notification belongs to one user: anyone else's id answers 404, like any object out of scope.
    Not audited — it records nothing but that the owner has seen a message.
    """
    if actor.user is None:
        raise PermissionDenied("notifications.own")
    mine = Notification.objects.filter(user=actor.user)
    if pk is not None:
        if not mine.filter(pk=pk).exists():
            raise Http404("Không tìm thấy thông báo")
        mine = mine.filter(pk=pk)
    return mine.filter(read_at__isnull=True).update(read_at=timezone.now())
