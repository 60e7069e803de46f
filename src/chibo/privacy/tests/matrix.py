"""Targets, payloads and the fingerprint of the privacy routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import timedelta

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


def privacy_payload(kind: str, target, env):
    now = timezone.localtime()
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
    from chibo.privacy.models import Breach, DataRequest

    return {
        "privacy_requests": DataRequest.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "privacy_breaches": Breach.objects.aggregate(n=Count("pk"), versions=Sum("version")),
    }
