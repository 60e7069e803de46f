"""Targets, payloads and the fingerprint of the programs routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone


def programs_targets(personas, units) -> dict[str, int]:
    """The upper committee's program of the year with one item handed down to France (France's program of the year
    opened for it, holding the linked item), Germany's program with one item, and a proposal France raised to the
    upper committee."""
    from chibo.core.access import actor_from_user
    from chibo.programs import services
    from chibo.programs.models import Item, Program, Proposal

    year = timezone.localdate().year
    officer, phap, duc = (actor_from_user(personas[p]) for p in ("ban.tochuc", "bithu.phap", "bithu.duc"))
    root = services.program_create(actor=officer, unit=units["unit_root"], year=year, title="Chương trình năm")
    item_root = services.item_add(actor=officer, program=root, title="Rà soát danh sách đảng viên ở nước ngoài",
                                  owner_role="Ban Tổ chức", due_on=date(year, 12, 31))
    handed = services.item_hand_down(actor=officer, item=item_root, units=[units["unit_fr"].pk])[0]
    de = services.program_create(actor=duc, unit=units["unit_de"], year=year, title="Chương trình năm")
    item_de = services.item_add(actor=duc, program=de, title="Sinh hoạt chuyên đề", owner_role="Bí thư",
                                due_on=date(year, 12, 31))
    proposal = services.proposal_raise(actor=phap, unit=units["unit_fr"], title="Hỗ trợ tài liệu học tập",
                                       body="Đề nghị cấp trên gửi tài liệu học tập nghị quyết bản điện tử.")
    return {"program_root": root.pk, "program_fr": handed.program_id, "program_de": de.pk, "pitem_root": item_root.pk,
            "pitem_fr": handed.pk, "pitem_de": item_de.pk, "proposal_fr": proposal.pk,
            "program_missing": (Program.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "pitem_missing": (Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "proposal_missing": (Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000}


def programs_payload(kind: str, target, env):
    today = timezone.localdate()
    day, iso = f"{today:%d/%m/%Y}", today.isoformat()
    if kind == "programs_program":  # France's program of the first quarter of next year
        return {"unit": env.targets["unit_fr"], "year": today.year + 1, "quarter": 1, "title": "Chương trình quý I"}
    if kind == "programs_api_program":
        return {"unit": env.targets["unit_fr"], "year": today.year + 1, "quarter": 1, "title": "Chương trình quý I"}
    if kind in ("programs_item", "programs_api_item"):
        due = f"31/12/{today.year}" if kind == "programs_item" else f"{today.year}-12-31"
        return {"title": "Tổ chức học tập nghị quyết", "owner_role": "Bí thư", "due_on": due}
    if kind == "programs_complete":
        return {"do": "complete", "evidence": "Đã rà soát, báo cáo cấp trên bằng văn bản số 3-BC/ĐU.", "done_on": day}
    if kind == "programs_api_complete":
        return {"action": "complete", "evidence": "Đã rà soát, báo cáo cấp trên bằng văn bản số 3-BC/ĐU.",
                "done_on": iso}
    if kind == "programs_remind":
        return {"do": "remind"}
    if kind == "programs_api_remind":
        return {"action": "remind"}
    if kind == "programs_hand_down":
        return {"do": "hand_down", "units": [env.targets["unit_de"]]}
    if kind == "programs_api_hand_down":
        return {"action": "hand_down", "units": [env.targets["unit_de"]]}
    if kind in ("programs_proposal", "programs_api_proposal"):
        return {"unit": env.targets["unit_fr"], "title": "Đề nghị hướng dẫn chuyển sinh hoạt",
                "body": "Đề nghị cấp trên hướng dẫn thủ tục chuyển sinh hoạt cho du học sinh."}
    if kind == "programs_answer":
        return {"do": "answer", "answer": "Ban Tổ chức sẽ gửi tài liệu trong tháng này.", "on": day}
    if kind == "programs_api_answer":
        return {"action": "answer", "answer": "Ban Tổ chức sẽ gửi tài liệu trong tháng này.", "on": iso}
    if kind == "programs_withdraw":
        return {"do": "withdraw", "reason": "Đã có tài liệu."}
    if kind == "programs_api_withdraw":
        return {"action": "withdraw", "reason": "Đã có tài liệu."}
    raise KeyError(kind)


def programs_fingerprint() -> dict:
    from chibo.programs.models import Item, Program, Proposal

    return {
        "programs": Program.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "program_items": Item.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "proposals": Proposal.objects.aggregate(n=Count("pk"), versions=Sum("version")),
    }
