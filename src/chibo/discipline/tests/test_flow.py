"""A discipline case through the API on the demo organization: opened by France's secretary on a member of the
embassy cell (the rules of form, limitation and duplicate facts refuse bad input, nothing written), seen only by
those who need to know it (everyone else 404, the attempt audited), the member's explanation, the cell's vote, the
decision (the hold lifted, the grade of the year capped), an appeal late then in time, its outcome decided by the
level above."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from chibo.core.models import AuditEvent
from chibo.discipline.models import Case
from chibo.discipline.selectors import disciplined_in
from chibo.members.models import TimelineEvent
from chibo.transfers.models import TransferHold
from chibo.transfers.selectors import cell_voters_on
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)


def _json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_case_from_opening_to_the_outcome_of_its_appeal(personas, client_of):
    secretary, member = client_of("bithu.phap"), client_of("dangvien.phap")
    subject = personas["dangvien.phap"].member
    france = Unit.objects.get(code="PHAP")
    opening = {"member": subject.pk, "deciding_unit": france.pk, "violation": "Không chấp hành phân công của chi bộ",
               "violated_on": "01/03/2026", "area": "ordinary", "considered": "warning",
               "reference": "Thông báo 3-TB/CB"}

    with override_settings(CHIBO_TODAY=DAY):
        # Bad input is refused with its rule, and nothing is written.
        old = _json(secretary, "/api/v1/discipline/cases/", {**opening, "violated_on": "01/02/2014",
                                                                "considered": "reprimand"})
        assert old.status_code == 400 and "discipline.limitation_years_reprimand" in old.json()["violated_on"][0]
        elsewhere = _json(secretary, "/api/v1/discipline/cases/", {**opening, "deciding_unit": Unit.objects.get(
            code="DUC").pk})
        assert elsewhere.status_code == 400 and "deciding_unit" in elsewhere.json()
        assert _json(member, "/api/v1/discipline/cases/", opening).status_code == 403
        assert not Case.objects.exists() and not TransferHold.objects.filter(member=subject).exists()
        # Out of the limitation period's reach: internal politics has none.
        politics = _json(secretary, "/api/v1/discipline/cases/", {**opening, "violated_on": "01/02/2014",
                                                                     "area": "internal_politics"})
        assert politics.status_code == 201
        Case.objects.filter(pk=politics.json()["id"]).delete()
        TransferHold.objects.filter(member=subject).delete()

        answer = _json(secretary, "/api/v1/discipline/cases/", opening)
        assert answer.status_code == 201, answer.content
        case_id = answer.json()["id"]
        url = f"/api/v1/discipline/cases/{case_id}/"
        assert _json(secretary, "/api/v1/discipline/cases/", opening).json()["violated_on"] == [
            "Đã có hồ sơ đang xem xét cho cùng vi phạm này của đảng viên."]
        assert TransferHold.objects.get(member=subject, closed_on__isnull=True)  # no transfer, no letter meanwhile

        # Need to know: the upper committee, its inspectors and Germany get 404, and each attempt is audited.
        for name in ("ban.tochuc", "ub.kiemtra", "bithu.duc", "ungvien.phap"):
            assert client_of(name).get(url).status_code == 404, name
            assert client_of(name).get(f"/discipline/cases/{case_id}/").status_code == 404, name
        assert AuditEvent.objects.filter(action="discipline.case_denied").count() == 8
        assert "reference" not in member.get(url).json()  # the member sees their case, not the working papers
        assert secretary.get(url).json()["reference"] == "Thông báo 3-TB/CB"

        # The member's explanation; the cell's vote (more votes than full members refused).
        act = f"{url}actions/"
        assert _json(member, act, {"action": "explain", "explanation": "Tôi nhận khuyết điểm và xin sửa chữa.",
                                   "on": "10/03/2026"}).status_code == 200
        vote = {"action": "vote", "proposed": "warning", "voted_on": "10/03/2026", "yes": 999, "no": 0}
        too_many = _json(secretary, act, vote)
        assert too_many.status_code == 400 and "vượt số đảng viên chính thức" in too_many.json()["yes"][0]
        eligible = len(cell_voters_on(subject.unit, DAY))
        voted = _json(secretary, act, {**vote, "yes": eligible, "no": 0})
        assert voted.status_code == 200 and voted.json()["state"] == "voted"
        assert voted.json()["needed"] == eligible // 2 + 1

        # The decision: a probationary-only form rule holds, the hold is lifted, the timeline says it.
        decided = _json(secretary, act, {"action": "decide", "form": "warning", "decision_no": "12-QĐ/ĐU",
                                         "decided_on": "10/03/2026"})
        assert decided.status_code == 200, decided.content
        assert TransferHold.objects.get(member=subject).closed_on == DAY
        assert TimelineEvent.objects.filter(member=subject, kind="discipline.decided").count() == 1
        assert disciplined_in([subject.pk], date(2026, 1, 1), date(2026, 12, 31)) == {subject.pk}
        paper = member.get(f"/discipline/cases/{case_id}/decision/?format=pdf")
        assert paper.status_code == 200 and paper["Content-Type"] == "application/pdf"
        # The register of the year lists the decision for France's committee, and nothing for the upper one.
        rows = list(load_workbook(BytesIO(secretary.get("/discipline/register.xlsx?year=2026").content)).active
                    .iter_rows(min_row=3, values_only=True))
        assert [(r[1], r[4], r[6]) for r in rows] == [(subject.full_name, "12-QĐ/ĐU", "Cảnh cáo")]
        upper = load_workbook(BytesIO(client_of("ban.tochuc").get("/discipline/register.xlsx?year=2026").content))
        assert upper.active.max_row == 2

    # An appeal two months later is late; the member may not excuse it themself, the secretary may.
    with override_settings(CHIBO_TODAY=DAY + timedelta(days=45)):
        appeal = {"action": "appeal", "text": "Tôi đề nghị xem xét lại hình thức kỷ luật.", "filed_on": "24/04/2026"}
        late = _json(member, act, appeal)
        assert late.status_code == 400 and "discipline.appeal_within" in late.json()["filed_on"][0]
        assert "Chỉ cán bộ" in _json(member, act, {**appeal, "late_reason": "Ốm"}).json()["late_reason"][0]
        accepted = _json(secretary, act, {**appeal, "late_reason": "Đảng viên ốm, có giấy xác nhận."})
        assert accepted.status_code == 200 and accepted.json()["state"] == "appealed"
        # The level above now needs to know: it hears the appeal and decides it.
        upper = client_of("ban.tochuc")
        assert upper.get(url).status_code == 200
        outcome = _json(upper, act, {"action": "appeal_decide", "outcome": "changed", "new_form": "reprimand",
                                     "decision_no": "5-QĐ/ĐUBNG", "decided_on": "24/04/2026"})
        assert outcome.status_code == 200, outcome.content
        assert outcome.json()["form"] == "reprimand" and outcome.json()["appeal"]["outcome"] == "changed"
        assert TimelineEvent.objects.filter(member=subject, kind="discipline.appeal_decided").count() == 1
