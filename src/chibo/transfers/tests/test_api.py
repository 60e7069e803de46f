"""The API on its own: deadlines and late flags computed from the rulebook on real calendar dates,
checked against a working-day count done here from the `holidays` package (not chibo's calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from chibo.core.models import CalendarDay
from chibo.members.models import Member, Status
from chibo.transfers.models import OutsideOrganization

pytestmark = [pytest.mark.django_db]


def working_days_after(start: date, n: int) -> date:
    vn = holidays.country_holidays("VN", years=[start.year, start.year + 1])
    extra_off = set(CalendarDay.objects.filter(kind="day_off").values_list("day", flat=True))
    day = start
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in vn and day not in extra_off:
            n -= 1
    return day


@pytest.fixture
def api_as(personas):
    def make(username):
        client = APIClient()
        client.force_authenticate(personas[username])
        return client
    return make


def test_request_across_tet_then_late_report_through_the_api(api_as):
    member = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk").last()
    org = OutsideOrganization.objects.get(name="Chi bộ Học viện Ngoại giao")
    client = api_as("bithu.phap")
    decided = date(2026, 1, 26)  # the 60 working days run across Tết Bính Ngọ (17/02/2026)
    expected_start_due = working_days_after(decided, 60)
    assert (expected_start_due - decided).days > 60 * 7 // 5 + 3  # the holidays really were skipped
    with override_settings(CHIBO_TODAY=date(2026, 5, 4)):
        late = client.post("/api/v1/transfers/", {"member": member.pk, "kind": "official_out", "to_org": org.pk,
                                                  "decision_doc": "3/QĐ-BNG", "decision_date": decided.isoformat(),
                                                  "reason": "Về nước"}, format="json")
        assert late.status_code == 400 and "late_reason" in late.json(), late.json()
        ok = client.post("/api/v1/transfers/", {"member": member.pk, "kind": "official_out", "to_org": org.pk,
                                                "decision_doc": "3/QĐ-BNG", "decision_date": decided.isoformat(),
                                                "reason": "Về nước", "late_reason": "Chờ người thay thế"},
                         format="json")
        assert ok.status_code == 201, ok.json()
        body = ok.json()
        assert body["start_due"] == expected_start_due.isoformat()
        assert body["late_start"] is True and body["state"] == "requested"
        pk = body["id"]
        assert client.post(f"/api/v1/transfers/{pk}/actions/", {"action": "approve"}, format="json").status_code == 200
    with override_settings(CHIBO_TODAY=date(2026, 5, 4)):
        issued = client.post(f"/api/v1/transfers/{pk}/actions/", {"action": "issue", "signer_title": "Bí thư",
                                                               "signer_name": "A", "dues_paid_through": "04/2026"},
                             format="json")
        assert issued.status_code == 200, issued.json()
    with override_settings(CHIBO_TODAY=date(2026, 6, 5)):
        got = client.get(f"/api/v1/transfers/{pk}/").json()
        assert got["report_due"] == (date(2026, 5, 4) + timedelta(days=30)).isoformat()  # calendar days
        assert client.post(f"/api/v1/transfers/{pk}/actions/", {"action": "receive", "on": "2026-06-05"},
                           format="json").status_code == 200
        refused = client.post(f"/api/v1/transfers/{pk}/actions/", {"action": "report", "on": "2026-06-05"},
                              format="json")
        assert refused.status_code == 400 and "late_reason" in refused.json()
        done = client.post(f"/api/v1/transfers/{pk}/actions/", {"action": "report", "on": "2026-06-05",
                                                             "late_reason": "Ốm"}, format="json").json()
        assert done["late_report"] is True and done["state"] == "reported"
    # the German secretary does not see it; the member list filter is scoped
    assert api_as("bithu.duc").get(f"/api/v1/transfers/{pk}/").status_code == 404
    assert api_as("bithu.duc").get(f"/api/v1/transfers/?member={member.pk}").status_code == 404


def report_within_days(on: date) -> int:
    from chibo.core.rulebook import integer, rule

    version = rule("transfer.report_within", on=on)
    assert version.unit == "calendar_days"
    return integer(version)


def step(client, pk, **body):
    return client.post(f"/api/v1/transfers/{pk}/actions/", body, format="json")


SIGNER = {"signer_title": "Bí thư", "signer_name": "Nguyễn Văn An", "dues_paid_through": "02/2026"}


def test_the_whole_ten_box_letter_chain_through_the_api_only(api_as):
    """request → approve → issue (box 1, the cell) → forward (box 2, PHAP; box 3, the upper committee)
    → receive → report: every letter in the answer, the report clock restarting at each box, late
    after the rulebook's days from the last box."""
    from chibo.transfers.models import Letter

    member = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk").first()
    org = OutsideOrganization.objects.get(name="Đảng bộ Cục Lãnh sự")
    phap, officer = api_as("bithu.phap"), api_as("ban.tochuc")
    decided = date(2026, 2, 27)
    with override_settings(CHIBO_TODAY=date(2026, 3, 2)):
        made = phap.post("/api/v1/transfers/", {"member": member.pk, "kind": "official_out", "to_org": org.pk,
                                                "decision_doc": "9/QĐ-BNG", "decision_date": decided.isoformat(),
                                                "reason": "Hết nhiệm kỳ"}, format="json")
        assert made.status_code == 201, made.json()
        pk = made.json()["id"]
        assert made.json()["start_due"] == working_days_after(decided, 60).isoformat()
        assert made.json()["late_start"] is False
        # a letter before the cell agreed is refused for the transfer's state (409) with the reason, nothing written
        early = step(phap, pk, action="issue", **SIGNER)
        assert early.status_code == 409 and early.json()["state"] == "requested", early.json()
        assert "Đã đề nghị" in early.json()["detail"]
        assert Letter.objects.filter(transfer_id=pk).count() == 0
        assert step(phap, pk, action="approve", on="2026-03-02").json()["state"] == "approved"
    with override_settings(CHIBO_TODAY=date(2026, 3, 4)):
        issued = step(phap, pk, action="issue", on="2026-03-04", **SIGNER)
        assert issued.status_code == 200, issued.json()
        body = issued.json()
        assert body["state"] == "issued" and body["issued_on"] == "2026-03-04"
        [box1] = body["letters"]
        lhs = member.unit
        assert (box1["box"], box1["form"], box1["issuer"], box1["issuer_name"]) == (1, "10box", lhs.pk, lhs.name)
        assert box1["number"] == f"{box1['seq']}-GGT/CB" and box1["issued_on"] == "2026-03-04"
        assert box1["dues_paid_through"] == "02/2026"
        assert body["report_due"] == (date(2026, 3, 4)
                                      + timedelta(days=report_within_days(date(2026, 3, 4)))).isoformat()
    with override_settings(CHIBO_TODAY=date(2026, 3, 6)):
        body = step(phap, pk, action="forward", on="2026-03-06", **SIGNER).json()
        assert body["state"] == "forwarded" and body["forwarded_on"] == "2026-03-06"
        box2 = max(body["letters"], key=lambda x: x["box"])
        assert (box2["box"], box2["issuer"]) == (2, lhs.parent_id)
        # box 3 belongs to the upper committee: the Paris secretary may not write it
        letters = Letter.objects.filter(transfer_id=pk).count()
        refused = step(phap, pk, action="forward", on="2026-03-06", **SIGNER)
        assert refused.status_code == 403 and Letter.objects.filter(transfer_id=pk).count() == letters
    with override_settings(CHIBO_TODAY=date(2026, 3, 9)):
        body = step(officer, pk, action="forward", on="2026-03-09", **SIGNER).json()
        box3 = max(body["letters"], key=lambda x: x["box"])
        assert (box3["box"], box3["issuer"]) == (3, lhs.parent.parent_id)
        assert [x["box"] for x in sorted(body["letters"], key=lambda x: x["id"])] == [1, 2, 3]
        due = date(2026, 3, 9) + timedelta(days=report_within_days(date(2026, 3, 9)))
        assert body["report_due"] == due.isoformat() == "2026-04-08"  # the clock restarts at the last box
    with override_settings(CHIBO_TODAY=due + timedelta(days=1)):
        assert step(phap, pk, action="receive", on=due.isoformat()).json()["received_on"] == due.isoformat()
        late = step(phap, pk, action="report", on=(due + timedelta(days=1)).isoformat())
        assert late.status_code == 400 and list(late.json()) == ["late_reason"], late.json()
        assert "08/04/2026" in late.json()["late_reason"][0]  # the deadline named in the message
        done = step(phap, pk, action="report", on=(due + timedelta(days=1)).isoformat(), late_reason="Chờ visa")
        assert done.status_code == 200, done.json()
        body = done.json()
        assert body["state"] == "reported" and body["late_report"] is True
        assert body["late_report_reason"] == "Chờ visa" and body["reported_on"] == "2026-04-09"
    member.refresh_from_db()
    assert member.status == Status.TRANSFERRED_OUT


