"""The audit log as people read it: who (name and roles), what (the action's Vietnamese label), on whom (the
record's name, linked when the reader may open it; only its kind when they may not), where and when (local
time). Shared by the log page and its API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.selectors import people_of_users, user_ids_named
from chibo.core.access import Actor
from chibo.core.audit_labels import action_label, object_type_label
from chibo.core.selectors import AuditFilters
from chibo.members.selectors import members_visible
from chibo.units.selectors import units_visible

if TYPE_CHECKING:
    from chibo.core.models import AuditEvent


@dataclass
class Entry:
    event: AuditEvent
    at: datetime  # in the reader's time zone
    who: str
    roles: str
    what: str
    on_kind: str  # "Đảng viên", "Tổ chức đảng", …
    on_name: str  # "" when the reader may not see the record
    on_url: str
    unit: str  # the unit the row is about, when the reader sees it


def audit_filters(data: dict) -> AuditFilters:
    """The filters of the log from a valid filter form's (or the API's) data: a person named is looked for among
    the accounts (by name or sign-in name)."""
    filters = AuditFilters(**{k: v for k, v in data.items() if k in AuditFilters.__dataclass_fields__})
    if filters.actor:
        filters.actor_ids = user_ids_named(filters.actor)
    return filters


def readable(actor: Actor, events) -> list[Entry]:
    """``events`` (a page of audit rows) in words, in a fixed number of queries."""
    events = list(events)
    people = people_of_users(e.actor_id for e in events if e.actor_id)
    member_ids = {int(e.object_id) for e in events if e.object_type == "member" and e.object_id.isdigit()}
    members = (
        dict(members_visible(actor).filter(pk__in=member_ids).values_list("pk", "full_name")) if member_ids else {}
    )
    unit_ids = {e.unit_id for e in events if e.unit_id}
    unit_ids |= {int(e.object_id) for e in events if e.object_type == "unit" and e.object_id.isdigit()}
    units = dict(units_visible(actor).filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    tz = timezone.get_current_timezone()
    out = []
    for e in events:
        person = people.get(e.actor_id) if e.actor_id else None
        name = url = ""
        pk = int(e.object_id) if e.object_id.isdigit() else None
        if e.object_type == "member" and pk in members:
            name, url = members[pk], reverse("members:detail", args=[pk])
        elif e.object_type == "unit" and pk in units:
            name, url = units[pk], reverse("units:detail", args=[pk])
        out.append(
            Entry(
                event=e,
                at=e.at.astimezone(tz),
                who=person.name if person else _system(e.actor_label),
                roles=person.roles if person else "",
                what=action_label(e.action),
                on_kind=object_type_label(e.object_type),
                on_name=name,
                on_url=url,
                unit=units.get(e.unit_id, "") if e.unit_id else "",
            )
        )
    return out


def _system(label: str) -> str:
    """Rows written by no signed-in user: the system's own steps, the demo loader, a visitor not signed in."""
    if label == "anonymous":
        return _("Khách chưa đăng nhập")
    return _("Hệ thống") if label in ("", "system", "demo") else label
