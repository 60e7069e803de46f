"""Deadlines follow the working calendar: when the upper committee announces or withdraws a day (a bridge day
off, a make-up working Saturday) after clocks have started, every open deadline counted in working days across
that day gets the due date the calendar now gives. Each move is kept on the deadline (old date, new date, the
announcement that caused it), audited, and told to those responsible through the outbox.

A deadline counts the working days of (start, due]; a day outside that window cannot move it. An extension granted
by a decision (``deadline_extend``) stays on top of the recomputed date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.audit import audit_many
from chibo.core.calendar import Calendar, calendar_for, due_date
from chibo.core.calendar_services import CalendarChanged
from chibo.core.enums import CalendarDayKind, RuleUnit
from chibo.core.events import subscribe
from chibo.core.said import said, said_term
from chibo.deadlines.kinds import label
from chibo.deadlines.models import OPEN_STATES, Deadline, State
from chibo.deadlines.reminders import deadline_title, email_of, recipients
from chibo.notifications.enums import Channel
from chibo.notifications.services import notify

KIND = "deadline.moved"


def recomputed_due(deadline: Deadline, cal: Calendar) -> date | None:
    """The due date ``deadline`` has under ``cal``; None when it cannot be worked out again (an extension
    recorded before extensions kept their length)."""
    extension = deadline.data.get("extension_days")
    if extension is None and "extension_reason" in deadline.data:
        return None
    due = due_date(deadline.rule, deadline.start_date, cal=cal)
    return cal.add_working_days(due, int(extension)) if extension else due


def deadlines_follow_calendar(*, actor: Actor, day: date, added: bool, kind: str, note: str) -> list[Deadline]:
    """Move the open working-day deadlines whose window holds ``day``; answers with the deadlines moved."""
    today = clock.today()
    calendars: dict[str, Calendar] = {}
    moved: list[tuple[Deadline, date]] = []
    candidates = (Deadline.objects.select_for_update(of=("self",))
                  .filter(state__in=OPEN_STATES, rule__unit=RuleUnit.WORKING_DAYS, start_date__lt=day,
                          due_date__gte=day)
                  .select_related("rule", "unit", "unit__parent", "member__user").order_by("pk"))
    cause = {"day": day.isoformat(), "kind": kind, "added": added, "note": note}
    for deadline in candidates:
        host = deadline.unit.country if deadline.unit.skip_host_holidays and deadline.unit.country != "VN" else ""
        cal = calendars.get(host) or calendars.setdefault(host, calendar_for(deadline.unit))
        new = recomputed_due(deadline, cal)
        if new is None or new == deadline.due_date:
            continue
        old = deadline.due_date
        deadline.due_date = new
        deadline.data = {**deadline.data, "due_changes": [*deadline.data.get("due_changes", []),
                                                          {"from": old.isoformat(), "to": new.isoformat(), **cause}]}
        if deadline.state == State.LATE and new >= today:
            deadline.state = State.OPEN
        elif deadline.state == State.OPEN and new < today:
            deadline.state = State.LATE
        deadline.save(update_fields=["due_date", "data", "state"])
        moved.append((deadline, old))
    audit_many(actor=actor, events=[
        ("deadline.due_moved", d, d.unit, {"from": old, "to": d.due_date, "calendar_day": day, "added": added,
                                           "day_kind": kind}) for d, old in moved])
    for deadline, old in moved:
        _tell(deadline, old, actor=actor, day=day, added=added, kind=kind)
    return [d for d, _old in moved]


def _tell(deadline: Deadline, old: date, *, actor: Actor, day: date, added: bool, kind: str) -> None:
    users = recipients(deadline, "due")
    if not users:
        return
    params = {"kind": said_term(label(deadline.kind)), "old": f"{old:%d/%m/%Y}", "new": f"{deadline.due_date:%d/%m/%Y}",
              "what": said_term(CalendarDayKind(kind).label, lower=True), "day": f"{day:%d/%m/%Y}"}
    title = (said("Hạn thay đổi: %(kind)s — từ %(old)s thành %(new)s (công bố %(what)s %(day)s)", **params) if added
             else said("Hạn thay đổi: %(kind)s — từ %(old)s thành %(new)s (bỏ %(what)s %(day)s)", **params))
    about: dict[str, Any] = {
        "actor": actor, "users": users, "kind": KIND, "title": title, "unit": deadline.unit,
        "url": reverse("deadlines:detail", args=[deadline.pk]), "ref": f"deadline:{deadline.pk}",
        "key": f"deadline:{deadline.pk}:moved-{deadline.due_date.isoformat()}-{day.isoformat()}",
    }
    notify(**about, body=deadline_title(deadline), channels=[Channel.IN_APP])
    # No names in e-mail: what kind of task moved and the link to it.
    notify(**about, channels=[Channel.EMAIL], emails={u.pk: email_of(u) for u in users})


@subscribe(CalendarChanged)
def _due_dates_follow_calendar(event: CalendarChanged) -> None:
    moved = deadlines_follow_calendar(actor=event.actor, day=event.day, added=event.added, kind=event.kind,
                                      note=event.note)
    if moved:
        event.effects.append(ngettext(
            "%(n)s hạn đang mở được tính lại theo lịch mới; người phụ trách đã được báo.",
            "%(n)s hạn đang mở được tính lại theo lịch mới; người phụ trách đã được báo.", len(moved))
            % {"n": len(moved)})
