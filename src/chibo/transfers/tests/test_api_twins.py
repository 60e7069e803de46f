"""The API twins of the transfer pages, through the API alone (JSON bodies, signed-in sessions): each one
does what its page does, a bad body writes nothing, and an object of another country answers 404."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db.models import Q
from django.test import override_settings

from chibo.core.models import AuditEvent
from chibo.members.models import Member
from chibo.transfers.models import (
    Delegation,
    Letter,
    OutsideOrganization,
    ReturnReview,
    Transfer,
    TransferHold,
)
from chibo.transfers.tests.matrix import plain_full_members, transfers_fingerprint
from chibo.units.models import Unit

TODAY = date(2026, 6, 15)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clock():
    with override_settings(CHIBO_TODAY=TODAY):
        yield


def post(client, url: str, body=None, method: str = "post"):
    return getattr(client, method)(url, json.dumps(body if body is not None else {}), content_type="application/json")


def written() -> dict:
    """Everything these routes could write: the transfers' tables, the units, the audit chain (without reads,
    refusals and the sign-ins of the test clients)."""
    return {**transfers_fingerprint(), "units": Unit.objects.count(),
            "members": list(Member.objects.order_by("pk").values_list("pk", "unit_id", "version")),
            "audit": AuditEvent.objects.exclude(Q(action__endswith=".viewed") | Q(action__contains="denied")
                                                | Q(action="auth.login")).count()}


def request_body(member, unit) -> dict:
    return {"member": member.pk, "kind": "internal", "to_unit": unit.pk, "decision_doc": "21/QĐ-BNG",
            "decision_date": "2026-06-10", "reason": "Điều động công tác"}


def test_a_hold_blocks_a_transfer_request_until_it_is_closed(client_of, unit):
    member = plain_full_members("PHAP-LHS", 1)[0]
    inspector, secretary = client_of("ub.kiemtra"), client_of("bithu.phap")
    url = f"/api/v1/members/{member.pk}/holds/"
    before = written()
    for bad, field in (({"kind": "inspection", "reference": "15-QĐ/UBKT", "opened_on": "31/02/2026"}, "opened_on"),
                       ({"kind": "audit", "reference": "15-QĐ/UBKT", "opened_on": "2026-06-15"}, "kind"),
                       ({"kind": "inspection", "reference": {"no": 15}, "opened_on": "2026-06-15"}, "reference"),
                       ({"kind": "inspection", "reference": "15", "opened_on": "2026-06-15", "member": 1}, "member")):
        refused = post(inspector, url, bad)
        assert refused.status_code == 400 and field in refused.json(), refused.json()
    # the secretary sees the member but may not flag them: refused before the body is read
    assert post(secretary, url, {"kind": "inspection"}).status_code == 403
    assert post(client_of("bithu.duc"), url, {"kind": "inspection", "reference": "1", "opened_on": "2026-06-15"}
                ).status_code == 404
    assert written() == before

    opened = post(inspector, url, {"kind": "inspection", "reference": "15-QĐ/UBKT", "opened_on": "15/06/2026"})
    assert opened.status_code == 201, opened.json()
    hold = opened.json()
    assert hold["member"] == member.pk and hold["kind"] == "inspection" and hold["closed_on"] is None
    assert [h["id"] for h in secretary.get(url).json()["results"]] == [hold["id"]]
    assert client_of("bithu.duc").get(url).status_code == 404

    blocked = post(secretary, "/api/v1/transfers/", request_body(member, unit("PHAP-DSQ")))
    assert blocked.status_code == 400 and "15-QĐ/UBKT" in blocked.json()["member"][0]
    assert not Transfer.objects.filter(member=member).exists()

    close_url = f"/api/v1/holds/{hold['id']}/close/"
    assert post(secretary, close_url, {"closed_on": "2026-06-15"}).status_code == 403
    assert post(client_of("bithu.duc"), close_url, {"closed_on": "2026-06-15"}).status_code == 404
    assert post(inspector, close_url, {"closed_on": "2026-06-16"}).status_code == 400  # tomorrow
    assert TransferHold.objects.get(pk=hold["id"]).closed_on is None
    closed = post(inspector, close_url, {"closed_on": "2026-06-15"})
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2026-06-15"
    assert post(secretary, "/api/v1/transfers/", request_body(member, unit("PHAP-DSQ"))).status_code == 201


def issued_letter(actor_of, member, to_unit) -> Letter:
    from chibo.transfers import services

    officer = actor_of("ban.tochuc")
    t = services.transfer_request(actor=officer, member=member, kind="internal", to_unit=to_unit,
                                  decision_doc="15/QĐ-BNG", decision_date=date(2026, 6, 10), reason="Điều động")
    services.transfer_approve(actor=officer, transfer=t, on=TODAY)
    return services.transfer_issue_letter(actor=officer, transfer=t, on=TODAY, signer_title="Bí thư",
                                          signer_name="Nguyễn Văn An", dues_paid_through="06/2026")


def test_a_voided_letter_shows_as_voided_and_the_transfer_steps_back(client_of, actor_of, unit):
    member = plain_full_members("PHAP-LHS", 1)[0]
    letter = issued_letter(actor_of, member, unit("PHAP-DSQ"))
    url = f"/api/v1/letters/{letter.pk}/void/"
    before = written()
    assert post(client_of("bithu.phap"), url, {}).status_code == 400
    assert post(client_of("bithu.phap"), url, {"reason": "   "}).status_code == 400  # blank once cleaned
    assert post(client_of("bithu.phap"), url, {"reason": "Sai", "void": True}).status_code == 400
    assert post(client_of("ub.kiemtra"), url, {"reason": "Viết sai ô số 1"}).status_code == 403
    assert post(client_of("bithu.duc"), url, {"reason": "Viết sai ô số 1"}).status_code == 404
    assert written() == before

    done = post(client_of("bithu.phap"), url, {"reason": "Viết sai ô số 1"})
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["id"] == letter.pk and body["void_reason"] == "Viết sai ô số 1" and body["voided_on"] == "2026-06-15"
    assert body["transfer"] == letter.transfer_id and body["transfer_state"] == "approved"
    shown = client_of("bithu.phap").get(f"/api/v1/transfers/{letter.transfer_id}/").json()
    assert shown["state"] == "approved" and [x["void_reason"] for x in shown["letters"]] == ["Viết sai ô số 1"]
    assert "issue" in shown["available_actions"]  # a new letter can be written
    again = post(client_of("bithu.phap"), url, {"reason": "Lần nữa"})
    assert again.status_code == 400 and "reason" in again.json()


def test_an_incoming_letter_registers_the_member_transfer(client_of, actor_of, unit):
    from chibo.members.services import member_create

    member = member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP"), status="full", full_name="Đỗ Minh Khang",
                           gender="M", birth_date=date(1987, 6, 1), admission_date=date(2012, 1, 5),
                           confirmation_date=date(2013, 1, 5), category="mission_staff")
    org = OutsideOrganization.objects.filter(active=True).order_by("pk").first()
    url = f"/api/v1/members/{member.pk}/transfers/incoming/"
    body = {"from_org": org.pk, "incoming_letter": "33-GGT/ĐU", "letter_date": "2026-06-12",
            "decision_doc": "40/QĐ-BNG", "decision_date": "2026-05-25", "to_unit": unit("PHAP-LHS").pk,
            "reason": "Nhiệm kỳ công tác"}
    before = written()
    for change, field in (({"to_unit": unit("DUC-FRA").pk}, "to_unit"),       # not under the member's unit
                          ({"to_unit": unit("PHAP").pk}, "to_unit"),          # the member's own unit
                          ({"from_org": 10**6}, "from_org"),
                          ({"letter_date": "2026-05-01"}, "letter_date"),     # before the decision
                          ({"reason": ["Nhiệm kỳ"]}, "reason"),
                          ({"kind": "official_in"}, "kind")):
        refused = post(client_of("bithu.phap"), url, {**body, **change})
        assert refused.status_code == 400 and field in refused.json(), (change, refused.json())
    assert post(client_of("ub.kiemtra"), url, body).status_code == 403
    assert post(client_of("bithu.duc"), url, body).status_code == 404
    assert written() == before

    done = post(client_of("bithu.phap"), url, body)
    assert done.status_code == 201, done.json()
    t = done.json()
    assert t["member"] == member.pk and t["kind"] == "abroad" and t["state"] == "issued"
    assert t["from_org"] == org.pk and t["to_unit"] == unit("PHAP-LHS").pk and t["report_due"]
    assert Transfer.objects.get(member=member).incoming_letter == "33-GGT/ĐU"
    assert "forward" in t["available_actions"]  # the committee introduces the member on to the cell
    twice = post(client_of("bithu.phap"), url, body)
    assert twice.status_code == 400 and "member" in twice.json()


def test_the_directory_of_outside_organizations(client_of):
    officer = client_of("ban.tochuc")
    body = {"name": "Đảng bộ Vụ Lễ tân Nhà nước", "upper_name": "Đảng ủy Bộ Ngoại giao", "address": "Hà Nội"}
    before = written()
    assert post(client_of("bithu.phap"), "/api/v1/organizations/", body).status_code == 403
    assert post(client_of("dangvien.phap"), "/api/v1/organizations/", body).status_code == 404
    assert post(officer, "/api/v1/organizations/", {**body, "kind": "embassy"}).status_code == 400
    assert post(officer, "/api/v1/organizations/", {**body, "active": False}).status_code == 400
    taken = OutsideOrganization.objects.order_by("pk").first()
    dup = post(officer, "/api/v1/organizations/", {"name": taken.name.upper()})
    assert dup.status_code == 400 and "name" in dup.json()
    assert written() == before

    created = post(officer, "/api/v1/organizations/", body)
    assert created.status_code == 201, created.json()
    org = created.json()
    assert org["kind"] == "domestic_party" and org["active"] is True and org["transfers"] == 0
    listed = client_of("bithu.duc").get("/api/v1/organizations/").json()["results"]
    assert org["id"] in {o["id"] for o in listed}
    url = f"/api/v1/organizations/{org['id']}/"
    assert client_of("bithu.phap").get(url).json()["name"] == body["name"]

    # PATCH: the fields left out keep their value; the same form validates
    assert post(client_of("bithu.phap"), url, {"address": "Số 1 Tôn Thất Đàm"}, method="patch").status_code == 403
    assert post(officer, url, {"name": ""}, method="patch").status_code == 400
    patched = post(officer, url, {"kind": "mission", "address": "Số 1 Tôn Thất Đàm"}, method="patch")
    assert patched.status_code == 200, patched.json()
    assert patched.json() | {"transfers": 0} == {**org, "kind": "mission", "address": "Số 1 Tôn Thất Đàm"}

    active_url = f"/api/v1/organizations/{org['id']}/active/"
    refused = post(officer, active_url, {"active": False})
    assert refused.status_code == 400 and "reason" in refused.json()
    assert post(client_of("bithu.phap"), active_url, {"active": False, "reason": "Sáp nhập"}).status_code == 403
    stopped = post(officer, active_url, {"active": False, "reason": "Sáp nhập"})
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert org["id"] not in {o["id"] for o in officer.get("/api/v1/organizations/?active=true").json()["results"]}
    assert org["id"] in {o["id"] for o in officer.get("/api/v1/organizations/?active=false").json()["results"]}
    again = post(officer, active_url, {"active": "1"})  # the page's value works too
    assert again.status_code == 200 and again.json()["active"] is True
    assert officer.get("/api/v1/organizations/10000000/").status_code == 404
    assert client_of("dangvien.phap").get(url).status_code == 404


def test_the_member_files_the_self_review_and_the_cell_certifies_it(client_of, personas):
    me = personas["dangvien.phap"].member
    mine = client_of("dangvien.phap")
    url = f"/api/v1/members/{me.pk}/return-reviews/"
    body = {"period_from": "2023-09-01", "period_to": "2026-06-01",
            "text": "Tự kiểm điểm: hoàn thành nhiệm vụ, chấp hành nghiêm kỷ luật của Đảng."}
    before = written()
    assert post(mine, url, {**body, "text": "Ngắn"}).status_code == 400
    assert post(mine, url, {**body, "period_to": "2026-07-01"}).status_code == 400   # the future
    assert post(mine, url, {**body, "certified_on": "2026-06-15"}).status_code == 400
    assert post(client_of("ub.kiemtra"), url, body).status_code == 403
    assert post(client_of("bithu.duc"), url, body).status_code == 404
    assert written() == before

    filed = post(mine, url, body)
    assert filed.status_code == 201, filed.json()
    review = filed.json()
    assert review["member"] == me.pk and review["certified"] is False and review["submitted_on"] == "2026-06-15"
    assert review["id"] in {r["id"] for r in client_of("bithu.phap").get(url).json()["results"]}
    assert client_of("bithu.duc").get(url).status_code == 404

    certify_url = f"/api/v1/return-reviews/{review['id']}/certify/"
    certify = {"certified_by": "mission", "certifier_label": "Đại sứ quán Việt Nam tại Pháp",
               "certified_on": "15/06/2026", "certified_ref": "90/ĐSQ"}
    assert post(mine, certify_url, certify).status_code == 403   # not by the member themself
    assert post(client_of("bithu.duc"), certify_url, certify).status_code == 404
    assert post(client_of("bithu.phap"), certify_url, {**certify, "certified_by": "embassy"}).status_code == 400
    assert ReturnReview.objects.get(pk=review["id"]).certified_on is None
    done = post(client_of("bithu.phap"), certify_url, certify)
    assert done.status_code == 200, done.json()
    assert done.json()["certified"] is True and done.json()["certified_ref"] == "90/ĐSQ"
    assert post(client_of("bithu.phap"), certify_url, certify).status_code == 400   # once only


def test_a_rotation_previews_then_commits_all_or_nothing(client_of, unit):
    client = client_of("bithu.phap")
    lhs = unit("PHAP-LHS")
    people = plain_full_members("PHAP-LHS", 3)
    body = {"members": [m.pk for m in people], "kind": "internal", "to_unit": unit("PHAP-DSQ").pk,
            "decision_doc": "31/QĐ-BNG", "decision_date": "2026-06-01", "reason": "Luân chuyển"}
    url = f"/api/v1/units/{lhs.pk}/rotation/"
    before = written()
    for change, field in (({"members": people[0].pk}, "members"),                       # not a list
                          ({"members": [plain_full_members("PHAP-DSQ", 1)[0].pk]}, "members"),  # not of this unit
                          ({"members": [{"id": people[0].pk}]}, "members"),
                          ({"kind": "temporary"}, "kind"),
                          ({"to_unit": unit("DUC-FRA").pk}, "to_unit"),
                          ({"action": "commit"}, "action")):
        refused = post(client, url, {**body, **change})
        assert refused.status_code == 400 and field in refused.json(), (change, refused.json())
    assert post(client, url + "?preview=maybe", body).status_code == 400
    assert post(client_of("ub.kiemtra"), url, body).status_code == 403
    assert post(client_of("bithu.duc"), url, body).status_code == 404

    preview = post(client, url + "?preview=true", body)
    assert preview.status_code == 200, preview.json()
    rows = preview.json()
    assert [r["member"] for r in rows] == sorted((m.pk for m in people),
                                                 key=lambda pk: Member.objects.get(pk=pk).name_sort)
    assert all(r["errors"] == {} and r["start_due"] for r in rows)
    assert written() == before

    done = post(client, url, body)
    assert done.status_code == 201, done.json()
    assert {t["member"] for t in done.json()} == {m.pk for m in people}
    assert Transfer.objects.filter(member__in=people, state="requested").count() == 3
    after = written()
    again = post(client, url, body)  # every member has an open transfer now: refused as a whole, named
    assert again.status_code == 400 and "chưa xong" in again.json()["members"][0]
    assert written() == after


def test_the_upper_committee_sets_up_a_delegation_cell(client_of):
    team = plain_full_members("NGA", 3)
    body = {"name": "Chi bộ tạm thời Đoàn công tác Kazan 2026", "code": "DOAN-KAZAN26", "country": "RU",
            "opened_on": "2026-06-15", "return_on": "29/06/2026", "document": "730-QĐ/ĐUBNG",
            "members": [{"member": team[0].pk, "role": "secretary"}, {"member": team[1].pk, "role": "deputy_secretary"},
                        {"member": team[2].pk}],
            "tasks": [{"text": "Lãnh đạo đoàn hoàn thành nhiệm vụ", "due_on": "2026-06-28"}]}
    officer = client_of("ban.tochuc")
    before = written()
    for change, field in (({"members": [{"member": team[1].pk}, {"member": team[2].pk}]}, "roles"),  # no secretary
                          ({"members": [{"member": team[0].pk, "role": "leader"}]}, "members"),
                          ({"members": team[0].pk}, "members"),
                          ({"tasks": [{"text": "Lãnh đạo", "due_on": "2026-08-01"}]}, "tasks"),  # after the return
                          ({"tasks": []}, "tasks"),
                          ({"return_on": "2027-06-15"}, "return_on"),   # too long for a temporary cell
                          ({"name": ["Chi bộ"]}, "name"),
                          ({"parent": 1}, "parent")):
        refused = post(officer, "/api/v1/delegations/", {**body, **change})
        assert refused.status_code == 400 and field in refused.json(), (change, refused.json())
    for persona in ("bithu.phap", "bithu.duc", "ub.kiemtra", "dangvien.phap"):
        assert post(client_of(persona), "/api/v1/delegations/", body).status_code == 403
    assert written() == before

    created = post(officer, "/api/v1/delegations/", body)
    assert created.status_code == 201, created.json()
    cell = created.json()
    assert cell["name"] == body["name"] and cell["country"] == "RU" and cell["state"] == "abroad"
    assert [t["due_on"] for t in cell["tasks"]] == ["2026-06-28"]
    assert {(m["member"], m["role"]) for m in cell["members"]} == {
        (team[0].pk, "secretary"), (team[1].pk, "deputy_secretary"), (team[2].pk, "member")}
    assert set(Member.objects.filter(pk__in=[m.pk for m in team]).values_list("unit_id", flat=True)) == {cell["unit"]}
    assert Delegation.objects.filter(unit_id=cell["unit"]).exists()
    assert cell["unit"] in {d["unit"] for d in officer.get("/api/v1/delegations/").json()["results"]}


def test_the_new_operations_are_in_the_openapi_schema(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    for path, method, body in (
            ("/api/v1/members/{id}/transfers/incoming/", "post", "TransferIncomingInput"),
            ("/api/v1/members/{id}/holds/", "post", "HoldOpenInput"),
            ("/api/v1/holds/{id}/close/", "post", "HoldCloseInput"),
            ("/api/v1/letters/{id}/void/", "post", "LetterVoidInput"),
            ("/api/v1/units/{id}/rotation/", "post", "RotationInput"),
            ("/api/v1/organizations/", "post", "OrganizationInput"),
            ("/api/v1/organizations/{id}/", "patch", "PatchedOrganizationInput"),
            ("/api/v1/organizations/{id}/active/", "post", "OrganizationActiveInput"),
            ("/api/v1/members/{id}/return-reviews/", "post", "ReturnReviewInput"),
            ("/api/v1/return-reviews/{id}/certify/", "post", "ReturnReviewCertifyInput"),
            ("/api/v1/delegations/", "post", "DelegationCreateInput")):
        ref = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith(f"/{body}"), (path, ref)
    for path in ("/api/v1/members/{id}/holds/", "/api/v1/organizations/", "/api/v1/organizations/{id}/",
                 "/api/v1/members/{id}/return-reviews/", "/api/v1/delegations/"):
        assert "get" in paths[path], path
    assert "get" not in paths["/api/v1/units/{id}/rotation/"]


def test_a_marriage_to_a_foreigner_records_the_fact_the_day_and_the_nationality_only(client_of, personas):
    import json as _json

    from chibo.transfers.models import Declaration

    member = personas["dangvien.phap"].member
    client = client_of("dangvien.phap")

    def file(body):
        return client.post("/api/v1/declarations/", _json.dumps({"member": member.pk, "kind": "foreign_marriage",
                                                                   **body}), content_type="application/json")

    named = file({"country": "DE", "event_on": "2026-10-01",
                  "subject": "Kết hôn với bà Anna Schmidt, quốc tịch Đức, sinh 1990"})
    assert named.status_code == 400 and "subject" in named.json()
    assert file({"country": "DE"}).status_code == 400  # the day is required
    assert file({"event_on": "2026-10-01"}).status_code == 400  # so is the nationality
    assert not Declaration.objects.filter(member=member).exists()
    made = file({"country": "DE", "event_on": "2026-10-01"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["country"], body["event_on"], body["subject"]) == ("DE", "2026-10-01", "")
