"""Reads of member records, always through the actor's scope (design principle 4)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.http import Http404

from chibo.core.access import PATH_STEP, Actor, subtree_q
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
    solitary: bool = False  # only members alone abroad: on the rolls of a root (upper) committee itself


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
    if filters.solitary:
        qs = qs.filter(unit__depth=0)
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


DASHBOARD_UNIT_ROWS = 50  # per page of the per-unit table


@dataclass
class Dashboard:
    total: int
    by_status: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int]]
    # This page of the per-unit table: (unit, full, probationary), each counting the unit's whole subtree.
    by_unit: list[tuple[Unit, int, int]]
    by_country: list[tuple[str, str, int]]
    # Members alone abroad, on the upper committee's own rolls (it guides them directly); None when the
    # upper committee is outside the actor's scope.
    solitary: int | None = None
    # The unit whose children the table lists (None: the top of the actor's scope) and, under it,
    # (full, probationary) on that unit's own rolls; ``up``: the focus's parent when it is in scope.
    focus: Unit | None = None
    focus_own: tuple[int, int] | None = None
    up: int | None = None
    unit_page: Page | None = None


def dashboard_focus(actor: Actor, raw) -> Unit | None:
    """The unit the dashboard's per-unit table opens (``?unit=<id>``): inside the actor's scope, or 404."""
    if raw in (None, ""):
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError) as exc:
        raise Http404("Không tìm thấy tổ chức") from exc
    unit = Unit.objects.filter(subtree_q(actor.paths_for("members.view")), pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy tổ chức")
    return unit


def dashboard_counts(actor: Actor, *, focus: Unit | None = None, page=None) -> Dashboard:
    """Active members in scope by status, category, country, and per unit (one page of rows), read from the
    per-unit counters (members.counters): a constant number of queries whatever the size of the tree.

    The per-unit rows are the grass-roots units (whole tree), the actor's scope roots (a narrower scope),
    or the children of ``focus``; each row counts its subtree."""
    from chibo.core.countries import country_name
    from chibo.members.counters import CATEGORY_COLUMNS, COLUMNS, STATUS_COLUMNS
    from chibo.members.models import FULL_STATUSES, Category, Status, UnitMemberCount

    roots = actor.paths_for("members.view")
    whole = any(len(root) == PATH_STEP for root in roots)
    counted = UnitMemberCount.objects.filter(subtree_q(roots, "unit__path"))
    columns: Counter = Counter()
    per_country: Counter = Counter()
    solitary = 0

    def add(country: str, alone: bool, values: dict[str, int]) -> None:
        nonlocal solitary
        n = sum(values.get(col, 0) for col in STATUS_COLUMNS.values())
        columns.update(values)
        per_country[country or ""] += n
        if alone:
            solitary += n

    rows = (counted.annotate(alone=Case(When(unit__depth=0, then=Value(1)), default=Value(0),
                                        output_field=IntegerField()))
            .values("unit__country", "alone").annotate(**{col: Sum(col) for col in COLUMNS}).order_by())
    for row in rows:
        add(row["unit__country"], row["alone"] == 1, {col: row[col] or 0 for col in COLUMNS})
    if actor.member_id and not whole:  # one's own record is always visible (see members_visible)
        own = (Member.objects.filter(pk=actor.member_id, status__in=ACTIVE_STATUSES)
               .values_list("status", "category", "unit__path", "unit__country", "unit__depth").first())
        if own and not any(own[2].startswith(root) for root in roots):
            values = {STATUS_COLUMNS[own[0]]: 1}
            if own[1] in CATEGORY_COLUMNS:
                values[CATEGORY_COLUMNS[own[1]]] = 1
            add(own[3], own[4] == 0, values)

    # Per-unit rows: group the counters by the row unit's path (a prefix of the counted unit's path).
    level = focus.path if focus is not None else (roots[0] if whole else None)
    full = Sum(sum((F(STATUS_COLUMNS[s]) for s in FULL_STATUSES), Value(0)))
    prob = Sum(STATUS_COLUMNS[Status.PROBATIONARY])
    if level is not None:
        grouped = counted.filter(subtree_q([level], "unit__path")).annotate(
            key=Substr("unit__path", 1, len(level) + PATH_STEP))
    elif roots:
        grouped = counted.annotate(key=Case(*[When(subtree_q([root], "unit__path"), then=Value(root))
                                              for root in roots], output_field=CharField()))
    else:
        grouped = None
    totals = {} if grouped is None else {
        row["key"]: (row["full"] or 0, row["prob"] or 0)
        for row in grouped.values("key").annotate(full=full, prob=prob).order_by()}
    own_rolls = totals.pop(level, None) if level is not None else None
    ordered = sorted(((key, f, p) for key, (f, p) in totals.items() if f + p), key=lambda r: (-(r[1] + r[2]), r[0]))
    unit_page = Paginator(ordered, DASHBOARD_UNIT_ROWS).get_page(page)
    units = {u.path: u for u in Unit.objects.filter(path__in=[key for key, _, _ in unit_page]).annotate(
        has_children=Exists(Unit.objects.filter(parent=OuterRef("pk"))))}
    up = None
    if focus is not None and focus.parent_id:
        parent_path = focus.path[:-PATH_STEP]
        if any(parent_path.startswith(root) for root in roots) and not (whole and len(parent_path) == PATH_STEP):
            up = focus.parent_id
    return Dashboard(
        total=sum(columns[STATUS_COLUMNS[s]] for s in STATUS_COLUMNS),
        by_status=[(s.value, s.label, columns[STATUS_COLUMNS[s.value]]) for s in Status
                   if s.value in STATUS_COLUMNS],
        by_category=[(c.value, c.label, columns[CATEGORY_COLUMNS[c.value]]) for c in Category
                     if columns[CATEGORY_COLUMNS[c.value]]],
        by_unit=[(units[key], f, p) for key, f, p in unit_page if key in units],
        by_country=[(code, country_name(code) if code else "—", n)
                    for code, n in sorted(per_country.items(), key=lambda item: (-item[1], item[0])) if n],
        solitary=solitary if whole else None,
        focus=focus,
        focus_own=own_rolls if focus is not None and focus.depth > 0 and own_rolls and sum(own_rolls) else None,
        up=up,
        unit_page=unit_page,
    )
