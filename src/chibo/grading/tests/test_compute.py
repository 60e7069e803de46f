"""Score × conditions → grade (366-QĐ/TW, Article 11), against a table of cases worked out by hand from the
regulation, for members and for organizations; and the sentence a contradicting grade is refused with."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chibo.grading.compute import Bands, Conditions, contradiction, grade_for

B = Bands(excellent=90, good=70, completed=50, exceed_share=Fraction(3, 10), org_late_share=Fraction(1, 5))
E, G, C, N = "excellent", "good", "completed", "not_completed"

#  score, on time, exceeded %, disciplined, late %, member's grade, organization's grade
CASES = [
    (100, True, 100, False, 0, E, E),
    (90, True, 30, False, 0, E, E),      # both thresholds reached exactly
    (89, True, 100, False, 0, G, G),     # one point short of excellent
    (90, True, 29, False, 0, G, G),      # too few tasks beyond requirements
    (95, False, 50, False, 0, C, C),     # a task late: neither excellent nor good
    (95, True, 50, True, 0, G, G),       # disciplined (an organization: a member disciplined): not excellent
    (70, True, 0, False, 0, G, G),
    (69, True, 0, False, 0, C, C),
    (50, False, 0, False, 20, C, C),     # an organization may have 20% of tasks late
    (50, False, 0, False, 21, C, N),     # … not 21%; a member has no such condition
    (80, False, 0, False, 25, C, N),
    (49, True, 100, False, 0, N, N),
    (0, True, 0, False, 0, N, N),
]


@pytest.mark.parametrize(("score", "on_time", "exceeded", "disciplined", "late", "member", "org"), CASES)
def test_the_grade_follows_the_score_and_the_conditions(score, on_time, exceeded, disciplined, late, member, org):
    c = Conditions(all_on_time=on_time, exceeded_share=Fraction(exceeded, 100), disciplined=disciplined,
                   late_share=Fraction(late, 100))
    assert grade_for(score, c, B).grade == member
    assert grade_for(score, c, B, organization=True).grade == org


def test_a_grade_the_conditions_do_not_allow_is_refused_naming_the_rule():
    late = Conditions(all_on_time=False, exceeded_share=Fraction(1, 2))
    assert contradiction(C, 95, late, B) == ""
    assert contradiction(E, 95, late, B) == ("Không thể xếp «Hoàn thành xuất sắc nhiệm vụ»: cần hoàn thành mọi nhiệm "
                                             "vụ đúng tiến độ («Khung điểm mức hoàn thành xuất sắc nhiệm vụ», "
                                             "Điều 11).")
    disciplined = Conditions(all_on_time=True, exceeded_share=Fraction(1, 2), disciplined=True)
    excellent = "«Khung điểm mức hoàn thành xuất sắc nhiệm vụ»"
    assert f"bị kỷ luật trong kỳ ({excellent}, Điều 11)" in contradiction(E, 95, disciplined, B)
    few = Conditions(all_on_time=True, exceeded_share=Fraction(1, 10))
    assert ("cần ít nhất 30% nhiệm vụ vượt yêu cầu, có 10% («Tỷ lệ nhiệm vụ vượt yêu cầu để hoàn thành xuất sắc»)"
            in contradiction(E, 92, few, B))
    # a grade below what the score and conditions give is refused too: the grade follows from them
    fine = Conditions(all_on_time=True, exceeded_share=Fraction(1, 2))
    assert contradiction(C, 92, fine, B) == ("Với 92 điểm và các điều kiện đã ghi, mức xếp loại là «Hoàn thành xuất "
                                             "sắc nhiệm vụ», không phải «Hoàn thành nhiệm vụ».")
    org = Conditions(all_on_time=False, late_share=Fraction(3, 10))
    assert ("nhiệm vụ chậm tiến độ không quá 20%, có 30% («Tỷ lệ nhiệm vụ chậm tiến độ tối đa của tổ chức hoàn thành "
            "nhiệm vụ»)" in contradiction(C, 60, org, B, organization=True))
