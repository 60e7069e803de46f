"""The outbox's worker side (run by ``chibo db_worker``): deliver one message, retry with back-off.

An e-mail is sent while its row is locked and marked sent right after, in one transaction. A worker
killed between the two sends it again on the next attempt with the same Message-ID, which the
recipient's mail system keeps once. Any failure of the transport is recorded on the message (the
log shows it) and retried later: base, 4×base, 16×base … (capped at 6 hours), until the maximum of
attempts, after which the message is given up.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from chibo.notifications.enums import Channel, State
from chibo.notifications.models import Message, Notification

MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base, 4×base, 16×base …, capped at 6 hours."""
    seconds = settings.CHIBO_OUTBOX_BACKOFF_SECONDS * 4 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def email_of(message: Message) -> EmailMessage:
    """The e-mail of a message, in Vietnamese as written: its title as the subject, its body (or title) and a link
    back."""
    text = message.body_vi or message.title_vi
    if message.secret_url:
        text += f"\n\n{message.secret_url}"
    elif message.url.startswith("/"):
        text += f"\n\nXem chi tiết: {settings.CHIBO_SITE_URL}{message.url}"
    return EmailMessage(f"[chibo] {message.title_vi}", text + "\n", settings.DEFAULT_FROM_EMAIL, [message.address],
                        headers={"Message-ID": message.message_id})


def bell_entry(message: Message) -> Notification:
    return Notification(user_id=message.user_id, message=message, kind=message.kind, ref=message.ref,
                        title_vi=message.title_vi, body_vi=message.body_vi, said=message.said, url=message.url)


def deliver_now(message_pk: int) -> str:
    """Deliver one message; safe to run twice or late (a sent or given-up message is left alone)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_pk).first()
        if message is None or message.state in (State.SENT, State.GAVE_UP):
            return "skipped"
        now = timezone.now()
        if message.state == State.FAILED and message.next_attempt_at and message.next_attempt_at > now:
            return "waiting"  # its retry is queued for later: no attempt before the back-off is over
        message.attempts += 1
        try:
            if message.channel == Channel.IN_APP:  # written by notify(); only rows queued by older versions
                if not Notification.objects.filter(message=message).exists():
                    with transaction.atomic():  # a savepoint: a failure here leaves the row writable
                        bell_entry(message).save()
            else:
                email_of(message).send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 — any transport failure is recorded and retried
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            retry = message.attempts < settings.CHIBO_OUTBOX_MAX_ATTEMPTS
            message.state = State.FAILED if retry else State.GAVE_UP
            message.next_attempt_at = now + backoff(message.attempts) if retry else None
            if not retry:
                message.secret_url = ""
            message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at", "secret_url"])
            if retry:
                run_after = message.next_attempt_at
                transaction.on_commit(lambda: deliver.using(run_after=run_after).enqueue(message_pk), robust=True)
            return "failed"
        message.state, message.sent_at, message.last_error = State.SENT, timezone.now(), ""
        message.secret_url = ""  # a one-time link lives in the recipient's mailbox only
        message.save(update_fields=["attempts", "state", "sent_at", "last_error", "secret_url"])
        return "sent"


@task()
def deliver(message_pk: int) -> str:
    return deliver_now(message_pk)
