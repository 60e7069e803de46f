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


BOARD_PAGE = 100  # units per page of the board: an upper committee has thousands below it
ROLLUP_NAMES = 20  # the units not filed that the roll-up names; the board lists them all


@dataclass(frozen=True)
class BoardRow:
    unit: Unit
    report: Report | None
    overdue: bool

    @property
    def filed(self) -> bool:
        return self.report is not None and self.report.state == State.SUBMITTED


def _children(actor: Actor, unit: Unit, period: Period) -> QuerySet[Unit]:
    """The units right below ``unit`` that report for ``period``: open, opened by the period's end (thousands under a
    national committee: counted and paged in the database, never all built as objects)."""
    return (units_visible(actor).filter(parent=unit, closed_on__isnull=True, opened_on__lte=period.end)
            .only("pk", "name", "code", "kind", "path", "parent_id", "opened_on", "closed_on"))


def _submitted(actor: Actor, period: Period) -> QuerySet[Report]:
    return reports_visible(actor).filter(period_kind=period.kind, period_start=period.start, state=State.SUBMITTED)


def _in_order(children: QuerySet[Unit], submitted: QuerySet[Report], *, filed: bool) -> QuerySet[Unit]:
    """The units of ``children`` that have filed (or not), by name: read through the units' (parent, name) index,
    each probing its report, so that a page stops after its rows."""
    has = Exists(submitted.filter(unit=OuterRef("pk")))
    return children.filter(has if filed else ~has).order_by("name", "pk")


@dataclass(frozen=True)
class Board:
    """The units right below a committee for a period: how many, how many have not filed their report, and any
    slice of them, the units not filed first, each group in name order."""

    actor: Actor
    period: Period
    due: date
    can_remind: bool
    units: int
    missing: int
    children: QuerySet[Unit]
    submitted: QuerySet[Report]

    def rows(self, start: int, stop: int) -> list[BoardRow]:
        """Rows ``start`` to ``stop`` (exclusive) of the board, with each unit's active report of the period."""
        units = list(_in_order(self.children, self.submitted, filed=False)[start:stop]) if start < self.missing else []
        if stop > self.missing:
            after = _in_order(self.children, self.submitted, filed=True)
            units += list(after[max(start - self.missing, 0):stop - self.missing])
        found = reports_of(self.actor, units, self.period)
        late = clock.today() > self.due
        out = []
        for u in units:
            report = found.get(u.pk)
            out.append(BoardRow(u, report, late and not (report is not None and report.state == State.SUBMITTED)))
        return out


def board(actor: Actor, unit: Unit, period: Period) -> Board:
    """The units right below ``unit``: which have filed their report of ``period``, which not (and whether it is
    overdue: past the rulebook's days after the period ends)."""
    children = _children(actor, unit, period)
    submitted = _submitted(actor, period)
    units, filed = submitted_totals.filed_below(children, period.kind, period.start)  # the roll-up's one statement
    return Board(actor, period, due_on(period), unit.pk in actor.units_holding(WRITE), units, units - filed.count,
                 children, submitted)


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
    filed: int  # how many submitted reports are summed
    missing: int  # how many units below have not filed
    first_missing: list[Unit]  # the first ROLLUP_NAMES of them, by name
    rows: list[RollupRow]


def _text(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral() else str(value)


def rollup(actor: Actor, unit: Unit, period: Period) -> Rollup:
    """``unit``'s figures for ``period`` as the sum of its units' submitted snapshots, beside the live figures of
    the same subtree (computed now)."""
    children = _children(actor, unit, period)
    submitted = _submitted(actor, period)
    units, mark = submitted_totals.filed_below(children, period.kind, period.start)
    totals = submitted_totals.read(unit.pk, period.kind, period.start, mark,
                                   submitted.filter(unit__in=children.values("pk")))
    live = figs.compute(actor, unit, period.start, period.end, counters=True)
    keys = [*figs.KEYS]
    rows = []
    for key, label, value in figs.ordered({**{k: "0" for k in totals}, **live}, keys, shown=True):
        rows.append(RollupRow(key, label, figs.definition_of(key, shown=True), _text(totals.get(key, Decimal(0))),
                              value if key in live else "0"))
    missing = units - mark.count  # one active report per unit and period (a constraint)
    named = list(_in_order(children, submitted, filed=False)[:ROLLUP_NAMES]) if missing else []
    return Rollup(period, mark.count, missing, named, rows)
