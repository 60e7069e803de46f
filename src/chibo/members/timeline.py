"""Typed timeline events (lý lịch). Each writer appends the member's event and the audit row
in the caller's transaction, so the timeline and the audit chain always agree."""

from __future__ import annotations

from datetime import date

from chibo.core.access import Actor
from chibo.core.audit import audit
from chibo.members.models import Member, Status, TimelineEvent, TimelineKind


def record(*, actor: Actor, member: Member, kind: str, occurred_on: date, unit=None, data: dict | None = None,
           audit_data: dict | None = None) -> TimelineEvent:
    event = TimelineEvent.objects.create(
        member=member, kind=kind, occurred_on=occurred_on, actor_label=actor.label,
        unit=unit or member.unit, data=data or {},
    )
    audit(actor=actor, action=kind, obj=member, unit=unit or member.unit,
          data=audit_data if audit_data is not None else (data or {}))
    return event


def record_created(*, actor: Actor, member: Member) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.CREATED, occurred_on=member.admission_date,
                  data={"status": member.status, "unit": member.unit.name})


def record_updated(*, actor: Actor, member: Member, changed: list[dict], version: int,
                   occurred_on: date) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.UPDATED, occurred_on=occurred_on,
                  data={"changed": changed, "version": version})


def record_status_changed(*, actor: Actor, member: Member, old: str, new: str, reason: str, document: str,
                          effective_on: date) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.STATUS_CHANGED, occurred_on=effective_on,
                  data={"from": old, "to": new, "from_label": str(Status(old).label), "to_label": str(Status(new).label),
                        "reason": reason, "document": document})


def record_moved(*, actor: Actor, member: Member, old_unit, new_unit, reason: str, document: str,
                 effective_on: date) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.MOVED, occurred_on=effective_on, unit=new_unit,
                  data={"from": old_unit.name, "to": new_unit.name, "from_id": old_unit.pk, "to_id": new_unit.pk,
                        "reason": reason, "document": document})


def record_post_appointed(*, actor: Actor, post) -> TimelineEvent:
    return record(actor=actor, member=post.member, kind=TimelineKind.APPOINTED, occurred_on=post.from_date,
                  unit=post.unit, data={"role": post.get_role_display(), "unit": post.unit.name,
                                        "decision": f"{post.decision_no} ngày {post.decision_date:%d/%m/%Y}"})


def record_post_ended(*, actor: Actor, post) -> TimelineEvent:
    return record(actor=actor, member=post.member, kind=TimelineKind.POST_ENDED, occurred_on=post.to_date,
                  unit=post.unit, data={"role": post.get_role_display(), "unit": post.unit.name,
                                        "reason": post.ended_reason})


def record_transfer_step(*, actor: Actor, member: Member, step: str, occurred_on: date, unit=None,
                         data: dict | None = None) -> TimelineEvent:
    """A step of a transfer (requested, letter issued, forwarded, received, reported, return review…)."""
    return record(actor=actor, member=member, kind=TimelineKind.TRANSFER, occurred_on=occurred_on, unit=unit,
                  data={"step": step, **(data or {})})


def record_return_review(*, actor: Actor, member: Member, occurred_on: date, data: dict) -> TimelineEvent:
    return record(actor=actor, member=member, kind=TimelineKind.RETURN_REVIEW, occurred_on=occurred_on, data=data)