def test_report_on_the_last_day_is_not_late(api_as, unit):
    member = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk")[1]
    client = api_as("bithu.phap")
    with override_settings(CHIBO_TODAY=date(2026, 3, 2)):
        pk = client.post("/api/v1/transfers/", {"member": member.pk, "kind": "internal", "to_unit": unit("PHAP-DSQ").pk,
                                                "decision_doc": "10/QĐ-BNG", "decision_date": "2026-02-27",
                                                "reason": "Điều động"}, format="json").json()["id"]
        step(client, pk, action="approve")
        body = step(client, pk, action="issue", **SIGNER).json()
        assert body["letters"][0]["valid_until"] == body["report_due"] == "2026-04-01"
    with override_settings(CHIBO_TODAY=date(2026, 4, 1)):
        step(client, pk, action="receive")
        body = step(client, pk, action="report").json()
        assert body["state"] == "reported" and body["late_report"] is False
    member.refresh_from_db()
    assert member.unit.code == "PHAP-DSQ"


@pytest.mark.parametrize(("body", "field"), [
    ({"action": "teleport"}, "action"),
    ({"action": ["approve"]}, "action"),
    ({}, "action"),
    ({"action": "issue", **SIGNER, "on": "yesterday"}, "on"),
    ({"action": "issue", **SIGNER, "on": "2026-02-30"}, "on"),
    ({"action": "issue"}, "signer_name"),
    ({"action": "issue", **SIGNER, "signer_name": "A" * 100_000}, "signer_name"),
    ({"action": "issue", **SIGNER, "signer_title": {"x": 1}}, "signer_title"),
    ({"action": "issue", **SIGNER, "dues_paid_through": "13/2026"}, "dues_paid_through"),
    ({"action": "issue", **SIGNER, "dues_paid_through": "99999999"}, "dues_paid_through"),
    ({"action": "cancel", "reason": "x" * 301}, "reason"),
    ({"action": "cancel"}, "reason"),
    ({"action": "issue", **SIGNER, "on": "2099-01-01"}, "on"),
])
def test_hostile_steps_answer_400_with_the_field_and_write_nothing(api_as, targets_fr, body, field):
    from chibo.transfers.models import Letter, Transfer

    pk = targets_fr
    before = (list(Transfer.objects.values_list("pk", "state")), Letter.objects.count())
    answer = step(api_as("bithu.phap"), pk, **body)
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()
    assert all(isinstance(m, str) and m for m in answer.json()[field])
    assert (list(Transfer.objects.values_list("pk", "state")), Letter.objects.count()) == before


