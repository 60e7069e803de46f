"""Writes on deadlines: opened, met and waived by the services of each process (never typed by
hand), marked late by the sweep, reminded through the worker."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit, audit_many
from chibo.core.calendar import add_months, calendar_for, due_date
from chibo.core.events import subscribe
from chibo.core.rulebook import integer, rule
from chibo.core.said import Said, said
from chibo.core.text import clean
from chibo.deadlines.kinds import kind as kind_spec
from chibo.deadlines.models import OPEN_STATES, Deadline, State
from chibo.members.enums import Status
from chibo.members.events import MembersCreated, MembersDiscarded, MemberStatusChanged

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit


def deadline_open(*, actor: Actor, kind: str, unit: Unit, start: date, title: Said, member: Member | None = None,
                  source: str = "",
                  data: dict | None = None, month_end: bool = False) -> Deadline:
    """Open a deadline of ``kind`` whose clock starts on ``start``; the due date comes from the
    rule version in force on ``start`` and the unit's working calendar (``month_end``: a clock
    started on a month's last day ends on a month's last day). ``title`` is what the service says
    (``core.said``), read in each reader's language. Call inside the caller's transaction (the process
    service that creates the obligation)."""
    deadline = _new_deadline(kind=kind, unit=unit, start=start, title=title, member=member, source=source,
                             data=data, month_end=month_end)
    deadline.save(force_insert=True)
    audit(actor=actor, action="deadline.opened", obj=deadline, unit=unit, data=_opened_data(deadline))
    return deadline


def _new_deadline(*, kind: str, unit: Unit, start: date, title: Said, member: Member | None = None, source: str = "",
                  data: dict | None = None, month_end: bool = False, memo: dict | None = None) -> Deadline:
    """The unsaved deadline deadline_open writes; ``memo`` remembers rule versions and due dates when many
    deadlines are opened at once."""
    key = (kind, start, getattr(unit, "pk", unit), month_end)
    if memo is not None and key in memo:
        version, due = memo[key]
    else:
        version = rule(kind_spec(kind).rule_key, on=start)
        due = due_date(version, start, unit=unit, month_end=month_end)
        if memo is not None:
            memo[key] = (version, due)
    data = dict(data or {})
    if month_end:
        data["month_end"] = True
    return Deadline(kind=kind, unit=unit, member=member, title_vi=clean(title.in_source())[:200],
                    title_said=title.stored(), start_date=start, due_date=due,
                    rule=version, source=source, data=data)


def _opened_data(deadline: Deadline) -> dict:
    version = deadline.rule
    return {"kind": deadline.kind, "start": deadline.start_date, "due": deadline.due_date,
            "rule": f"{version.key}={version.value}", "rule_id": version.pk, "member": deadline.member_id}


def deadline_meet(*, actor: Actor, deadline: Deadline, on: date, reason: str = "") -> Deadline:
    """Close an open deadline as met on ``on``; when met after the due date a reason is kept."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.state not in OPEN_STATES:
        return deadline
    deadline.state, deadline.met_on, deadline.closed_at = State.MET, on, timezone.now()
    if on > deadline.due_date:
        deadline.reason = clean(reason) or deadline.reason
    deadline.save(update_fields=["state", "met_on", "closed_at", "reason"])
    audit(actor=actor, action="deadline.met", obj=deadline, unit=deadline.unit_id,
          data={"on": on, "late_days": max(0, (on - deadline.due_date).days)})
    return deadline


def deadline_close_for(*, actor: Actor, source: str, kind: str, on: date, waived_reason: str = "",
                       late_reason: str = "") -> int:
    """Meet (or, with ``waived_reason``, waive) the open deadlines of a source object; ``late_reason``
    is kept on those met after their due date."""
    closed = 0
    for deadline in Deadline.objects.filter(source=source, kind=kind, state__in=OPEN_STATES):
        if waived_reason:
            _waive(actor, deadline, waived_reason)
        else:
            deadline_meet(actor=actor, deadline=deadline, on=on, reason=late_reason)
        closed += 1
    return closed


def _waive(actor: Actor, deadline: Deadline, reason: str) -> Deadline:
    deadline.state, deadline.reason, deadline.closed_at = State.WAIVED, clean(reason)[:500], timezone.now()
    deadline.save(update_fields=["state", "reason", "closed_at"])
    audit(actor=actor, action="deadline.waived", obj=deadline, unit=deadline.unit_id)  # the reason: on the deadline
    return deadline


@transaction.atomic
def deadline_waive(*, actor: Actor, deadline: Deadline, reason: str) -> Deadline:
    """A person with authority over the unit waives an obligation, with a reason."""
    require(actor, "deadlines.waive", deadline.unit)
    deadline = Deadline.objects.select_for_update().select_related("unit").get(pk=deadline.pk)
    if deadline.state not in OPEN_STATES:
        raise ValidationError({"reason": _("Hạn này đã đóng.")})
    if len(clean(reason)) < 5:
        raise ValidationError({"reason": _("Cần ghi rõ lý do miễn.")})
    return _waive(actor, deadline, reason)


