"""The data quality board (#21 item 5): per unit, the members on the rolls whose record misses something the
national systems need, or whose dates contradict each other, counted up the tree.

A problem is a named condition on ``Member`` rows (a ``Q``). The members app declares those it can see on its
own rows; an app above adds the conditions only it can see (the dues app: no dues profile; the admission app:
its case's dates), in its ``AppConfig.ready``, with ``register`` — a condition registered again under the same key
is OR-ed with the first (the dates of a member record and of its admission case are one problem).

Reads: ``board`` counts every problem for a unit's own rolls and for each child's subtree in one grouped query
(plus one for the children), whatever the number of members; ``problem_members`` lists the records behind one
count. Both are scoped like the member list: the unit must lie where the actor holds ``members.view``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Substr
from django.http import Http404
from django.utils.translation import gettext, gettext_noop

from chibo.core.access import Actor
from chibo.core.charts import PALETTE, stacked_columns_svg
from chibo.members.models import Member
from chibo.members.selectors import members_of_unit, members_on_rolls
from chibo.units.selectors import subtree_units, units_by_path

if TYPE_CHECKING:
    from chibo.units.models import Unit

ADULT_AGE = 18  # party age cannot exceed age − 18: nobody is admitted before 18 (Charter art. 1)


@dataclass
class Problem:
    key: str
    label: str
    order: int
    conditions: list[Callable[[], Q]] = field(default_factory=list)

    def q(self) -> Q:
        return reduce(or_, (condition() for condition in self.conditions))


_problems: dict[str, Problem] = {}


def register(key: str, label: str, order: int, condition: Callable[[], Q]) -> None:
    """Declare a problem (``condition`` returns the Q matching the members who have it), or add a condition to one
    already declared under ``key``."""
    found = _problems.get(key)
    if found is None:
        _problems[key] = Problem(key, label, order, [condition])
    elif condition not in found.conditions:
        found.conditions.append(condition)


def problems() -> list[Problem]:
    return sorted(_problems.values(), key=lambda p: (p.order, p.key))


def problem_get(key: str) -> Problem:
    found = _problems.get(key)
    if found is None:
        raise Http404(gettext("Không có loại vấn đề này"))
    return found


# -- the members app's own conditions ------------------------------------------------------------------------
def _no_citizen_id() -> Q:
    return Q(citizen_id_hash="")  # the blind index is empty exactly when the number is (core.crypto.blind_index)


def _no_card() -> Q:
    return Q(card_number__isnull=True) | Q(card_number="")


def _no_decision_date() -> Q:
    return Q(admission_decided_on__isnull=True)


def _ceremony_before_decision() -> Q:
    return Q(admission_decided_on__gt=F("admission_date"))


def _probation_end_before_start() -> Q:
    return Q(confirmation_date__lt=F("admission_date"))


def _party_age_over_age_less_18() -> Q:
    """Party age (from the decision, else the ceremony) over age − 18: the day party age counts from falls before
    the 18th birthday. Compared as year, then month and day, the same way on SQLite and PostgreSQL."""
    return Q(qa_years__lt=ADULT_AGE) | Q(qa_years=ADULT_AGE, qa_md__lt=F("qa_birth_md"))


def _annotated(qs: QuerySet[Member]) -> QuerySet[Member]:
    since = Coalesce("admission_decided_on", "admission_date")
    return qs.annotate(
        qa_years=ExpressionWrapper(ExtractYear(since) - ExtractYear("birth_date"), output_field=IntegerField()),
        qa_md=ExpressionWrapper(ExtractMonth(since) * 100 + ExtractDay(since), output_field=IntegerField()),
        qa_birth_md=ExpressionWrapper(ExtractMonth("birth_date") * 100 + ExtractDay("birth_date"),
                                      output_field=IntegerField()),
    )


register("no_citizen_id", gettext_noop("Thiếu số CCCD"), 10, _no_citizen_id)
register("no_card_number", gettext_noop("Thiếu số thẻ đảng viên"), 20, _no_card)
register("no_decision_date", gettext_noop("Thiếu ngày quyết định kết nạp"), 30, _no_decision_date)
register("ceremony_before_decision", gettext_noop("Lễ kết nạp trước ngày quyết định"), 50, _ceremony_before_decision)
register("probation_end_before_start", gettext_noop("Hết dự bị trước khi bắt đầu dự bị"), 60,
         _probation_end_before_start)
register("party_age_over_age", gettext_noop("Tuổi đảng lớn hơn tuổi đời trừ 18"), 70, _party_age_over_age_less_18)


# -- reads ----------------------------------------------------------------------------------------------------
@dataclass
class Row:
    unit: Unit
    own: bool            # the unit's own rolls only (the root's row); else the unit's whole subtree
    total: int = 0
    complete: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def share_complete(self) -> float:
        return self.complete / self.total if self.total else 1.0

    @property
    def percent_complete(self) -> str:
        return f"{100 * self.share_complete:.1f}".replace(".", ",") + "%"


@dataclass
class Board:
    unit: Unit
    rows: list[Row]      # the unit's own rolls first (when it has members of its own), then each child unit
    total: Row           # the unit's whole subtree
    problems: list[Problem]


def require_view(actor: Actor, unit: Unit) -> Unit:
    """The unit, if the actor reads the members of its subtree; 404 otherwise (its existence does not leak)."""
    if not actor.can("members.view", unit):
        raise Http404(gettext("Không tìm thấy tổ chức"))
    return unit


def default_unit(actor: Actor) -> Unit:
    """The top of the actor's member scope (the first, when there are several)."""
    roots = actor.paths_for("members.view")
    found = units_by_path(roots[:1]).get(roots[0]) if roots else None
    if found is None:
        raise Http404(gettext("Không tìm thấy tổ chức"))
    return found


