"""Reminder deliveries and the bell move to the outbox (chibo.notifications): every Delivery becomes a
Message (kind "deadline.reminder", key "deadline:<id>:<step>", so the unique "never twice" still holds
for reminders already sent), every Notification a row of the new bell.

New tables and a copy rather than a state-only move: the bell no longer points at a deadline (the
notifications app may not know deadlines; a plain-text ``ref`` replaces the foreign key), and its
table name follows its app. Queued and failed deliveries stay queued and failed: the next sweep
hands them to the worker. E-mails keep the Message-ID they were sent with ("<reminder-<id>@host>"),
so a retry after the upgrade is still the same message for the recipient.
"""

from django.conf import settings
from django.db import migrations

KIND = "deadline.reminder"
BATCH = 500


def _host() -> str:
    return settings.CHIBO_SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "chibo"


def _label(kind: str) -> str:
    try:
        from chibo.deadlines.kinds import KINDS  # plain data; the key itself if it ever goes away
    except ImportError:
        return kind
    return KINDS[kind].label if kind in KINDS else kind


def _title(deadline, step: str) -> str:
    label, when = _label(deadline.kind), f"{deadline.due_date:%d/%m/%Y}"
    return {
        "due": f"Hôm nay đến hạn: {label}",
        "overdue": f"Quá hạn: {label} (hạn {when})",
        "escalate": f"Báo cáo cấp trên — quá hạn: {label} tại {deadline.unit.name} (hạn {when})",
    }.get(step, f"Sắp đến hạn {when}: {label}")[:200]


def _address(user) -> str:
    if user.email:
        return user.email
    member = user.member if getattr(user, "member_id", None) else None
    return (member.email or "") if member is not None else ""


def forward(apps, schema_editor):
    Delivery = apps.get_model("deadlines", "Delivery")
    OldNotification = apps.get_model("deadlines", "Notification")
    Message = apps.get_model("notifications", "Message")
    Notification = apps.get_model("notifications", "Notification")
    host = _host()
    rows = []
    for d in Delivery.objects.select_related("deadline", "deadline__unit", "user").order_by("pk").iterator(chunk_size=BATCH):
        rows.append(Message(
            user_id=d.user_id, channel=d.channel, kind=KIND, key=f"deadline:{d.deadline_id}:{d.step}",
            ref=f"deadline:{d.deadline_id}", unit_id=d.deadline.unit_id, title=_title(d.deadline, d.step),
            body=d.deadline.title[:1000] if d.channel == "inapp" else "",
            url=f"/deadlines/{d.deadline_id}/", address=_address(d.user)[:254] if d.channel == "email" else "",
            message_id=f"<reminder-{d.pk}@{host}>", state=d.state, attempts=d.attempts, last_error=d.last_error,
            created_by="system", next_attempt_at=d.next_attempt_at, sent_at=d.sent_at,
        ))
        if len(rows) >= BATCH:
            Message.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    # created_at is auto_now_add: carry the original times over.
    for d in Delivery.objects.order_by("pk").values("pk", "created_at").iterator(chunk_size=BATCH):
        Message.objects.filter(message_id=f"<reminder-{d['pk']}@{host}>").update(created_at=d["created_at"])

    start = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    notes = []
    for n in OldNotification.objects.order_by("pk").iterator(chunk_size=BATCH):
        notes.append(Notification(user_id=n.user_id, kind=KIND if n.deadline_id else "",
                                  ref=f"deadline:{n.deadline_id}" if n.deadline_id else "",
                                  title=n.title, body=n.body, url=n.url, read_at=n.read_at))
        if len(notes) >= BATCH:
            Notification.objects.bulk_create(notes)
            notes = []
    Notification.objects.bulk_create(notes)
    # The bell lists newest first: keep each notification's time (bulk_create stamped "now").
    old_times = list(OldNotification.objects.order_by("pk").values_list("created_at", flat=True))
    new_ids = list(Notification.objects.filter(pk__gt=start).order_by("pk").values_list("pk", flat=True))
    for pk, created_at in zip(new_ids, old_times, strict=True):
        Notification.objects.filter(pk=pk).update(created_at=created_at)


def backward(apps, schema_editor):
    """Back to deliveries: reminders whose deadline still exists, and every bell entry."""
    Delivery = apps.get_model("deadlines", "Delivery")
    Deadline = apps.get_model("deadlines", "Deadline")
    OldNotification = apps.get_model("deadlines", "Notification")
    Message = apps.get_model("notifications", "Message")
    Notification = apps.get_model("notifications", "Notification")
    existing = set(Deadline.objects.values_list("pk", flat=True))
    rows = []
    for m in Message.objects.filter(kind=KIND).order_by("pk").iterator(chunk_size=BATCH):
        _, deadline_id, step = (m.key.split(":", 2) + ["", ""])[:3]
        if not deadline_id.isdigit() or int(deadline_id) not in existing:
            continue
        rows.append(Delivery(deadline_id=int(deadline_id), step=step[:20], channel=m.channel, user_id=m.user_id,
                             state=m.state, attempts=m.attempts, last_error=m.last_error,
                             next_attempt_at=m.next_attempt_at, sent_at=m.sent_at))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
    notes = []
    for n in Notification.objects.order_by("pk").iterator(chunk_size=BATCH):
        ref = n.ref.split(":")
        deadline_id = int(ref[1]) if len(ref) == 2 and ref[0] == "deadline" and ref[1].isdigit() else None
        notes.append(OldNotification(user_id=n.user_id, title=n.title, body=n.body, url=n.url, read_at=n.read_at,
                                     deadline_id=deadline_id if deadline_id in existing else None))
    OldNotification.objects.bulk_create(notes, batch_size=BATCH)
    # Moved back: the old tables hold them again (other kinds of message have no older home).
    Notification.objects.all().delete()
    Message.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0001_initial"),
        ("notifications", "0001_initial"),
        ("members", "0002_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