@pytest.fixture
def targets_fr(api_as):
    """An approved transfer of a PHAP-LHS member (a letter may be issued next)."""
    member = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk")[2]
    org = OutsideOrganization.objects.order_by("pk").first()
    client = api_as("bithu.phap")
    made = client.post("/api/v1/transfers/", {"member": member.pk, "kind": "official_out", "to_org": org.pk,
                                              "decision_doc": "11/QĐ-BNG",
                                              "decision_date": (date.today() - timedelta(days=3)).isoformat(),
                                              "reason": "Về nước"}, format="json")
    assert made.status_code == 201, made.json()
    assert step(client, made.json()["id"], action="approve").status_code == 200
    return made.json()["id"]


def test_hostile_ids_and_bodies_never_reach_the_database(api_as, targets_fr):
    client = api_as("bithu.phap")
    huge = 10**30
    for url in (f"/api/v1/transfers/{huge}/", f"/api/v1/trips/{huge}/actions/", f"/api/v1/exemptions/{huge}/actions/",
                f"/api/v1/declarations/{huge}/actions/", f"/api/v1/transfers/{huge}/actions/"):
        answer = client.post(url, {"action": "approve"}, format="json") if "/actions/" in url else client.get(url)
        assert answer.status_code == 404, (url, answer.status_code)
    assert client.get(f"/api/v1/transfers/?member={huge}").status_code == 400
    assert client.get("/api/v1/transfers/?member=²").status_code == 400
    for body, field in (({"member": huge, "kind": "internal"}, "member"), ({"member": "abc"}, "member"),
                        ({"member": 1, "kind": "internal", "to_unit": -4}, "to_unit")):
        answer = client.post("/api/v1/transfers/", body, format="json")
        assert answer.status_code == 400 and field in answer.json(), answer.json()
    for url in ("/api/v1/transfers/", "/api/v1/trips/", "/api/v1/declarations/",
                f"/api/v1/transfers/{targets_fr}/actions/"):
        answer = client.post(url, [1, 2, 3], format="json")
        assert answer.status_code == 400 and answer.json(), (url, answer.content)
        answer = client.post(url, "not json", content_type="application/json")
        assert answer.status_code == 400, (url, answer.content)
    assert client.post("/api/v1/trips/", {"member": huge}, format="json").status_code == 400
    assert client.post("/api/v1/declarations/", {"member": [1]}, format="json").status_code == 400


