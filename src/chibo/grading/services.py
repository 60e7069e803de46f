"""Writes of grading (docs/domain.md §7): opening a period, each step of a member's and an organization's
review, reminders, the lock. Every step locks its row, checks the declaration (``grading.lifecycle``), checks the
input against the rulebook (criteria ranges, the total, the grade against score and conditions, the vote against
the meeting's headcount), then writes the row, the timeline, the audit row and any notice in one transaction. A
refused step writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.selectors import users_of_members
from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.rulebook import integer, ratio_needed, rule, rule_name
from chibo.core.said import said
from chibo.core.text import clean, clean_lines
from chibo.discipline.selectors import disciplined_in
from chibo.grading import timeline_events as ev
from chibo.grading.compute import Conditions, contradiction, grade_for
from chibo.grading.enums import MEMBER_FORMS, Form, Grade, PeriodKind, PeriodState, ReviewState, UnitReviewState
from chibo.grading.lifecycle import PERIOD, REVIEW, UNIT_REVIEW, deciding
from chibo.grading.models import Decision, Period, Review, UnitReview
from chibo.grading.rules import bands_on, criteria_for, criteria_problem, excellent_cap
from chibo.grading.selectors import members_input
from chibo.meetings.minutes import held_day
from chibo.meetings.selectors import vote_room
from chibo.members import timeline
from chibo.members.enums import Category, Status
from chibo.members.selectors import member_ids_holding_posts, members_on_rolls
from chibo.notifications.services import notify
from chibo.units.enums import UnitKind
from chibo.units.selectors import subtree_units

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

# Who is reviewed: members on the rolls except those exempted from party work (miễn công tác và sinh hoạt).
REVIEWED_STATUSES = (Status.PROBATIONARY, Status.FULL, Status.SUSPENDED)
# Who fills form 2C: members studying, labouring or living abroad outside the state's bodies.
FORM_2C = (Category.STATE_STUDENT, Category.SELF_STUDENT, Category.LABOURER, Category.RESIDENT, Category.SPOUSE)
# Organizations graded in a period (party groups and temporary delegation cells are not).
GRADED_KINDS = (UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL, UnitKind.SUBORDINATE_CELL)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------------------------------
# The period
# --------------------------------------------------------------------------------------------------

def form_for(member: Member, leaders: set[int]) -> str:
    if member.category in FORM_2C:
        return Form.F2C
    return Form.F2B if member.pk in leaders else Form.F2A


def period_bounds(kind: str, year: int, quarter: int | None) -> tuple[date, date]:
    if kind == PeriodKind.QUARTER:
        if quarter is None:
            raise ValidationError({"quarter": _("Kỳ theo quý: chọn quý 1 đến 4.")})
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(days=1)
        return first, last
    return date(year, 1, 1), date(year, 12, 31)


def _title(kind: str, year: int, quarter: int | None, unit: Unit) -> str:
    if kind == PeriodKind.QUARTER:
        when = f"quý {quarter}/{year}"
    else:
        when = f"năm {year}" if kind == PeriodKind.YEAR else f"nhiệm kỳ (đến năm {year})"
    return f"Kiểm điểm, xếp loại {when} · {unit.name}"


def _cell_of(unit: Unit) -> Unit:
    """Where a member is reviewed: their cell (a party group's members in the cell above it)."""
    return unit.parent if unit.kind == UnitKind.PARTY_GROUP and unit.parent is not None else unit


def period_open(*, actor: Actor, unit: Unit, kind: str, year: int, quarter: int | None = None, title: str = "",
                self_due: date | None = None, cell_due: date | None = None,
                decide_due: date | None = None) -> Period:
    """Open a review period for ``unit`` and every unit below it: one review per member on the rolls (with the
    form that fits them) and one per organization graded, the step deadlines from the rules unless given."""
    require(actor, "grading.open", unit)
    today = clock.today()
    errors: dict[str, str] = {}
    if kind not in PeriodKind.values:
        errors["kind"] = _("Kỳ kiểm điểm không hợp lệ.")
    if kind != PeriodKind.QUARTER:
        quarter = None
    elif quarter is None or not 1 <= quarter <= 4:
        errors["quarter"] = _("Kỳ theo quý: chọn quý 1 đến 4.")
    if not unit.is_open:
        errors["unit"] = _("Tổ chức đã giải thể.")
    _raise(errors)
    starts_on, ends_on = period_bounds(kind, year, quarter)
    for form in (*MEMBER_FORMS, Form.ORG):  # the criteria of the rules that will judge it (Period.rules_on)
        if problem := criteria_problem(form, min(today, ends_on)):
            errors["kind"] = problem
            break
    days = {name: integer(rule(f"grading.{name}_within", on=today)) for name in ("self", "cell", "decide")}
    self_due = self_due or today + timedelta(days=days["self"])
    cell_due = cell_due or today + timedelta(days=days["cell"])
    decide_due = decide_due or today + timedelta(days=days["decide"])
    if self_due < today:
        errors["self_due"] = _("Hạn không thể ở quá khứ.")
    if cell_due < self_due:
        errors["cell_due"] = _("Hạn chi bộ biểu quyết không thể trước hạn nộp bản tự đánh giá.")
    if decide_due < cell_due:
        errors["decide_due"] = _("Hạn quyết định không thể trước hạn chi bộ biểu quyết.")
    title = clean(title or "")[:200] or _title(kind, year, quarter, unit)
    _raise(errors)
    with transaction.atomic():  # the period and all its reviews, or nothing
        try:
            with transaction.atomic():
                period = Period.objects.create(unit=unit, kind=kind, year=year, quarter=quarter or 0, title=title,
                                               starts_on=starts_on, ends_on=ends_on, self_due=self_due,
                                               cell_due=cell_due, decide_due=decide_due, opened_on=today,
                                               opened_by=actor.label)
        except IntegrityError as exc:
            raise ValidationError({"year": _("Tổ chức này đã mở kỳ kiểm điểm này rồi.")}) from exc
        leaders = set(member_ids_holding_posts().values_list("member_id", flat=True))
        members = list(members_on_rolls(unit).filter(status__in=REVIEWED_STATUSES).select_related("unit__parent"))
        Review.objects.bulk_create([Review(period=period, member=m, unit=_cell_of(m.unit), form=form_for(m, leaders),
                                           state_since=today) for m in members])
        units = subtree_units([unit.path]).filter(kind__in=GRADED_KINDS, closed_on__isnull=True).exclude(pk=unit.pk)
        UnitReview.objects.bulk_create([UnitReview(period=period, unit=u, state_since=today) for u in units])
        audit(actor=actor, action="grading.period_open", obj=period, unit=unit,
              data={"title": title, "members": len(members), "units": len(units), "self_due": self_due,
                    "cell_due": cell_due, "decide_due": decide_due})
    return period


@PERIOD.runs("remind")
@transaction.atomic
def period_remind(*, actor: Actor, period: Period, note: str = "") -> int:
    """Remind every member whose self-assessment is not in yet (in-app and e-mail, through the outbox; one
    reminder per member and day)."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    PERIOD.check(actor, period, "remind")
    pending = period.reviews.filter(state=ReviewState.PENDING).values("member_id")
    users = list(users_of_members(pending))
    due = f"{period.self_due:%d/%m/%Y}"
    body = (said("Hạn nộp: %(due)s. %(note)s", due=due, note=clean(note)[:300]) if note
            else said("Hạn nộp: %(due)s.", due=due))
    for user in users:
        notify(actor=actor, users=[user], kind="grading.remind",
               title=said("Nhắc nộp bản tự đánh giá: %(period)s", period=period.title),
               body=body, url="/grading/mine/", unit=period.unit, ref=f"grading:{period.pk}",
               key=f"grading:{period.pk}:remind:{clock.today():%Y%m%d}")
    audit(actor=actor, action="grading.remind", obj=period, unit=period.unit, data={"users": len(users)})
    return len(users)


@PERIOD.runs("lock")
@transaction.atomic
def period_lock(*, actor: Actor, period: Period) -> Period:
    period = Period.objects.select_for_update().get(pk=period.pk)
    PERIOD.check(actor, period, "lock")
    period.state, period.locked_on = PeriodState.LOCKED, clock.today()
    period.version += 1
    period.save()
    audit(actor=actor, action="grading.period_lock", obj=period, unit=period.unit)
    return period


# --------------------------------------------------------------------------------------------------
# A member's review
# --------------------------------------------------------------------------------------------------

def _lock(review: Review) -> Review:
    return (Review.objects.select_for_update(of=("self",))
            .select_related("period", "member", "unit", "unit__parent").get(pk=review.pk))


def _step(actor: Actor, review: Review, name: str) -> Review:
    review = _lock(review)
    REVIEW.check(actor, review, name)
    return review


def _conditions(all_on_time: bool | None, exceeded_percent: int | None, disciplined: bool = False,
                late_percent: int | None = None) -> Conditions:
    return Conditions(all_on_time=bool(all_on_time), exceeded_share=Fraction(exceeded_percent or 0, 100),
                      disciplined=disciplined, late_share=Fraction(late_percent or 0, 100))


def _check_grade(errors: dict, field: str, grade: str, score: int, c: Conditions, on: date, *,
                 organization: bool = False) -> None:
    if grade not in Grade.values:
        errors[field] = _("Chọn mức xếp loại.")
    elif problem := contradiction(grade, score, c, bands_on(on), organization=organization):
        errors[field] = problem


def _check_conditions(errors: dict, score: int | None, all_on_time: bool | None, exceeded_percent: int | None) -> None:
    if score is None or not 0 <= score <= 100:
        errors["score"] = _("Tổng điểm từ 0 đến 100.")
    if all_on_time is None:
        errors["all_on_time"] = _("Ghi có hoặc không.")
    if exceeded_percent is None or not 0 <= exceeded_percent <= 100:
        errors["exceeded_percent"] = _("Tỷ lệ từ 0 đến 100%.")


def score_points(form: str, points: dict[str, Any], on: date, *, complete: bool) -> tuple[dict[str, int], int,
                                                                                         dict[str, str]]:
    """The points kept (criterion code → points), their total and the errors (per form field): every criterion
    within its range, no unknown one, the total at most 100; all present when ``complete``."""
    criteria = {c.code: c for c in criteria_for(form, on)}
    errors: dict[str, str] = {}
    kept: dict[str, int] = {}
    for code in points:
        if code not in criteria:
            errors["points"] = _("Tiêu chí «%(code)s» không có trong %(form)s.") % {
                "code": str(code)[:40], "form": _(Form(form).label)}
    for code, c in criteria.items():
        value = points.get(code)
        if value is None:
            if complete:
                errors[f"p_{code}"] = _("Nhập điểm.")
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= c.max_points:
            errors[f"p_{code}"] = _("Điểm từ 0 đến %(max_points)s.") % {"max_points": c.max_points}
            continue
        kept[code] = value
    total = sum(kept.values())
    if total > 100:
        errors["points"] = _("Tổng điểm %(total)s vượt quá 100.") % {"total": total}
    return kept, total, errors


def _self_assessment(actor: Actor, review: Review, *, complete: bool, points: dict, all_on_time: bool | None,
                     exceeded_percent: int | None, strengths: str, weaknesses: str, remedies: str,
                     proposed_grade: str) -> dict:
    on = review.period.rules_on
    kept, total, errors = score_points(review.form, points, on, complete=complete)
    if exceeded_percent is not None and not 0 <= exceeded_percent <= 100:
        errors["exceeded_percent"] = _("Tỷ lệ từ 0 đến 100%.")
    if complete:
        _check_conditions(errors, total, all_on_time, exceeded_percent)
        if not errors:
            _check_grade(errors, "proposed_grade", proposed_grade, total,
                         _conditions(all_on_time, exceeded_percent), on)
    elif proposed_grade and proposed_grade not in Grade.values:
        errors["proposed_grade"] = _("Mức xếp loại không hợp lệ.")
    _raise(errors)
    return {"points": kept, "score": total if kept else None, "all_on_time": all_on_time,
            "exceeded_percent": exceeded_percent, "strengths": clean_lines(strengths, limit=5000),
            "weaknesses": clean_lines(weaknesses, limit=5000), "remedies": clean_lines(remedies, limit=5000),
            "proposed_grade": proposed_grade or ""}


def _save(review: Review, fields: dict[str, Any], **more: Any) -> Review:
    for name, value in {**fields, **more}.items():
        setattr(review, name, value)
    review.version += 1
    review.save()
    return review


@REVIEW.runs("save")
@transaction.atomic
def review_save(*, actor: Actor, review: Review, points: dict, all_on_time: bool | None = None,
                exceeded_percent: int | None = None, strengths: str = "", weaknesses: str = "", remedies: str = "",
                proposed_grade: str = "") -> Review:
    """Keep the self-assessment as a draft (blanks allowed, ranges checked)."""
    review = _step(actor, review, "save")
    fields = _self_assessment(actor, review, complete=False, points=points, all_on_time=all_on_time,
                              exceeded_percent=exceeded_percent, strengths=strengths, weaknesses=weaknesses,
                              remedies=remedies, proposed_grade=proposed_grade)
    _save(review, fields)
    audit(actor=actor, action="grading.save", obj=review, unit=review.unit, data={"score": fields["score"]})
    return review


@REVIEW.runs("submit")
@transaction.atomic
def review_submit(*, actor: Actor, review: Review, points: dict, all_on_time: bool | None,
                  exceeded_percent: int | None, strengths: str = "", weaknesses: str = "", remedies: str = "",
                  proposed_grade: str) -> Review:
    review = _step(actor, review, "submit")
    fields = _self_assessment(actor, review, complete=True, points=points, all_on_time=all_on_time,
                              exceeded_percent=exceeded_percent, strengths=strengths, weaknesses=weaknesses,
                              remedies=remedies, proposed_grade=proposed_grade)
    today = clock.today()
    _save(review, fields, state=ReviewState.SUBMITTED, state_since=today, submitted_at=timezone.now())
    timeline.record(actor=actor, member=review.member, kind=ev.SUBMITTED, occurred_on=today, unit=review.unit,
                    data={"period": review.period.title, "form": review.form, "score": fields["score"],
                          "grade": fields["proposed_grade"]})
    return review


@REVIEW.runs("set_form")
@transaction.atomic
def review_set_form(*, actor: Actor, review: Review, form: str) -> Review:
    review = _step(actor, review, "set_form")
    if form not in MEMBER_FORMS:
        raise ValidationError({"form": _("Mẫu không hợp lệ.")})
    old = review.form
    _save(review, {"form": form, "points": {}, "score": None})  # the criteria differ: points start again
    audit(actor=actor, action="grading.set_form", obj=review, unit=review.unit, data={"from": old, "to": form})
    return review


@REVIEW.runs("return")
@transaction.atomic
def review_return(*, actor: Actor, review: Review, reason: str) -> Review:
    review = _step(actor, review, "return")
    reason = clean(reason)[:500]
    if not reason:
        raise ValidationError({"reason": _("Ghi lý do trả lại.")})
    _save(review, {}, state=ReviewState.PENDING, state_since=clock.today())
    audit(actor=actor, action="grading.return", obj=review, unit=review.unit, data={"reason": reason})
    users = list(users_of_members([review.member_id]))
    notify(actor=actor, users=users, kind="grading.returned", title=said("Bản tự đánh giá được trả lại để sửa"),
           body=reason, url=f"/grading/reviews/{review.pk}/", unit=review.unit, ref=f"grading-review:{review.pk}")
    return review


@dataclass(frozen=True)
class VoteResult:
    review: Review
    passed: bool


@REVIEW.runs("cell_vote")
@transaction.atomic
def review_cell_vote(*, actor: Actor, review: Review, meeting: int, score: int, all_on_time: bool | None,
                     exceeded_percent: int, grade: str, yes: int, no: int, comment: str) -> Review:
    """The cell's vote on the member's grade, in one of its meetings: the denominator is the full members
    convened to that meeting; the grade proposed must follow from the score and conditions. Passed: the review
    goes to the committee; not passed: it stays with the cell (vote again on another grade)."""
    review = _step(actor, review, "cell_vote")
    errors: dict[str, str] = {}
    room = vote_room(review.unit, meeting)
    if room is None:
        errors["meeting"] = _("Chọn một cuộc họp đang diễn ra hoặc đã họp của chi bộ.")
    _check_conditions(errors, score, all_on_time, exceeded_percent)
    comment = clean_lines(comment, limit=5000)
    if not comment:
        errors["comment"] = _("Ghi ý kiến nhận xét của chi bộ.")
    if yes is None or no is None or yes < 0 or no < 0:
        errors["yes"] = _("Nhập số phiếu (số không âm).")
    elif room is not None and yes + no > room.present_voters:
        errors["yes"] = (_("Tổng số phiếu %(votes)s vượt số đảng viên chính thức có mặt có quyền biểu quyết "
                           "(%(present_voters)s).") % {"votes": yes + no, "present_voters": room.present_voters})
    voted_on = held_day(room.meeting) if room is not None else clock.today()
    if not errors:
        _check_grade(errors, "grade", grade, score, _conditions(all_on_time, exceeded_percent), review.period.rules_on)
    _raise(errors)
    assert room is not None
    majority = rule("grading.cell_vote_majority", on=voted_on)
    needed = ratio_needed(majority, room.convened)
    passed = room.convened > 0 and yes >= needed
    _save(review, {"meeting_id": room.meeting.pk, "cell_comment": comment, "cell_score": score,
                   "all_on_time": all_on_time, "exceeded_percent": exceeded_percent, "cell_grade": grade,
                   "cell_convened": room.convened, "cell_yes": yes, "cell_no": no, "cell_needed": needed,
                   "cell_voted_on": voted_on},
          **({"state": ReviewState.CELL_VOTED, "state_since": clock.today()} if passed else {}))
    timeline.record(actor=actor, member=review.member, kind=ev.CELL_VOTE, occurred_on=voted_on, unit=review.unit,
                    data={"grade": grade, "yes": yes, "convened": room.convened, "needed": needed, "passed": passed})
    return review


def disciplined_by_decision(review: Review) -> bool:
    """Whether a discipline decided in the period (and not annulled on appeal) stands against the member
    (discipline.selectors): the committee cannot leave it out."""
    return review.member_id in disciplined_in([review.member_id], review.period.starts_on, review.period.ends_on)


@REVIEW.runs("appraise")
@transaction.atomic
def review_appraise(*, actor: Actor, review: Review, score: int, all_on_time: bool | None, exceeded_percent: int,
                    grade: str, appraisal: str, disciplined: bool = False) -> Review:
    review = _step(actor, review, "appraise")
    disciplined = bool(disciplined) or disciplined_by_decision(review)
    errors: dict[str, str] = {}
    _check_conditions(errors, score, all_on_time, exceeded_percent)
    appraisal = clean_lines(appraisal, limit=5000)
    if not appraisal:
        errors["appraisal"] = _("Ghi ý kiến thẩm định.")
    if not errors:
        _check_grade(errors, "grade", grade, score, _conditions(all_on_time, exceeded_percent, disciplined),
                     review.period.rules_on)
    _raise(errors)
    _save(review, {"final_score": score, "all_on_time": all_on_time, "exceeded_percent": exceeded_percent,
                   "disciplined": bool(disciplined), "appraisal": appraisal, "appraised_grade": grade,
                   "appraised_on": clock.today()}, state=ReviewState.APPRAISED, state_since=clock.today())
    audit(actor=actor, action="grading.appraise", obj=review, unit=review.unit, data={"grade": grade, "score": score})
    return review


def _check_decision(errors: dict, decision_no: str, decided_on: date | None, period: Period) -> str:
    decision_no = clean(decision_no or "")[:60]
    if not decision_no:
        errors["decision_no"] = _("Ghi số quyết định (thông báo).")
    if decided_on is None:
        errors["decided_on"] = _("Nhập ngày.")
    elif decided_on > clock.today():
        errors["decided_on"] = _("Ngày không thể ở tương lai.")
    elif decided_on < period.opened_on:
        errors["decided_on"] = _("Ngày không thể trước ngày mở kỳ (%(opened_on)s).") % {
            "opened_on": format(period.opened_on, "%d/%m/%Y")}
    return decision_no


def _check_cap(errors: dict, review: Review, grade: str) -> None:
    """The optional cap on "excellent" (``grading.excellent_cap``; 0, the default, is none): among the members
    whose grade the same committee decides in the period, those graded (or, before the decision, proposed)
    excellent stay within the cap's share of those graded or proposed good or better, this review included."""
    cap = excellent_cap(review.period.rules_on)
    if grade != Grade.EXCELLENT or cap == 0:
        return
    committee = deciding(review)
    others = (Review.objects.filter(Q(unit=committee) | Q(unit__parent=committee), period=review.period)
              .exclude(pk=review.pk).values_list("grade", "appraised_grade", "cell_grade"))
    latest = [next((g for g in row if g), "") for row in others]
    excellent = 1 + latest.count(Grade.EXCELLENT)
    pool = 1 + sum(g in (Grade.EXCELLENT, Grade.GOOD) for g in latest)
    if Fraction(excellent, pool) > cap:
        errors["grade"] = (_("Vượt trần «Hoàn thành xuất sắc»: %(excellent)s/%(pool)s số đảng viên hoàn thành tốt "
                             "trở lên, tối đa %(cap)s%% (%(rule_name)s).") % {
                               "excellent": excellent, "pool": pool, "cap": format(float(cap * 100), "g"),
                               "rule_name": rule_name('grading.excellent_cap')})


def _capped(review: Review, score: int, conditions: Conditions) -> bool:
    """Whether the score and conditions give "excellent" but the cap (when switched on) has no room left: then the
    committee grades "good" (the cap is the reason), instead of being stuck."""
    if grade_for(score, conditions, bands_on(review.period.rules_on)).grade != Grade.EXCELLENT:
        return False
    errors: dict[str, str] = {}
    _check_cap(errors, review, Grade.EXCELLENT)
    return bool(errors)


def _decide(actor: Actor, review: Review, *, grade: str, score: int | None, conditions: Conditions, decision_no: str,
            decided_on: date | None, reason: str = "") -> Review:
    errors: dict[str, str] = {}
    decision_no = _check_decision(errors, decision_no, decided_on, review.period)
    if score is None:
        errors["grade"] = _("Chưa có tổng điểm.")
    elif not (grade == Grade.GOOD and _capped(review, score, conditions)):
        _check_grade(errors, "grade", grade, score, conditions, review.period.rules_on)
    if not errors:
        _check_cap(errors, review, grade)
    _raise(errors)
    assert decided_on is not None and score is not None
    first = review.state != ReviewState.DECIDED
    _save(review, {"grade": grade, "final_score": score, "decision_no": decision_no, "decided_on": decided_on},
          state=ReviewState.DECIDED, **({"state_since": clock.today()} if first else {}))
    Decision.objects.create(review=review, grade=grade, score=score, decision_no=decision_no, decided_on=decided_on,
                            reason=reason, decided_by=actor.label)
    timeline.record(actor=actor, member=review.member, kind=ev.DECIDED if first else ev.CORRECTED,
                    occurred_on=decided_on, unit=review.unit,
                    data={"period": review.period.title, "grade": grade, "score": score, "decision": decision_no,
                          **({"reason": reason} if reason else {})})
    return review


@REVIEW.runs("decide")
@transaction.atomic
def review_decide(*, actor: Actor, review: Review, grade: str, decision_no: str, decided_on: date | None) -> Review:
    review = _step(actor, review, "decide")
    review.disciplined = review.disciplined or disciplined_by_decision(review)  # one decided since the appraisal
    return _decide(actor, review, grade=grade, score=review.final_score,
                   conditions=_conditions(review.all_on_time, review.exceeded_percent, review.disciplined),
                   decision_no=decision_no, decided_on=decided_on)


@REVIEW.runs("correct")
@transaction.atomic
def review_correct(*, actor: Actor, review: Review, score: int, all_on_time: bool | None, exceeded_percent: int,
                   grade: str, decision_no: str, decided_on: date | None, reason: str,
                   disciplined: bool = False) -> Review:
    """A new decision with a reason (also after the period is locked); the earlier ones stay."""
    review = _step(actor, review, "correct")
    disciplined = bool(disciplined) or disciplined_by_decision(review)
    errors: dict[str, str] = {}
    _check_conditions(errors, score, all_on_time, exceeded_percent)
    reason = clean(reason or "")[:500]
    if not reason:
        errors["reason"] = _("Ghi lý do điều chỉnh.")
    _raise(errors)
    review.all_on_time, review.exceeded_percent, review.disciplined = all_on_time, exceeded_percent, disciplined
    return _decide(actor, review, grade=grade, score=score,
                   conditions=_conditions(all_on_time, exceeded_percent, disciplined), decision_no=decision_no,
                   decided_on=decided_on, reason=reason)


# --------------------------------------------------------------------------------------------------
# An organization's review
# --------------------------------------------------------------------------------------------------

def _unit_step(actor: Actor, unit_review: UnitReview, name: str) -> UnitReview:
    unit_review = (UnitReview.objects.select_for_update(of=("self",)).select_related("period", "unit", "unit__parent")
                   .get(pk=unit_review.pk))
    UNIT_REVIEW.check(actor, unit_review, name)
    return unit_review


@UNIT_REVIEW.runs("submit")
@transaction.atomic
def unit_review_submit(*, actor: Actor, unit_review: UnitReview, points: dict, all_on_time: bool | None,
                       exceeded_percent: int | None, late_percent: int | None, report: str,
                       proposed_grade: str) -> UnitReview:
    unit_review = _unit_step(actor, unit_review, "submit")
    on = unit_review.period.rules_on
    kept, total, errors = score_points(Form.ORG, points, on, complete=True)
    _check_conditions(errors, total, all_on_time, exceeded_percent)
    if late_percent is None or not 0 <= late_percent <= 100:
        errors["late_percent"] = _("Tỷ lệ từ 0 đến 100%.")
    report = clean_lines(report)
    if not report:
        errors["report"] = _("Ghi báo cáo kiểm điểm.")
    if not errors:
        disciplined = members_input(unit_review).disciplined > 0
        _check_grade(errors, "proposed_grade", proposed_grade, total,
                     _conditions(all_on_time, exceeded_percent, disciplined, late_percent), on, organization=True)
    _raise(errors)
    unit_review.points, unit_review.score, unit_review.all_on_time = kept, total, all_on_time
    unit_review.exceeded_percent, unit_review.late_percent, unit_review.report = exceeded_percent, late_percent, report
    unit_review.proposed_grade, unit_review.submitted_on = proposed_grade, clock.today()
    unit_review.state, unit_review.state_since = UnitReviewState.SUBMITTED, clock.today()
    unit_review.version += 1
    unit_review.save()
    audit(actor=actor, action="grading.unit_submit", obj=unit_review, unit=unit_review.unit,
          data={"score": total, "grade": proposed_grade})
    return unit_review


@UNIT_REVIEW.runs("return")
@transaction.atomic
def unit_review_return(*, actor: Actor, unit_review: UnitReview, reason: str) -> UnitReview:
    unit_review = _unit_step(actor, unit_review, "return")
    reason = clean(reason)[:500]
    if not reason:
        raise ValidationError({"reason": _("Ghi lý do trả lại.")})
    unit_review.state, unit_review.state_since = UnitReviewState.PENDING, clock.today()
    unit_review.version += 1
    unit_review.save()
    audit(actor=actor, action="grading.unit_return", obj=unit_review, unit=unit_review.unit, data={"reason": reason})
    return unit_review


def _unit_decide(actor: Actor, unit_review: UnitReview, *, score: int, all_on_time: bool | None,
                 exceeded_percent: int, late_percent: int, grade: str, decision_no: str, decided_on: date | None,
                 reason: str = "") -> UnitReview:
    errors: dict[str, str] = {}
    _check_conditions(errors, score, all_on_time, exceeded_percent)
    if late_percent is None or not 0 <= late_percent <= 100:
        errors["late_percent"] = _("Tỷ lệ từ 0 đến 100%.")
    decision_no = _check_decision(errors, decision_no, decided_on, unit_review.period)
    below = members_input(unit_review)  # the members' results, in one query
    if below.reviewed > below.decided:
        errors["grade"] = _("Còn %(count)s đảng viên của tổ chức chưa có quyết định xếp loại.") % {
            "count": below.reviewed - below.decided}
    disciplined = below.disciplined
    if not errors:
        _check_grade(errors, "grade", grade, score,
                     _conditions(all_on_time, exceeded_percent, disciplined > 0, late_percent),
                     unit_review.period.rules_on, organization=True)
    _raise(errors)
    assert decided_on is not None
    first = unit_review.state != UnitReviewState.DECIDED
    unit_review.final_score, unit_review.all_on_time = score, all_on_time
    unit_review.exceeded_percent = exceeded_percent
    unit_review.late_percent, unit_review.members_disciplined, unit_review.grade = late_percent, disciplined, grade
    unit_review.decision_no, unit_review.decided_on = decision_no, decided_on
    if first:
        unit_review.state, unit_review.state_since = UnitReviewState.DECIDED, clock.today()
    unit_review.version += 1
    unit_review.save()
    Decision.objects.create(unit_review=unit_review, grade=grade, score=score, decision_no=decision_no,
                            decided_on=decided_on, reason=reason, decided_by=actor.label)
    audit(actor=actor, action="grading.unit_decide" if first else "grading.unit_correct", obj=unit_review,
          unit=unit_review.unit, data={"grade": grade, "score": score, "decision": decision_no, "reason": reason})
    return unit_review


@UNIT_REVIEW.runs("decide")
@transaction.atomic
def unit_review_decide(*, actor: Actor, unit_review: UnitReview, score: int, all_on_time: bool | None,
                       exceeded_percent: int, late_percent: int, grade: str, decision_no: str,
                       decided_on: date | None) -> UnitReview:
    unit_review = _unit_step(actor, unit_review, "decide")
    return _unit_decide(actor, unit_review, score=score, all_on_time=all_on_time, exceeded_percent=exceeded_percent,
                        late_percent=late_percent, grade=grade, decision_no=decision_no, decided_on=decided_on)


@UNIT_REVIEW.runs("correct")
@transaction.atomic
def unit_review_correct(*, actor: Actor, unit_review: UnitReview, score: int, all_on_time: bool | None,
                        exceeded_percent: int, late_percent: int, grade: str, decision_no: str,
                        decided_on: date | None, reason: str) -> UnitReview:
    unit_review = _unit_step(actor, unit_review, "correct")
    reason = clean(reason or "")[:500]
    if not reason:
        raise ValidationError({"reason": _("Ghi lý do điều chỉnh.")})
    return _unit_decide(actor, unit_review, score=score, all_on_time=all_on_time, exceeded_percent=exceeded_percent,
                        late_percent=late_percent, grade=grade, decision_no=decision_no, decided_on=decided_on,
                        reason=reason)
