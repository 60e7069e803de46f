"""Targets, payloads and the fingerprint of the inspection routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone


def inspection_targets(personas, members, units) -> dict[str, int]:
    """France's inspection plan of the year with one item (on the consulate's cell), its supervision plan of the
    year, and Germany's inspection plan; two inspections of dangvien.phap opened by France's committee (one open, one
    explained, with the inspection officer of the level above on its team), and one of a German member opened by
    Germany's."""
    from chibo.core.access import actor_from_user
    from chibo.inspection import services
    from chibo.inspection.models import Inspection, Plan, PlanItem

    today = timezone.localdate()
    phap, duc = actor_from_user(personas["bithu.phap"]), actor_from_user(personas["bithu.duc"])

    def plan(actor, unit, kind="inspection"):
        return services.plan_create(actor=actor, unit=unit, year=today.year, kind=kind, reference="1-KH/ĐU",
                                    adopted_on=today)

    plan_fr, plan_de = plan(phap, units["unit_fr"]), plan(duc, units["unit_de"])
    plan_fr_sup = plan(phap, units["unit_fr"], "supervision")
    item = services.plan_item_add(actor=phap, plan=plan_fr, subject_unit=units["unit_fr_lhs"],
                                  topic="Việc chấp hành nghị quyết của chi bộ", starts_on=date(today.year, 1, 1),
                                  ends_on=date(today.year, 12, 31))

    def case(actor, unit, member, decision="1-QĐ/ĐU"):
        return services.inspection_open(actor=actor, unit=unit, subject_member=member,
                                        signs="Có dấu hiệu không chấp hành phân công của chi bộ.",
                                        decision_no=decision, opened_on=today)

    own = case(phap, units["unit_fr"], members["member_own"])
    de = case(duc, units["unit_de"], members["member_de"])
    explained = case(phap, units["unit_fr"], members["member_own"], "2-QĐ/ĐU")
    services.inspection_assign(actor=phap, case=explained, username="ub.kiemtra")
    services.inspection_explain(actor=actor_from_user(personas["dangvien.phap"]), case=explained, on=today,
                                explanation="Tôi xin giải trình: tôi đã nhận và thực hiện phân công.")
    return {"plan_fr": plan_fr.pk, "plan_fr_sup": plan_fr_sup.pk, "plan_de": plan_de.pk, "item_fr": item.pk,
            "icase_own": own.pk, "icase_explained": explained.pk, "icase_de": de.pk,
            "plan_missing": (Plan.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "item_missing": (PlanItem.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "icase_missing": (Inspection.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000}


def inspection_payload(kind: str, target, env):
    today = timezone.localdate()
    day, iso = f"{today:%d/%m/%Y}", today.isoformat()
    if kind in ("inspection_plan", "inspection_api_plan"):  # France's plan of supervision of next year
        return {"unit": env.targets["unit_fr"], "kind": "supervision", "year": today.year + 1,
                "reference": "7-KH/ĐU", "adopted_on": day if kind == "inspection_plan" else iso}
    if kind in ("inspection_item", "inspection_api_item"):
        return {"subject_member": env.targets["member_fr"], "topic": "Việc đóng đảng phí",
                "starts_on": f"01/01/{today.year}", "ends_on": f"31/12/{today.year}", "officers": "bithu.phap"}
    if kind in ("inspection_note", "inspection_api_note"):
        return {"subject_unit": env.targets["unit_fr_dsq"], "on": day,
                "content": "Chi bộ sinh hoạt đúng kỳ, nội dung thiết thực.", "follow_up": "Theo dõi việc ghi biên bản"}
    if kind == "inspection_item_start":
        return {"do": "start"}
    if kind == "inspection_api_item_start":
        return {"action": "start"}
    if kind == "inspection_open":
        return {"unit": env.targets["unit_fr"], "signs": "Có dấu hiệu vi phạm quy định về những điều đảng viên không "
                "được làm.", "decision_no": "5-QĐ/ĐU", "opened_on": day}
    if kind == "inspection_api_open":
        return {"unit": env.targets["unit_fr"], "subject_member": env.targets["member_fr_dsq"],
                "signs": "Có dấu hiệu vi phạm quy định về những điều đảng viên không được làm.",
                "decision_no": "5-QĐ/ĐU", "opened_on": iso}
    if kind == "inspection_explain":
        return {"do": "explain", "explanation": "Tôi xin giải trình như sau: tôi đã thực hiện đúng.", "on": day}
    if kind == "inspection_api_explain":
        return {"action": "explain", "explanation": "Tôi xin giải trình như sau: tôi đã thực hiện đúng.", "on": iso}
    steps = {
        "assign": {"username": "ban.tochuc"},
        "conclude": {"conclusion": "Đồng chí chậm thực hiện phân công, đã nhận khuyết điểm.",
                     "conclusion_no": "9-TB/ĐU", "concluded_on": day},
        "drop": {"reason": "Không có căn cứ để tiếp tục kiểm tra."},
    }
    for step, body in steps.items():
        if kind == f"inspection_{step}":
            return {"do": step, **body}
        if kind == f"inspection_api_{step}":
            return {"action": step, **{k: (iso if v == day else v) for k, v in body.items()}}
    raise KeyError(kind)


def inspection_fingerprint() -> dict:
    from chibo.inspection.models import Inspection, Plan, PlanItem, SupervisionNote

    return {
        "inspection_plans": Plan.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "inspection_items": PlanItem.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "inspection_notes": SupervisionNote.objects.count(),
        "inspection_cases": Inspection.objects.aggregate(n=Count("pk"), versions=Sum("version"),
                                                         team=Count("team")),
    }
