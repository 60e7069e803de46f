"""The rest of the grading rules at work, through the services the pages and the API call: organizations graded
from their members' results, the lock and what it still allows, the optional cap on "excellent", a review sent
back, the form changed, and the criteria that must add up before a period opens."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.core import clock
from chibo.core.documents import docx_text, render_docx
from chibo.core.lifecycle import TransitionRefused
from chibo.core.rulebook import rule_add_version
from chibo.grading import services
from chibo.grading.documents import review_document
from chibo.grading.models import Review, UnitReview
from chibo.grading.rules import criteria_for
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]


def _full(review) -> dict:
    return {c.code: c.max_points for c in criteria_for(review.form, review.period.opened_on)}


def _through(actor, review, *, score=95, grade="excellent", disciplined=False, exceeded=40):
    """A review from submission to decision (the cell's vote recorded without a meeting's check: the service
    that needs one is tested with its meeting in test_flow)."""
    services.review_submit(actor=actor, review=review, points=_full(review), all_on_time=True,
                           exceeded_percent=exceeded, proposed_grade="excellent" if exceeded >= 30 else "good")
    Review.objects.filter(pk=review.pk).update(state="cell_voted", cell_score=score)
    review.refresh_from_db()
    services.review_appraise(actor=actor, review=review, score=score, all_on_time=True, exceeded_percent=exceeded,
                             grade=grade, appraisal="Nhất trí.", disciplined=disciplined)
    return services.review_decide(actor=actor, review=Review.objects.get(pk=review.pk), grade=grade,
                                  decision_no="1-TB/ĐU", decided_on=clock.today())


@pytest.fixture
def cell_period(actor_of):
    """A year opened by the organization officer for one small cell (PHAP-LHS) and its members."""
    boss = actor_of("ban.tochuc")
    cell = Unit.objects.get(code="PHAP-LHS")
    period = services.period_open(actor=boss, unit=cell.parent, kind="year", year=clock.today().year)
    return boss, cell, period


def test_an_organization_is_graded_from_its_members_results(cell_period, client_of):
    boss, cell, period = cell_period
    unit_review = UnitReview.objects.get(period=period, unit=cell)
    points = {c.code: c.max_points for c in criteria_for("ORG", period.opened_on)}
    services.unit_review_submit(actor=boss, unit_review=unit_review, points=points, all_on_time=True,
                                exceeded_percent=50, late_percent=0, report="Hoàn thành các nhiệm vụ.",
                                proposed_grade="excellent")
    decide = {"score": 95, "all_on_time": True, "exceeded_percent": 50, "late_percent": 0, "grade": "excellent",
              "decision_no": "3-TB/ĐU", "decided_on": clock.today()}
    with pytest.raises(ValidationError) as refused:  # members not all decided yet
        services.unit_review_decide(actor=boss, unit_review=unit_review, **decide)
    assert "chưa có quyết định xếp loại" in str(refused.value)
    reviews = list(Review.objects.filter(period=period, unit=cell).select_related("period"))
    for n, review in enumerate(reviews):
        _through(boss, review, disciplined=n == 0, grade="good" if n == 0 else "excellent")
    with pytest.raises(ValidationError) as refused:  # a member was disciplined in the period
        services.unit_review_decide(actor=boss, unit_review=UnitReview.objects.get(pk=unit_review.pk), **decide)
    assert "có đảng viên bị kỷ luật trong kỳ" in str(refused.value)
    done = services.unit_review_decide(actor=boss, unit_review=UnitReview.objects.get(pk=unit_review.pk),
                                       **{**decide, "grade": "good"})
    assert done.grade == "good" and done.members_disciplined == 1
    page = " ".join(client_of("ban.tochuc").get(f"/grading/units/{done.pk}/").content.decode().split())
    n = len(reviews)
    assert (f"{n} đảng viên kiểm điểm, {n} đã có quyết định; hoàn thành xuất sắc {n - 1} "
            f"({100 * (n - 1) / n:.1f}%); bị kỷ luật trong kỳ 1").replace(".", ",") in page
    with pytest.raises(ValidationError) as late:  # 30% of tasks late: not even "completed" for an organization
        services.unit_review_correct(actor=boss, unit_review=done, **{**decide, "score": 60, "all_on_time": False,
                                                                     "late_percent": 30, "grade": "completed",
                                                                     "reason": "Rà soát"})
    assert "Tỷ lệ nhiệm vụ chậm tiến độ tối đa của tổ chức hoàn thành nhiệm vụ" in str(late.value)


def test_the_lock_waits_for_every_decision_and_then_only_corrections_move(cell_period, actor_of):
    boss, cell, period = cell_period
    with pytest.raises(TransitionRefused):
        services.period_lock(actor=boss, period=period)
    for review in Review.objects.filter(period=period).select_related("period"):
        _through(boss, review, grade="excellent")
    points = {c.code: c.max_points for c in criteria_for("ORG", period.opened_on)}
    for unit_review in UnitReview.objects.filter(period=period):
        services.unit_review_submit(actor=boss, unit_review=unit_review, points=points, all_on_time=True,
                                    exceeded_percent=50, late_percent=0, report="Báo cáo.", proposed_grade="excellent")
        services.unit_review_decide(actor=boss, unit_review=UnitReview.objects.get(pk=unit_review.pk), score=95,
                                    all_on_time=True, exceeded_percent=50, late_percent=0, grade="excellent",
                                    decision_no="4-TB/ĐU", decided_on=clock.today())
    with pytest.raises(PermissionDenied):  # Germany's secretary holds no grant on France
        services.period_lock(actor=actor_of("bithu.duc"), period=period)
    services.period_lock(actor=boss, period=period)
    review = Review.objects.filter(period=period).select_related("period").first()
    corrected = services.review_correct(actor=boss, review=review, score=80, all_on_time=True, exceeded_percent=10,
                                        grade="good", decision_no="9-TB/ĐU", decided_on=clock.today(),
                                        reason="Khiếu nại được xem xét lại.")
    assert corrected.grade == "good" and list(corrected.decisions.values_list("grade", flat=True)) == [
        "excellent", "good"]


def test_a_review_sent_back_and_a_form_changed(cell_period, actor_of):
    boss, cell, period = cell_period
    review = Review.objects.filter(period=period, unit=cell).select_related("period").first()
    services.review_set_form(actor=boss, review=review, form="2C")
    review.refresh_from_db()
    assert review.form == "2C" and review.points == {}
    services.review_submit(actor=boss, review=review, points=_full(review), all_on_time=True, exceeded_percent=0,
                           proposed_grade="good")
    services.review_return(actor=boss, review=Review.objects.get(pk=review.pk), reason="Bổ sung phần ưu điểm.")
    assert Review.objects.get(pk=review.pk).state == "pending"
    with pytest.raises(ValidationError) as total:  # an unknown criterion is refused, whatever its points
        services.review_save(actor=boss, review=Review.objects.get(pk=review.pk), points={"tasks_t9": 5})
    assert "không có trong Mẫu 2C" in str(total.value)
    # the printed form in DOCX carries the points and the grade the member proposed
    text = docx_text(render_docx(review_document(
        Review.objects.select_related("period", "member", "unit", "unit__parent").get(pk=review.pk))))
    assert "Mẫu 2C" in text and "Hoàn thành tốt nhiệm vụ" in text and review.member.full_name in text


def test_the_cap_on_excellent_applies_once_switched_on(cell_period):
    boss, cell, period = cell_period
    rule_add_version(actor=boss, key="grading.excellent_cap", value="1/2", effective_from=date(2026, 1, 1),
                     basis="Hướng dẫn thử", confidence="to_confirm")
    reviews = list(Review.objects.filter(period=period, unit=cell).select_related("period")[:3])
    assert len(reviews) == 3
    Review.objects.filter(period=period).exclude(pk__in=[r.pk for r in reviews]).update(cell_grade="")
    _through(boss, reviews[1], score=80, grade="good", exceeded=0)
    _through(boss, reviews[2], score=80, grade="good", exceeded=0)
    assert _through(boss, reviews[0], grade="excellent").grade == "excellent"  # 1 of 3: within half
    with pytest.raises(ValidationError) as capped:  # a second would be 2 of 3
        services.review_correct(actor=boss, review=Review.objects.get(pk=reviews[1].pk), score=95, all_on_time=True,
                                exceeded_percent=40, grade="excellent", decision_no="7-TB/ĐU",
                                decided_on=clock.today(), reason="Xem xét lại")
    assert "Vượt trần «Hoàn thành xuất sắc»: 2/3" in str(capped.value)
    assert "Tỷ lệ tối đa hoàn thành xuất sắc nhiệm vụ" in str(capped.value)


def test_a_period_does_not_open_while_a_forms_criteria_do_not_add_up(actor_of):
    boss = actor_of("ban.tochuc")
    rule_add_version(actor=boss, key="grading.criterion.2C.tasks.t1", value="30", effective_from=date(2026, 1, 1),
                     basis="Thử", confidence="to_confirm")
    with pytest.raises(ValidationError) as refused:
        services.period_open(actor=boss, unit=Unit.objects.get(code="PHAP"), kind="year", year=clock.today().year)
    assert "cộng lại 30 + 60 điểm, quy định 30 + 70" in str(refused.value)
    assert not Review.objects.exists()


def test_a_step_from_the_command_line(cell_period):
    from io import StringIO

    from django.core.management import call_command

    boss, cell, period = cell_period
    review = Review.objects.filter(period=period, unit=cell).first()
    out = StringIO()
    call_command("act", "grading", str(review.pk), "save", "p_general_g1=8", "exceeded_percent=20",
                 "--user", "bithu.phap", stdout=out)
    review.refresh_from_db()
    assert review.points == {"general_g1": 8} and review.exceeded_percent == 20 and review.state == "pending"
    listed = StringIO()
    call_command("act", "grading", str(review.pk), "--user", "bithu.phap", stdout=listed)
    assert "submit" in listed.getvalue() and "cell_vote" not in listed.getvalue()
