"""Reads of the organization tree, always through the actor's scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.access import PATH_END, PATH_STEP, Actor, subtree_q
from chibo.units import yearly
from chibo.units.models import Unit


def units_visible(actor: Actor) -> QuerySet[Unit]:
    """The units in the actor's subtrees, plus a member's own unit (known to the actor: no join
    with the members table, which would read millions of rows)."""
    q = subtree_q(actor.paths_for("units.view"))
    if actor.member_unit_id:
        q |= Q(pk=actor.member_unit_id)
    return Unit.objects.filter(q)


def countries_visible(actor: Actor) -> list[str]:
    """The countries of the units the actor sees, in code order. A scope holding the top of the tree (tens of
    thousands of units, a few dozen countries) reads them from the index on (country, path), one probe per country
    (``_countries_under``); a narrower scope reads its own units."""
    roots = actor.paths_for("units.view")
    tops = [root for root in roots if len(root) == PATH_STEP]
    found = {country for top in tops for country in _countries_under(top)}
    rest = units_visible(actor).exclude(subtree_q(tops)) if tops else units_visible(actor)
    found.update(rest.exclude(country="").order_by().values_list("country", flat=True).distinct())
    return sorted(found)


def _countries_under(path: str) -> list[str]:
    """The distinct countries of the subtree at ``path``: the next country after the last one found, again and again
    (a loose index scan: each step one probe of the index, never a read of every unit)."""
    table = connection.ops.quote_name(Unit._meta.db_table)
    in_subtree = "u.path >= %s AND u.path < %s"
    sql = (f"WITH RECURSIVE c(country) AS ("  # noqa: S608  (a model's table name)
           f"SELECT MIN(u.country) FROM {table} u WHERE u.country > '' AND {in_subtree} "
           f"UNION ALL SELECT (SELECT MIN(u.country) FROM {table} u WHERE u.country > c.country AND {in_subtree}) "
           "FROM c WHERE c.country IS NOT NULL) SELECT country FROM c WHERE country IS NOT NULL")
    with connection.cursor() as cur:
        cur.execute(sql, [path, path + PATH_END] * 2)
        return [row[0] for row in cur.fetchall()]


def unit_get(actor: Actor, pk: int | str) -> Unit:
    try:
        return units_visible(actor).select_related("parent").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy tổ chức")) from exc


def unit_by_code(actor: Actor, code: str) -> Unit:
    try:
        return units_visible(actor).get(code=(code or "").upper())
    except Unit.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy tổ chức")) from exc


TREE_PAGE = 50  # children per htmx answer of the tree (about 15 KB)


@dataclass
class TreeNode:
    unit: Unit
    total_full: int = 0
    total_probationary: int = 0
    n_children: int = 0
    children: list[TreeNode] = field(default_factory=list)
    more_page: int | None = None  # next page of children not loaded yet


# {path: (full, probationary)} members of the subtree of each unit of a list of same-depth units,
# including closed units or not. The members app installs it (members keep the per-unit counters).
SubtreeTotals = Callable[[list[str], bool], dict[str, tuple[int, int]]]
_subtree_totals: SubtreeTotals = lambda paths, include_closed: {}  # noqa: E731  (until members installs one)


def set_subtree_totals(provider: SubtreeTotals) -> None:
    """Install the function that counts the members of subtrees (called by the members app)."""
    global _subtree_totals
    _subtree_totals = provider


def _totals(units: list[Unit], *, include_closed: bool) -> dict[str, tuple[int, int]]:
    by_length: dict[int, list[str]] = {}
    for unit in units:
        by_length.setdefault(len(unit.path), []).append(unit.path)
    totals: dict[str, tuple[int, int]] = {}
    for paths in by_length.values():
        totals.update(_subtree_totals(paths, include_closed))
    return totals


def _nodes(units: list[Unit], *, include_closed: bool) -> list[TreeNode]:
    """Tree nodes of ``units`` with their subtree totals and how many children each has."""
    if not units:
        return []
    totals = _totals(units, include_closed=include_closed)
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
    if actor.member_unit_id:  # a member sees their own cell
        own = Unit.objects.filter(pk=actor.member_unit_id).first()
        if own is not None and not any(own.path.startswith(r.path) for r in roots):
            roots.append(own)
    if not include_closed:
        roots = [u for u in roots if u.closed_on is None]
    nodes = _nodes(roots, include_closed=include_closed)
    for node in nodes:
        if node.n_children:
            node.children, node.more_page = unit_children(actor, node.unit, include_closed=include_closed)
    return nodes


def unit_ancestors(unit: Unit) -> QuerySet[Unit]:
    prefixes = [unit.path[:i] for i in range(8, len(unit.path), 8)]
    return Unit.objects.filter(path__in=prefixes).order_by("path")


def units_with(actor: Actor, perm: str) -> QuerySet[Unit]:
    """The units of the subtrees where the actor holds ``perm`` (no own-unit exception)."""
    return Unit.objects.filter(subtree_q(actor.paths_for(perm)))


def subtree_units(paths: Iterable[str], *, also_ids: Iterable[int] = ()) -> QuerySet[Unit]:
    """Every unit of the subtrees rooted at ``paths`` (index range scans on the path), and the units
    ``also_ids``."""
    q = subtree_q(paths)
    ids = [pk for pk in also_ids if pk]
    if ids:
        q |= Q(pk__in=ids)
    return Unit.objects.filter(q)


def units_by_path(paths: Iterable[str]) -> dict[str, Unit]:
    """{path: unit} for the given paths, each annotated with ``has_children``."""
    rows = Unit.objects.filter(path__in=list(paths)).annotate(
        has_children=Exists(Unit.objects.filter(parent=OuterRef("pk"))))
    return {u.path: u for u in rows}


def units_by_id(ids: Iterable[int]) -> dict[int, Unit]:
    return Unit.objects.in_bulk(list(ids))


def units_with_codes(codes: Iterable[str]) -> QuerySet[Unit]:
    """The units carrying these codes (unscoped: the caller checks each against the actor)."""
    return Unit.objects.filter(code__in=list(codes))


def unit_root() -> Unit | None:
    """The top of the installation's tree (the upper committee)."""
    return Unit.objects.filter(depth=0).order_by("pk").first()


