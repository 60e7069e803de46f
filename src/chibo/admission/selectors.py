"""Reads of admission cases through the actor's scope; an applicant sees only their own dossier."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import ExtractYear, RowNumber, Substr
from django.http import Http404
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from chibo.admission.models import EXITS, OPEN_STAGES, PIPELINE, AdmissionCase, Applicant, Stage, Vote
from chibo.core import clock
from chibo.core.access import PATH_STEP, Actor, subtree_q
from chibo.deadlines.kinds import KINDS
from chibo.deadlines.selectors import open_deadlines_of_sources
from chibo.members.enums import Category
from chibo.units.selectors import units_by_path

if TYPE_CHECKING:
    from chibo.deadlines.models import Deadline
    from chibo.units.models import Unit


def my_dossier(actor: Actor) -> Applicant:
    if not actor.applicant_id:
        raise Http404
    return Applicant.objects.select_related("unit").get(pk=actor.applicant_id)


def my_case(actor: Actor) -> AdmissionCase | None:
    if not actor.applicant_id:
        raise Http404
    return AdmissionCase.objects.select_related("unit", "applicant").filter(applicant_id=actor.applicant_id).first()


def cases_visible(actor: Actor) -> QuerySet[AdmissionCase]:
    roots = actor.paths_for("admission.view")
    return (AdmissionCase.objects.filter(subtree_q(roots, "unit__path"))
            .select_related("unit", "applicant", "deciding_unit", "member", "helper", "introducer1", "introducer2"))


def case_get(actor: Actor, pk: int | str) -> AdmissionCase:
    case = cases_visible(actor).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def next_deadlines(cases: Sequence[AdmissionCase]) -> dict[int, Deadline]:
    """The earliest open deadline of each case (its own, or the member's confirmation deadline)."""
    sources = {f"admission:{c.pk}": c.pk for c in cases}
    members = {f"member:{c.member_id}": c.pk for c in cases if c.member_id}
    out: dict[int, Deadline] = {}
    rows = open_deadlines_of_sources([*sources, *members])
    for d in rows:
        pk = sources.get(d.source) or members.get(d.source)
        if pk is not None and pk not in out:
            days_left = (d.due_date - clock.today()).days
            d.days_left, d.days_late = days_left, -days_left
            d.kind_label = KINDS[d.kind].label if d.kind in KINDS else d.kind
            out[pk] = d
    return out


BOARD_CASES_PER_STAGE = 25  # the longest-waiting cases of each column; the count is the whole column's
BOARD_UNIT_ROWS = 50        # per page of the per-unit table


@dataclass
class Column:
    stage: str
    label: str
    cases: list
    count: int


def board(actor: Actor, unit: Unit | None = None) -> list[Column]:
    """The pipeline: per open stage, its number of cases and the BOARD_CASES_PER_STAGE waiting longest.
    Three queries, whatever the size of the tree."""
    qs = cases_visible(actor).filter(stage__in=OPEN_STAGES)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "unit__path"))
    counts = dict(qs.values_list("stage").annotate(n=Count("pk")).order_by())
    rank = Window(RowNumber(), partition_by=[F("stage")], order_by=[F("stage_since").asc(), F("pk").asc()])
    cases = list(qs.annotate(rank=rank).filter(rank__lte=BOARD_CASES_PER_STAGE).order_by("stage_since", "pk"))
    deadlines = next_deadlines(cases)
    shown: dict[str, list] = defaultdict(list)
    for case in cases:
        case.next_deadline = deadlines.get(case.pk)
        shown[case.stage].append(case)
    return [Column(s, Stage(s).label, shown[s], counts.get(s, 0)) for s in OPEN_STAGES]


@dataclass
class UnitRows:
    """The open cases of one level of the tree: a row per unit with its subtree's count per stage."""
    focus: Unit | None
    own: dict | None         # cases of the focus unit itself
    up: int | None           # the focus's parent, when the actor may look there (None: the top)
    page: Page               # of dicts: unit, total, summary


