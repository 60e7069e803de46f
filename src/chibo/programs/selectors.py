"""Reads of work programs and proposals (docs/domain.md §14), always scoped by the actor.

A unit's programs and their items are seen by the holders of ``meetings.view`` on the unit or above (the upper
committee follows its units' progress). A proposal is seen by the same readers of the unit that raised it, which
includes the committee it is addressed to."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.access import Actor, subtree_q
from chibo.core.rulebook import integer, rule
from chibo.core.text import as_id
from chibo.programs.enums import DUE_SOON_RULE, EDIT, ITEM_OPEN_STATES, PROPOSAL_OPEN_STATES, VIEW, ItemState
from chibo.programs.models import Item, Program, Proposal
from chibo.units.selectors import subtree_units

if TYPE_CHECKING:
    from chibo.units.models import Unit

_ITEM_RELATED = ("program", "program__unit", "program__unit__parent", "owner_member", "document", "parent",
                 "parent__program", "parent__program__unit")


def programs_visible(actor: Actor) -> QuerySet[Program]:
    return Program.objects.filter(subtree_q(actor.paths_for(VIEW), "unit__path")).select_related("unit")


def program_get(actor: Actor, pk: int | str) -> Program:
    program = programs_visible(actor).filter(pk=as_id(pk) or 0).first()
    if program is None:
        raise Http404(_("Không tìm thấy chương trình công tác"))
    return program


def program_items(program: Program) -> QuerySet[Item]:
    return program.items.select_related(*_ITEM_RELATED).order_by("due_on", "pk")


def items_visible(actor: Actor) -> QuerySet[Item]:
    return Item.objects.filter(subtree_q(actor.paths_for(VIEW), "program__unit__path"))


def item_get(actor: Actor, pk: int | str) -> Item:
    item = items_visible(actor).select_related(*_ITEM_RELATED).filter(pk=as_id(pk) or 0).first()
    if item is None:
        raise Http404(_("Không tìm thấy việc trong chương trình công tác"))
    return item


def handed_items(item: Item) -> QuerySet[Item]:
    """The items the units below carry out for ``item`` (their progress, seen by the committee that handed it)."""
    return item.handed.select_related("program", "program__unit").order_by("program__unit__path", "pk")


def hand_down_choices(item: Item) -> list[Unit]:
    """The open units directly below the item's unit that have not been given this item yet."""
    unit = item.program.unit
    taken = set(item.handed.values_list("program__unit_id", flat=True)) if item.pk else set()
    return [u for u in subtree_units([unit.path]).filter(parent_id=unit.pk, closed_on__isnull=True)
            .order_by("sort_key", "pk") if u.pk not in taken]


@dataclass(frozen=True)
class Progress:
    counts: list[tuple[str, str, int]]  # (state, label, number)
    done: int
    total: int  # the items not dropped
    overdue: int


def progress(items: list[Item], today: date) -> Progress:
    counts = Counter(i.state for i in items)
    total = sum(n for s, n in counts.items() if s != ItemState.DROPPED)
    overdue = sum(1 for i in items if i.state in ITEM_OPEN_STATES and i.due_on < today)
    return Progress([(s, str(label), counts.get(s, 0)) for s, label in ItemState.choices],
                    counts.get(ItemState.DONE, 0), total, overdue)


def due_soon_days(today: date) -> int:
    return integer(rule(DUE_SOON_RULE, on=today))


@dataclass(frozen=True)
class Board:
    overdue: list[Item]
    due_soon: list[Item]
    proposals: list[Proposal]
    soon_days: int


BOARD_LIMIT = 300


def board(actor: Actor, today: date, *, unit: Unit | None = None) -> Board:
    """The follow-up board (kiểm tra, đôn đốc) of a committee: the open items of its subtree's programs that are
    overdue or due within ``programs.due_soon_days``, and the open proposals addressed to the actor's committees.
    ``unit``: one subtree the actor sees (all of the actor's scope otherwise)."""
    days = due_soon_days(today)
    items = items_visible(actor).filter(state__in=ITEM_OPEN_STATES, due_on__lte=today + timedelta(days=days))
    proposals = proposals_visible(actor).filter(state__in=PROPOSAL_OPEN_STATES,
                                                to_unit_id__in=actor.units_holding(EDIT))
    if unit is not None:
        items = items.filter(subtree_q([unit.path], "program__unit__path"))
        proposals = proposals.filter(subtree_q([unit.path], "to_unit__path"))
    found = list(items.select_related(*_ITEM_RELATED).order_by("due_on", "program__unit__path", "pk")[:BOARD_LIMIT])
    return Board([i for i in found if i.due_on < today], [i for i in found if i.due_on >= today],
                 list(proposals.select_related("unit", "to_unit").order_by("due_on", "pk")[:BOARD_LIMIT]), days)


def feed_items(actor: Actor) -> QuerySet[Item]:
    """The open items of the programs of the units the actor runs (their due dates go to the calendar feed)."""
    return (Item.objects.filter(program__unit_id__in=actor.units_holding(EDIT), state__in=ITEM_OPEN_STATES)
            .select_related("program", "program__unit").order_by("due_on", "pk"))


def proposals_visible(actor: Actor) -> QuerySet[Proposal]:
    return Proposal.objects.filter(subtree_q(actor.paths_for(VIEW), "unit__path"))


def proposal_get(actor: Actor, pk: int | str) -> Proposal:
    found = proposals_visible(actor).select_related("unit", "to_unit").filter(pk=as_id(pk) or 0).first()
    if found is None:
        raise Http404(_("Không tìm thấy kiến nghị"))
    return found
