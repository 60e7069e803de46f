"""What a service says is kept as its source text and parameters and read in each reader's language: the titles of
deadlines and the texts of notifications (``core.said``)."""

from __future__ import annotations

import json
from datetime import date

from django.utils import translation

from chibo.core.said import said, said_again, said_term, say


def test_a_sentence_is_kept_as_json_and_said_in_each_language():
    text = said("Thông báo %(kind)s: %(when)s (%(zone)s)", kind=said_term("Sinh hoạt thường kỳ", lower=True),
                when="05/02/2026 18:30", zone="Europe/Paris")
    kept = json.loads(json.dumps(text.stored()))  # as the database gives it back
    assert text.in_source() == "Thông báo sinh hoạt thường kỳ: 05/02/2026 18:30 (Europe/Paris)"
    with translation.override("en"):
        assert say(kept, "") == "Notice of regular meeting: 05/02/2026 18:30 (Europe/Paris)"
    with translation.override("vi"):
        assert say(kept, "") == text.in_source()


def test_a_sentence_inside_another_and_a_first_letter_in_lower_case():
    period = said("Quý %(quarter)s năm %(year)s", quarter="I", year=2026)
    text = said("Nhắc nộp báo cáo %(period)s (hạn %(due)s)", period=said_term(period, lower=True), due="15/04/2026")
    assert text.in_source() == "Nhắc nộp báo cáo quý I năm 2026 (hạn 15/04/2026)"  # "I", not "i"
    with translation.override("en"):
        assert str(text) == "Reminder: report for quarter I of 2026 (due 15/04/2026)"
        again = said_again(json.loads(json.dumps(text.stored())))
        assert again is not None and str(again) == str(text)


def test_what_cannot_be_said_falls_back_without_an_error():
    assert say({}, "Như đã ghi") == "Như đã ghi"  # a row written before texts were said
    assert say({"msgid": 3}, "Như đã ghi") == "Như đã ghi"
    missing = {"msgid": "Lễ kết nạp: %(name)s", "params": {}}  # a parameter lost: the Vietnamese row text
    assert say(missing, "Lễ kết nạp: Nguyễn Văn An") == "Lễ kết nạp: Nguyễn Văn An"
    unknown = {"msgid": "Một câu chưa có bản dịch: %(n)s", "params": {"n": 2}}
    with translation.override("en"):
        assert say(unknown, "") == "Một câu chưa có bản dịch: 2"  # said in the source language
    assert said("Ngày %(day)s", day=date(2026, 1, 2)).stored()["params"] == {"day": "2026-01-02"}  # JSON only


def test_a_deadline_and_its_reminder_read_in_the_readers_language(db, personas, client_of):
    from chibo.core.access import SYSTEM
    from chibo.deadlines.reminders import sweep
    from chibo.deadlines.services import deadline_open
    from chibo.notifications.models import Message

    member = personas["dangvien.phap"].member
    deadline = deadline_open(actor=SYSTEM, kind="trip.report", unit=member.unit, member=member,
                             start=date(2026, 11, 30), title=said("Báo cáo sau chuyến đi nước ngoài: %(name)s",
                                                                   name=member.full_name))
    assert deadline.title_vi == f"Báo cáo sau chuyến đi nước ngoài: {member.full_name}"
    client = client_of("bithu.phap")
    english = client.get(f"/api/v1/deadlines/{deadline.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["title"] == f"Report after a trip abroad: {member.full_name}"
    vietnamese = client.get(f"/api/v1/deadlines/{deadline.pk}/", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert vietnamese["title"] == deadline.title_vi

    sweep(today=deadline.due_date)
    bell = Message.objects.filter(ref=f"deadline:{deadline.pk}", channel="inapp").first()
    email = Message.objects.filter(ref=f"deadline:{deadline.pk}", channel="email").first()
    assert bell is not None and bell.title_vi == "Hôm nay đến hạn: Báo cáo sau chuyến đi nước ngoài"
    with translation.override("en"):
        assert (bell.title, bell.body) == ("Due today: Report after a trip abroad",
                                           f"Report after a trip abroad: {member.full_name}")
    # e-mail goes out in Vietnamese, without the member's name
    assert email is not None and email.title_vi == bell.title_vi and member.full_name not in email.body_vi
