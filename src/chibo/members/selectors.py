"""Reads of member records, always through the actor's scope (design principle 4)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from chibo.core.access import Actor, subtree_q
from chibo.core.audit import audit
from chibo.core.text import clean, fold
from chibo.members.models import ACTIVE_STATUSES, Member, TimelineEvent
from chibo.units.models import Unit

SORTS = {
    "name": ("name_sort", "pk"),
    "-name": ("-name_sort", "-pk"),
    "admission": ("admission_date", "pk"),
    "-admission": ("-admission_date", "-pk"),
    "birth": ("birth_date", "pk"),
    "-birth": ("-birth_date", "-pk"),
    "unit": ("unit__sort_key", "name_sort", "pk"),
}


def scope_units(actor: Actor) -> QuerySet[Unit] | None:
    """Units whose members the actor may read; None when the actor sees the whole tree."""
    if actor.sees_whole_tree():
        return None
    return Unit.objects.filter(subtree_q(actor.paths_for("members.view")))


def members_visible(actor: Actor) -> QuerySet[Member]:
    units = scope_units(actor)
    if units is None:
        return Member.objects.all()
    q = Q(unit__in=units.values("pk"))
    # Add the actor's own record only when the scope misses it: an OR here keeps PostgreSQL from
    # using the unit index at national scale (a full scan of millions of rows).
    if actor.member_id and not Member.objects.filter(pk=actor.member_id, unit__in=units.values("pk")).exists():
        q |= Q(pk=actor.member_id)
    return Member.objects.filter(q)


@dataclass
class MemberFilters:
    q: str = ""
    unit: Unit | None = None  # a subtree root
    status: str = ""
    category: str = ""
    country: str = ""
    sort: str = "name"
    active_only: bool = False


def member_search(actor: Actor, filters: MemberFilters) -> QuerySet[Member]:
    """Scoped search. ``q`` ignores diacritics and đ/d; exact-diacritic matches rank first."""
    qs = members_visible(actor).select_related("unit")
    if filters.unit is not None:
        qs = qs.filter(unit__in=Unit.objects.filter(subtree_q([filters.unit.path])).values("pk"))
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif filters.active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.country:
        qs = qs.filter(unit__country=filters.country.upper())
    order = list(SORTS.get(filters.sort, SORTS["name"]))
    text = clean(filters.q)[:100]
    if text:
        folded = fold(text)
        for token in folded.split(" "):
            qs = qs.filter(name_search__contains=token)
        exact = text.lower()
        qs = qs.annotate(
            rank=Case(
                When(name_lower=exact, then=Value(0)),
                When(name_lower__startswith=exact, then=Value(1)),
                When(name_lower__contains=exact, then=Value(2)),
                When(name_search__startswith=folded, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        )
        order = ["rank", *order]
    return qs.order_by(*order)


def member_get(actor: Actor, pk) -> Member:
    """One member within scope, or 404 (never 403: no existence leak)."""
    try:
        return members_visible(actor).select_related("unit").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đảng viên") from exc


def member_read_full(actor: Actor, pk) -> Member:
    """The full record for display; the read itself is audited."""
    member = member_get(actor, pk)
    audit(actor=actor, action="member.viewed", obj=member, unit=member.unit_id)
    return member


def member_timeline(member: Member) -> QuerySet[TimelineEvent]:
    return member.timeline.select_related("unit").order_by("-occurred_on", "-pk")


def member_by_citizen_id(actor: Actor, citizen_id: str) -> Member | None:
    from chibo.core.crypto import blind_index

    digest = blind_index(citizen_id)
    if not digest:
        return None
    return members_visible(actor).filter(citizen_id_hash=digest).first()


@dataclass
class Dashboard:
    total: int
    by_status: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int]]
    by_unit: list[tuple[Unit, int, int]]
    by_country: list[tuple[str, str, int]]


def dashboard_counts(actor: Actor) -> Dashboard:
    """Counts of active members in scope by status, category, top units and country."""
    from chibo.core.countries import country_name
    from chibo.members.models import FULL_STATUSES, Category, Status

    active = members_visible(actor).filter(status__in=ACTIVE_STATUSES)
    by_status_raw = dict(active.values_list("status").annotate(n=Count("pk")).order_by())
    by_category_raw = dict(active.values_list("category").annotate(n=Count("pk")).order_by())
    by_country_raw = active.values_list("unit__country").annotate(n=Count("pk")).order_by("-n")
    # Counts per grass-roots unit: the unit at depth 1 whose subtree holds the member.
    per_unit = active.values_list("unit__path").annotate(
        full=Count("pk", filter=Q(status__in=FULL_STATUSES)),
        prob=Count("pk", filter=Q(status=Status.PROBATIONARY)),
    ).order_by()
    totals: dict[str, list[int]] = {}
    for path, full, prob in per_unit:
        key = path[:16] if len(path) >= 16 else path
        acc = totals.setdefault(key, [0, 0])
        acc[0] += full
        acc[1] += prob
    units = {u.path: u for u in Unit.objects.filter(path__in=list(totals))}
    by_unit = sorted(((units[p], f, pr) for p, (f, pr) in totals.items() if p in units),
                     key=lambda row: -(row[1] + row[2]))
    return Dashboard(
        total=sum(by_status_raw.values()),
        by_status=[(s.value, s.label, by_status_raw.get(s.value, 0)) for s in Status if s.value in ACTIVE_STATUSES],
        by_category=[(c.value, c.label, by_category_raw.get(c.value, 0)) for c in Category
                     if by_category_raw.get(c.value)],
        by_unit=by_unit,
        by_country=[(code or "", country_name(code) if code else "—", n) for code, n in by_country_raw],
    )