def board_by_unit(actor: Actor, unit: Unit | None = None, page: str | int | None = None) -> UnitRows:
    """The upper committee's view over the tree, one level at a time: the children of ``unit`` (or of the
    actor's scope root; the scope roots when there are several), each with its subtree's open cases per
    stage, BOARD_UNIT_ROWS rows a page, busiest first. Three queries, whatever the size of the tree."""
    roots = actor.paths_for("admission.view")
    whole = any(len(root) == PATH_STEP for root in roots)
    qs = AdmissionCase.objects.filter(subtree_q(roots, "unit__path"), stage__in=OPEN_STAGES)
    level = unit.path if unit is not None else (roots[0] if whole or len(roots) == 1 else None)
    if level is not None:
        grouped = qs.filter(subtree_q([level], "unit__path")).annotate(
            key=Substr("unit__path", 1, len(level) + PATH_STEP))
    elif roots:
        grouped = qs.annotate(key=Case(*[When(subtree_q([root], "unit__path"), then=Value(root)) for root in roots],
                                       output_field=CharField()))
    else:
        grouped = qs.none().annotate(key=Value("", output_field=CharField()))
    rows: dict[str, Counter] = defaultdict(Counter)
    for key, stage, n in grouped.values_list("key", "stage").annotate(n=Count("pk")).order_by():
        rows[key][stage] += n
    own = rows.pop(level, None) if level is not None else None
    ordered = sorted(rows.items(), key=lambda item: (-item[1].total(), item[0]))
    unit_page: Page[Any] = Paginator(ordered, BOARD_UNIT_ROWS).get_page(page)  # its rows become dicts below
    units = units_by_path(key for key, _ in unit_page)
    unit_page.object_list = [{"unit": units[key], "total": stages.total(), "summary": _summary(stages)}
                             for key, stages in unit_page if key in units]
    up = None
    if unit is not None and unit.parent_id:
        parent_path = unit.path[:-PATH_STEP]
        if any(parent_path.startswith(root) for root in roots) and not (whole and len(parent_path) == PATH_STEP):
            up = unit.parent_id
    return UnitRows(focus=unit, own={"total": own.total(), "summary": _summary(own)} if own else None,
                    up=up, page=unit_page)


def _summary(stages: Counter) -> str:
    """The cases of a unit by stage, the stages in the reader's language ("Đã nộp đơn: 2, …")."""
    return ", ".join(f"{gettext(Stage(s).label)}: {stages[s]}" for s in OPEN_STAGES if stages[s])


@dataclass
class Stats:
    years: list[int]
    admitted: dict[int, int]
    confirmed: dict[int, int]
    per_unit: list[tuple[str, int, int]]
    per_category: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    stage_days: list[tuple[str, float]]


def statistics(actor: Actor, unit: Unit | None = None) -> Stats:
    qs = cases_visible(actor)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "unit__path"))
    rows: list[Mapping[str, Any]] = list(qs.values("unit__name", "stage", "member__category", "ceremony_on",
                                                   "confirmed_on", "course_on", "application_on",
                                                   "cell_vote_on", "decision_on", "applicant__recorded_on"))
    admitted = Counter(r["ceremony_on"].year for r in rows if r["ceremony_on"])
    confirmed = Counter(r["confirmed_on"].year for r in rows if r["confirmed_on"])
    this_year = clock.today().year
    years = sorted(set(admitted) | set(confirmed) | {this_year})
    years = list(range(min(years), this_year + 1))[-6:]
    units: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r["ceremony_on"]:
            units[r["unit__name"]][0] += 1
        if r["confirmed_on"]:
            units[r["unit__name"]][1] += 1
    outcomes = Counter(r["stage"] for r in rows)
    categories = Counter(r["member__category"] for r in rows if r["ceremony_on"] and r["member__category"])
    spans = [(gettext_noop("Ghi nhận → lớp bồi dưỡng"), "applicant__recorded_on", "course_on"),
             (gettext_noop("Lớp bồi dưỡng → chi bộ xét"), "course_on", "cell_vote_on"),
             (gettext_noop("Chi bộ xét → quyết định"), "cell_vote_on", "decision_on"),
             (gettext_noop("Quyết định → lễ kết nạp"), "decision_on", "ceremony_on")]
    stage_days = []
    for label, a, b in spans:
        d = [(r[b] - r[a]).days for r in rows if r[a] and r[b]]
        stage_days.append((label, round(sum(d) / len(d), 1) if d else 0.0))
    return Stats(years=years, admitted={y: admitted.get(y, 0) for y in years},
                 confirmed={y: confirmed.get(y, 0) for y in years},
                 per_category=[(str(Category(c).label), n) for c, n in categories.most_common()],
                 per_unit=sorted(((n, a, c) for n, (a, c) in units.items()), key=lambda t: -t[1])[:30],
                 outcomes=[(Stage(s).label, outcomes.get(s, 0)) for s in [*PIPELINE, *EXITS] if outcomes.get(s)],
                 stage_days=stage_days)


def case_votes(case: AdmissionCase) -> list[Vote]:
    return list(case.votes.select_related("unit").order_by("held_on", "pk"))


