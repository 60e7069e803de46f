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


def test_request_across_tet_then_late_report_through_the_api(api_as, actor_of):
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
        assert client.post(f"/api/v1/transfers/{pk}/step/", {"step": "approve"}, format="json").status_code == 200
    from chibo.transfers import services
    from chibo.transfers.models import Transfer

    with override_settings(CHIBO_TODAY=date(2026, 5, 4)):
        # letters are issued on the pages (the API covers request and the steps)
        services.transfer_issue_letter(actor=actor_of("bithu.phap"), transfer=Transfer.objects.get(pk=pk), on=date(2026, 5, 4), signer_title="Bí thư", signer_name="A",
            dues_paid_through="04/2026")
    with override_settings(CHIBO_TODAY=date(2026, 6, 5)):
        got = client.get(f"/api/v1/transfers/{pk}/").json()
        assert got["report_due"] == (date(2026, 5, 4) + timedelta(days=30)).isoformat()  # calendar days
        assert client.post(f"/api/v1/transfers/{pk}/step/", {"step": "receive", "on": "2026-06-05"},
                           format="json").status_code == 200
        refused = client.post(f"/api/v1/transfers/{pk}/step/", {"step": "report", "on": "2026-06-05"}, format="json")
        assert refused.status_code == 400 and "late_reason" in refused.json()
        done = client.post(f"/api/v1/transfers/{pk}/step/", {"step": "report", "on": "2026-06-05",
                                                             "late_reason": "Ốm"}, format="json").json()
        assert done["late_report"] is True and done["state"] == "reported"
    # the German secretary does not see it; the member list filter is scoped
    assert api_as("bithu.duc").get(f"/api/v1/transfers/{pk}/").status_code == 404
    assert api_as("bithu.duc").get(f"/api/v1/transfers/?member={member.pk}").status_code == 404
