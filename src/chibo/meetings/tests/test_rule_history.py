"""A meeting is judged by the rules in force on its day (docs/domain.md §5, §12): before Hướng dẫn 42-HD/BTCTW
(28/10/2025) the minimum length is guidance only, so a short regular meeting is planned with a warning; from that
day it is refused. Through the API the pages share, on the seeded rulebook."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from chibo.meetings import rules, services
from chibo.meetings.models import Meeting

pytestmark = pytest.mark.django_db

ON_42 = date(2025, 10, 28)


def _plan(client, cell, day: str, minutes: int, kind: str = "regular"):
    return client.post("/api/v1/meetings/", json.dumps({
        "unit": cell.pk, "kind": kind, "title": "Sinh hoạt chi bộ", "day": day, "time": "18:30",
        "planned_minutes": minutes, "place": "Phòng họp Đại sứ quán"}), content_type="application/json")


def test_a_short_meeting_of_2024_is_warned_about_and_one_of_2026_refused(client_of, unit):
    secretary, cell = client_of("bithu.phap"), unit("PHAP-DSQ")
    before = Meeting.objects.count()

    refused = _plan(secretary, cell, "2026-03-10", 60)
    assert refused.status_code == 400, refused.content
    assert "ít nhất 90 phút" in refused.content.decode() and "42-HD/BTCTW 2025" in refused.content.decode()
    assert Meeting.objects.count() == before  # nothing written

    accepted = _plan(secretary, cell, "2024-03-12", 60)
    assert accepted.status_code == 201, accepted.content
    meeting = Meeting.objects.get(pk=accepted.json()["id"])
    assert meeting.planned_minutes == 60
    shown = secretary.get(f"/api/v1/meetings/{meeting.pk}/").json()["warnings"]
    short = [w for w in shown if "60 phút" in w]
    assert short and "90 phút" in short[0] and "12-HD/BTCTW 2018" in short[0], shown  # the guidance then in force


def test_the_line_falls_on_the_day_of_42_hd(actor_of, unit):
    secretary, cell = actor_of("bithu.phap"), unit("PHAP-DSQ")

    def plan(day: date, kind: str, minutes: int) -> Meeting:
        return services.meeting_plan(actor=secretary, unit=cell, kind=kind, title="Sinh hoạt", day=day,
                                     time=time(18, 30), planned_minutes=minutes, place="Paris")

    eve = date(2025, 10, 27)
    for kind, minutes, minimum in (("regular", 60, 90), ("combined", 100, 120)):
        meeting = plan(eve, kind, minutes)
        assert any(f"{minutes} phút" in w and f"{minimum} phút" in w for w in rules.warnings(meeting))
        with pytest.raises(ValidationError) as exc:
            plan(ON_42, kind, minutes)
        assert f"ít nhất {minimum} phút" in str(exc.value.error_dict["planned_minutes"])
    need = rules.duration_rule("regular", eve)
    assert (need.minimum, need.refused) == (90, False) and "12-HD/BTCTW 2018" in need.basis
    need = rules.duration_rule("regular", ON_42)
    assert (need.minimum, need.refused) == (90, True) and "42-HD/BTCTW 2025" in need.basis
