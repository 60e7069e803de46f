"""Reads of admission cases through the actor's scope; an applicant sees only their own dossier."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from chibo.admission.models import EXITS, PIPELINE, AdmissionCase, Applicant, Stage, Vote
from chibo.core import clock
from chibo.core.access import Actor, subtree_q
from chibo.deadlines.kinds import KINDS
from chibo.deadlines.models import OPEN_STATES, Deadline


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


def case_get(actor: Actor, pk) -> AdmissionCase:
    case = cases_visible(actor).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def next_deadlines(cases: list[AdmissionCase]) -> dict[int, Deadline]:
    """The earliest open deadline of each case (its own, or the member's confirmation deadline)."""
    sources = {f"admission:{c.pk}": c.pk for c in cases}
    members = {f"member:{c.member_id}": c.pk for c in cases if c.member_id}
    out: dict[int, Deadline] = {}
    rows = Deadline.objects.filter(state__in=OPEN_STATES, source__in=[*sources, *members]).order_by("due_date")
    for d in rows:
        pk = sources.get(d.source) or members.get(d.source)
        if pk is not None and pk not in out:
            d.days_left = (d.due_date - clock.today()).days
            d.days_late = -d.days_left
            d.kind_label = KINDS[d.kind].label if d.kind in KINDS else d.kind
            out[pk] = d
    return out


@dataclass
class Column:
    stage: str
    label: str
    cases: list


def board(actor: Actor, unit=None) -> list[Column]:
    qs = cases_visible(actor)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "unit__path"))
    cases = list(qs.exclude(stage__in=[Stage.FULL, *EXITS[:3]]).order_by("stage_since", "pk")[:500])
    deadlines = next_deadlines(cases)
    by_stage: dict[str, list] = defaultdict(list)
    for case in cases:
        case.next_deadline = deadlines.get(case.pk)
        by_stage[case.stage].append(case)
    stages = [s for s in PIPELINE if s != Stage.FULL] + [Stage.ESCALATED]
    return [Column(s, Stage(s).label, by_stage.get(s, [])) for s in stages]


def board_by_unit(actor: Actor, unit=None) -> list[dict]:
    """The upper committee's view over the tree: open cases per unit and stage, and how many are late."""
    qs = cases_visible(actor).filter(stage__in=[s for s in PIPELINE if s != Stage.FULL] + [Stage.ESCALATED])
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "unit__path"))
    rows: dict[int, dict] = {}
    for unit_id, name, stage in qs.values_list("unit_id", "unit__name", "stage").order_by("unit__path"):
        row = rows.setdefault(unit_id, {"unit_id": unit_id, "name": name, "total": 0, "stages": Counter()})
        row["total"] += 1
        row["stages"][stage] += 1
    for row in rows.values():
        row["summary"] = ", ".join(f"{Stage(s).label}: {n}" for s, n in row["stages"].items())
    return list(rows.values())


@dataclass
class Stats:
    years: list[int]
    admitted: dict[int, int]
    confirmed: dict[int, int]
    per_unit: list[tuple[str, int, int]]
    per_category: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    stage_days: list[tuple[str, float]]


def statistics(actor: Actor, unit=None) -> Stats:
    qs = cases_visible(actor)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], "unit__path"))
    rows = list(qs.values("unit__name", "stage", "member__category", "ceremony_on", "confirmed_on", "course_on", "application_on",
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
    from chibo.members.models import Category

    categories = Counter(r["member__category"] for r in rows if r["ceremony_on"] and r["member__category"])
    spans = [("Ghi nhận → lớp bồi dưỡng", "applicant__recorded_on", "course_on"),
             ("Lớp bồi dưỡng → chi bộ xét", "course_on", "cell_vote_on"),
             ("Chi bộ xét → quyết định", "cell_vote_on", "decision_on"),
             ("Quyết định → lễ kết nạp", "decision_on", "ceremony_on")]
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
    """What the applicant is expected to do next, in plain words."""
    if case is None:
        return "Chi bộ chưa mở hồ sơ kết nạp."
    return {
        Stage.RECORDED: "Tham gia lớp bồi dưỡng nhận thức về Đảng và nộp giấy chứng nhận cho chi bộ.",
        Stage.COURSE: "Viết đơn xin vào Đảng (mẫu 1-KNĐ) và lý lịch (mẫu 2-KNĐ), nộp cho chi bộ.",
        Stage.APPLICATION: "Chi bộ phân công đảng viên chính thức giới thiệu bạn; bạn không cần làm gì thêm.",
        Stage.INTRODUCERS: "Chi bộ xin nhận xét của đoàn thể và nơi cư trú; bạn không cần làm gì thêm.",
        Stage.COMMENTS: "Cấp ủy đang thẩm tra lý lịch.",
        Stage.VERIFIED: "Chi bộ sẽ họp xét đề nghị kết nạp.",
        Stage.CELL_VOTED: "Chi bộ đã đề nghị kết nạp; chờ cấp ủy cấp trên xem xét, quyết định.",
        Stage.COMMITTEE_VOTED: "Cấp ủy đã đồng ý; chờ quyết định kết nạp.",
        Stage.DECIDED: "Đã có quyết định kết nạp; chi bộ sẽ báo ngày tổ chức lễ kết nạp.",
        Stage.PROBATION: "Trong thời kỳ dự bị: học lớp bồi dưỡng đảng viên mới; khi hết 12 tháng viết bản tự kiểm điểm (mẫu 10-KNĐ).",
        Stage.FULL: "Bạn đã là đảng viên chính thức.",
        Stage.ESCALATED: "Hồ sơ đã chuyển cấp ủy cấp trên xem xét.",
    }.get(case.stage, "Hồ sơ đã kết thúc.")


def today() -> date:
    return clock.today()
