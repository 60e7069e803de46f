"""Targets, payloads and the fingerprint of the transfer routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.test import override_settings
from django.utils import timezone


def transfer_targets(personas, members, units) -> dict[str, int]:
    """transfer_fr: member_fr asks to move (requested); transfer_approved: a plain French member's
    move agreed by the cell (its letter can be issued); transfer_own / transfer_de: letters issued
    (letter_own, letter_de); trip_returned_own: dangvien.phap's approved trip, over (reportable);
    letter_fr: a letter of PHAP-DSQ for member_fr_dsq; review_own: dangvien.phap's self-review awaiting
    certification; member_fr_incoming: a member held by the organization in France (PHAP) whose
    domestic letter can be registered."""
    from chibo.core.access import actor_from_user
    from chibo.members.services import member_create
    from chibo.transfers import services
    from chibo.transfers.models import Kind, Letter, ReturnReview, Transfer

    officer = actor_from_user(personas["ban.tochuc"])
    today = timezone.localdate()
    decided = today - timedelta(days=5)

    def request(member, to_unit):
        return services.transfer_request(actor=officer, member=member, kind=Kind.INTERNAL, to_unit=to_unit,
                                         decision_doc="15/QĐ-BNG", decision_date=decided, reason="Điều động")

    def issue(t):
        services.transfer_approve(actor=officer, transfer=t, on=today)
        return services.transfer_issue_letter(actor=officer, transfer=t, on=today, signer_title="Bí thư",
                                              signer_name="Nguyễn Văn An", dues_paid_through=f"{today:%m/%Y}")

    transfer_fr = request(members["member_fr"], units["unit_fr_dsq"])
    letter_own = issue(request(members["member_own"], units["unit_fr_lhs"]))
    letter_de = issue(request(members["member_de"], units["unit_de"].children.exclude(
        pk=members["member_de"].unit_id).filter(closed_on__isnull=True).first()))
    letter_fr = issue(request(members["member_fr_dsq"], units["unit_fr_lhs"]))
    review = services.return_review_submit(actor=officer, member=members["member_own"],
                                           period_from=date(2023, 9, 1), period_to=today - timedelta(days=1),
                                           text="Hoàn thành tốt nhiệm vụ công tác tại Đại sứ quán, giữ gìn phẩm chất.")
    incoming = member_create(actor=officer, unit=units["unit_fr"], status="full", full_name="Đỗ Minh Khang",
                             gender="M", birth_date=date(1987, 6, 1), admission_date=date(2012, 1, 5),
                             confirmation_date=date(2013, 1, 5), category="mission_staff")
    trip_own = services.trip_apply(actor=officer, member=members["member_own"], country="JP", purpose="Du lịch",
                                   depart_on=today + timedelta(days=20), return_on=today + timedelta(days=30))
    trip_de = services.trip_apply(actor=officer, member=members["member_de"], country="AT", purpose="Thăm bạn",
                                  depart_on=today + timedelta(days=20), return_on=today + timedelta(days=25))
    decl_own = services.declaration_file(actor=officer, member=members["member_own"], kind="foreign_org",
                                         subject="Tham gia Hội cựu sinh viên trường Sciences Po", country="FR")
    decl_de = services.declaration_file(actor=officer, member=members["member_de"], kind="foreign_award",
                                        subject="Dự kiến nhận bằng khen của thành phố Frankfurt", country="DE")
    from chibo.transfers.models import Declaration, Exemption, Trip

    exemption_own = services.exemption_apply(actor=officer, member=members["member_own"], period_from=today,
                                             period_to=today + timedelta(days=90), reason="Công tác một mình")
    exemption_de = services.exemption_apply(actor=officer, member=members["member_de"], period_from=today,
                                            period_to=today + timedelta(days=60), reason="Học ngắn hạn một mình")

    def decided_trip(member):  # applied, commented and approved: its decision can be downloaded
        trip = services.trip_apply(actor=officer, member=member, country="IT", purpose="Thăm người thân",
                                   depart_on=today + timedelta(days=40), return_on=today + timedelta(days=50))
        services.trip_opinion(actor=officer, trip=trip, opinion="Đề nghị đồng ý")
        return services.trip_decide(actor=officer, trip=trip, approve=True, document="16-QĐ/ĐU")

    def decided_declaration(member):
        d = services.declaration_file(actor=officer, member=member, kind="foreign_org", country="FR",
                                      subject="Tham gia hội khoa học quốc tế")
        services.declaration_opinion(actor=officer, declaration=d, opinion="Đề nghị đồng ý")
        return services.declaration_decide(actor=officer, declaration=d, approve=False, document="17-TB/ĐU")

    trip_decided_own, trip_decided_de = decided_trip(members["member_own"]), decided_trip(members["member_de"])
    with override_settings(CHIBO_TODAY=today - timedelta(days=30)):  # approved then, and over by today
        trip_returned_own = services.trip_apply(actor=officer, member=members["member_own"], country="BE",
                                                purpose="Thăm bạn", depart_on=today - timedelta(days=20),
                                                return_on=today - timedelta(days=15))
        services.trip_opinion(actor=officer, trip=trip_returned_own, opinion="Đề nghị đồng ý")
        services.trip_decide(actor=officer, trip=trip_returned_own, approve=True, document="18-QĐ/ĐU")
    approved = request(plain_full_members("PHAP-LHS", 1, exclude=[m.pk for m in members.values()])[0],
                       units["unit_fr_dsq"])
    services.transfer_approve(actor=officer, transfer=approved, on=today)
    decl_decided_own = decided_declaration(members["member_own"])
    decl_decided_de = decided_declaration(members["member_de"])
    team = plain_full_members("NHATBAN", 3)
    delegation = services.delegation_cell_create(
        actor=officer, parent=units["unit_root"], name="Chi bộ tạm thời Đoàn công tác Osaka 2026", code="DOAN-OSAKA26",
        country="JP", opened_on=today - timedelta(days=30), return_on=today + timedelta(days=10),
        document="720-QĐ/ĐUBNG", tasks=[("Lãnh đạo đoàn", None)],
        team=[(team[0], "secretary"), (team[1], "member"), (team[2], "member")])
    from chibo.transfers.models import OutsideOrganization

    org = OutsideOrganization.objects.order_by("pk").first()
    hold = services.hold_open(actor=officer, member=members["member_us"], kind="complaint", reference="3-ĐKN",
                              opened_on=today - timedelta(days=3))
    return {
        "hold_us": hold.pk,
        "exemption_own": exemption_own.pk, "exemption_de": exemption_de.pk,
        "exemption_missing": (Exemption.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "unit_delegation": delegation.unit_id,
        "org_first": org.pk,
        "org_missing": (OutsideOrganization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "trip_own": trip_own.pk, "trip_de": trip_de.pk, "trip_returned_own": trip_returned_own.pk,
        "transfer_approved": approved.pk,
        "trip_missing": (Trip.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "declaration_own": decl_own.pk, "declaration_de": decl_de.pk,
        "trip_decided_own": trip_decided_own.pk, "trip_decided_de": trip_decided_de.pk,
        "declaration_decided_own": decl_decided_own.pk, "declaration_decided_de": decl_decided_de.pk,
        "declaration_missing": (Declaration.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "transfer_fr": transfer_fr.pk, "transfer_own": letter_own.transfer_id, "transfer_de": letter_de.transfer_id,
        "transfer_missing": (Transfer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "letter_own": letter_own.pk, "letter_de": letter_de.pk, "letter_fr": letter_fr.pk,
        "letter_missing": (Letter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "review_own": review.pk,
        "review_missing": (ReturnReview.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "member_fr_incoming": incoming.pk,
    }


def plain_full_members(country_code: str, n: int, exclude=()):
    """Full members of a unit's subtree (a country or a cell, by code) with a card number, no committee
    post, no open transfer."""
    from chibo.members.models import CommitteePost, Member
    from chibo.transfers.models import OPEN_STATES, Transfer
    from chibo.units.models import Unit

    root = Unit.objects.get(code=country_code)
    busy = Transfer.objects.filter(state__in=OPEN_STATES).values("member_id")
    posts = CommitteePost.objects.filter(to_date__isnull=True).values("member_id")
    found = list(Member.objects.filter(unit__path__startswith=root.path, status="full", card_number__isnull=False)
                 .exclude(pk__in=busy).exclude(pk__in=posts).exclude(pk__in=list(exclude)).order_by("pk")[:n])
    assert len(found) == n, f"the demo has fewer than {n} plain full members in {country_code}"
    return found


def transfers_fingerprint() -> dict:
    from chibo.transfers.models import (
        Declaration,
        Delegation,
        DelegationMember,
        Exemption,
        Letter,
        OutsideOrganization,
        ReturnReview,
        Transfer,
        TransferHold,
        Trip,
    )

    return {
        "trips": list(Trip.objects.order_by("pk").values_list("pk", "state")),
        "declarations": list(Declaration.objects.order_by("pk").values_list("pk", "state")),
        "exemptions": list(Exemption.objects.order_by("pk").values_list("pk", "state")),
        "transfers": list(Transfer.objects.order_by("pk").values_list("pk", "state")),
        "letters": list(Letter.objects.order_by("pk").values_list("pk", "void_reason")),
        "reviews": list(ReturnReview.objects.order_by("pk").values_list("pk", "certified_on")),
        "holds": TransferHold.objects.aggregate(n=Count("pk"), closed=Count("closed_on")),
        "orgs": list(OutsideOrganization.objects.order_by("pk").values_list("pk", "name", "active")),
        "delegations": list(Delegation.objects.order_by("pk").values_list("pk", "unit__closed_on")),
        "delegation_links": list(DelegationMember.objects.order_by("pk").values_list("pk", "detached_on")),
    }


def transfer_payload(kind: str, target, env):
    today = timezone.localdate()
    d = lambda day: day.strftime("%d/%m/%Y")  # noqa: E731
    if kind == "transfers_approve":
        return {"do": "approve", "on": d(today)}
    if kind == "transfers_request":
        return {"kind": "internal", "to_unit": str(env.targets["unit_fr_lhs"]), "decision_doc": "21/QĐ-BNG",
                "decision_date": d(today - timedelta(days=3)), "reason": "Điều động công tác"}
    if kind == "transfers_incoming":
        from chibo.transfers.models import OutsideOrganization

        return {"from_org": str(OutsideOrganization.objects.order_by("pk").first().pk), "incoming_letter": "33-GGT/ĐU",
                "letter_date": d(today - timedelta(days=2)), "decision_doc": "40/QĐ-BNG",
                "decision_date": d(today - timedelta(days=20)), "to_unit": str(env.targets["unit_fr_lhs"]),
                "reason": "Nhiệm kỳ công tác"}
    if kind == "transfers_review":
        return {"period_from": "01/09/2023", "period_to": d(today - timedelta(days=1)),
                "text": "Tự kiểm điểm: hoàn thành nhiệm vụ, chấp hành nghiêm kỷ luật của Đảng."}
    if kind == "transfers_certify":
        return {"certified_by": "mission", "certifier_label": "Đại sứ quán Việt Nam tại Pháp",
                "certified_on": d(today), "certified_ref": "90/ĐSQ"}
    if kind == "transfers_hold":
        return {"kind": "inspection", "reference": "15-QĐ/UBKT", "opened_on": d(today)}
    if kind == "transfers_void":
        return {"reason": "Viết sai ô số 1"}
    if kind == "transfers_org":
        return {"name": "Đảng bộ Vụ Lễ tân Nhà nước", "upper_name": "Đảng ủy Bộ Ngoại giao", "address": "Hà Nội"}
    if kind == "transfers_api_request":
        return {"member": env.targets["member_phap"], "kind": "internal", "to_unit": env.targets["unit_fr_lhs"],
                "decision_doc": "22/QĐ-BNG", "decision_date": (today - timedelta(days=3)).isoformat(),
                "reason": "Điều động công tác"}
    if kind == "transfers_api_approve":
        return {"action": "approve", "on": today.isoformat()}
    if kind in ("transfers_api_issue", "transfers_api_forward"):
        return {"action": kind.removeprefix("transfers_api_"), "on": today.isoformat(), "signer_title": "Bí thư",
                "signer_name": "Nguyễn Văn An", "dues_paid_through": f"{today:%m/%Y}"}
    if kind == "transfers_api_trip":
        return {"member": env.targets["member_own"], "country": "JP", "purpose": "Du lịch",
                "depart_on": (today + timedelta(days=10)).isoformat(),
                "return_on": (today + timedelta(days=17)).isoformat()}
    if kind == "transfers_api_trip_self":  # no member named: the caller's own record
        return {"country": "JP", "purpose": "Du lịch", "depart_on": (today + timedelta(days=10)).isoformat(),
                "return_on": (today + timedelta(days=17)).isoformat()}
    if kind == "transfers_api_trip_report":
        return {"action": "report", "text": "Chuyến đi tốt đẹp, đã về nước đúng hạn, không có gì bất thường."}
    if kind == "transfers_api_trip_comment":
        return {"action": "opinion", "opinion": "Đề nghị đồng ý"}
    if kind == "transfers_api_delegation_close":
        return {"action": "close", "closed_on": today.isoformat(), "document": "740-QĐ/ĐUBNG"}
    if kind == "transfers_api_exemption":
        return {"member": env.targets["member_own"], "period_from": today.isoformat(),
                "period_to": (today + timedelta(days=30)).isoformat(), "reason": "Công tác một mình"}
    if kind == "transfers_api_declaration":
        return {"member": env.targets["member_own"], "kind": "foreign_org", "country": "FR",
                "subject": "Tham gia hội cựu sinh viên"}
    if kind == "transfers_api_opinion":
        return {"action": "opinion", "opinion": "Đề nghị đồng ý"}
    if kind == "transfers_trip":
        return {"country": "JP", "purpose": "Du lịch", "depart_on": d(today + timedelta(days=10)),
                "return_on": d(today + timedelta(days=17))}
    if kind == "transfers_trip_comment":
        return {"do": "opinion", "opinion": "Đề nghị đồng ý"}
    if kind == "transfers_declaration":
        return {"kind": "foreign_org", "country": "FR", "subject": "Tham gia hội cựu sinh viên"}
    if kind == "transfers_opinion":
        return {"do": "opinion", "opinion": "Đề nghị đồng ý"}
    if kind == "transfers_exemption":
        return {"period_from": d(today), "period_to": d(today + timedelta(days=100)), "reason": "Công tác một mình"}
    if kind == "transfers_rotation":  # two plain members of PHAP-LHS without an open transfer
        from chibo.members.models import Member
        from chibo.transfers.models import OPEN_STATES, Transfer

        busy = Transfer.objects.filter(state__in=OPEN_STATES).values("member_id")
        pks = list(Member.objects.filter(unit_id=env.targets["unit_fr_lhs"], status="full").exclude(pk__in=busy)
                   .order_by("pk").values_list("pk", flat=True)[:2])
        return {"members": [str(pk) for pk in pks], "kind": "internal", "to_unit": str(env.targets["unit_fr_dsq"]),
                "decision_doc": "31/QĐ-BNG", "decision_date": d(today - timedelta(days=2)),
                "reason": "Luân chuyển cuối nhiệm kỳ", "action": "commit"}
    if kind == "transfers_api_rotation":  # the page's members as ids, no preview/commit button: POST commits
        body = transfer_payload("transfers_rotation", target, env)
        del body["action"]
        return {**body, "members": [int(pk) for pk in body["members"]], "to_unit": env.targets["unit_fr_dsq"],
                "decision_date": (today - timedelta(days=2)).isoformat()}
    if kind == "transfers_api_delegation":  # the page's rows as lists of objects
        team = plain_full_members("NGA", 3)
        return {"name": "Chi bộ tạm thời Đoàn công tác Kazan 2026", "code": "DOAN-KAZAN26", "country": "RU",
                "opened_on": today.isoformat(), "return_on": (today + timedelta(days=14)).isoformat(),
                "document": "730-QĐ/ĐUBNG",
                "members": [{"member": team[0].pk, "role": "secretary"},
                            {"member": team[1].pk, "role": "deputy_secretary"},
                            {"member": team[2].pk}],
                "tasks": [{"text": "Lãnh đạo đoàn hoàn thành nhiệm vụ"}]}
    if kind == "transfers_delegation":
        team = plain_full_members("NGA", 3)
        return {"name": "Chi bộ tạm thời Đoàn công tác Kazan 2026", "code": "DOAN-KAZAN26", "country": "RU",
                "opened_on": d(today), "return_on": d(today + timedelta(days=14)), "document": "730-QĐ/ĐUBNG",
                "member": [str(m.pk) for m in team], f"role_{team[0].pk}": "secretary",
                f"role_{team[1].pk}": "deputy_secretary", "task_text": ["Lãnh đạo đoàn hoàn thành nhiệm vụ"],
                "task_due": [""]}
    if kind == "transfers_org_edit":
        return {"name": "Đảng bộ Cục Lãnh sự (sau sắp xếp)", "kind": "domestic_party",
                "upper_name": "Đảng ủy Bộ Ngoại giao", "address": "Hà Nội"}
    if kind == "transfers_org_deactivate":
        return {"active": "0", "reason": "Sáp nhập vào Đảng bộ khác"}
    if kind == "transfers_hold_close":
        return {"closed_on": d(today)}
    if kind == "transfers_close":
        return {"closed_on": d(today), "document": "740-QĐ/ĐUBNG"}
    raise AssertionError(f"unknown payload {kind!r}")
