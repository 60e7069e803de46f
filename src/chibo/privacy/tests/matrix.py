"""Targets, payloads and the fingerprint of the privacy routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Sum
from django.utils import timezone


def privacy_targets(personas) -> dict[str, int]:
    """dangvien.phap's own export request (filed by them) and one breach in the top organization's register."""
    from chibo.core.access import actor_from_user
    from chibo.privacy import services

    req = services.request_file(actor=actor_from_user(personas["dangvien.phap"]), kind="export")
    breach = services.breach_record(actor=actor_from_user(personas["ban.tochuc"]),
                                    detected_at=timezone.now() - timedelta(hours=5), summary="Mất máy tính",
                                    data_affected="Danh sách một chi bộ")
    return {"preq_own": req.pk, "preq_missing": req.pk + 1000, "breach_top": breach.pk,
            "breach_missing": breach.pk + 1000}


def _former_member_past_retention() -> int:
    """A plain full member in the United States taken off the rolls on 1/1/2014 (inside the attempt's transaction,
    rolled back with it): past the 10 years of privacy.keep_former_member_years."""
    from chibo.accounts.cli import cli_actor
    from chibo.members.models import CommitteePost, Member, Status
    from chibo.members.services import member_change_status

    left_on = date(2014, 1, 1)
    member = (Member.objects.filter(unit__code="HOAKY-DSQ", status=Status.FULL, admission_date__lte=left_on,
                                    user__isnull=True)
              .exclude(pk__in=CommitteePost.objects.filter(to_date__isnull=True).values("member_id"))
              .order_by("pk").first())
    assert member is not None, "the demo has no plain full member admitted before 2014 in HOAKY-DSQ"
    member_change_status(actor=cli_actor(None), member=member, status=Status.LEFT, reason="Xin ra khỏi Đảng",
                         document="QĐ 1/2014", effective_on=left_on)
    return member.pk


def privacy_payload(kind: str, target, env):
    now = timezone.localtime()
    if kind == "privacy_anonymise":
        return {"kind": "member", "person": _former_member_past_retention(), "confirm": "on"}
    if kind == "privacy_api_anonymise":
        return {"kind": "member", "person": _former_member_past_retention(), "confirm": True}
    if kind in ("privacy_file", "privacy_api_file"):
        return {"kind": "see", "details": "Tôi muốn xem dữ liệu của mình"}
    if kind == "privacy_answer":
        return {"do": "answer", "answer": "Dữ liệu của đồng chí đã gửi kèm."}
    if kind == "privacy_api_answer":
        return {"action": "answer", "answer": "Dữ liệu của đồng chí đã gửi kèm."}
    if kind in ("privacy_export", "privacy_api_export"):
        return {"password": "mat-khau-dai-1"}
    if kind in ("privacy_breach", "privacy_api_breach"):
        return {"detected_at": f"{now - timedelta(hours=2):%d/%m/%Y %H:%M}", "summary": "Gửi nhầm thư điện tử",
                "data_affected": "Họ tên, thư điện tử của 3 đảng viên"}
    if kind == "privacy_notify":
        return {"do": "notify", "notified_at": f"{now:%d/%m/%Y %H:%M}", "notified_to": "Cục A05"}
    if kind == "privacy_api_notify":
        return {"action": "notify", "notified_at": f"{now:%d/%m/%Y %H:%M}", "notified_to": "Cục A05"}
    raise KeyError(kind)


def privacy_fingerprint() -> dict:
    from chibo.privacy.models import Anonymisation, Breach, DataRequest

    return {
        "privacy_requests": DataRequest.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "privacy_breaches": Breach.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "privacy_anonymised": Anonymisation.objects.count(),
    }
