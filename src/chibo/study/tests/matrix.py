"""Targets and payloads of the study routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def study_targets(personas, members, units) -> dict[str, int]:
    """A session of France's embassy cell (PHAP-DSQ, dangvien.phap's cell) held three days ago with dangvien.phap's
    reflection, a session of Germany's cell DUC-FRA, and a new-member certificate of dangvien.phap and of a member
    in Germany."""
    from chibo.core.access import actor_from_user
    from chibo.study import services
    from chibo.study.models import Certificate, Reflection, Session

    today = timezone.localdate()
    phap, duc = actor_from_user(personas["bithu.phap"]), actor_from_user(personas["bithu.duc"])
    own = actor_from_user(personas["dangvien.phap"])
    fr = services.session_plan(actor=phap, unit=units["unit_fr_dsq"], topic="Quán triệt Nghị quyết Đại hội XIV",
                               held_on=today - timedelta(days=3), materials="Nghị quyết số 01-NQ/ĐH")
    de = services.session_plan(actor=duc, unit=units["unit_de_cell"], topic="Học tập Quy định 296-QĐ/TW",
                               held_on=today - timedelta(days=3))
    reflection = services.reflection_write(actor=own, session=fr, text="Tôi tiếp thu và sẽ thực hiện.")
    cert_own = services.certificate_record(actor=phap, member=members["member_own"], kind="new_member",
                                           issuer="Đảng ủy Bộ Ngoại giao", number="GCN 12/2024",
                                           issued_on=today - timedelta(days=400))
    cert_de = services.certificate_record(actor=duc, member=members["member_de"], kind="other",
                                          title="Lý luận chính trị", issuer="Đảng ủy Bộ Ngoại giao",
                                          number="GCN 5/2023", issued_on=today - timedelta(days=700))
    return {"session_fr": fr.pk, "session_de": de.pk,
            "session_missing": (Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "reflection_own": reflection.pk,
            "reflection_missing": (Reflection.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "cert_own": cert_own.pk, "cert_de": cert_de.pk,
            "cert_missing": (Certificate.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000}


def study_payload(kind: str, target, env):
    today = timezone.localdate()
    own = env.targets["member_own"]
    if kind == "study_plan":
        return {"unit": env.targets["unit_fr_dsq"], "topic": "Học tập chuyên đề năm 2026",
                "held_on": f"{today + timedelta(days=7):%d/%m/%Y}", "materials": "Chỉ thị 05-CT/TW"}
    if kind == "study_api_plan":
        return {"unit": env.targets["unit_fr_dsq"], "topic": "Học tập chuyên đề năm 2026",
                "held_on": f"{today + timedelta(days=7):%d/%m/%Y}"}
    if kind == "study_attendance":
        return {f"presence_{own}": "present"}
    if kind == "study_api_attendance":
        return {"rows": [{"member": own, "presence": "excused", "reason": "Đi công tác"}]}
    if kind in ("study_reflection", "study_api_reflection"):
        return {"text": "Bài thu hoạch: tôi sẽ vận dụng vào công việc."}
    if kind == "study_certificate":
        return {"member": own, "kind": "awareness", "number": "GCN 3/2019", "issuer": "Đảng ủy Bộ Ngoại giao",
                "issued_on": f"{today - timedelta(days=30):%d/%m/%Y}"}
    if kind == "study_api_certificate":
        return {"member": own, "kind": "other", "title": "Bồi dưỡng cấp ủy viên", "number": "GCN 8/2025",
                "issuer": "Đảng ủy Bộ Ngoại giao", "issued_on": f"{today - timedelta(days=30):%d/%m/%Y}"}
    raise KeyError(kind)
