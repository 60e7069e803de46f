"""Targets, payloads and the fingerprint of the discipline routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Sum
from django.utils import timezone


def discipline_targets(personas, members, units) -> dict[str, int]:
    """A case on dangvien.phap decided by France's committee, an open one on member_fr (PHAP-LHS) before France,
    and an open one on member_de before Germany's committee."""
    from chibo.core.access import actor_from_user
    from chibo.discipline import services
    from chibo.discipline.models import Case
    from chibo.transfers.models import TransferHold

    today = timezone.localdate()
    phap, duc = actor_from_user(personas["bithu.phap"]), actor_from_user(personas["bithu.duc"])

    def open_case(actor, member, unit):
        return services.case_open(actor=actor, member=member, deciding_unit=unit, violation="Vi phạm quy định",
                                  violated_on=today - timedelta(days=10), area="ordinary", considered="reprimand",
                                  reference="1-TB/CB")

    own = open_case(phap, members["member_own"], units["unit_fr"])
    # The case's hold on dangvien.phap is lifted here, so that the transfer routes' writes for them still run.
    TransferHold.objects.filter(pk=own.hold_id).update(closed_on=today)
    fr = open_case(phap, members["member_fr"], units["unit_fr"])
    de = open_case(duc, members["member_de"], units["unit_de"])
    notice = services.notice_record(actor=phap, member=members["member_own"], unit=units["unit_fr"],
                                    body="Bộ Ngoại giao", state_form="reprimand", decision_no="7/QĐ-BNG",
                                    decided_on=today - timedelta(days=20), received_on=today - timedelta(days=12))
    return {"dcase_own": own.pk, "dcase_fr": fr.pk, "dcase_de": de.pk,
            "dcase_missing": (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "dnotice_own": notice.pk, "dnotice_missing": notice.pk + 1000}


def discipline_payload(kind: str, target, env):
    today = timezone.localdate()
    if kind in ("discipline_open", "discipline_api_open"):
        body = {"member": env.targets["member_fr_dsq"], "deciding_unit": env.targets["unit_fr"],
                "violation": "Không chấp hành nghị quyết", "violated_on": f"{today - timedelta(days=5):%d/%m/%Y}",
                "area": "ordinary", "considered": "reprimand", "reference": "2-TB/CB"}
        return body
    if kind in ("discipline_notice", "discipline_api_notice"):
        return {"member": env.targets["member_fr_dsq"], "unit": env.targets["unit_fr"], "body": "Bộ Ngoại giao",
                "state_form": "warning", "decision_no": "9/QĐ-BNG",
                "decided_on": f"{today - timedelta(days=9):%d/%m/%Y}", "received_on": f"{today:%d/%m/%Y}"}
    if kind == "discipline_api_notice_close":
        return {"action": "close", "reason": "Đã xem xét trong hồ sơ khác"}
    if kind == "discipline_notice_close":
        return {"do": "close", "reason": "Đã xem xét trong hồ sơ khác"}
    if kind == "discipline_explain":
        return {"do": "explain", "explanation": "Tôi nhận khuyết điểm và xin sửa chữa.", "on": f"{today:%d/%m/%Y}"}
    if kind == "discipline_api_explain":
        return {"action": "explain", "explanation": "Tôi nhận khuyết điểm và xin sửa chữa.", "on": f"{today:%d/%m/%Y}"}
    raise KeyError(kind)


def discipline_fingerprint() -> dict:
    from chibo.discipline.models import Appeal, Case, Notice

    return {
        "discipline_cases": Case.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "discipline_appeals": Appeal.objects.count(),
        "discipline_notices": Notice.objects.aggregate(n=Count("pk"), versions=Sum("version")),
    }
