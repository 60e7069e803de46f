"""Writes on the outbox: ``notify`` (queue messages in the caller's transaction), the hand-over of
stale messages to the worker again, and marking the bell's notifications read.

Nothing here sends anything: in-app messages are the bell's rows, written in the caller's
transaction; e-mails are rows handed to the worker (``chibo.notifications.tasks.deliver``) once
that transaction commits. A message whose transaction rolls back never existed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.access import Actor
from chibo.core.said import Text, in_source, stored
from chibo.notifications.enums import Channel, State
from chibo.notifications.models import Message, Notification
from chibo.notifications.tasks import bell_entry, deliver

if TYPE_CHECKING:
    from chibo.accounts.models import User
    from chibo.units.models import Unit

ALL_CHANNELS = (Channel.IN_APP, Channel.EMAIL)
BATCH = 500


def _host() -> str:
    return settings.CHIBO_SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "chibo"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{_host()}>"


def _hand_over(ids: list[int]) -> None:
    for pk in ids:
        deliver.enqueue(pk)


def notify(*, actor: Actor, users: Iterable[User], kind: str, title: Text, body: Text = "", url: str = "",
           unit: Unit | None = None,
           key: str = "", ref: str = "", channels: Iterable[str] = ALL_CHANNELS,
           emails: Mapping[int, str] | None = None, secret_url: str = "",
           to_inactive: bool = False) -> list[Message]:
    """Tell ``users`` something, on each of ``channels``; returns the messages this call created.

    Written in the caller's transaction (or its own): the in-app channel writes the bell's row and
    its message, already sent; an e-mail message is queued and handed to the worker when the
    transaction commits. With a ``key`` ("deadline:12:before-7"), a user who already has that key on
    a channel gets nothing new there. E-mail goes to the user's address, else to ``emails[user.pk]``
    (e.g. the address in the member's record), else not at all. Inactive users get nothing.

    ``ref`` says what the message is about ("deadline:12", "meeting:5"), ``unit`` which unit it
    concerns (the delivery log is scoped by it). Titles and bodies are the recipient's to read:
    callers keep in them nothing the recipient may not see, and nothing personal in e-mail. A title or body the
    service says (``core.said.said``) is read in each reader's language on the bell; a plain text is read as written.

    ``secret_url`` (an absolute one-time link, e-mail only) is kept encrypted until the e-mail goes out,
    then erased; the delivery log never shows it. ``to_inactive`` reaches accounts not yet activated
    (an invitation), which otherwise get nothing.
    """
    channels = tuple(dict.fromkeys(channels))
    if secret_url and set(channels) != {Channel.EMAIL}:
        raise ValueError("a secret link goes by e-mail only")
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channel {sorted(unknown)}")
    emails = emails or {}
    now = timezone.now()
    fields: dict[str, Any] = {"kind": kind, "key": key[:150], "ref": ref[:80], "unit": unit,
                              "title_vi": in_source(title)[:200], "body_vi": in_source(body)[:1000],
                              "said": {part: kept for part, kept in (("title", stored(title)), ("body", stored(body)))
                                       if kept},
                              "url": url[:200], "created_by": (actor.label or "")[:150]}
    wanted: list[Message] = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not (user.is_active or to_inactive):
            continue
        seen.add(user.pk)
        for channel in channels:
            if channel == Channel.IN_APP:
                wanted.append(Message(user=user, channel=channel, message_id=new_message_id(), state=State.SENT,
                                      attempts=1, sent_at=now, **fields))
                continue
            address = (user.email or emails.get(user.pk) or "").strip()
            if address:
                wanted.append(Message(user=user, channel=channel, message_id=new_message_id(), address=address[:254],
                                      state=State.QUEUED, next_attempt_at=now, secret_url=secret_url, **fields))
    if not wanted:
        return []
    with transaction.atomic():
        # A key already used for that user and channel: the row is skipped, not an error.
        Message.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=BATCH)
        ids = [m.message_id for m in wanted]
        created: list[Message] = []
        for start in range(0, len(ids), BATCH):
            created += Message.objects.filter(message_id__in=ids[start:start + BATCH])
        created.sort(key=lambda m: m.pk)
        Notification.objects.bulk_create([bell_entry(m) for m in created if m.channel == Channel.IN_APP],
                                         batch_size=BATCH)
        queued = [m.pk for m in created if m.channel == Channel.EMAIL]
        if queued:
            # robust: a failed hand-over is logged, never raised into the committed write that caused it;
            # the sweep (outbox_hand_over_stale) hands such messages over again.
            transaction.on_commit(partial(_hand_over, queued), robust=True)
    return created


def sent_keys(keys: Iterable[str]) -> set[tuple[str, str, int]]:
    """(key, channel, user id) of the messages already written under these keys: lets a sweep skip
    the events it already told, before building their messages."""
    keys = sorted({k for k in keys if k})
    found: set[tuple[str, str, int]] = set()
    for start in range(0, len(keys), BATCH):
        found.update(Message.objects.filter(key__in=keys[start:start + BATCH])
                     .values_list("key", "channel", "user_id"))
    return found


@dataclass
class HandOver:
    handed: int


def outbox_hand_over_stale(*, now: datetime | None = None) -> HandOver:
    """Hand to the worker again the messages whose task seems lost: queued or due for a retry for
    longer than ``CHIBO_OUTBOX_STALE_SECONDS`` (a worker killed mid-task, a hand-over that failed),
    and any queued message never handed over. Run by ``chibo reminders`` and ``chibo outbox``."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CHIBO_OUTBOX_STALE_SECONDS)
    with transaction.atomic():
        pending = Message.objects.filter(
            Q(state=State.QUEUED, next_attempt_at__isnull=True)
            | Q(state__in=[State.QUEUED, State.FAILED], next_attempt_at__lte=stale))
        ids = list(pending.order_by("pk").values_list("pk", flat=True))
        # Marked as handed over now, so the next sweep waits as long again before repeating it.
        for start in range(0, len(ids), BATCH):
            Message.objects.filter(pk__in=ids[start:start + BATCH]).update(next_attempt_at=now)
        if ids:
            transaction.on_commit(partial(_hand_over, ids), robust=True)
    return HandOver(handed=len(ids))


def notifications_mark_read(*, actor: Actor, pk: int | None = None, kind: str | None = None,
                            day: date | None = None) -> int:
    """Mark the actor's unread notifications read: all, the one ``pk``, or one group of the list (those of
    ``kind`` — "" for those without a kind — and/or received on ``day``, in the installation's time zone);
    returns how many changed.

    A notification belongs to one user: anyone else's id answers 404, like any object out of scope, and a group
    only ever holds the actor's own. Not audited — it records nothing but that the owner has seen a message.
    """
    if actor.user is None:
        raise PermissionDenied("notifications.own")
    mine = Notification.objects.filter(user=actor.user)
    if pk is not None:
        if not mine.filter(pk=pk).exists():
            raise Http404(_("Không tìm thấy thông báo"))
        mine = mine.filter(pk=pk)
    if kind is not None:
        mine = mine.filter(kind=kind)
    if day is not None:
        mine = mine.filter(created_at__date=day)
    return mine.filter(read_at__isnull=True).update(read_at=timezone.now())