def _on_rolls(unit: Unit, *, own: bool) -> QuerySet[Member]:
    return members_of_unit(unit) if own else members_on_rolls(unit)


def board(actor: Actor, unit: Unit, *, on: date | None = None) -> Board:
    """Counts for the unit's own rolls and each child's subtree, with the subtree's total: two queries (the
    children; the grouped counts), whatever the number of members or units."""
    require_view(actor, unit)
    children = list(subtree_units([unit.path]).filter(depth=unit.depth + 1).order_by("sort_key", "pk"))
    found = problems()
    length = len(children[0].path) if children else len(unit.path) + 1
    # "complete" is counted as the total less those with any problem: a negated condition on a NULL date would
    # count neither way.
    aggregates = {"n": Count("pk"), "any": Count("pk", filter=reduce(or_, (p.q() for p in found)))}
    aggregates.update({f"p_{p.key}": Count("pk", filter=p.q()) for p in found})
    grouped = (_annotated(_on_rolls(unit, own=False)).annotate(prefix=Substr("unit__path", 1, length))
               .values("prefix").order_by().annotate(**aggregates))
    by_prefix = {row["prefix"]: row for row in grouped}

    def row_for(target: Unit, prefix: str, own: bool) -> Row:
        data = by_prefix.get(prefix) or {}
        return Row(unit=target, own=own, total=data.get("n", 0), complete=data.get("n", 0) - data.get("any", 0),
                   counts={p.key: data.get(f"p_{p.key}", 0) for p in found})

    own = row_for(unit, unit.path, True)
    below = [row_for(child, child.path, False) for child in children]
    every = [own, *below]
    total = Row(unit=unit, own=False, total=sum(r.total for r in every), complete=sum(r.complete for r in every),
                counts={p.key: sum(r.counts[p.key] for r in every) for p in found})
    rows = ([own] if own.total else []) + [r for r in below if r.total or r.unit.is_open]
    return Board(unit=unit, rows=rows, total=total, problems=found)


def problem_members(actor: Actor, unit: Unit, key: str, *, own: bool = False) -> QuerySet[Member]:
    """The members on the rolls of the unit's subtree (its own rolls only with ``own``) who have the problem."""
    require_view(actor, unit)
    problem = problem_get(key)
    return _annotated(_on_rolls(unit, own=own)).filter(problem.q()).select_related("unit").order_by("name_sort", "pk")


def share_chart(result: Board) -> str:
    """Stacked columns per row: complete records and records with at least one problem (core.charts)."""
    columns = [(r.unit.code or r.unit.name[:10], {"complete": r.complete, "incomplete": r.total - r.complete})
               for r in result.rows]
    return stacked_columns_svg(columns, [("complete", gettext("Đầy đủ, không mâu thuẫn"), PALETTE[2]),
                                         ("incomplete", gettext("Thiếu hoặc mâu thuẫn"), PALETTE[1])],
                               aria=gettext("Tỷ lệ hồ sơ đầy đủ theo tổ chức"))
