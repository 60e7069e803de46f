"""The admission API on real calendar dates: cases scoped, transitions through the services,
refusals as field-level JSON with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from chibo.admission import services
from chibo.admission.models import Stage
from chibo.admission.tests.test_services import snapshot
from chibo.core.calendar import calendar_for
from chibo.members.models import Member, Status


@pytest.fixture
def api(personas):
    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    return lambda who: Client(headers={"authorization": f"Token {token_create(actor=SYSTEM, user=personas[who])}"})


def post(client, case, **body):
    return client.post(f"/api/v1/admission/cases/{case.pk}/actions/", body, content_type="application/json")


def test_walk_and_refusals_through_the_api(api, officer, make_cell, settings):
    settings.CHIBO_TODAY = date(2026, 1, 12)
    cell = make_cell(9, probationary=1)
    full = list(Member.objects.filter(unit=cell, status=Status.FULL).order_by("pk"))
    probationary = Member.objects.get(unit=cell, status=Status.PROBATIONARY)
    case = services.applicant_record(actor=officer, unit=cell, full_name="Đinh Thu Trang", gender="F",
                                     birth_date=date(2001, 6, 30), recorded_on=date(2025, 9, 1)).case
    secretary, duc = api("bithu.phap"), api("bithu.duc")
    assert duc.get(f"/api/v1/admission/cases/{case.pk}/").status_code == 404
    ids = [c["id"] for c in secretary.get(f"/api/v1/admission/cases/?unit={cell.pk}").json()["results"]]
    assert ids == [case.pk]
    # out of order
    before = snapshot()
    r = post(secretary, case, action="cell_vote", held_on="2025-12-10", yes=9, no=0)
    assert r.status_code == 409 and r.json()["state"] == "recorded", r.json()
    assert "Đã ghi nhận quần chúng ưu tú" in r.json()["detail"]
    assert snapshot() == before
    steps = [
        dict(action="course", certificate_no="GCN 77/2025", issuer="Đảng ủy Bộ Ngoại giao", on="2025-10-03"),
        dict(action="application", application_on="2025-10-20", cv_on="2025-10-21"),
    ]
    for body in steps:
        assert post(secretary, case, **body).status_code == 200
    # a probationary introducer, then the applicant's future date
    before = snapshot()
    r = post(secretary, case, action="introducers", on="2025-11-03", introducer1=full[0].pk,
             introducer1_since="2023-01-01", introducer2=probationary.pk, introducer2_since="2023-01-01")
    assert r.status_code == 400 and "không phải đảng viên chính thức" in r.json()["introducer2"][0]
    r = post(secretary, case, action="introducers", on="2026-02-03", introducer1=full[0].pk,
             introducer1_since="2023-01-01", introducer2=full[1].pk, introducer2_since="2023-01-01")
    assert r.status_code == 400 and "tương lai" in r.json()["on"][0]
    assert snapshot() == before
    for body in [dict(action="introducers", on="2025-11-03", introducer1=full[0].pk, introducer1_since="2023-01-01",
                      introducer2=full[1].pk, introducer2_since="2023-01-01"),
                 dict(action="comments", mass_org_on="2025-11-10", residence_on="2025-11-11"),
                 dict(action="verified", by="Đảng ủy Bộ Ngoại giao", on="2025-12-01", reference="50-KL/ĐUBNG")]:
        assert post(secretary, case, **body).status_code == 200, body
    before = snapshot()
    r = post(secretary, case, action="cell_vote", held_on="2025-12-10", yes=8, no=2)
    assert r.status_code == 400 and "(10)" in r.json()["yes"][0] and "(9)" in r.json()["yes"][0]
    assert snapshot() == before
    r = post(secretary, case, action="cell_vote", held_on="2025-12-10", yes=6, no=3, resolution_no="04-NQ/CB")
    body = r.json()
    assert r.status_code == 200 and body["stage"] == Stage.CELL_VOTED
    assert (body["cell_eligible"], body["cell_needed"], body["votes"][0]["needed"]) == (9, 6, 6)
    deadline = secretary.get(f"/api/v1/deadlines/?unit={case.deciding_unit_id}&kind=admission.decision").json()
    due = [d["due_date"] for d in deadline["results"] if d["title"].endswith("Đinh Thu Trang")]
    # 60 working days from 10/12/2025 across New Year and Tết 2026 (holidays from the calendar)
    assert due == [calendar_for(case.deciding_unit).add_working_days(date(2025, 12, 10), 60).isoformat()]
    assert due[0] > "2026-03-04"
    assert api("ub.kiemtra").post(f"/api/v1/admission/cases/{case.pk}/actions/", {"action": "close"},
                                  content_type="application/json").status_code == 403


def test_pages_board_over_the_tree_and_statistics(client_of, officer, make_cell, settings,
                                                  django_assert_max_num_queries):
    from chibo.admission.tests.conftest import full_case

    case = full_case(officer, make_cell(3), settings)
    officer_client = client_of("ban.tochuc")
    with django_assert_max_num_queries(40):
        page = officer_client.get("/admission/").content.decode()
    assert "Theo tổ chức" in page and "Chi bộ Cơ quan Đại sứ quán tại Pháp" in page  # the whole tree
    stats = officer_client.get("/admission/thong-ke/").content.decode()
    assert '<tr data-year="2026"><td>2026</td><td class="num">1</td>' in stats
    assert '<tr data-year="2027"><td>2027</td><td class="num">0</td><td class="num">1</td>' in stats
    assert "Cán bộ cơ quan đại diện: 1" in stats
    assert client_of("bithu.duc").get(f"/admission/{case.pk}/").status_code == 404
    duc_board = client_of("bithu.duc").get("/admission/").content.decode()
    assert "Trần Thị Minh Thư" not in duc_board and "Phan Thị Hồng Nhung" in duc_board
