"""Targets, payloads and the fingerprint of the dues routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from chibo.core.calendar import add_months


def dues_targets(personas, members, units) -> dict[str, int]:
    """Salary profiles from three months ago for the member targets of France and Germany; a payment of
    dangvien.phap (entry_own, PHAP-DSQ), of member_fr (PHAP-LHS) and of member_de (DUC-FRA); an exemption decision
    of dangvien.phap and of member_de; PHAP-DSQ's and DUC-FRA's month sent up, not yet confirmed."""
    from chibo.core.access import actor_from_user
    from chibo.dues import services
    from chibo.dues.models import Decision, Entry, Remittance

    officer = actor_from_user(personas["ban.tochuc"])
    today = timezone.localdate()
    month = today.replace(day=1)
    start = add_months(month, -3)
    for name in ("member_own", "member_fr", "member_fr_dsq", "member_de"):  # obligations from then to now
        services.profile_set(actor=officer, member=members[name], month=start, base="salary", currency="VND",
                             base_amount="20000000")

    def pay(name):
        member = members[name]
        line = services.PaymentLine(member=member, amount="200000")
        return services.payments_post(actor=officer, unit=member.unit, lines=[line], paid_on=today,
                                      method="cash").entries[0]

    def exempt(name):
        return services.decision_record(actor=officer, member=members[name], kind="exempt", reason="illness",
                                        month_from=add_months(month, 1), month_to=add_months(month, 2),
                                        document="5-QĐ/CB", decided_on=today - timedelta(days=1))

    entry_own, entry_fr, entry_de = pay("member_own"), pay("member_fr"), pay("member_de")
    decision_own, decision_de = exempt("member_own"), exempt("member_de")
    remit_fr = services.remittance_send(actor=officer, unit=entry_own.unit, month=month, currency="VND",
                                        sent_on=today)
    remit_de = services.remittance_send(actor=officer, unit=entry_de.unit, month=month, currency="VND",
                                        sent_on=today)
    assert entry_fr.unit == units["unit_fr_lhs"] and entry_own.unit == units["unit_fr_dsq"]
    return {
        "entry_own": entry_own.pk, "entry_fr": entry_fr.pk, "entry_de": entry_de.pk,
        "entry_missing": (Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "decision_own": decision_own.pk, "decision_de": decision_de.pk,
        "decision_missing": (Decision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "remit_fr_dsq": remit_fr.pk, "remit_de": remit_de.pk,
        "remit_missing": (Remittance.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
    }


def dues_payload(kind: str, target, env):
    today = timezone.localdate()
    month = f"{today:%m/%Y}"
    later = add_months(today.replace(day=1), 4)
    if kind == "dues_pay":
        return {"amount": "200000", "method": "cash", "paid_on": f"{today:%d/%m/%Y}"}
    if kind == "dues_api_pay":
        return {"amount": "200000", "method": "bank", "paid_on": today.isoformat(), "reference": "VCB 123"}
    if kind == "dues_month":
        return {"paid_on": f"{today:%d/%m/%Y}", "method": "cash", f"amount_{env.targets['member_fr']}": "200000"}
    if kind == "dues_api_month":
        return {"method": "cash", "lines": [{"member": env.targets["member_fr"], "amount": "200000"}]}
    if kind == "dues_profile":
        return {"month": month, "base": "salary", "currency": "VND", "base_amount": "25000000"}
    if kind == "dues_decision":
        return {"kind": "reduce", "reason": "hardship", "percent": "50", "month_from": f"{later:%m/%Y}",
                "month_to": f"{later:%m/%Y}", "document": "9-QĐ/CB", "decided_on": f"{today:%d/%m/%Y}"}
    if kind == "dues_reason":
        return {"reason": "Ghi nhầm người nộp"}
    if kind == "dues_remit":
        return {"month": month, "currency": "VND", "sent_on": f"{today:%d/%m/%Y}", "reference": "UNC 7"}
    if kind == "dues_confirm":
        return {"do": "confirm", "on": f"{today:%d/%m/%Y}"}
    if kind == "dues_api_confirm":
        return {"action": "confirm", "on": today.isoformat()}
    if kind == "dues_rate":
        return {"category": "labourer", "currency": "CHF", "amount": "15", "effective_from": month,
                "basis": "Hướng dẫn của Đảng ủy Bộ Ngoại giao (mức tại Thụy Sĩ)"}
    if kind == "dues_fx":
        return {"currency": "CHF", "day": f"{today:%d/%m/%Y}", "vnd": "30123,5", "source": "Vietcombank"}
    raise KeyError(kind)


def dues_fingerprint() -> dict:
    from chibo.dues.models import Decision, Entry, ExchangeRate, Obligation, Profile, Remittance

    return {
        "dues_entries": Entry.objects.aggregate(n=Count("pk"), total=Sum("amount")),
        "dues_profiles": list(Profile.objects.order_by("pk").values_list("pk", "month", "base_amount")),
        "dues_decisions": list(Decision.objects.order_by("pk").values_list("pk", "revoked_at")),
        "dues_obligations": Obligation.objects.aggregate(n=Count("pk"), total=Sum("amount")),
        "dues_remittances": list(Remittance.objects.order_by("pk").values_list("pk", "state")),
        "dues_rates": list(ExchangeRate.objects.order_by("pk").values_list("pk", "vnd")),
    }
