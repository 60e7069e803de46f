"""A discipline case through the API on the demo organization: opened by France's secretary on a member of the
embassy cell (the rules of form, limitation and duplicate facts refuse bad input, nothing written), seen only by
those who need to know it (everyone else 404, the attempt audited), the member's explanation, the cell's vote, the
decision (the hold lifted, the grade of the year capped), an appeal late then in time, its outcome decided by the
level above."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from chibo.core.documents import pdf_text
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
        assert old.status_code == 400 and "Thời hiệu xử lý kỷ luật mức khiển trách" in old.json()["violated_on"][0]
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
        assert late.status_code == 400 and "Thời hạn khiếu nại quyết định kỷ luật" in late.json()["filed_on"][0]
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

        # The register as a paper, read whole: its year, the decision with the form now in force and the appeal's
        # outcome, and a count by form that adds up to the rows.
        text = " ".join(pdf_text(secretary.get("/discipline/register.pdf?year=2026").content).split())
        assert "SỔ ĐĂNG KÝ QUYẾT ĐỊNH KỶ LUẬT NĂM 2026" in text and subject.full_name in text
        assert "12-QĐ/ĐU" in text and "Thay đổi hình thức kỷ luật" in text
        assert ("Tổng số 1 quyết định (khiển trách: 1; cảnh cáo: 0; cách chức: 0; khai trừ: 0)" in text), text
        # The upper committee's statistics count the decisions of its subtree, by year and by the deciding level.
        page = upper.get("/discipline/?year=2026").content.decode()
        year_row = re.search(r'<tr data-year="2026">(.*?)</tr>', page).group(1)
        assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', year_row) == ["1", "0", "0", "0", "1", "0"]
        level_row = re.search(r'<tr data-year="2026" data-level="(\w+)">', page)
        assert level_row and level_row.group(1) == france.kind
        assert 'data-column="2022"' in page and 'data-column="2026"' in page  # five years charted, zeros included


def test_a_state_bodys_notice_its_clock_and_the_case_it_leads_to(personas, client_of):
    """A state body's notice through the API: 5 working days from a Friday's decision fall on the next Friday (the
    weekend not counted), so a notice received on the Tuesday after is late; the same decision twice is refused;
    Germany's secretary does not see it (404, audited); a case opened from it marks it considered, and the subject
    sees it without taking the committee's step."""
    secretary, germany, member = client_of("bithu.phap"), client_of("bithu.duc"), client_of("dangvien.phap")
    subject = personas["dangvien.phap"].member
    france = Unit.objects.get(code="PHAP")
    body = {"member": subject.pk, "unit": france.pk, "body": "Bộ Ngoại giao", "state_form": "reprimand",
            "decision_no": "112/QĐ-BNG", "decided_on": "27/02/2026", "received_on": "10/03/2026",
            "summary": "Chậm nộp báo cáo công tác"}
    with override_settings(CHIBO_TODAY=DAY):
        future = _json(secretary, "/api/v1/discipline/notices/", {**body, "received_on": "26/02/2026"})
        assert future.status_code == 400 and "received_on" in future.json()
        answer = _json(secretary, "/api/v1/discipline/notices/", body)
        assert answer.status_code == 201, answer.content
        notice = answer.json()
        assert (notice["due_on"], notice["late"], notice["state"]) == ("2026-03-06", True, "received")
        again = _json(secretary, "/api/v1/discipline/notices/", body)
        assert again.status_code == 400 and "decision_no" in again.json()
        on_time = _json(secretary, "/api/v1/discipline/notices/", {**body, "decision_no": "113/QĐ-BNG",
                                                                     "received_on": "06/03/2026"})
        assert on_time.json()["late"] is False

        url = f"/api/v1/discipline/notices/{notice['id']}/"
        assert germany.get(url).status_code == 404
        assert AuditEvent.objects.filter(action="discipline.notice_denied", data__notice=str(notice["id"])).exists()
        assert member.get(url).json()["available_actions"] == []
        assert _json(member, url + "actions/", {"action": "close", "reason": "Tự đóng"}).status_code == 403

        opened = _json(secretary, "/api/v1/discipline/cases/", {
            "member": subject.pk, "deciding_unit": france.pk, "violation": "Chậm nộp báo cáo công tác",
            "violated_on": "01/02/2026", "area": "ordinary", "considered": "reprimand", "reference": "112/QĐ-BNG",
            "notice": notice["id"]})
        assert opened.status_code == 201, opened.content
        assert secretary.get(url).json()["state"] == "case"
        closed = _json(secretary, f"/api/v1/discipline/notices/{on_time.json()['id']}/actions/",
                       {"action": "close", "reason": "Đã xem xét cùng hồ sơ 112/QĐ-BNG"})
        assert closed.status_code == 200 and closed.json()["state"] == "closed"
        page = secretary.get("/discipline/")
        assert page.status_code == 200 and "Chậm nộp" not in page.content.decode()  # the summary stays on its page