def expected_of_applicant(case: AdmissionCase | None) -> str:
    """What the applicant is expected to do next, in plain words (the reader's language)."""
    if case is None:
        return _("Chi bộ chưa mở hồ sơ kết nạp.")
    expected: dict[str, str] = {
        Stage.RECORDED: _("Tham gia lớp bồi dưỡng nhận thức về Đảng và nộp giấy chứng nhận cho chi bộ."),
        Stage.COURSE: _("Viết đơn xin vào Đảng (mẫu 1-KNĐ) và lý lịch (mẫu 2-KNĐ), nộp cho chi bộ."),
        Stage.APPLICATION: _("Chi bộ phân công đảng viên chính thức giới thiệu bạn; bạn không cần làm gì thêm."),
        Stage.INTRODUCERS: _("Chi bộ xin nhận xét của đoàn thể và nơi cư trú; bạn không cần làm gì thêm."),
        Stage.COMMENTS: _("Cấp ủy đang thẩm tra lý lịch."),
        Stage.VERIFIED: _("Chi bộ sẽ họp xét đề nghị kết nạp."),
        Stage.CELL_VOTED: _("Chi bộ đã đề nghị kết nạp; chờ cấp ủy cấp trên xem xét, quyết định."),
        Stage.COMMITTEE_VOTED: _("Cấp ủy đã đồng ý; chờ quyết định kết nạp."),
        Stage.DECIDED: _("Đã có quyết định kết nạp; chi bộ sẽ báo ngày tổ chức lễ kết nạp."),
        Stage.PROBATION: _("Trong thời kỳ dự bị: học lớp bồi dưỡng đảng viên mới; khi hết 12 tháng viết bản "
                            "tự kiểm điểm (mẫu 10-KNĐ)."),
        Stage.FULL: _("Bạn đã là đảng viên chính thức."),
        Stage.ESCALATED: _("Hồ sơ đã chuyển cấp ủy cấp trên xem xét."),
    }
    return expected.get(case.stage, _("Hồ sơ đã kết thúc."))


def today() -> date:
    return clock.today()


NOT_ADMITTED = (Stage.WITHDRAWN, Stage.REJECTED)


def cases_not_admitted() -> QuerySet[AdmissionCase]:
    """Cases closed without an admission (withdrawn, or not proposed): privacy reads them for the applicants whose
    retention period runs from ``stage_since``."""
    return (AdmissionCase.objects.filter(stage__in=NOT_ADMITTED).select_related("applicant", "unit")
            .order_by("stage_since", "pk"))


def case_of_applicant(applicant_id: int) -> AdmissionCase | None:
    return AdmissionCase.objects.filter(applicant_id=applicant_id).select_related("applicant", "unit").first()


def applicant_of_member(member_id: int) -> Applicant | None:
    """The applicant record a member was admitted from (their admission case), if the case is in chibo."""
    case = AdmissionCase.objects.filter(member_id=member_id).select_related("applicant").first()
    return case.applicant if case is not None else None


def case_ceremony_before_decision_q() -> Q:
    """Members (a Q on the members' rows) whose admission case holds a ceremony before its decision: the data
    quality board (members.quality, registered in the app's ready)."""
    return Q(Exists(AdmissionCase.objects.filter(member=OuterRef("pk"), ceremony_on__lt=F("decision_on"))))


def case_probation_end_before_start_q() -> Q:
    """Members whose admission case ends probation before the ceremony that starts it (the quality board)."""
    return Q(Exists(AdmissionCase.objects.filter(member=OuterRef("pk"), probation_end__lt=F("ceremony_on"))))


def admitted_by_year(actor: Actor, *, years: int = 6) -> list[tuple[int, dict[str, int]]]:
    """New members admitted (the ceremony held) in the actor's scope in each of the last ``years`` calendar years,
    by the category of the new member ("" when not known): the trend the dashboard draws. Counted in the database
    (one grouped query); the same yearly totals as ``statistics``."""
    last = clock.today().year
    first = last - years + 1
    rows = (AdmissionCase.objects.filter(subtree_q(actor.paths_for("admission.view"), "unit__path"),
                                         ceremony_on__gte=date(first, 1, 1), ceremony_on__lte=date(last, 12, 31))
            .annotate(year=ExtractYear("ceremony_on")).values("year", "member__category")
            .annotate(n=Count("pk")).order_by())
    out: dict[int, dict[str, int]] = {year: {} for year in range(first, last + 1)}
    for row in rows:
        counts = out[row["year"]]
        key = row["member__category"] or ""
        counts[key] = counts.get(key, 0) + row["n"]
    return list(out.items())


def admitted_per_year(actor: Actor, unit: Unit, first: int, last: int) -> dict[int, int]:
    """New members admitted (the ceremony held) in ``unit``'s subtree in each year from ``first`` to ``last``: one
    grouped query; 404 when the unit is outside the actor's admission scope."""
    if not actor.can("admission.view", unit):
        raise Http404(_("Không tìm thấy tổ chức"))
    rows = (AdmissionCase.objects.filter(subtree_q([unit.path], "unit__path"), ceremony_on__gte=date(first, 1, 1),
                                         ceremony_on__lte=date(last, 12, 31))
            .annotate(year=ExtractYear("ceremony_on")).values("year").annotate(n=Count("pk")).order_by())
    out = dict.fromkeys(range(first, last + 1), 0)
    for row in rows:
        out[row["year"]] = row["n"]
    return out
