"""Reads of the organization tree, always through the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from chibo.core.access import Actor, subtree_q
from chibo.units.models import CommitteePost, Unit


def units_visible(actor: Actor) -> QuerySet[Unit]:
    roots = actor.paths_for("units.view")
    q = subtree_q(roots)
    if actor.member_id:
        q |= Q(members__pk=actor.member_id)
    return Unit.objects.filter(q).distinct() if actor.member_id else Unit.objects.filter(q)


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


@dataclass
class TreeNode:
    unit: Unit
    full: int = 0
    probationary: int = 0
    total_full: int = 0
    total_probationary: int = 0
    children: list[TreeNode] = field(default_factory=list)


def unit_tree(actor: Actor, *, include_closed: bool = False) -> list[TreeNode]:
    """The visible tree with member counts per unit and per subtree, in two queries."""
    from chibo.members.models import FULL_STATUSES, Status

    units = units_visible(actor)
    if not include_closed:
        units = units.filter(closed_on__isnull=True)
    units = units.annotate(
        n_full=Count("members", filter=Q(members__status__in=FULL_STATUSES)),
        n_prob=Count("members", filter=Q(members__status=Status.PROBATIONARY)),
    ).order_by("path")
    nodes: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in units:
        node = TreeNode(unit=unit, full=unit.n_full, probationary=unit.n_prob)
        nodes[unit.path] = node
        parent_path = unit.path[: -8]
        parent = nodes.get(parent_path)
        (parent.children if parent else roots).append(node)

    def total(node: TreeNode) -> None:
        node.total_full, node.total_probationary = node.full, node.probationary
        for child in node.children:
            total(child)
            node.total_full += child.total_full
            node.total_probationary += child.total_probationary
        node.children.sort(key=lambda n: (n.unit.kind != "upper", n.unit.sort_key))

    for root in roots:
        total(root)
    return roots


def unit_committee(unit: Unit, *, current_only: bool = True) -> QuerySet[CommitteePost]:
    posts = CommitteePost.objects.filter(unit=unit).select_related("member")
    return posts.filter(to_date__isnull=True) if current_only else posts.order_by("-from_date")


def unit_ancestors(unit: Unit) -> QuerySet[Unit]:
    prefixes = [unit.path[:i] for i in range(8, len(unit.path), 8)]
    return Unit.objects.filter(path__in=prefixes).order_by("path")