@transaction.atomic
def deadline_explain_late(*, actor: Actor, deadline: Deadline, reason: str) -> Deadline:
    """Record why an obligation is late (the member or the organization at fault reports reasons)."""
    require(actor, "deadlines.waive", deadline.unit)
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    past_due_open = deadline.state in OPEN_STATES and deadline.due_date < clock.today()
    if not (past_due_open or (deadline.met_on and deadline.met_on > deadline.due_date)):
        raise ValidationError({"reason": _("Hạn này không bị trễ.")})
    if len(clean(reason)) < 5:
        raise ValidationError({"reason": _("Cần ghi rõ lý do trễ hạn.")})
    deadline.reason = clean(reason)[:500]
    deadline.save(update_fields=["reason"])
    audit(actor=actor, action="deadline.late_explained", obj=deadline, unit=deadline.unit_id)  # reason: on it
    return deadline


def mark_late(*, today: date) -> int:
    """Flag every open deadline whose due date has passed."""
    return Deadline.objects.filter(state=State.OPEN, due_date__lt=today).update(state=State.LATE)


# --- process hooks ---------------------------------------------------------------------------

def probation_source(member: Member) -> str:
    return f"member:{member.pk}"


def open_probation_confirmation(*, actor: Actor, member: Member) -> Deadline:
    """Probation ends 12 months (rule) after admission; the cell then has 30 working days (rule)."""
    return open_probation_confirmations(actor=actor, members=[member])[0]


def open_probation_confirmations(*, actor: Actor, members: Iterable[Member]) -> list[Deadline]:
    """open_probation_confirmation for many new members at once (the import): rule versions and due dates worked
    out once per distinct date and unit, the deadlines inserted together, one "deadline.opened" audit event each."""
    ends: dict[date, tuple] = {}
    memo: dict = {}
    deadlines = []
    for member in members:
        found = ends.get(member.admission_date)
        if found is None:
            probation = rule("probation.months", on=member.admission_date)
            found = ends[member.admission_date] = (probation, add_months(member.admission_date, integer(probation)))
        probation, probation_end = found
        deadlines.append(_new_deadline(
            kind="probation.confirmation", unit=member.unit, member=member, start=probation_end,
            title=said("Xét công nhận đảng viên chính thức: %(name)s", name=member.full_name),
            source=probation_source(member),
            data={"probation_rule_id": probation.pk, "probation_end": probation_end.isoformat()}, memo=memo,
        ))
    Deadline.objects.bulk_create(deadlines, batch_size=1000)
    audit_many(actor=actor, events=[("deadline.opened", d, d.unit, _opened_data(d)) for d in deadlines])
    return deadlines






@subscribe(MembersCreated)
def _probation_opens(event: MembersCreated) -> None:
    """A new probationary member (created by hand, by the ceremony or by the import) starts the clock of
    their confirmation."""
    probationary = [m for m in event.members if m.status == Status.PROBATIONARY]
    if probationary:
        open_probation_confirmations(actor=event.actor, members=probationary)


@subscribe(MembersDiscarded)
def _probation_discarded(event: MembersDiscarded) -> None:
    """Records an import created and then undid: the confirmation clocks their creation opened go with them
    (each with a "deadline.discarded" audit row beside its "deadline.opened" one)."""
    found = list(Deadline.objects.filter(member__in=[m.pk for m in event.members], kind="probation.confirmation"))
    if found:
        audit_many(actor=event.actor, events=[("deadline.discarded", d, d.unit_id, {"member_id": d.member_id})
                                              for d in found])
        Deadline.objects.filter(pk__in=[d.pk for d in found]).delete()


@subscribe(MemberStatusChanged)
def _probation_follows_status(event: MemberStatusChanged) -> None:
    """Confirmed: the obligation is met. Leaving the rolls (struck off, left, died, transferred out):
    it no longer applies here. A suspension keeps it open."""
    if event.old != Status.PROBATIONARY or event.new == Status.SUSPENDED:
        return
    source = probation_source(event.member)
    if event.new == Status.FULL:
        deadline_close_for(actor=event.actor, source=source, kind="probation.confirmation", on=event.effective_on)
    else:
        deadline_close_for(actor=event.actor, source=source, kind="probation.confirmation", on=event.effective_on,
                           waived_reason=f"Không còn theo dõi dự bị tại Đảng bộ: {Status(event.new).label}.")


def deadline_extend(*, actor: Actor, source: str, kind: str, working_days: int, reason: str,
                    data: dict | None = None) -> Deadline | None:
    """Move the due date of a source's open deadline ``working_days`` later on its unit's calendar (an
    extension granted by a decision); returns it, or None when there is no open deadline of that kind."""
    deadline = Deadline.objects.select_for_update().filter(source=source, kind=kind, state__in=OPEN_STATES).first()
    if deadline is None:
        return None
    old_due = deadline.due_date
    deadline.due_date = calendar_for(deadline.unit).add_working_days(old_due, working_days)
    deadline.data = {**deadline.data, **(data or {}), "extension_reason": clean(reason),
                     "extension_days": int(deadline.data.get("extension_days", 0)) + working_days}
    deadline.save(update_fields=["due_date", "data"])
    audit(actor=actor, action="deadline.extended", obj=deadline, unit=deadline.unit_id,
          data={"from": old_due, "to": deadline.due_date, "working_days": working_days})
    return deadline
