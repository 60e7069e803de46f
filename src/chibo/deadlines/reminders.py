"""Reminders: the sweep decides which reminder steps are due and records one Delivery per person
and channel (a unique row: never twice); the worker delivers each with retries and back-off.

Steps of a deadline: ``before-N`` for the configured days before the due date (only the nearest
one that applies, so a late sweep never sends a burst), ``due`` on the due day, ``overdue`` to the
people responsible once it is late, and ``escalate`` to the unit above.

In-app notifications are written in the same transaction that marks the delivery sent: exactly
once. E-mail is sent while the delivery row is locked and marked sent right after; a worker killed
between the two sends that e-mail again on retry, with the same Message-ID (``message_id``), so the
recipient still gets one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.selectors import role_holders
from chibo.core import clock
from chibo.deadlines.kinds import KINDS, remind_days
from chibo.deadlines.models import OPEN_STATES, Channel, Deadline, Delivery, DeliveryState, Notification
from chibo.deadlines.services import mark_late
from chibo.deadlines.tasks import deliver
from chibo.units.selectors import unit_ancestors

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    """base, 4×base, 16×base … (base 60 s by default), capped at 6 hours."""
    return timedelta(seconds=min(settings.CHIBO_REMINDER_BACKOFF_SECONDS * 4 ** max(0, attempts - 1), 6 * 3600))


def _holders(unit) -> tuple[object | None, list]:
    """The nearest unit (``unit`` itself or an ancestor) where someone holds a role, and those users."""
    for candidate in [unit, *reversed(list(unit_ancestors(unit)))]:
        users = list(role_holders([candidate.path]))
        if users:
            return candidate, users
    return None, []


def step_for(deadline: Deadline, today: date) -> list[str]:
    left = (deadline.due_date - today).days
    if left > 0:
        near = [n for n in remind_days(deadline.kind) if left <= n]
        return [f"before-{min(near)}"] if near else []
    if left == 0:
        return ["due"]
    return ["overdue", "escalate"]


def recipients(deadline: Deadline, step: str) -> list:
    """The people responsible for the unit (and the member concerned); for an escalation, the
    people of the unit above the responsible one."""
    responsible, people = _holders(deadline.unit)
    if step == "escalate":
        parent = getattr(responsible, "parent", None)
        return _holders(parent)[1] if parent is not None else []
    member_user = getattr(deadline.member, "user", None) if deadline.member_id else None
    if member_user is not None and member_user.is_active:
        people.append(member_user)
    unique = {u.pk: u for u in people}
    return list(unique.values())


def _email_of(user) -> str:
    if user.email:
        return user.email
    member = getattr(user, "member", None)
    return member.email if member is not None else ""


@dataclass
class SweepResult:
    marked_late: int
    created: int
    enqueued: int


def sweep(*, today: date | None = None) -> SweepResult:
    """Flag late deadlines, record the reminder deliveries now due, and hand them to the worker."""

    today = today or clock.today()
    horizon = today + timedelta(days=max((max(k.remind_days) for k in KINDS.values()), default=7) + 60)
    late = mark_late(today=today)
    wanted: list[Delivery] = []
    deadlines = (Deadline.objects.filter(state__in=OPEN_STATES, due_date__lte=horizon)
                 .select_related("unit", "unit__parent", "member__user"))
    for deadline in deadlines.iterator(chunk_size=500):
        for step in step_for(deadline, today):
            for user in recipients(deadline, step):
                wanted.append(Delivery(deadline=deadline, step=step, channel=Channel.IN_APP, user=user))
                if _email_of(user):
                    wanted.append(Delivery(deadline=deadline, step=step, channel=Channel.EMAIL, user=user))
    before = Delivery.objects.count()
    Delivery.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=500)
    created = Delivery.objects.count() - before
    now = timezone.now()
    # New deliveries, plus any whose task seems lost (handed over or due for retry long ago).
    pending = Delivery.objects.filter(
        Q(state=DeliveryState.QUEUED, next_attempt_at__isnull=True)
        | Q(state__in=[DeliveryState.QUEUED, DeliveryState.FAILED],
            next_attempt_at__lte=now - timedelta(seconds=settings.CHIBO_REMINDER_STALE_SECONDS))
    )
    ids = list(pending.values_list("pk", flat=True))
    # Mark them as handed over so the next sweep does not enqueue them again (stale ones are retried).
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    transaction.on_commit(lambda: [deliver.enqueue(pk) for pk in ids])
    return SweepResult(marked_late=late, created=created, enqueued=len(ids))


def message_id(delivery: Delivery) -> str:
    """The same Message-ID every time a delivery is sent: if a worker dies between the SMTP send and
    the commit, the retry is the same message, which mail servers and clients keep only once."""
    host = settings.CHIBO_SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "chibo"
    return f"<reminder-{delivery.pk}@{host}>"


def _message(delivery: Delivery) -> tuple[str, str, str]:
    deadline = delivery.deadline
    label = KINDS[deadline.kind].label if deadline.kind in KINDS else deadline.kind
    when = f"{deadline.due_date:%d/%m/%Y}"
    url = reverse("deadlines:detail", args=[deadline.pk])
    title = {
        "due": f"Hôm nay đến hạn: {label}",
        "overdue": f"Quá hạn: {label} (hạn {when})",
        "escalate": f"Báo cáo cấp trên — quá hạn: {label} tại {deadline.unit.name} (hạn {when})",
    }.get(delivery.step, f"Sắp đến hạn {when}: {label}")
    return title, deadline.title, url


def deliver_now(delivery_id: int) -> str:
    """Deliver one reminder; safe to run twice (the second run finds it sent)."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update()
                    .select_related("deadline", "deadline__unit", "user").filter(pk=delivery_id).first())
        if delivery is None or delivery.state in (DeliveryState.SENT, DeliveryState.GAVE_UP):
            return "skipped"
        title, body, url = _message(delivery)
        delivery.attempts += 1
        try:
            if delivery.channel == Channel.IN_APP:
                Notification.objects.create(user=delivery.user, title=title, body=body, url=url,
                                            deadline=delivery.deadline)
            else:
                # No names in e-mail: the message says what kind of task is due and links to it.
                EmailMessage(f"[chibo] {title}", f"{title}\n\nXem chi tiết: {settings.CHIBO_SITE_URL}{url}\n",
                             settings.DEFAULT_FROM_EMAIL, [_email_of(delivery.user)],
                             headers={"Message-ID": message_id(delivery)}).send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 — any transport failure is recorded and retried
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
            retry = delivery.attempts < MAX_ATTEMPTS
            delivery.state = DeliveryState.FAILED if retry else DeliveryState.GAVE_UP
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts) if retry else None
            delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            if retry:

                run_after = delivery.next_attempt_at
                transaction.on_commit(lambda: deliver.using(run_after=run_after).enqueue(delivery_id))
            return "failed"
        delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, timezone.now(), ""
        delivery.save(update_fields=["attempts", "state", "sent_at", "last_error"])
        return "sent"
