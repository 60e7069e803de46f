"""Deadlines follow the working calendar: a day announced or withdrawn after clocks started moves every open
deadline counted in working days across it (and nothing else), records why, audits it and tells those
responsible. Driven through the API and the calendar page as the upper committee's officer does it."""

from __future__ import annotations

from datetime import date

import pytest

from chibo.core.calendar import calendar_for
from chibo.core.models import AuditEvent
from chibo.core.said import said
from chibo.deadlines import services
from chibo.deadlines.models import Deadline, State
from chibo.notifications.enums import Channel
from chibo.notifications.models import Message

DAY = date(2027, 3, 10)  # a Wednesday; no holiday in March 2027
START = date(2027, 3, 1)  # a Monday


@pytest.fixture
def clocks(actor_of, unit, settings):
    """Open deadlines of France's cell around DAY: a 60-working-day decision (window holds DAY), the same with an
    extension of 5 working days, a 7-working-day trip report due on DAY itself and already late, a trip report
    starting on DAY (its window does not hold DAY) and a calendar-day clock (not counted in working days)."""
    actor, cell = actor_of("bithu.phap"), unit("PHAP-DSQ")

    def open_(kind: str, start: date, source: str = "") -> Deadline:
        return services.deadline_open(actor=actor, kind=kind, unit=cell, start=start,
                                      title=said("Kiểm thử %(kind)s", kind=kind),
                                      source=source)

    made = {
        "decision": open_("admission.decision", START),
        "extended": open_("admission.decision", START, source="test:extended"),
        "late": open_("trip.report", START),
        "after": open_("trip.report", DAY),
        "calendar_days": open_("transfer.report", START),
    }
    services.deadline_extend(actor=actor, source="test:extended", kind="admission.decision", working_days=5,
                             reason="Gia hạn theo quyết định")
    assert made["late"].due_date == DAY
    settings.CHIBO_TODAY = date(2027, 3, 11)
    services.mark_late(today=settings.CHIBO_TODAY)
    return {k: Deadline.objects.get(pk=v.pk) for k, v in made.items()}


def test_a_day_announced_then_withdrawn_moves_exactly_the_deadlines_it_affects(clocks, client_of, unit):
    before = {k: d.due_date for k, d in clocks.items()}
    assert clocks["late"].state == State.LATE
    officer = client_of("ban.tochuc")

    added = officer.post("/api/v1/calendar/days/", {"day": DAY.isoformat(), "kind": "day_off",
                                                    "note": "Nghỉ bù (kiểm thử)"}, content_type="application/json")
    assert added.status_code == 201, added.content
    moved_events = AuditEvent.objects.filter(action="deadline.due_moved", data__calendar_day=DAY.isoformat())
    assert added.json()["effects"] == [f"{moved_events.count()} hạn đang mở được tính lại theo lịch mới; "
                                       "người phụ trách đã được báo."]

    now = {k: Deadline.objects.get(pk=d.pk) for k, d in clocks.items()}
    cal = calendar_for(unit("PHAP-DSQ"))
    assert now["decision"].due_date == cal.add_working_days(START, 60) > before["decision"]
    assert now["extended"].due_date == cal.add_working_days(cal.add_working_days(START, 60), 5)
    assert now["extended"].due_date > before["extended"]
    assert now["late"].due_date == date(2027, 3, 11) and now["late"].state == State.OPEN  # due today: no longer late
    assert now["after"].due_date == before["after"]
    assert now["calendar_days"].due_date == before["calendar_days"]
    assert {e.object_id for e in moved_events} >= {str(now[k].pk) for k in ("decision", "extended", "late")}
    assert not {e.object_id for e in moved_events} & {str(now[k].pk) for k in ("after", "calendar_days")}

    # The people responsible are told once per move, in the bell and by e-mail (no names in the e-mail).
    told = Message.objects.filter(kind="deadline.moved", ref=f"deadline:{now['decision'].pk}")
    assert told.filter(channel=Channel.IN_APP).count() == told.filter(channel=Channel.EMAIL).count() == 1
    assert all("Kiểm thử" not in m.title and not m.body for m in told.filter(channel=Channel.EMAIL))

    # The deadline says why its date changed: page and API.
    page = client_of("bithu.phap").get(f"/deadlines/{now['decision'].pk}/").content.decode()
    assert "Hạn đã thay đổi theo lịch làm việc" in page
    assert f"{before['decision']:%d/%m/%Y} → <strong>{now['decision'].due_date:%d/%m/%Y}</strong>" in page
    api = client_of("bithu.phap").get(f"/api/v1/deadlines/{now['decision'].pk}/").json()
    assert api["due_changes"] == [{"old": before["decision"].isoformat(), "new": now["decision"].due_date.isoformat(),
                                   "day": DAY.isoformat(), "added": True, "day_kind": "day_off",
                                   "because": "Công bố ngày nghỉ (thêm) 10/03/2027"}]

    # Withdrawn on the calendar page: the dates come back, the late one is late again, both moves are kept.
    response = officer.post("/rules/calendar/remove/", {"day": DAY.strftime("%d/%m/%Y"), "reason": "Nhập nhầm"},
                            follow=True)
    assert "hạn đang mở được tính lại theo lịch mới" in response.content.decode()
    back = {k: Deadline.objects.get(pk=d.pk) for k, d in clocks.items()}
    assert {k: d.due_date for k, d in back.items()} == before
    assert back["late"].state == State.LATE
    assert [(c["from"], c["to"], c["added"]) for c in back["decision"].data["due_changes"]] == [
        (before["decision"].isoformat(), now["decision"].due_date.isoformat(), True),
        (now["decision"].due_date.isoformat(), before["decision"].isoformat(), False)]


def test_a_day_outside_every_window_moves_nothing(clocks, client_of):
    before = {k: d.due_date for k, d in clocks.items()}
    far = client_of("ban.tochuc").post("/api/v1/calendar/days/", {"day": "2031-06-11", "kind": "day_off",
                                                                  "note": "Ngày nghỉ xa"},
                                       content_type="application/json")
    assert far.status_code == 201 and far.json()["effects"] == []
    assert {k: Deadline.objects.get(pk=d.pk).due_date for k, d in clocks.items()} == before