def unit_fresh(pk: int) -> Unit:
    """The unit's current row (unscoped: the caller has checked the actor), re-read before a decision."""
    return Unit.objects.select_related("parent").get(pk=pk)


def unit_with_code(code: str) -> Unit | None:
    """The unit with this code (unscoped: for the demo and the command line, which act as the system)."""
    return Unit.objects.filter(code=(code or "").upper()).first()


def open_units_of_kinds(kinds: Iterable[str], *, opened_by: date | None = None) -> QuerySet[Unit]:
    """Open units of the given kinds (opened on or before ``opened_by``), in tree order."""
    qs = Unit.objects.filter(kind__in=list(kinds), closed_on__isnull=True)
    if opened_by is not None:
        qs = qs.filter(opened_on__lte=opened_by)
    return qs.order_by("path")


def unit_by_path(path: str) -> Unit | None:
    return Unit.objects.filter(path=path).first()


def unit_paths(ids: Iterable[int]) -> dict[int, str]:
    """The materialized path of each of these units (unscoped: derived figures, not shown)."""
    return dict(Unit.objects.filter(pk__in=list(ids)).values_list("pk", "path"))


def cells_open_stored(unit: Unit, day: date) -> int | None:
    """The cells (units with no open unit below them) open on ``day``, a month's last day, in ``unit``'s subtree,
    read from the rows stored per month (``units.yearly``); None when that month is not stored (the caller counts)."""
    return yearly.cells_open(unit.path, day)
