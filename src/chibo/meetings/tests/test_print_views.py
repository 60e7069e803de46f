"""The printable pages of a meeting: the attendance sheet to sign (exactly the cell's members on the rolls, those
not required apart) and the minutes to print (attendance once, two signatures)."""

from __future__ import annotations

import re

import pytest

from chibo.meetings.models import Meeting
from chibo.meetings.tests.helpers import full_members, plan
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.models import Member, Status
from chibo.transfers.selectors import temporarily_away

pytestmark = pytest.mark.django_db


def _ids(block: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-member="(\d+)">', block)]


def test_the_attendance_sheet_lists_exactly_the_members_expected(client_of, actor_of, unit):
    cell = unit("PHAP-DSQ")
    meeting = plan(actor_of("bithu.phap"), cell)
    plain = full_members(cell)
    exempt, gone = plain[-1], plain[-2]
    Member.objects.filter(pk=exempt.pk).update(status=Status.EXEMPT)  # exempt and not present: not required
    Member.objects.filter(pk=gone.pk).update(status=Status.LEFT)  # no longer on the rolls
    on_rolls = list(Member.objects.filter(unit=cell, status__in=ACTIVE_STATUSES).order_by("name_sort", "pk"))

    sec = client_of("bithu.phap")
    page = sec.get(f"/meetings/{meeting.pk}/attendance-sheet/").content.decode()
    required = page.split('data-sheet="required"', 1)[1].split("</section>", 1)[0]
    apart = page.split('data-sheet="apart"', 1)[1].split("</section>", 1)[0]
    # not required: exempt or suspended, or away on a temporary transfer (the demo has some)
    away = temporarily_away(cell, meeting.starts_at.date())
    not_required = [m.pk for m in on_rolls if m.status in (Status.EXEMPT, Status.SUSPENDED) or m.pk in away]
    assert _ids(required) == [m.pk for m in on_rolls if m.pk not in not_required] and len(on_rolls) > 3
    assert _ids(apart) == not_required and exempt.pk in not_required
    assert "được miễn công tác và sinh hoạt đảng" in apart
    assert gone.pk not in _ids(page) and not set(_ids(page)) - {m.pk for m in on_rolls}
    assert page.count('<td class="sign"></td>') == len(on_rolls)  # a place to sign on every row
    first = next(m for m in on_rolls if m.pk not in not_required)
    row = re.search(rf'<tr data-member="{first.pk}">(.*?)</tr>', required)
    assert row and first.full_name in row.group(1) and str(first.birth_date.year) in row.group(1)  # namesakes apart
    assert "data-print hidden" in page and "THƯ KÝ" in page and "CHỦ TRÌ" in page
    assert 'id="attendance-sheet"' in sec.get(f"/meetings/{meeting.pk}/").content.decode()
    member = client_of("dangvien.phap")
    assert member.get(f"/meetings/{meeting.pk}/attendance-sheet/").status_code == 403
    assert 'id="attendance-sheet"' not in member.get(f"/meetings/{meeting.pk}/").content.decode()
    assert client_of("bithu.duc").get(f"/meetings/{meeting.pk}/attendance-sheet/").status_code == 404


def _act(client, meeting, **data):
    assert client.post(f"/meetings/{meeting.pk}/act/", data).status_code == 302, data


def test_the_minutes_print_with_the_attendance_once_and_two_signatures(client_of, actor_of, unit):
    cell = unit("PHAP-DSQ")
    meeting = plan(actor_of("bithu.phap"), cell)
    sec, member = client_of("bithu.phap"), client_of("dangvien.phap")
    url = f"/meetings/{meeting.pk}/minutes/print/"
    assert sec.get(url).status_code == 404  # no minutes yet
    _act(sec, meeting, action="notice")
    _act(sec, meeting, action="open")
    present = full_members(cell)
    _act(sec, meeting, action="attendance_sheet", **{f"presence_{m.pk}": "in_person" for m in present})
    _act(sec, meeting, action="close")
    _act(
        sec,
        meeting,
        action="content",
        agenda="Công tác tháng 12",
        discussion="Chi bộ thảo luận.",
        conclusion="Chi bộ thống nhất.",
        draft_resolution="",
    )
    _act(sec, meeting, action="minutes_draft")

    draft = sec.get(url).content.decode()
    assert "Dự thảo, chưa thông qua" in draft and "Số …-BB/CB" in draft
    assert member.get(url).status_code == 404  # a draft is for whoever runs the meeting
    _act(sec, meeting, action="minutes_approve")
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.minutes_state == "approved"
    for client in (sec, member):
        page = client.get(url).content.decode()
        assert f"Số {meeting.minutes_number}-BB/CB" in page and "Dự thảo" not in page
        attendance = page.split('data-sheet="attendance"', 1)[1].split("</section>", 1)[0]
        chair = page.split('class="signatures"', 1)[1]
        for m in present:  # listed once; the chair's name also stands under the signature
            assert attendance.count(m.full_name) == 1, m.full_name
            assert page.count(m.full_name) == 1 + chair.count(m.full_name), m.full_name
        assert page.count("THƯ KÝ") == 1 and page.count("CHỦ TRÌ") == 1
        assert "<h2>I. ĐIỂM DANH</h2>" in page and "Chi bộ thống nhất." in page
    assert 'id="minutes-print"' in member.get(f"/meetings/{meeting.pk}/").content.decode()
