"""The member's timeline (lý lịch): typed events, one type per step of every process.

Each app declares the event types of its steps (``event_type("trip.filed", label, describe)``) when its
module loads; an event row stores the type and its structured parameters (ids, dates, document numbers,
codes) — never a sentence. The label and the sentence are made at display time, in the reader's
language (``label``, ``describe``), so the timeline can be filtered by type and translated. Each writer
appends the event and its audit row in the caller's transaction, so the timeline and the audit chain
always agree (the audit action is the event type).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from chibo.core import audit_labels
from chibo.core.access import Actor
from chibo.core.audit import audit
from chibo.core.crypto import blind_index
from chibo.members import yearly
from chibo.members.enums import PostRole, Status, TimelineKind
from chibo.members.models import Member, TimelineEvent


@dataclass(frozen=True)
class EventType:
    kind: str
    label: Any                                        # a lazy translation
    describe: Callable[[dict], str] | None = None     # the detail of one event, from its parameters
    process: str = ""                                 # the process it belongs to (a filter's group)


EVENT_TYPES: dict[str, EventType] = {}
# Events after which the statistics' stored members at each year's end are no longer sure (members.yearly): the
# members app's own (a record made or changed, a status, a move) and the transfers' (an arrival dates a member).
MARKING = ("member.", "transfer.")


def event_type(kind: str, label, describe: Callable[[dict], str] | None = None, *, process: str) -> str:
    """Declare an event type (module level, once); returns its kind for the caller's constants."""
    EVENT_TYPES[kind] = EventType(kind, label, describe, process)
    audit_labels.register(kind, label)  # the audit action is the event type: the log shows its label
    return kind


def label(kind: str) -> str:
    found = EVENT_TYPES.get(kind)
    return str(found.label) if found else kind


def describe(event: TimelineEvent) -> str:
    """The event's detail in the current language; events written before types existed keep their text."""
    found = EVENT_TYPES.get(event.kind)
    data = event.data or {}
    if found is not None and found.describe is not None:
        try:
            return found.describe(data)
        except (KeyError, TypeError, ValueError):
            pass
    return str(data.get("text", ""))


def event_types(process: str = "") -> list[EventType]:
    return [t for t in EVENT_TYPES.values() if not process or t.process == process]


def day(value) -> str:
    """A date parameter (ISO text in the row) as the reader's date format."""
    if not value:
        return ""
    parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
    return date_format(parsed, "SHORT_DATE_FORMAT")