# ------------------------------------------------------------------------------------------------
# Self-service: trips and declarations filed by the member through the API
# ------------------------------------------------------------------------------------------------
TRIP = {"country": "IT", "purpose": "Thăm người thân", "depart_on": "2026-03-13", "return_on": "2026-03-20"}


def test_member_files_a_trip_reports_it_and_cannot_file_for_others(api_as, personas):
    from chibo.members.models import TimelineEvent
    from chibo.transfers.models import Trip

    me = personas["dangvien.phap"].member
    mine, phap = api_as("dangvien.phap"), api_as("bithu.phap")
    cell_mate = Member.objects.filter(unit=me.unit, status=Status.FULL).exclude(pk=me.pk).order_by("pk").first()
    with override_settings(CHIBO_TODAY=date(2026, 3, 2)):
        before = Trip.objects.count()
        # another member: not in a plain member's scope (404, nothing written); nor a made-up one
        assert mine.post("/api/v1/trips/", {**TRIP, "member": cell_mate.pk}, format="json").status_code == 404
        assert mine.post("/api/v1/trips/", {**TRIP, "member": 2**31 - 1}, format="json").status_code == 404
        # the inspector sees the member but files nothing for them; an applicant has no member record
        assert api_as("ub.kiemtra").post("/api/v1/trips/", {**TRIP, "member": me.pk}, format="json").status_code == 403
        nobody = api_as("ungvien.phap").post("/api/v1/trips/", TRIP, format="json")
        assert nobody.status_code == 400 and "member" in nobody.json()
        bad = mine.post("/api/v1/trips/", {**TRIP, "depart_on": "2026-03-02", "country": "Italy"}, format="json")
        assert bad.status_code == 400 and "country" in bad.json()
        bad = mine.post("/api/v1/trips/", {**TRIP, "depart_on": "2026-03-02"}, format="json")
        assert bad.status_code == 400 and set(bad.json()) == {"depart_on"}, bad.json()
        assert Trip.objects.count() == before
        made = mine.post("/api/v1/trips/", TRIP, format="json")
        assert made.status_code == 201, made.json()
        trip = made.json()
        assert trip["member"] == me.pk and trip["state"] == "filed" and trip["filed_on"] == "2026-03-02"
        pk = trip["id"]
        assert TimelineEvent.objects.filter(member=me, kind="trip.filed", data__id=pk).exists()
        # the member cannot decide on their own trip; a German secretary does not even see it
        assert mine.post(f"/api/v1/trips/{pk}/actions/", {"action": "opinion", "opinion": "Tốt"},
                         format="json").status_code == 403
        assert api_as("bithu.duc").post(f"/api/v1/trips/{pk}/actions/", {"action": "opinion", "opinion": "Tốt"},
                                        format="json").status_code == 404
        out_of_order = phap.post(f"/api/v1/trips/{pk}/actions/", {"action": "decide", "approve": True,
                                                                   "document": "5-QĐ/ĐU"}, format="json")
        assert out_of_order.status_code == 409 and out_of_order.json()["state"] == "filed", out_of_order.json()
        assert phap.post(f"/api/v1/trips/{pk}/actions/", {"action": "opinion", "opinion": "Đề nghị đồng ý"},
                         format="json").json()["state"] == "opinion"
        no_choice = phap.post(f"/api/v1/trips/{pk}/actions/", {"action": "decide", "document": "5-QĐ/ĐU"},
                              format="json")
        assert no_choice.status_code == 400 and "approve" in no_choice.json()
        decided = phap.post(f"/api/v1/trips/{pk}/actions/", {"action": "decide", "approve": True,
                                                              "document": "5-QĐ/ĐU"}, format="json").json()
        assert decided["state"] == "approved" and decided["decision_doc"] == "5-QĐ/ĐU"
        due = working_days_after(date(2026, 3, 20), 7)
        assert decided["report_due"] == due.isoformat() == "2026-03-31"
    with override_settings(CHIBO_TODAY=date(2026, 3, 19)):  # still abroad
        early = mine.post(f"/api/v1/trips/{pk}/actions/", {"action": "report",
                                                            "text": "Chuyến đi tốt đẹp, không có gì bất thường."},
                          format="json")
        assert early.status_code == 409 and "chưa kết thúc" in early.json()["detail"], early.json()
        assert Trip.objects.get(pk=pk).reported_on is None
    with override_settings(CHIBO_TODAY=due + timedelta(days=1)):
        assert mine.post(f"/api/v1/trips/{pk}/actions/", {"action": "report", "text": "x" * 5001},
                         format="json").status_code == 400
        assert mine.post(f"/api/v1/trips/{pk}/actions/", {"action": "report", "text": 12},
                         format="json").status_code == 400
        assert api_as("bithu.duc").post(f"/api/v1/trips/{pk}/actions/",
                                        {"action": "report", "text": "Chuyến đi tốt đẹp."},
                                        format="json").status_code == 404
        done = mine.post(f"/api/v1/trips/{pk}/actions/",
                         {"action": "report", "text": "Chuyến đi tốt đẹp, không có gì bất thường."},
                         format="json")
        assert done.status_code == 200, done.json()
        assert done.json()["state"] == "reported" and done.json()["late_report"] is True
        again = mine.post(f"/api/v1/trips/{pk}/actions/",
                          {"action": "report", "text": "Báo cáo lần hai cho chắc chắn."},
                          format="json")
        assert again.status_code == 409 and again.json()["state"] == "reported"


