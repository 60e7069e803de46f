"""Targets, payloads and the fingerprint of the grading routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils import timezone


def grading_targets(personas, members, units) -> dict[str, int]:
    """The year opened by the upper committee for the whole tree, and a quarter opened by Germany's committee;
    dangvien.phap's review and member_de's in the first, and two organizations' reviews (PHAP-DSQ, DUC-FRA)."""
    from chibo.core.access import actor_from_user
    from chibo.grading import services
    from chibo.grading.models import Period, Review, UnitReview

    year = timezone.localdate().year
    root = services.period_open(actor=actor_from_user(personas["ban.tochuc"]), unit=units["unit_root"], kind="year",
                                year=year)
    de = services.period_open(actor=actor_from_user(personas["bithu.duc"]), unit=units["unit_de"], kind="quarter",
                              year=year, quarter=1)

    def last(model) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000

    return {
        "period_root": root.pk, "period_de": de.pk, "period_missing": last(Period),
        "grading_review_own": Review.objects.get(period=root, member=members["member_own"]).pk,
        "grading_review_de": Review.objects.get(period=root, member=members["member_de"]).pk,
        "grading_review_missing": last(Review),
        "unit_review_fr_dsq": UnitReview.objects.get(period=root, unit=units["unit_fr_dsq"]).pk,
        "unit_review_de": UnitReview.objects.get(period=root, unit=units["unit_de_cell"]).pk,
        "unit_review_missing": last(UnitReview),
    }


def grading_payload(kind: str, target, env):
    year = timezone.localdate().year
    if kind == "grading_open":
        return {"unit": env.targets["unit_fr"], "kind": "quarter", "year": str(year), "quarter": "2"}
    if kind == "grading_api_open":
        return {"unit": env.targets["unit_fr"], "kind": "quarter", "year": year, "quarter": 2}
    if kind == "grading_save":
        return {"do": "save", "exceeded_percent": "20"}
    if kind == "grading_api_save":
        return {"action": "save", "exceeded_percent": 20}
    if kind == "grading_remind":
        return {"do": "remind", "note": "Hạn cuối tuần này."}
    if kind == "grading_api_remind":
        return {"action": "remind"}
    if kind in ("grading_unit_submit", "grading_api_unit_submit"):
        from chibo.grading.rules import criteria_for

        points = {f"p_{c.code}": c.max_points - 1 for c in criteria_for("ORG", timezone.localdate())}
        first = ("action", "submit") if kind == "grading_api_unit_submit" else ("do", "submit")
        return {first[0]: first[1], **points, "all_on_time": "yes", "exceeded_percent": 10, "late_percent": 0,
                "report": "Chi bộ hoàn thành các nhiệm vụ năm.", "proposed_grade": "good"}
    raise KeyError(kind)


def grading_fingerprint() -> dict:
    from chibo.grading.models import Decision, Period, Review, UnitReview

    return {
        "grading_periods": list(Period.objects.order_by("pk").values_list("pk", "state", "version")),
        "grading_reviews": Review.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "grading_unit_reviews": UnitReview.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "grading_decisions": Decision.objects.count(),
    }
