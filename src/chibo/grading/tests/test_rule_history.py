"""A period is judged by the rules of the year it reviews (docs/domain.md §7, §12): a 2024 review opened today by
the versions before Quy định 366-QĐ/TW (124-QĐ/TW, to confirm), among them the older guidance's cap on
"excellent" (20% of those graded good or better), which 366-QĐ/TW does not carry (off). Through the services and
the API, on the seeded rulebook."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chibo.core import clock
from chibo.core.rulebook import rule
from chibo.grading import services
from chibo.grading.models import Review
from chibo.grading.rules import criteria_for
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]


def _decide(actor, review, *, grade: str, score: int, exceeded: int):
    """A review from submission to the committee's decision (the cell's vote set directly: its meeting is tested in
    test_flow)."""
    points = {c.code: c.max_points for c in criteria_for(review.form, review.period.rules_on)}
    services.review_submit(actor=actor, review=review, points=points, all_on_time=True, exceeded_percent=exceeded,
                           proposed_grade=grade)
    Review.objects.filter(pk=review.pk).update(state="cell_voted", cell_score=score)
    services.review_appraise(actor=actor, review=Review.objects.get(pk=review.pk), score=score, all_on_time=True,
                             exceeded_percent=exceeded, grade=grade, appraisal="Nhất trí.")
    return services.review_decide(actor=actor, review=Review.objects.get(pk=review.pk), grade=grade,
                                  decision_no="1-TB/ĐU", decided_on=clock.today())


def _three(actor, year: int):
    """A yearly period for France's small cell; three of its reviews, two decided "good"."""
    cell = Unit.objects.get(code="PHAP-LHS")
    period = services.period_open(actor=actor, unit=cell.parent, kind="year", year=year)
    reviews = list(Review.objects.filter(period=period, unit=cell).select_related("period").order_by("pk")[:3])
    assert len(reviews) == 3
    for review in reviews[1:]:
        _decide(actor, review, grade="good", score=80, exceeded=0)
    return period, reviews[0]


def test_a_2024_review_opened_today_is_judged_by_the_rules_of_2024(actor_of, client_of):
    boss = actor_of("ban.tochuc")
    period, first = _three(boss, 2024)
    assert period.opened_on == clock.today() and period.rules_on == date(2024, 12, 31)
    # The criteria of 2024 are those of the version before 43-HD/BTCTW: same points, same wording.
    then, now = criteria_for(first.form, period.rules_on), criteria_for(first.form, clock.today())
    assert [(c.code, c.label, c.max_points) for c in then] == [(c.code, c.label, c.max_points) for c in now]
    assert "124-QĐ/TW 2023" in rule(f"grading.criterion.{first.form}.tasks.t1", on=period.rules_on).basis
    shown = client_of("ban.tochuc").get(f"/api/v1/grading/reviews/{first.pk}/").json()["criteria"]
    assert [row["title"] for row in shown] == [c.label for c in then]
    # One "excellent" beside two "good" is a third, over the 20% cap of 2024.
    with pytest.raises(ValidationError) as capped:
        _decide(boss, Review.objects.select_related("period").get(pk=first.pk), grade="excellent", score=95,
                exceeded=40)
    assert "Vượt trần «Hoàn thành xuất sắc»: 1/3" in str(capped.value) and "tối đa 20%" in str(capped.value)
    assert Review.objects.get(pk=first.pk).grade == ""
    # The committee grades "good" instead, the cap being the reason.
    done = services.review_decide(actor=boss, review=Review.objects.select_related("period").get(pk=first.pk),
                                  grade="good", decision_no="2-TB/ĐU", decided_on=clock.today())
    assert done.grade == "good"


def test_the_same_grades_in_a_period_of_this_year_meet_no_cap(actor_of):
    boss = actor_of("ban.tochuc")
    period, first = _three(boss, clock.today().year)
    assert period.rules_on == clock.today()
    assert rule("grading.excellent_cap", on=period.rules_on).value == "0"
    assert _decide(boss, first, grade="excellent", score=95, exceeded=40).grade == "excellent"


def test_the_cap_and_the_bands_change_on_the_day_of_366():
    eve, day = date(2025, 8, 29), date(2025, 8, 30)
    cap_then, cap_now = rule("grading.excellent_cap", on=eve), rule("grading.excellent_cap", on=day)
    assert (cap_then.value, cap_then.confidence, cap_then.effective_to) == ("1/5", "to_confirm", eve)
    assert "124-QĐ/TW 2023" in cap_then.basis and "366-QĐ/TW" not in cap_then.basis
    assert (cap_now.value, cap_now.confidence, cap_now.effective_to) == ("0", "to_confirm", None)
    assert "366-QĐ/TW 2025" in cap_now.basis
    band_then, band_now = rule("grading.band_good", on=eve), rule("grading.band_good", on=day)
    assert band_then.value == band_now.value == "70"
    assert "124-QĐ/TW 2023" in band_then.basis and band_then.confidence == "to_confirm"
    assert "366-QĐ/TW 2025" in band_now.basis and band_now.confidence == "confirmed"
    # The points of each criterion follow 43-HD/BTCTW (31/10/2025), not 366-QĐ/TW.
    assert "124-QĐ/TW 2023" in rule("grading.criterion.2A.tasks.t1", on=date(2025, 10, 30)).basis
    assert "43-HD/BTCTW 2025" in rule("grading.criterion.2A.tasks.t1", on=date(2025, 10, 31)).basis
