"""A member's review through the API, step by step on the demo organization: the upper committee opens the year,
a member in France saves a draft and submits form 2C, the cell votes in one of its meetings (the denominator is the
meeting's headcount), the committee of France appraises and decides, then corrects with a reason. Every refusal
names its reason and writes nothing; the summary, the XLSX and the printed form agree with the decision."""

from __future__ import annotations

from datetime import time
from io import BytesIO

import pytest
from openpyxl import load_workbook

from chibo.core import clock
from chibo.core.documents import pdf_text
from chibo.grading.models import Decision, Period, Review, UnitReview
from chibo.meetings import services as meetings
from chibo.meetings.models import Presence
from chibo.members.models import Member, Status, TimelineEvent
from chibo.units.models import Unit

pytestmark = [pytest.mark.django_db]


def _points(body, values):
    return {c["key"]: v for c, v in zip(body["criteria"], values, strict=True)}


def test_a_members_review_from_self_assessment_to_decision(personas, actor_of, client_of):
    officer, secretary, member = client_of("ban.tochuc"), client_of("bithu.phap"), client_of("dangvien.phap")
    root = Unit.objects.get(parent=None)
    year = clock.today().year

    # The upper committee opens the year for the whole tree (a member may not).
    assert member.post("/api/v1/grading/periods/", {"unit": root.pk, "kind": "year", "year": year},
                       content_type="application/json").status_code == 403
    answer = officer.post("/api/v1/grading/periods/", {"unit": root.pk, "kind": "year", "year": year},
                          content_type="application/json")
    assert answer.status_code == 201, answer.content
    period = Period.objects.get(pk=answer.json()["id"])
    reviewed = Member.objects.filter(status__in=[Status.FULL, Status.PROBATIONARY, Status.SUSPENDED]).count()
    assert period.reviews.count() == reviewed and period.unit_reviews.count() > 0
    again = officer.post("/api/v1/grading/periods/", {"unit": root.pk, "kind": "year", "year": year},
                         content_type="application/json")
    assert again.status_code == 400 and "đã mở kỳ kiểm điểm này" in again.json()["year"][0]

    # The member finds their review; it shows the criteria of its form with their ranges.
    mine = member.get("/api/v1/grading/my-reviews/").json()["results"]
    assert len(mine) == 1
    review_id = mine[0]["id"]
    url = f"/api/v1/grading/reviews/{review_id}/"
    body = member.get(url).json()
    assert sum(c["max_points"] for c in body["criteria"]) == 100
    assert all(set(c) == {"key", "title", "max_points"} for c in body["criteria"])  # as the schema says
    assert body["available_actions"] == ["save", "submit"]
    act = f"{url}actions/"

    # A draft with blanks is kept; a point outside its range is refused and nothing is written.
    first = body["criteria"][0]
    draft = member.post(act, {"action": "save", first["key"]: 8}, content_type="application/json")
    assert draft.status_code == 200 and draft.json()["points"] == {first["key"][2:]: 8}
    assert draft.json()["state"] == "pending"
    before = Review.objects.get(pk=review_id).version
    over = member.post(act, {"action": "save", first["key"]: first["max_points"] + 1}, content_type="application/json")
    assert over.status_code == 400 and first["key"] in over.json()
    assert Review.objects.get(pk=review_id).version == before

    # Submitting "excellent" with a task late is refused, naming the rule.
    points = _points(body, [c["max_points"] for c in body["criteria"]])  # 100 points
    refused = member.post(act, {"action": "submit", **points, "all_on_time": "no", "exceeded_percent": 40,
                                "proposed_grade": "excellent"}, content_type="application/json")
    assert refused.status_code == 400
    assert "Khung điểm mức hoàn thành xuất sắc nhiệm vụ" in refused.json()["proposed_grade"][0]
    assert Review.objects.get(pk=review_id).state == "pending"
    points = _points(body, [c["max_points"] - 2 for c in body["criteria"]])
    score = 100 - 2 * len(points)
    done = member.post(act, {"action": "submit", **points, "all_on_time": "yes", "exceeded_percent": 10,
                             "strengths": "Hoàn thành tốt công việc được giao.", "proposed_grade": "good"},
                       content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "submitted" and done.json()["score"] == score
    assert member.post(act, {"action": "save"}, content_type="application/json").status_code == 409

    # Someone else's review is not there for this member.
    other = Review.objects.filter(period=period).exclude(pk=review_id).first()
    assert member.get(f"/api/v1/grading/reviews/{other.pk}/").status_code == 404

    # The cell votes in its meeting: the denominator is the meeting's headcount; more votes than voters present
    # are refused.
    review = Review.objects.select_related("unit", "member").get(pk=review_id)
    boss = actor_of("bithu.phap")
    meeting = meetings.meeting_plan(actor=boss, unit=review.unit, kind="regular", title="Kiểm điểm cuối năm",
                                    day=clock.today(), time=time(8, 0), planned_minutes=120, place="Phòng họp")
    meetings.meeting_open(actor=boss, meeting=meeting)
    full = list(Member.objects.filter(unit=review.unit, status=Status.FULL).order_by("pk"))
    for m in full:
        meetings.attendance_record(actor=boss, meeting=meeting, member=m, presence=Presence.IN_PERSON)
    vote = {"action": "cell_vote", "meeting": meeting.pk, "score": score, "all_on_time": "yes",
            "exceeded_percent": 10, "grade": "good", "yes": len(full) + 1, "no": 0,
            "comment": "Chi bộ nhất trí với bản tự đánh giá."}
    too_many = secretary.post(act, vote, content_type="application/json")
    assert too_many.status_code == 400 and "vượt số đảng viên chính thức có mặt" in too_many.json()["yes"][0]
    assert member.post(act, {**vote, "yes": len(full)}, content_type="application/json").status_code == 403
    voted = secretary.post(act, {**vote, "yes": len(full)}, content_type="application/json")
    assert voted.status_code == 200, voted.content
    assert voted.json()["state"] == "cell_voted"
    assert voted.json()["cell_convened"] == len(full) and voted.json()["cell_needed"] == len(full) // 2 + 1

    # France's committee appraises (the disciplined flag refuses "excellent") and decides.
    appraise = {"action": "appraise", "score": 92, "all_on_time": "yes", "exceeded_percent": 40, "grade": "excellent",
                "disciplined": True, "appraisal": "Đề nghị xếp loại theo kết quả."}
    refused = secretary.post(act, appraise, content_type="application/json")
    assert refused.status_code == 400 and "bị kỷ luật trong kỳ" in refused.json()["grade"][0]
    assert secretary.post(act, {**appraise, "disciplined": False}, content_type="application/json").status_code == 200
    decided = secretary.post(act, {"action": "decide", "grade": "excellent", "decision_no": "12-TB/ĐU",
                                   "decided_on": clock.today().isoformat()}, content_type="application/json")
    assert decided.status_code == 200, decided.content
    assert decided.json()["grade"] == "excellent" and decided.json()["final_score"] == 92
    assert TimelineEvent.objects.filter(member=review.member, kind="grading.decided").count() == 1

    # The period cannot be locked while other reviews wait; a correction is a new decision with its reason.
    lock = officer.post(f"/api/v1/grading/periods/{period.pk}/actions/", {"action": "lock"},
                        content_type="application/json")
    assert lock.status_code == 409
    corrected = secretary.post(act, {"action": "correct", "score": 85, "all_on_time": "yes", "exceeded_percent": 40,
                                     "grade": "good", "decision_no": "14-TB/ĐU",
                                     "decided_on": clock.today().isoformat(), "reason": "Rà soát lại kết quả."},
                               content_type="application/json")
    assert corrected.status_code == 200, corrected.content
    assert [(d["grade"], d["reason"]) for d in corrected.json()["decisions"]] == [
        ("excellent", ""), ("good", "Rà soát lại kết quả.")]
    assert Decision.objects.filter(review_id=review_id).count() == 2

    # The level's summary: the first row is the whole level, the rows below add up to it.
    france = review.unit.parent
    rows = officer.get(f"/api/v1/grading/periods/{period.pk}/summary/?unit={france.pk}").json()
    assert rows[0]["own"] and rows[0]["unit"] == france.pk
    assert rows[0]["members"] == {"good": 1}
    assert sum(r["members_total"] for r in rows[1:]) == rows[0]["members_total"] - period.reviews.filter(
        unit=france).count()
    assert client_of("bithu.duc").get(f"/api/v1/grading/periods/{period.pk}/summary/?unit={france.pk}").status_code \
        == 404

    # The XLSX says the same; the printed form carries the member, the points, the vote and the decision.
    sheet = officer.get(f"/grading/periods/{period.pk}/summary.xlsx?unit={france.pk}")
    assert sheet.status_code == 200 and sheet["Cache-Control"] == "no-store"
    ws = load_workbook(BytesIO(sheet.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert values[0][0].startswith(france.name) and values[0][1] == rows[0]["members_total"]
    assert values[0][2:6] == [0, 1, 0, 0] and values[0][6] == rows[0]["members_total"] - 1
    for line in values:
        assert sum(line[2:7]) == line[1]  # the grades plus those not yet graded make the members reviewed
    paper = member.get(f"/grading/reviews/{review_id}/paper/?format=pdf")
    text = " ".join(pdf_text(paper.content).split())
    assert f"Mẫu {review.form}" in text and review.member.full_name in text
    assert f"Tổng cộng 100 {score}" in text
    assert f"{len(full)}/{len(full)} đảng viên chính thức được triệu tập tán thành" in text
    assert "Hoàn thành tốt nhiệm vụ (85 điểm)" in text and "số 14-TB/ĐU" in text
    assert UnitReview.objects.filter(period=period, state="pending").exists()