def audit_digest(data: dict) -> dict:
    """What the audit row of a timeline event holds by default: a keyed digest of the event's parameters (their
    canonical JSON), never the parameters. They may hold a reason typed, a name or a number of the member's;
    they stay on the timeline, which anonymisation clears, while the audit chain, never rewritten, keeps
    nothing personal. The digest still shows, to whoever holds the key, that the timeline row is the one
    written (until the row is anonymised)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"timeline": blind_index(text)[:32]}


def record(*, actor: Actor, member: Member, kind: str, occurred_on: date, unit=None, data: dict | None = None,
           audit_data: dict | None = None) -> TimelineEvent:
    """Append an event of a declared type (its parameters in ``data``) and its audit row (with ``audit_data``,
    values that are never personal, or else ``audit_digest(data)``)."""
    if kind not in EVENT_TYPES:
        raise LookupError(f"undeclared timeline event type {kind!r} (members.timeline.event_type)")
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))  # dates as ISO text, as stored
    event = TimelineEvent.objects.create(
        member=member, kind=kind, occurred_on=occurred_on, actor_label=actor.label,
        unit=unit or member.unit, data=data,
    )
    audit(actor=actor, action=kind, obj=member, unit=unit or member.unit,
          data=audit_data if audit_data is not None else audit_digest(data))
    if kind.startswith(MARKING):
        # the stored members at each year's end of the units this member sat in are no longer sure
        yearly.mark_members([member.pk], member.unit_id, getattr(unit, "pk", None))
    return event


# --- the members app's own events -----------------------------------------------------------------
def _status(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _role(value: str) -> str:
    return str(PostRole(value).label) if value in PostRole.values else value


event_type(TimelineKind.CREATED, _("Lập hồ sơ đảng viên"), lambda d: d.get("unit", ""), process="members")
event_type(TimelineKind.UPDATED, _("Cập nhật lý lịch"),
           lambda d: "; ".join(f"{c['label']} «{c.get('old') or '—'}» → «{c.get('new') or '—'}»"
                               for c in d.get("changed", [])), process="members")
event_type(TimelineKind.STATUS_CHANGED, _("Thay đổi tình trạng"),
           lambda d: f"{_status(d['from'])} → {_status(d['to'])}. {d.get('reason', '')} ({d.get('document', '')})",
           process="members")
event_type(TimelineKind.MOVED, _("Chuyển sinh hoạt trong Đảng bộ"),
           lambda d: f"{d['from']} → {d['to']}. {d.get('reason', '')} ({d.get('document', '')})", process="members")
event_type(TimelineKind.APPOINTED, _("Được chỉ định vào cấp ủy"),
           lambda d: f"{_role(d.get('role_code', '')) if d.get('role_code') else d.get('role', '')}, {d['unit']} — "
                     + str(_("QĐ %(no)s ngày %(day)s") % {"no": d.get("decision_no", d.get("decision", "")),
                                                          "day": day(d.get("decision_date")) or ""}).strip(),
           process="members")
event_type(TimelineKind.POST_ENDED, _("Thôi giữ chức vụ cấp ủy"),
           lambda d: f"{_role(d.get('role_code', '')) if d.get('role_code') else d.get('role', '')}, {d['unit']} — "
                     f"{d.get('reason', '')}", process="members")


def record_created(*, actor: Actor, member: Member) -> TimelineEvent:
    data = {"status": member.status, "unit": member.unit.name, "unit_id": member.unit_id}
    # nothing personal in it: the audit row holds the same, as the bulk path's rows do (members.bulk)
    return record(actor=actor, member=member, kind=TimelineKind.CREATED, occurred_on=member.admission_date,
                  data=data, audit_data=data)


def updated_audit_data(changed: list[dict], version: int) -> dict:
    """The audit row of a record change: which fields changed, never their values. The values stay on the
    timeline, which anonymisation clears; the audit chain is never rewritten, so it holds no personal value."""
    return {"changed": [change["field"] for change in changed], "version": version}


def record_updated(*, actor: Actor, member: Member, changed: list[dict], version: int,
                   occurred_on: date) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.UPDATED, occurred_on=occurred_on,
                  data={"changed": changed, "version": version}, audit_data=updated_audit_data(changed, version))


def record_status_changed(*, actor: Actor, member: Member, old: str, new: str, reason: str, document: str,
                          effective_on: date) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.STATUS_CHANGED, occurred_on=effective_on,
                  data={"from": old, "to": new, "reason": reason, "document": document})


def record_moved(*, actor: Actor, member: Member, old_unit, new_unit, reason: str, document: str,
                 effective_on: date) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.MOVED, occurred_on=effective_on, unit=new_unit,
                  data={"from": old_unit.name, "to": new_unit.name, "from_id": old_unit.pk, "to_id": new_unit.pk,
                        "reason": reason, "document": document})


def record_post_appointed(*, actor: Actor, post) -> TimelineEvent:
    return record(actor=actor, member=post.member, kind=TimelineKind.APPOINTED, occurred_on=post.from_date,
                  unit=post.unit, data={"role_code": post.role, "unit": post.unit.name, "unit_id": post.unit_id,
                                        "decision_no": post.decision_no, "decision_date": post.decision_date})


def record_post_ended(*, actor: Actor, post) -> TimelineEvent:
    return record(actor=actor, member=post.member, kind=TimelineKind.POST_ENDED, occurred_on=post.to_date,
                  unit=post.unit, data={"role_code": post.role, "unit": post.unit.name, "unit_id": post.unit_id,
                                        "reason": post.ended_reason})
