"""Reads of the audit log, scoped to the actor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from chibo.core.access import Actor
from chibo.core.models import AuditEvent


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # The accounts whose name matches ``actor`` (looked up above the kernel, which does not know accounts): the
    # filter keeps their rows and the rows labelled ``actor`` (a sign-in name, "system").
    actor_ids: list[int] | None = None


def audit_events(actor: Actor, filters: AuditFilters, *,
                 unit_ids: Iterable[int] | None = None) -> QuerySet[AuditEvent]:
    """The audit rows the actor may read: all of them with ``audit.view`` on the whole tree, else the rows
    about the units ``unit_ids`` (the ids of the units of the actor's audit scope, computed by the caller,
    which knows the tree; required then)."""
    if not actor.can("audit.view"):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if not actor.sees_whole_tree("audit.view"):
        if unit_ids is None:
            return AuditEvent.objects.none()
        qs = qs.filter(Q(unit_id__in=unit_ids))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        qs = qs.filter(Q(actor_id__in=filters.actor_ids or []) | Q(actor_label__iexact=filters.actor))
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(filters.date_from, time.min), tz))
    if filters.date_to:
        qs = qs.filter(at__lte=timezone.make_aware(datetime.combine(filters.date_to, time.max), tz))
    return qs.order_by(F("seq").desc(nulls_first=True), "-id")  # rows not yet sealed first: the newest


def audit_rows_about(*, object_type: str = "", object_id: str = "", actor_id: int | None = None,
                     actions: Iterable[str] = ()) -> QuerySet[AuditEvent]:
    """Audit rows about one object or written by one user, for a person's own view of their data (who read their
    record, their export): the caller has already checked that the person asks about themself."""
    if not object_type and actor_id is None:
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if object_type:
        qs = qs.filter(object_type=object_type, object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    actions = list(actions)
    if actions:
        qs = qs.filter(action__in=actions)
    return qs.order_by("-at", "-id")
