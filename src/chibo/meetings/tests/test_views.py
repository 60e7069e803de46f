"""The meeting pages as the secretary and the member use them (test client, real DB, real PDF)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from chibo.core.documents import pdf_text
from chibo.meetings.models import Attendance, BallotReceipt, BallotVoter, Meeting, MinutesState, Resolution
from chibo.meetings.tests.helpers import full_members

pytestmark = pytest.mark.django_db


def _post(client, meeting, **data):
    return client.post(f"/meetings/{meeting.pk}/act/", data)


def test_secretary_plans_holds_and_approves_a_meeting(client_of, unit, personas):
    sec = client_of("bithu.phap")
    cell = unit("PHAP-DSQ")
    page = sec.get("/meetings/new/")
    assert page.status_code == 200 and "Chi bộ Cơ quan Đại sứ quán tại Pháp" in page.content.decode()
    bad = sec.post("/meetings/new/", {"unit": cell.pk, "kind": "regular", "title": "Họp", "day": "10/12/2026",
                                      "time": "18:30", "planned_minutes": "0", "place": "Paris"})
    assert bad.status_code == 200 and not Meeting.objects.filter(title="Họp").exists()
    form = {"unit": cell.pk, "kind": "regular", "title": "Sinh hoạt tháng 12", "day": "10/12/2026", "time": "18:30",
            "planned_minutes": "60", "place": "Phòng họp", "agenda": "1. Kiểm điểm\n2. Phương hướng"}
    short = sec.post("/meetings/new/", form)  # a regular meeting of 60 minutes is refused, next to its field
    assert short.status_code == 200 and "ít nhất 90 phút" in short.content.decode()
    assert not Meeting.objects.filter(title="Sinh hoạt tháng 12").exists()
    done = sec.post("/meetings/new/", {**form, "planned_minutes": "90"})
    meeting = Meeting.objects.get(title="Sinh hoạt tháng 12")
    assert done.status_code == 302 and meeting.agenda == "1. Kiểm điểm\n2. Phương hướng"
    html = sec.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "10/12/2026" in html and "18:30" in html and "Europe/Paris" in html
    assert _post(sec, meeting, action="notice").status_code == 302
    assert _post(sec, meeting, action="open").status_code == 302
    members = full_members(cell)
    data = {"action": "attendance_sheet"}
    for m in members:
        data[f"presence_{m.pk}"] = "in_person"
    assert _post(sec, meeting, **data).status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == len(members)
    # Attendance of a member of another unit: refused, nothing written.
    stranger = full_members(unit("PHAP-LHS"))[0]
    refused = _post(sec, meeting, **{"action": "attendance_sheet", f"presence_{stranger.pk}": "in_person"})
    assert refused.status_code == 200 and "không sinh hoạt tại chi bộ" in refused.content.decode()
    assert not Attendance.objects.filter(meeting=meeting, member=stranger).exists()
    _post(sec, meeting, action="resolution", title="Thông qua nghị quyết tháng 12")
    item = Resolution.objects.get(meeting=meeting)
    _post(sec, meeting, action="open_vote", resolution=item.pk, votes_for=len(members), votes_against=0,
          votes_abstain=0)
    item.refresh_from_db()
    assert item.passed is True
    assert _post(sec, meeting, action="close").status_code == 302
    assert _post(sec, meeting, action="minutes_draft").status_code == 302
    _post(sec, meeting, action="minutes_approve")  # refused: no discussion recorded yet
    meeting.refresh_from_db()
    assert meeting.minutes_state == MinutesState.DRAFT
    _post(sec, meeting, action="content", agenda=meeting.agenda, draft_resolution="",
          discussion="Các đồng chí thống nhất phương hướng tháng tới.", conclusion="Chi bộ thống nhất.")
    _post(sec, meeting, action="minutes_approve")  # the draft was made before them: drafted again first
    meeting.refresh_from_db()
    assert meeting.minutes_state == MinutesState.DRAFT and meeting.conclusion == "Chi bộ thống nhất."
    assert "còn chỗ chưa ghi" in sec.get(f"/meetings/{meeting.pk}/").content.decode()
    assert _post(sec, meeting, action="minutes_draft").status_code == 302
    _post(sec, meeting, action="minutes_approve")
    meeting.refresh_from_db()
    assert meeting.minutes_state == MinutesState.APPROVED
    refused = _post(sec, meeting, action="minutes_edit", text="Sửa sau khi thông qua")  # locked: 409, the reason
    assert refused.status_code == 409 and "đã thông qua" in refused.content.decode()
    pdf = sec.get(f"/meetings/{meeting.pk}/minutes/")
    assert pdf["Content-Type"] == "application/pdf" and "BIÊN BẢN" in pdf_text(pdf.content)
    docx = sec.get(f"/meetings/{meeting.pk}/minutes/?doc=resolution&fmt=docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    book = sec.get(f"/meetings/book/?unit={cell.pk}&year=2026").content.decode()
    assert "Sinh hoạt tháng 12" in book
    # The member reads the approved minutes of their own unit; Germany's secretary cannot see it at all.
    member_page = client_of("dangvien.phap").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Biên bản PDF" in member_page and "all-present" not in member_page
    assert client_of("bithu.duc").get(f"/meetings/{meeting.pk}/").status_code == 404


def test_member_checks_in_and_votes_with_a_receipt(client_of, actor_of, unit, personas):
    from chibo.meetings import services
    from chibo.meetings.tests.helpers import plan

    sec = actor_of("bithu.phap")
    meeting = plan(sec, unit("PHAP-DSQ"))
    services.meeting_open(actor=sec, meeting=meeting)
    member = client_of("dangvien.phap")
    others = [m for m in full_members(meeting.unit) if m.pk != personas["dangvien.phap"].member.pk]
    for m in others[:2]:
        services.attendance_record(actor=sec, meeting=meeting, member=m, presence="in_person")
    item = services.resolution_add(actor=sec, meeting=meeting, title="Bầu đại biểu", secret=True)
    # Before opening the page says what a secret ballot needs; below it the page's opening is refused.
    secretary = client_of("bithu.phap")
    page = secretary.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "cần ít nhất 3 đảng viên chính thức có mặt" in page and "hiện có 2" in page
    refused = _post(secretary, meeting, action="ballot_open", resolution=item.pk)
    assert "Chưa mở được bỏ phiếu kín" in refused.content.decode()
    assert not BallotVoter.objects.filter(box__resolution=item).exists()
    services.attendance_record(actor=sec, meeting=meeting, member=others[2], presence="in_person")
    assert _post(secretary, meeting, action="ballot_open", resolution=item.pk).status_code == 302
    box = Resolution.objects.get(pk=item.pk).box
    # The member arrives after the ballot opened: checking in puts them on its roll.
    assert member.post(f"/meetings/{meeting.pk}/check-in/", {"online": "1"}).status_code == 302
    assert Attendance.objects.get(meeting=meeting, member=personas["dangvien.phap"].member).presence == "online"
    assert BallotVoter.objects.filter(box=box, member=personas["dangvien.phap"].member).exists()
    page = member.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Phiếu của đồng chí" in page and ">Tán thành<" in page
    answer = member.post(f"/meetings/ballots/{box.pk}/vote/", {"choice": "for"})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    # A server error's report (it names the user) would show the choice as masked.
    assert answer.wsgi_request.sensitive_post_parameters == ("choice",)
    code = re.search(r'id="receipt-code">([0-9A-F-]+)<', answer.content.decode()).group(1)
    assert BallotReceipt.objects.filter(box=box, digest=services.receipt_hash(code)).exists()
    again = member.post(f"/meetings/ballots/{box.pk}/vote/", {"choice": "against"})
    assert again.status_code == 200 and "đã bỏ phiếu rồi" in again.content.decode()
    assert BallotReceipt.objects.filter(box=box).count() == 1
    assert sorted(services.ballot_totals(box).items()) == sorted({**dict.fromkeys(
        ["for", "against", "abstain", "invalid", "paper"], 0), "for": 1, "online": 1, "cast": 1}.items())
    # Results are hidden until the close, then the receipt checks out.
    assert "Tán thành 1" not in member.get(f"/meetings/{meeting.pk}/").content.decode()
    services.ballot_close(actor=sec, box=box)
    # By POST only: a code in the query string is ignored (it would land in access logs).
    assert "Phiếu có mã này" not in member.get(f"/meetings/{meeting.pk}/?receipt={code}&box={box.pk}").content.decode()
    checked = member.post(f"/meetings/{meeting.pk}/receipt/", {"receipt": code, "box": box.pk}).content.decode()
    assert "Phiếu có mã này đã được tính." in checked and code not in checked
    api = member.post(f"/api/v1/ballots/{box.pk}/receipt/", {"receipt": code}, content_type="application/json")
    assert api.wsgi_request.sensitive_post_parameters == ("receipt",)
    assert api.json() == {"counted": True}
    wrong = member.post(f"/api/v1/ballots/{box.pk}/receipt/", {"receipt": "0000-0000"}, content_type="application/json")
    assert wrong.json() == {"counted": False}


def test_compliance_page_for_the_tree_and_settings(client_of, unit):
    page = client_of("ban.tochuc").get("/meetings/compliance/?year=2026")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-unit="PHAP-DSQ"' in html and 'data-unit="DUC-FRA"' in html
    fr = client_of("bithu.phap").get("/meetings/compliance/?year=2026").content.decode()
    assert 'data-unit="PHAP-DSQ"' in fr and 'data-unit="DUC-FRA"' not in fr
    sec = client_of("bithu.phap")
    cell = unit("PHAP-LHS")
    assert sec.post(f"/meetings/units/{cell.pk}/settings/", {"time_zone": "Europe/Paris"}).status_code == 302
    from chibo.meetings.services import online_ballots_allowed

    assert online_ballots_allowed(cell) is False


def test_meetings_appear_in_the_calendar_feed(client_of, actor_of, unit, personas):
    from chibo.deadlines.feeds import feed_token_create
    from chibo.meetings.tests.helpers import plan

    meeting = plan(actor_of("bithu.phap"), unit("PHAP-DSQ"), day=date(2027, 1, 14))
    german = plan(actor_of("bithu.duc"), unit("DUC-FRA"), day=date(2027, 1, 15))
    key = feed_token_create(actor=actor_of("dangvien.phap"), user=personas["dangvien.phap"])
    text = Client().get(f"/deadlines/feed/{key}.ics").content.decode()
    assert f"UID:meeting-{meeting.pk}@chibo" in text and "DTSTART:20270114T173000Z" in text
    assert "DTEND:20270114T193000Z" in text  # 18:30 in Paris (UTC+1 in winter), 120 minutes
    assert "18:30 (Europe/Paris)" in text.replace("\r\n ", "")
    assert f"meeting-{german.pk}@" not in text


def test_a_planned_meeting_whose_time_has_passed_is_not_listed_as_upcoming(client_of, actor_of, unit):
    from chibo.meetings.tests.helpers import plan

    sec = actor_of("bithu.phap")
    old = plan(sec, unit("PHAP-DSQ"), day=date(2026, 2, 5))
    ahead = plan(sec, unit("PHAP-DSQ"), day=date(2027, 3, 5))
    page = client_of("bithu.phap").get("/meetings/").content.decode()
    upcoming = page.split('id="upcoming"')[1].split("</table>")[0]
    overdue = page.split('id="overdue"')[1].split("</table>")[0]
    assert f'data-meeting="{ahead.pk}"' in upcoming and f'data-meeting="{old.pk}"' not in upcoming
    assert f'data-meeting="{old.pk}"' in overdue


def test_attendance_in_one_tap_marks_the_rest_present(client_of, actor_of, unit, personas):
    """The secretary marks only the exceptions; one button records everyone else present in person."""
    from chibo.meetings.tests.helpers import plan
    from chibo.members.models import Member

    sec = client_of("bithu.phap")
    cell = unit("PHAP-DSQ")
    meeting = plan(actor_of("bithu.phap"), cell)
    assert _post(sec, meeting, action="open").status_code == 302
    members = list(Member.objects.filter(unit=cell, status__in=["full", "probationary", "exempt", "suspended"]))
    from chibo.meetings import services as meeting_services

    self_checked = personas["dangvien.phap"].member  # checked in online before the sheet: kept as it is
    away, online = [m for m in members if m.pk != self_checked.pk][:2]
    meeting_services.attendance_check_in(actor=actor_of("dangvien.phap"), meeting=meeting, online=True)
    page = sec.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'id="all-present"' in page and f"({away.birth_date:%Y})" in page  # namesakes told apart
    done = _post(sec, meeting, action="attendance_sheet", all_present="on",
                 **{f"presence_{away.pk}": "excused", f"reason_{away.pk}": "Công tác tại Lyon",
                    f"approved_{away.pk}": "1", f"presence_{online.pk}": "online"})
    assert done.status_code == 302
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "presence"))
    assert len(marks) == len(members)
    assert marks[away.pk] == "excused" and marks[online.pk] == "online" and marks[self_checked.pk] == "online"
    assert sum(p == "in_person" for p in marks.values()) == len(members) - 3
