"""Reminders: the sweep decides which reminder steps are due and to whom, and tells them through the
outbox (chibo.notifications.notify) under the key "deadline:<id>:<step>": unique per person and
channel, so a reminder never goes out twice, however often the sweep runs.

Steps of a deadline: ``before-N`` for the configured days before the due date (only the nearest
one that applies, so a late sweep never sends a burst), ``due`` on the due day, ``overdue`` to the
people responsible once it is late, and ``escalate`` to the unit above.

The bell's entry is written by the sweep itself (exactly once, with its message); the e-mail is
queued and delivered by the worker with retries and back-off. No names in e-mail: it says what
kind of task is due and links to it; the bell also shows the deadline's title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from chibo.accounts.selectors import role_holders
from chibo.core import clock
from chibo.core.access import SYSTEM
from chibo.core.said import Said, Text, said, said_again, said_term
from chibo.deadlines.kinds import KINDS, remind_days
from chibo.deadlines.models import OPEN_STATES, Deadline
from chibo.deadlines.services import mark_late
from chibo.notifications.enums import Channel
from chibo.notifications.services import notify, outbox_hand_over_stale, sent_keys
from chibo.units.selectors import unit_ancestors

KIND = "deadline.reminder"


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


def email_of(user) -> str:
    """The address in the member's record, for an account without one of its own."""
    member = getattr(user, "member", None) if getattr(user, "member_id", None) else None
    return member.email if member is not None else ""


def reminder_key(deadline: Deadline, step: str) -> str:
    return f"deadline:{deadline.pk}:{step}"


def step_of(key: str) -> str:
    """The step of a reminder's key: "deadline:12:before-7" → "before-7"."""
    return key.rsplit(":", 1)[-1]


def _message(deadline: Deadline, step: str) -> tuple[Said, str]:
    params = {"kind": said_term(KINDS[deadline.kind].label) if deadline.kind in KINDS else deadline.kind,
              "when": f"{deadline.due_date:%d/%m/%Y}", "unit": deadline.unit.name}
    if step == "due":
        title = said("Hôm nay đến hạn: %(kind)s", **params)
    elif step == "overdue":
        title = said("Quá hạn: %(kind)s (hạn %(when)s)", **params)
    elif step == "escalate":
        title = said("Báo cáo cấp trên — quá hạn: %(kind)s tại %(unit)s (hạn %(when)s)", **params)
    else:
        title = said("Sắp đến hạn %(when)s: %(kind)s", **params)
    return title, reverse("deadlines:detail", args=[deadline.pk])


def deadline_title(deadline: Deadline) -> Text:
    """The deadline's title as a text to pass on (a notification's body): what was said, else the Vietnamese."""
    return said_again(deadline.title_said) or deadline.title_vi


@dataclass
class SweepResult:
    marked_late: int
    created: int
    handed_over: int


def sweep(*, today: date | None = None) -> SweepResult:
    """Flag late deadlines, queue the reminders now due (each step once per person and channel),
    and hand stale outbox messages to the worker again."""
    today = today or clock.today()
    horizon = today + timedelta(days=max((max(k.remind_days) for k in KINDS.values()), default=7) + 60)
    late = mark_late(today=today)
    deadlines = (Deadline.objects.filter(state__in=OPEN_STATES, due_date__lte=horizon)
                 .select_related("unit", "unit__parent", "member__user"))
    due = [(d, step) for d in deadlines.iterator(chunk_size=500) for step in step_for(d, today)]
    told = sent_keys(reminder_key(d, step) for d, step in due)
    created = 0
    for deadline, step in due:
        key = reminder_key(deadline, step)
        users = [u for u in recipients(deadline, step)
                 if (key, Channel.IN_APP, u.pk) not in told or (key, Channel.EMAIL, u.pk) not in told]
        if not users:
            continue
        title, url = _message(deadline, step)
        about: dict[str, Any] = {"actor": SYSTEM, "users": users, "kind": KIND, "title": title, "url": url,
                                 "unit": deadline.unit, "key": key, "ref": f"deadline:{deadline.pk}"}
        created += len(notify(**about, body=deadline_title(deadline), channels=[Channel.IN_APP]))
        # No names in e-mail: the subject and text say what kind of task is due, the link leads to it.
        created += len(notify(**about, channels=[Channel.EMAIL], emails={u.pk: email_of(u) for u in users}))
    handed = outbox_hand_over_stale().handed
    return SweepResult(marked_late=late, created=created, handed_over=handed)
