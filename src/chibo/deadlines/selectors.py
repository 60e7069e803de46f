"""Reads of deadlines through the actor's scope: the radar, the API and the feeds share these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from chibo.core import clock
from chibo.core.access import Actor, subtree_q
from chibo.deadlines.models import OPEN_STATES, Deadline, Notification
from chibo.units.models import Unit


def deadlines_visible(actor: Actor) -> QuerySet[Deadline]:
    """Deadlines of the units the actor may read members of, plus the actor's own obligations."""
    q = Q(pk__in=[])
    if actor.sees_whole_tree():
        q = Q()
    elif actor.paths_for("members.view"):
        q = Q(unit__in=Unit.objects.filter(subtree_q(actor.paths_for("members.view"))).values("pk"))
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Deadline.objects.filter(q)


@dataclass
class DeadlineFilters:
    state: str = ""          # one of State, or "overdue" / "soon" / "active"
    kind: str = ""
    unit: Unit | None = None  # subtree
    soon_days: int = 30
    today: date | None = None
    mine: bool = False
    extra: dict = field(default_factory=dict)


def deadline_search(actor: Actor, filters: DeadlineFilters) -> QuerySet[Deadline]:
    today = filters.today or clock.today()
    qs = deadlines_visible(actor).select_related("unit", "member", "rule")
    if filters.mine:
        qs = qs.filter(member_id=actor.member_id) if actor.member_id else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.unit is not None:
        qs = qs.filter(unit__in=Unit.objects.filter(subtree_q([filters.unit.path])).values("pk"))
    if filters.state == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, due_date__lt=today)
    elif filters.state == "soon":
        qs = qs.filter(state__in=OPEN_STATES, due_date__gte=today, due_date__lte=today + timedelta(days=filters.soon_days))
    elif filters.state == "active":
        qs = qs.filter(state__in=OPEN_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("due_date", "pk")


def deadline_get(actor: Actor, pk) -> Deadline:
    try:
        return deadlines_visible(actor).select_related("unit", "member", "rule").get(pk=pk)
    except (Deadline.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy hạn") from exc


@dataclass
class RadarRow:
    unit: Unit
    kind: str
    overdue: int
    soon: int
    open: int


def radar_groups(actor: Actor, filters: DeadlineFilters) -> list[RadarRow]:
    """Open deadlines grouped by unit and kind, with overdue / due-soon / open counts (one query)."""
    today = filters.today or clock.today()
    base = deadline_search(actor, DeadlineFilters(state="active", kind=filters.kind, unit=filters.unit,
                                                  today=today, mine=filters.mine))
    rows = (base.order_by().values("unit", "kind").annotate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + timedelta(days=filters.soon_days))),
        open=Count("pk"),
    ))
    rows = list(rows)
    units = Unit.objects.in_bulk([r["unit"] for r in rows])
    result = [RadarRow(units[r["unit"]], r["kind"], r["overdue"], r["soon"], r["open"]) for r in rows]
    return sorted(result, key=lambda r: (-r.overdue, -r.soon, r.unit.path, r.kind))


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


