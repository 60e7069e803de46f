"""Score × conditions → grade (Quy định 366-QĐ/TW, Article 11; docs/domain.md §7). Pure: the rules come in as
``Bands`` (read from the rulebook for the day by ``grading.rules.bands_on``), so the function is checked against
a table of cases without a database.

Each grade needs the score **and** its conditions; the grade is the highest one both allow:

- excellent: score ≥ ``grading.band_excellent``, every task on time, a share of tasks beyond what was required of at
  least ``grading.excellent_exceed_share``, and not disciplined in the period (an organization: no member
  disciplined);
- good: score ≥ ``grading.band_good`` and every task on time;
- completed: score ≥ ``grading.band_completed`` (an organization: a share of tasks late of at most
  ``grading.org_late_share``);
- not completed: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext, gettext_noop

from chibo.core.rulebook import rule_name
from chibo.grading.enums import GRADE_ORDER, Grade


@dataclass(frozen=True)
class Bands:
    excellent: int
    good: int
    completed: int
    exceed_share: Fraction
    org_late_share: Fraction


@dataclass(frozen=True)
class Conditions:
    all_on_time: bool
    exceeded_share: Fraction = Fraction(0)  # share of tasks done beyond what was required (0..1)
    disciplined: bool = False               # the member (an organization: any of its members) in the period
    late_share: Fraction = Fraction(0)      # organizations: share of tasks late (0..1)


@dataclass(frozen=True)
class Outcome:
    grade: str
    # why each higher grade was not reached: grade → the unmet conditions, each naming its rule
    missed: dict[str, list[str]] = field(default_factory=dict)


def _percent(share: Fraction) -> str:
    value = float(share * 100)
    return (f"{value:.1f}".rstrip("0").rstrip(".")).replace(".", ",") + "%"


def _rule(key: str) -> str:
    """A rule by its name in the reader's language, in «»."""
    return f"«{gettext(rule_name(key))}»"


def unmet(grade: str, score: int, c: Conditions, b: Bands, *, organization: bool) -> list[str]:
    """The conditions of ``grade`` that the score and conditions do not meet (empty: the grade is allowed), in the
    reader's language (shown on the review page, or refused with the grade: never stored)."""
    out: list[str] = []
    points = gettext_noop("cần từ %(points)s điểm trở lên, có %(score)s (%(rule)s)")
    on_time = gettext_noop("cần hoàn thành mọi nhiệm vụ đúng tiến độ (%(rule)s, Điều 11)")
    if grade == Grade.EXCELLENT:
        if score < b.excellent:
            out.append(gettext(points) % {"points": b.excellent, "score": score,
                                          "rule": _rule("grading.band_excellent")})
        if not c.all_on_time:
            out.append(gettext(on_time) % {"rule": _rule("grading.band_excellent")})
        if c.exceeded_share < b.exceed_share:
            out.append(gettext("cần ít nhất %(share)s nhiệm vụ vượt yêu cầu, có %(actual)s (%(rule)s)") % {
                "share": _percent(b.exceed_share), "actual": _percent(c.exceeded_share),
                "rule": _rule("grading.excellent_exceed_share")})
        if c.disciplined:
            out.append((gettext("có đảng viên bị kỷ luật trong kỳ (%(rule)s, Điều 11)") if organization
                        else gettext("bị kỷ luật trong kỳ (%(rule)s, Điều 11)")) % {
                "rule": _rule("grading.band_excellent")})
    elif grade == Grade.GOOD:
        if score < b.good:
            out.append(gettext(points) % {"points": b.good, "score": score, "rule": _rule("grading.band_good")})
        if not c.all_on_time:
            out.append(gettext(on_time) % {"rule": _rule("grading.band_good")})
    elif grade == Grade.COMPLETED:
        if score < b.completed:
            out.append(gettext(points) % {"points": b.completed, "score": score,
                                          "rule": _rule("grading.band_completed")})
        if organization and c.late_share > b.org_late_share:
            out.append(gettext("nhiệm vụ chậm tiến độ không quá %(share)s, có %(actual)s (%(rule)s)") % {
                "share": _percent(b.org_late_share), "actual": _percent(c.late_share),
                "rule": _rule("grading.org_late_share")})
    return out


def grade_for(score: int, c: Conditions, b: Bands, *, organization: bool = False) -> Outcome:
    missed: dict[str, list[str]] = {}
    for grade in GRADE_ORDER:
        reasons = unmet(grade, score, c, b, organization=organization)
        if not reasons:
            return Outcome(grade, missed)
        missed[grade] = reasons
    raise AssertionError("not completed has no conditions")  # pragma: no cover


def contradiction(grade: str, score: int, c: Conditions, b: Bands, *, organization: bool = False) -> str:
    """Why ``grade`` contradicts the score and conditions ("" when it is the grade they give)."""
    outcome = grade_for(score, c, b, organization=organization)
    if grade == outcome.grade:
        return ""
    label = gettext(Grade(grade).label)
    if grade in outcome.missed:
        return gettext("Không thể xếp «%(grade)s»: %(reasons)s.") % {"grade": label,
                                                                     "reasons": "; ".join(outcome.missed[grade])}
    return gettext("Với %(score)s điểm và các điều kiện đã ghi, mức xếp loại là «%(computed)s», không phải "
                   "«%(grade)s».") % {"score": score, "computed": gettext(Grade(outcome.grade).label), "grade": label}
