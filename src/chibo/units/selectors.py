"""Reads of the organization tree, always through the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from chibo.core.access import Actor, subtree_q
from chibo.units.models import CommitteePost, Unit


def units_visible(actor: Actor) -> QuerySet[Unit]:
    """The units in the actor's subtrees, plus a member's own unit. The own unit is a one-row
    subquery, not a join with the members table (a join plus DISTINCT reads millions of rows)."""
    from chibo.members.models import Member

    q = subtree_q(actor.paths_for("units.view"))
    if actor.member_id:
        q |= Q(pk__in=Member.objects.filter(pk=actor.member_id).values("unit_id"))
    return Unit.objects.filter(q)


def unit_get(actor: Actor, pk) -> Unit:
    try:
        return units_visible(actor).select_related("parent").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy tổ chức") from exc


def unit_by_code(actor: Actor, code: str) -> Unit:
    try:
        return units_visible(actor).get(code=(code or "").upper())
    except Unit.DoesNotExist as exc:
        raise Http404("Không tìm thấy tổ chức") from exc


TREE_PAGE = 50  # children per htmx answer of the tree (about 15 KB)


@dataclass
class TreeNode:
    unit: Unit
    total_full: int = 0
    total_probationary: int = 0
    n_children: int = 0
    children: list[TreeNode] = field(default_factory=list)
    more_page: int | None = None  # next page of children not loaded yet


def _subtree_totals(units: list[Unit], *, include_closed: bool) -> dict[str, tuple[int, int]]:
    """{path: (full, probationary)} members of each unit's subtree, summed from the per-unit counters
    (members.UnitMemberCount, kept by the member services): one grouped query per tree depth among
    ``units`` (a page of children is one depth), whatever the size of the tree or of the membership."""
    from functools import reduce
    from operator import add

    from django.db.models import F, Sum
    from django.db.models.functions import Substr

    from chibo.members.counters import STATUS_COLUMNS
    from chibo.members.models import FULL_STATUSES, Status, UnitMemberCount

    full = reduce(add, [F(STATUS_COLUMNS[str(s)]) for s in FULL_STATUSES])

    totals: dict[str, tuple[int, int]] = {}
    by_length: dict[int, list[str]] = {}
    for unit in units:
        by_length.setdefault(len(unit.path), []).append(unit.path)
    for length, paths in by_length.items():
        counts = UnitMemberCount.objects.filter(subtree_q(paths, "unit__path"))
        if not include_closed:
            counts = counts.filter(unit__closed_on__isnull=True)
        rows = (counts.annotate(prefix=Substr("unit__path", 1, length)).values("prefix")
                .annotate(full=Sum(full), prob=Sum(STATUS_COLUMNS[str(Status.PROBATIONARY)])))
        for row in rows:
            totals[row["prefix"]] = (row["full"] or 0, row["prob"] or 0)
    return totals


def _nodes(units: list[Unit], *, include_closed: bool) -> list[TreeNode]:
    """Tree nodes of ``units`` with their subtree totals and how many children each has."""
    if not units:
        return []
    totals = _subtree_totals(units, include_closed=include_closed)
    children = Unit.objects.filter(parent__in=[u.pk for u in units])
    if not include_closed:
        children = children.filter(closed_on__isnull=True)
    n_children = dict(children.values("parent").annotate(n=Count("pk")).values_list("parent", "n"))
    return [TreeNode(unit=u, total_full=totals.get(u.path, (0, 0))[0], total_probationary=totals.get(u.path, (0, 0))[1],
                     n_children=n_children.get(u.pk, 0)) for u in units]


def unit_children(actor: Actor, parent: Unit, *, include_closed: bool = False, page: int = 1,
                  per_page: int = TREE_PAGE) -> tuple[list[TreeNode], int | None]:
    """One page of a visible unit's children (in Vietnamese name order) as tree nodes, and the
    number of the next page (None on the last)."""
    page = max(page, 1)
    units = units_visible(actor).filter(parent=parent)
    if not include_closed:
        units = units.filter(closed_on__isnull=True)
    start = (page - 1) * per_page
    found = list(units.order_by("sort_key", "pk")[start:start + per_page + 1])
    more = page + 1 if len(found) > per_page else None
    found = found[:per_page]
    return _nodes(found, include_closed=include_closed), more


def unit_tree(actor: Actor, *, include_closed: bool = False) -> list[TreeNode]:
    """The top of the visible tree: the units at the top of the actor's scope, each with the first
    page of its children; deeper levels come from ``unit_children`` as the user opens them. Every
    node carries its member counts (full / probationary, whole subtree) and its number of children."""
    roots = list(Unit.objects.filter(path__in=actor.paths_for("units.view")).order_by("path"))
    if actor.member_id:  # a member sees their own cell
        own = Unit.objects.filter(members__pk=actor.member_id).first()
        if own is not None and not any(own.path.startswith(r.path) for r in roots):
            roots.append(own)
    if not include_closed:
        roots = [u for u in roots if u.closed_on is None]
    nodes = _nodes(roots, include_closed=include_closed)
    for node in nodes:
        if node.n_children:
            node.children, node.more_page = unit_children(actor, node.unit, include_closed=include_closed)
    return nodes


def unit_committee(unit: Unit, *, current_only: bool = True) -> QuerySet[CommitteePost]:
    posts = CommitteePost.objects.filter(unit=unit).select_related("member")
    return posts.filter(to_date__isnull=True) if current_only else posts.order_by("-from_date")


def unit_ancestors(unit: Unit) -> QuerySet[Unit]:
    prefixes = [unit.path[:i] for i in range(8, len(unit.path), 8)]
    return Unit.objects.filter(path__in=prefixes).order_by("path")
