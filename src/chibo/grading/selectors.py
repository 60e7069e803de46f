"""Reads of grading through the actor's scope: staff see the periods and reviews of their subtree
(``grading.view``), a member their own reviews. The boards, summaries and charts count in the database, grouped
by unit; a unit's row covers its whole subtree."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import PATH_STEP, Actor, subtree_q
from chibo.grading.compute import Conditions, Outcome, grade_for
from chibo.grading.enums import GRADE_ORDER, Grade, PeriodKind, ReviewState, UnitReviewState
from chibo.grading.models import Decision, Period, Review, UnitReview
from chibo.grading.rules import bands_on
from chibo.units.selectors import units_by_id, units_by_path

if TYPE_CHECKING:
    from chibo.units.models import Unit


def _scope(actor: Actor, field_name: str) -> Q:
    roots = actor.paths_for("grading.view")
    return subtree_q(roots, field_name) if roots else Q(pk__in=[])


def reviews_visible(actor: Actor) -> QuerySet[Review]:
    q = _scope(actor, "unit__path")
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Review.objects.filter(q)


def unit_reviews_visible(actor: Actor) -> QuerySet[UnitReview]:
    return UnitReview.objects.filter(_scope(actor, "unit__path"))


def periods_visible(actor: Actor) -> QuerySet[Period]:
    """Periods opened in the actor's subtree, and those holding a review in it (a cell's committee sees the period
    its upper committee opened). A member without a role reaches their own review, not the period's boards."""
    q = _scope(actor, "unit__path")
    q |= Q(pk__in=Review.objects.filter(_scope(actor, "unit__path")).values("period_id"))
    return Period.objects.filter(q).select_related("unit")


