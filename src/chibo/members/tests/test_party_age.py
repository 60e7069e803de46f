"""Party age counts from the admission decision, probation from the ceremony (06-HD/TW 2025), through the API and
the member's page: the two dates on either side of a year's end give different answers, and each rule reads the
right one (the party-age badge and the 50-year dues exemption from the decision, the confirmation deadline from the
ceremony). A decision after the ceremony is refused, nothing written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import override_settings

from chibo.deadlines.models import Deadline
from chibo.members.models import Member
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]


def _post(client, data):
    return client.post("/api/v1/members/", json.dumps(data), content_type="application/json")


@override_settings(CHIBO_TODAY=date(2026, 12, 31))
def test_party_age_from_the_decision_probation_from_the_ceremony(client_of):
    secretary = client_of("bithu.phap")
    cell = Unit.objects.get(code="PHAP-DSQ")
    veteran = {"unit": cell.pk, "full_name": "Đỗ Văn Kỳ", "gender": "M", "birth_date": "1950-02-03",
               "admission_decided_on": "1976-12-28", "admission_date": "1977-01-05", "status": "full",
               "confirmation_date": "1978-01-05", "category": "resident"}
    before = Member.objects.count()
    wrong = _post(secretary, {**veteran, "admission_decided_on": "1977-01-06"})
    assert wrong.status_code == 400 and "admission_decided_on" in wrong.json()
    assert Member.objects.count() == before

    created = _post(secretary, veteran)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["admission_decided_on"], body["admission_date"]) == ("1976-12-28", "1977-01-05")
    # 50 years on 28/12/2026 counted from the decision (49 from the ceremony): the badge of 50 years.
    page = secretary.get(f"/members/{body['id']}/").content.decode()
    assert "50 năm" in page and "đủ 50 năm tuổi Đảng từ 28/12/2026" in page
    # Dues: owed for November 2026 (49 full years at its end), exempt from December (50 years from the decision).
    profile = secretary.post(f"/api/v1/members/{body['id']}/dues/profile/", json.dumps(
        {"month": "11/2026", "base": "salary", "currency": "VND", "base_amount": "25000000"}),
        content_type="application/json")
    assert profile.status_code in (200, 201), profile.content
    months = {m["month"]: m for m in secretary.get(f"/api/v1/members/{body['id']}/dues/").json()["months"]}
    assert months["12/2026"]["basis"].startswith("Miễn: từ 50 năm tuổi Đảng"), months["12/2026"]
    assert float(months["11/2026"]["amount"]) > 0, months["11/2026"]

    # A probationary member admitted by a decision of 20/12/2025 at a ceremony on 05/01/2026: the confirmation's
    # clock starts when probation ends, 12 months after the ceremony, not the decision.
    young = _post(secretary, {**veteran, "full_name": "Lưu Thị Mai", "birth_date": "2000-06-01",
                              "admission_decided_on": "2025-12-20", "admission_date": "2026-01-05",
                              "status": "probationary", "confirmation_date": None})
    assert young.status_code == 201, young.content
    due = Deadline.objects.get(member_id=young.json()["id"], kind="probation.confirmation")
    assert due.start_date == date(2027, 1, 5)