def test_member_files_a_declaration_and_the_committee_decides_through_the_api(api_as, personas):
    from chibo.transfers.models import Declaration

    me = personas["dangvien.phap"].member
    mine, phap = api_as("dangvien.phap"), api_as("bithu.phap")
    other = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).order_by("pk").first()
    body = {"kind": "foreign_org", "country": "FR", "subject": "Tham gia Hội cựu sinh viên trường Sciences Po"}
    before = Declaration.objects.count()
    assert mine.post("/api/v1/declarations/", {**body, "member": other.pk}, format="json").status_code == 404
    for hostile, field in (({**body, "kind": "spy"}, "kind"), ({**body, "subject": "x" * 301}, "subject"),
                           ({**body, "country": "FRA"}, "country"), ({**body, "subject": "   "}, "subject")):
        answer = mine.post("/api/v1/declarations/", hostile, format="json")
        assert answer.status_code == 400 and field in answer.json(), (hostile, answer.json())
    assert Declaration.objects.count() == before
    made = mine.post("/api/v1/declarations/", body, format="json")
    assert made.status_code == 201, made.json()
    d = made.json()
    assert (d["member"], d["state"], d["country"]) == (me.pk, "filed", "FR")
    # the cell files for a member in its scope too
    assert phap.post("/api/v1/declarations/", {**body, "member": other.pk}, format="json").status_code == 201
    url = f"/api/v1/declarations/{d['id']}/actions/"
    assert mine.post(url, {"action": "opinion", "opinion": "Đồng ý"}, format="json").status_code == 403
    assert api_as("bithu.duc").post(url, {"action": "opinion", "opinion": "Đồng ý"}, format="json").status_code == 404
    assert phap.post(url, {"action": "judge"}, format="json").status_code == 400
    assert phap.post(url, {"action": "opinion", "opinion": "Đề nghị đồng ý"},
                     format="json").json()["state"] == "opinion"
    refused = phap.post(url, {"action": "decide", "approve": "maybe", "document": "6-TB/ĐU"}, format="json")
    assert refused.status_code == 400 and "approve" in refused.json()
    assert Declaration.objects.get(pk=d["id"]).state == "opinion"
    done = phap.post(url, {"action": "decide", "approve": False, "document": "6-TB/ĐU"}, format="json").json()
    assert done["state"] == "refused" and done["decision_doc"] == "6-TB/ĐU"
    listed = mine.get("/api/v1/declarations/").json()["results"]  # a member lists their own only
    assert d["id"] in {x["id"] for x in listed} and {x["member"] for x in listed} == {me.pk}


def test_the_write_routes_are_in_the_openapi_schema(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    for path, body in (("/api/v1/trips/", "TripApply"), ("/api/v1/trips/{id}/actions/", "TripAction"),
                       ("/api/v1/declarations/", "DeclarationFile"),
                       ("/api/v1/declarations/{id}/actions/", "DeclarationAction"),
                       ("/api/v1/exemptions/", "ExemptionApply"),
                       ("/api/v1/exemptions/{id}/actions/", "ExemptionAction"),
                       ("/api/v1/transfers/{id}/actions/", "TransferAction")):
        ref = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith(f"/{body}"), (path, ref)
    assert "get" in paths["/api/v1/trips/"] and "get" not in paths["/api/v1/trips/{id}/actions/"]
