"""Reads of the reports upward (docs/domain.md §14), scoped by the actor: reports and templates of the units in the
actor's scope (``units.view``), the "not yet filed" board of a committee's units below, and the roll-up: a level's
figures as the sum of its units' submitted snapshots beside the live figures of the same subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import Actor, subtree_q
from chibo.core.text import as_id
from chibo.reports import figures as figs
from chibo.reports import totals as submitted_totals
from chibo.reports.enums import ACTIVE_STATES, VIEW, WRITE, State
from chibo.reports.models import Report, Template
from chibo.reports.periods import Period
from chibo.reports.services import due_on
from chibo.units.selectors import units_by_id, units_visible

if TYPE_CHECKING:
    from chibo.units.models import Unit


def reports_visible(actor: Actor) -> QuerySet[Report]:
    return Report.objects.filter(subtree_q(actor.paths_for(VIEW), "unit__path")).select_related("unit", "template")


def report_get(actor: Actor, pk: int | str) -> Report:
    found = reports_visible(actor).filter(pk=as_id(pk) or 0).first()
    if found is None:
        raise Http404(_("Không tìm thấy báo cáo"))
    return found


def versions_of(report: Report) -> QuerySet[Report]:
    """Every version of the unit's report for the same period, the first first."""
    return (Report.objects.filter(unit_id=report.unit_id, period_kind=report.period_kind,
                                  period_start=report.period_start).order_by("number"))


def templates_visible(actor: Actor) -> QuerySet[Template]:
    """The installation's default templates and those of the units in the actor's scope (every version)."""
    return (Template.objects.filter(Q(unit__isnull=True) | subtree_q(actor.paths_for(VIEW), "unit__path"))
            .select_related("unit"))


def template_get(actor: Actor, pk: int | str) -> Template:
    found = templates_visible(actor).filter(pk=as_id(pk) or 0).first()
    if found is None:
        raise Http404(_("Không tìm thấy mẫu báo cáo"))
    return found


def template_versions(template: Template) -> QuerySet[Template]:
    return Template.objects.filter(family=template.family).order_by("-number") if template.family else \
        Template.objects.filter(pk=template.pk)


def may_define(actor: Actor, template: Template | None = None) -> bool:
    """Whether the actor defines templates (of ``template``'s committee): ``members.edit`` on a committee itself."""
    own = actor.units_holding(WRITE)
    return bool(own) if template is None else template.unit_id in own


def writing_units(actor: Actor) -> list[Unit]:
    """The units whose reports the actor files (``members.edit`` on the unit itself), by path."""
    found = units_by_id(actor.units_holding(WRITE))
    return sorted(found.values(), key=lambda u: u.path)


def committees(actor: Actor) -> list[Unit]:
    """The units with open units below them that the actor sees (the boards and roll-ups they may open)."""
    roots = actor.paths_for(VIEW)
    if not roots:
        return []
    parents = units_visible(actor).filter(subtree_q(roots), children__isnull=False, children__closed_on__isnull=True)
    return list(parents.distinct().order_by("path")[:200])


def reports_of(actor: Actor, units: list[Unit], period: Period) -> dict[int, Report]:
    """The active report (draft or submitted) of each of ``units`` for ``period``."""
    rows = reports_visible(actor).filter(unit__in=[u.pk for u in units], period_kind=period.kind,
                                         period_start=period.start, state__in=ACTIVE_STATES)
    return {r.unit_id: r for r in rows}


@dataclass(frozen=True)
class BoardRow:
    unit: Unit
    report: Report | None
    overdue: bool

    @property
    def filed(self) -> bool:
        return self.report is not None and self.report.state == State.SUBMITTED


@dataclass(frozen=True)
class Board:
    period: Period
    due: date
    rows: list[BoardRow]
    can_remind: bool

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows if not r.filed)


def children_of(actor: Actor, unit: Unit) -> list[Unit]:
    """The open units right below ``unit`` (thousands under a national committee: only what the board, the roll-up
    and their pages read)."""
    period_units = (units_visible(actor).filter(parent=unit, closed_on__isnull=True).order_by("name")
                    .only("pk", "name", "code", "kind", "path", "parent_id", "opened_on", "closed_on"))
    return list(period_units)


def board(actor: Actor, unit: Unit, period: Period) -> Board:
    """The units right below ``unit``: which have filed their report of ``period``, which not (and whether it is
    overdue: past the rulebook's days after the period ends)."""
    children = [c for c in children_of(actor, unit) if c.opened_on <= period.end]
    found = reports_of(actor, children, period)
    due = due_on(period)
    late = clock.today() > due
    rows = [BoardRow(c, found.get(c.pk), late and not (found.get(c.pk) and found[c.pk].state == State.SUBMITTED))
            for c in children]
    rows.sort(key=lambda r: (r.filed, r.unit.name))
    return Board(period, due, rows, unit.pk in actor.units_holding(WRITE))


@dataclass(frozen=True)
class RollupRow:
    key: str
    label: str
    definition: str
    submitted: str
    live: str


@dataclass(frozen=True)
class Rollup:
    period: Period
    filed: list[int]  # the submitted reports summed, in the order of their units
    missing: list[Unit]
    rows: list[RollupRow]


def _text(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral() else str(value)


def rollup(actor: Actor, unit: Unit, period: Period) -> Rollup:
    """``unit``'s figures for ``period`` as the sum of its units' submitted snapshots, beside the live figures of
    the same subtree (computed now)."""
    # The units right below, open, opened by the period's end: thousands under a national committee, so their
    # submitted reports are read as ids in the units' order and only the units that have not filed as rows.
    children = units_visible(actor).filter(parent=unit, closed_on__isnull=True, opened_on__lte=period.end)
    submitted = reports_visible(actor).filter(period_kind=period.kind, period_start=period.start,
                                              state=State.SUBMITTED)
    filed = list(submitted.filter(unit__parent=unit, unit__closed_on__isnull=True, unit__opened_on__lte=period.end)
                 .order_by("unit__name", "unit_id").values_list("pk", flat=True))
    totals = submitted_totals.read(unit.pk, period.kind, period.start, filed)
    live = figs.compute(actor, unit, period.start, period.end, counters=True)
    keys = [*figs.KEYS]
    rows = []
    for key, label, value in figs.ordered({**{k: "0" for k in totals}, **live}, keys, shown=True):
        rows.append(RollupRow(key, label, figs.definition_of(key, shown=True), _text(totals.get(key, Decimal(0))),
                              value if key in live else "0"))
    missing = (children.filter(~Exists(submitted.filter(unit=OuterRef("pk")))).order_by("name", "pk")
               .only("pk", "name", "code", "kind", "path", "parent_id", "opened_on", "closed_on"))
    return Rollup(period, filed, list(missing), rows)