def period_get(actor: Actor, pk: int | str) -> Period:
    try:
        return periods_visible(actor).get(pk=pk)
    except (Period.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy kỳ kiểm điểm")) from exc


def review_get(actor: Actor, pk: int | str) -> Review:
    try:
        return (reviews_visible(actor).select_related("period", "period__unit", "member", "unit", "unit__parent",
                                                      "meeting").get(pk=pk))
    except (Review.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy bản kiểm điểm")) from exc


def unit_review_get(actor: Actor, pk: int | str) -> UnitReview:
    try:
        return unit_reviews_visible(actor).select_related("period", "unit", "unit__parent").get(pk=pk)
    except (UnitReview.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy bản kiểm điểm của tổ chức")) from exc


def my_reviews(actor: Actor) -> QuerySet[Review]:
    if not actor.member_id:
        return Review.objects.none()
    return Review.objects.filter(member_id=actor.member_id).select_related("period", "unit").order_by("-period__year",
                                                                                                        "-pk")


def member_grades(member_id: int) -> QuerySet[Decision]:
    """Every decision on the member's reviews, latest first (their record's history)."""
    return (Decision.objects.filter(review__member_id=member_id).select_related("review__period")
            .order_by("-decided_on", "-pk"))


def decisions_of(review: Review | UnitReview) -> QuerySet[Decision]:
    return review.decisions.order_by("decided_on", "pk")


def computed_grade(review: Review) -> Outcome | None:
    """The grade the review's latest score and conditions give (None before there are any), with why each higher
    grade is out of reach: shown beside the cell's and the committee's forms."""
    score = review.current_score
    if score is None or review.all_on_time is None:
        return None
    c = Conditions(all_on_time=review.all_on_time, exceeded_share=Fraction(review.exceeded_percent or 0, 100),
                   disciplined=review.disciplined)
    return grade_for(score, c, bands_on(review.period.rules_on))


@dataclass(frozen=True)
class MembersInput:
    """What an organization's members' results bring to its own grade."""

    reviewed: int
    decided: int
    excellent: int
    disciplined: int

    @property
    def excellent_percent(self) -> str:
        return f"{100 * self.excellent / self.decided:.1f}".replace(".", ",") if self.decided else "—"


def members_input(unit_review: UnitReview) -> MembersInput:
    """The results of the members below an organization in the period (one query)."""
    rows = (Review.objects.filter(subtree_q([unit_review.unit.path], "unit__path"), period_id=unit_review.period_id)
            .order_by().values_list("state", "grade", "disciplined"))
    reviewed = decided = excellent = disciplined = 0
    for state, grade, was_disciplined in rows:
        reviewed += 1
        decided += state == ReviewState.DECIDED
        excellent += grade == Grade.EXCELLENT
        disciplined += bool(was_disciplined)
    return MembersInput(reviewed, decided, excellent, disciplined)


def period_reviews(actor: Actor, period: Period, *, unit: Unit | None = None, state: str = "") -> QuerySet[Review]:
    qs = reviews_visible(actor).filter(period=period).select_related("member", "unit", "unit__parent", "period")
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "unit__path"))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("unit__path", "member__name_sort", "pk")


def period_unit_reviews(actor: Actor, period: Period) -> QuerySet[UnitReview]:
    return (unit_reviews_visible(actor).filter(period=period).select_related("unit", "unit__parent", "period")
            .prefetch_related("decisions").order_by("unit__path"))


# --------------------------------------------------------------------------------------------------
# Boards and summaries
# --------------------------------------------------------------------------------------------------

@dataclass
class BoardRow:
    unit: Unit
    counts: dict[str, int]
    total: int
    late: list[str] = field(default_factory=list)  # the steps past their deadline with reviews still before them

    @property
    def cells(self) -> list[tuple[str, str, int]]:
        """(state, its label, how many) in the lifecycle's order: the board's columns."""
        return [(s, str(label), self.counts.get(s, 0)) for s, label in ReviewState.choices]


def board(actor: Actor, period: Period) -> list[BoardRow]:
    """Per cell in the actor's scope: how many reviews stand at each step, and which step deadlines are missed
    (self-assessments not in after ``self_due``, votes not taken after ``cell_due``, decisions after
    ``decide_due``)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, state, n in (reviews_visible(actor).filter(period=period).order_by()
                              .values_list("unit_id", "state").annotate(n=Count("pk"))):
        counts[unit_id][state] += n
    units = units_by_id(counts)
    today = clock.today()
    rows = []
    for unit_id, c in sorted(counts.items(), key=lambda kv: units[kv[0]].path):
        late = []
        if today > period.self_due and c[ReviewState.PENDING]:
            late.append("self")
        if today > period.cell_due and c[ReviewState.PENDING] + c[ReviewState.SUBMITTED]:
            late.append("cell")
        if today > period.decide_due and sum(c.values()) - c[ReviewState.DECIDED]:
            late.append("decide")
        rows.append(BoardRow(units[unit_id], {s: c[s] for s in ReviewState.values}, sum(c.values()), late))
    return rows


@dataclass
class SummaryRow:
    unit: Unit
    own: bool                      # the level's own row (its members directly, not its subtree)
    members: dict[str, int]        # grade → members decided
    members_total: int
    units: dict[str, int]          # grade → organizations decided
    units_total: int

    @property
    def undecided(self) -> int:
        return self.members_total - sum(self.members.values())

    @property
    def grade_cells(self) -> list[tuple[str, str, int]]:
        """(grade, its label, members decided with it) in grade order, 0 where none: the summary's columns."""
        return [(g, str(Grade(g).label), self.members.get(g, 0)) for g in GRADE_ORDER]


def _tally(qs: QuerySet, period: Period, level: Unit) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """Reviews of ``qs`` in the level's subtree, counted for the level as a whole and for each child subtree:
    ({path: grade → decided}, {path: reviewed})."""
    step = len(level.path) + PATH_STEP
    graded: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    rows = (qs.filter(subtree_q([level.path], "unit__path"), period=period).order_by()
            .values_list("unit__path", "grade").annotate(n=Count("pk")))
    for path, grade, n in rows:
        for key in (level.path, path[:step] if len(path) >= step else level.path):
            totals[key] += n
            if grade:
                graded[key][grade] += n
    return graded, totals


def summary(actor: Actor, period: Period, level: Unit) -> list[SummaryRow]:
    """The official summary of a level: a first row for the level as a whole, then one row per child subtree;
    members and organizations by grade (decided), and the members not yet decided."""
    members, totals = _tally(reviews_visible(actor), period, level)
    orgs, org_totals = _tally(unit_reviews_visible(actor), period, level)
    children = sorted(k for k in set(totals) | set(org_totals) if k != level.path)
    units = units_by_path([level.path, *children])
    rows = [SummaryRow(units[level.path], True, dict(members[level.path]), totals[level.path],
                       dict(orgs[level.path]), org_totals[level.path])]
    rows += [SummaryRow(units[k], False, dict(members[k]), totals[k], dict(orgs[k]), org_totals[k])
             for k in children if k in units]
    return rows


def years(actor: Actor, level: Unit, *, last: int = 5) -> list[tuple[int, dict[str, int]]]:
    """Members' grades decided in the yearly periods of the level's subtree, per year (the last ``last``
    years that have any): the year-over-year chart."""
    reviews = (reviews_visible(actor).filter(subtree_q([level.path], "unit__path"), period__kind=PeriodKind.YEAR)
               .exclude(grade=""))
    by_year: dict[int, dict[str, int]] = defaultdict(dict)
    for year, grade, n in reviews.order_by().values_list("period__year", "grade").annotate(n=Count("pk")):
        by_year[year][grade] = n
    return sorted(by_year.items())[-last:]


def unit_review_counts(actor: Actor, period: Period) -> dict[str, int]:
    c = Counter(unit_reviews_visible(actor).filter(period=period).values_list("state", flat=True))
    return {s: c[s] for s in UnitReviewState.values}


# --------------------------------------------------------------------------------------------------
# What waits for the actor (the home page's work list)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    period: Period
    step: str         # "self" | "cell_vote" | "decide"
    count: int


def waiting_for(actor: Actor) -> list[Waiting]:
    """Open periods' reviews waiting for a step the actor takes: their own self-assessment; the cell's vote
    where they hold ``grading.cell``; the appraisal and decision where they hold ``grading.decide``."""
    out: list[Waiting] = []
    if actor.member_id:
        mine = (Review.objects.filter(member_id=actor.member_id, state=ReviewState.PENDING, period__state="open")
                .select_related("period"))
        out += [Waiting(r.period, "self", 1) for r in mine]
    below = ("subordinate_cell", "delegation_cell")  # decided by the committee above them (grading.lifecycle)
    for perm, states, step in (("grading.cell", [ReviewState.SUBMITTED], "cell_vote"),
                               ("grading.decide", [ReviewState.CELL_VOTED, ReviewState.APPRAISED], "decide")):
        roots = actor.paths_for(perm)
        if not roots:
            continue
        scope = subtree_q(roots, "unit__path")
        if step == "decide":  # only the reviews whose deciding committee lies in the actor's scope
            scope = ((subtree_q(roots, "unit__parent__path") & Q(unit__kind__in=below))
                     | (scope & ~Q(unit__kind__in=below)))
        rows = (Review.objects.filter(scope, state__in=states, period__state="open")
                .order_by().values_list("period_id").annotate(n=Count("pk")))
        periods = Period.objects.in_bulk([pk for pk, _n in rows])
        out += [Waiting(periods[pk], step, n) for pk, n in rows]
    return out


def grades_per_year(actor: Actor, level: Unit, first: int, last: int) -> dict[int, dict[str, int]]:
    """Members' grades decided in the yearly periods of the level's subtree, per year from ``first`` to ``last``
    (grade → members): one grouped query; 404 when the level is outside the actor's grading scope."""
    if not actor.can("grading.view", level):
        raise Http404(_("Không tìm thấy tổ chức"))
    reviews = (reviews_visible(actor).filter(subtree_q([level.path], "unit__path"), period__kind=PeriodKind.YEAR,
                                             period__year__gte=first, period__year__lte=last).exclude(grade=""))
    out: dict[int, dict[str, int]] = {year: {} for year in range(first, last + 1)}
    for year, grade, n in reviews.order_by().values_list("period__year", "grade").annotate(n=Count("pk")):
        out[year][grade] = n
    return out


def grades_decided(actor: Actor, level: Unit, first: date, last: date) -> dict[str, int]:
    """Members of the level's subtree whose grade was decided, or corrected, from ``first`` to ``last`` (a report's
    period), by the grade they hold now (grade → members); within the actor's grading scope, one grouped query."""
    reviews = (reviews_visible(actor).filter(subtree_q([level.path], "unit__path"),
                                             decisions__decided_on__range=(first, last)).exclude(grade=""))
    return dict(reviews.order_by().values_list("grade").annotate(n=Count("pk", distinct=True)))
