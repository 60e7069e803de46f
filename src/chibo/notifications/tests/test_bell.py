"""The bell's list: one's own notifications grouped per day and kind, a group or all of them marked read, by the
page and by the API, never touching anyone else's."""

from __future__ import annotations

from datetime import datetime, timedelta

import lxml.html
import pytest
from django.utils import timezone

from chibo.notifications.models import Notification

LIST = "/notifications/"
READ = "/notifications/read/"
API_READ = "/api/v1/me/notifications/read/"


def at(days_ago: int, hour: int) -> datetime:
    """A moment ``days_ago`` days before today, at ``hour`` o'clock in the installation's time zone."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def make(user, kind: str, when: datetime, title: str, *, read: bool = False) -> Notification:
    n = Notification.objects.create(user=user, kind=kind, title_vi=title, url="/deadlines/",
                                    read_at=timezone.now() if read else None)
    Notification.objects.filter(pk=n.pk).update(created_at=when)  # created_at is set on insert
    return n


@pytest.fixture
def bells(personas):
    """bithu.phap: today two deadline reminders and a meeting notice, one without a kind; yesterday a reminder
    received just after midnight (local time) and one read meeting notice; bithu.duc: the same kinds on the
    same days, which nothing done by bithu.phap may touch."""
    me, other = personas["bithu.phap"], personas["bithu.duc"]
    Notification.objects.filter(user__in=[me, other]).delete()
    mine = {
        "r1": make(me, "deadline.reminder", at(0, 9), "Sắp đến hạn 1"),
        "m1": make(me, "meeting.notice", at(0, 10), "Thông báo sinh hoạt chi bộ"),
        "r2": make(me, "deadline.reminder", at(0, 11), "Sắp đến hạn 2"),
        "x1": make(me, "", at(0, 8), "Thông báo không có loại"),
        "r0": make(me, "deadline.reminder", at(1, 0) + timedelta(minutes=5), "Hôm qua: quá hạn"),
        "m0": make(me, "meeting.notice", at(1, 14), "Sinh hoạt đã qua", read=True),
    }
    theirs = [make(other, "deadline.reminder", at(0, 9), "Của người khác"),
              make(other, "deadline.reminder", at(1, 1), "Của người khác, hôm qua")]
    return mine, theirs


def grouped(client) -> list[tuple[str, list[tuple[str, list[int], bool]]]]:
    """[(day, [(kind, [notification ids], open)])] as the page shows them."""
    response = client.get(LIST)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    return [(day.get("data-day"), [(g.get("data-kind"), [int(li.get("data-notification"))
                                                         for li in g.xpath(".//li[@data-notification]")],
                                    g.get("open") is not None)
                                   for g in day.xpath("./details[contains(@class,'n-group')]")])
            for day in doc.xpath("//section[@class='n-day']")]


def unread(user) -> set[int]:
    return set(Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True))


def test_the_list_is_grouped_per_day_and_kind_newest_first(client_of, bells):
    mine, theirs = bells
    today, yesterday = timezone.localdate(), timezone.localdate() - timedelta(days=1)
    assert grouped(client_of("bithu.phap")) == [
        (today.isoformat(), [("deadline.reminder", [mine["r2"].pk, mine["r1"].pk], True),
                             ("meeting.notice", [mine["m1"].pk], True),
                             ("", [mine["x1"].pk], True)]),
        # A group all read stays folded; the day follows the local clock (00:05 is yesterday, not the day before).
        (yesterday.isoformat(), [("meeting.notice", [mine["m0"].pk], False),
                                 ("deadline.reminder", [mine["r0"].pk], True)]),
    ]
    text = client_of("bithu.phap").get(LIST).content.decode()
    assert "Hôm nay" in text and "Hôm qua" in text and "Nhắc hạn công việc" in text and "Thông báo khác" in text
    assert "deadline.reminder</span>" not in text  # kinds by their names, never their keys
    assert all(t.title not in text for t in theirs)


def test_a_group_marked_read_by_the_page_is_that_day_and_kind_of_ones_own(client_of, personas, bells):
    mine, theirs = bells
    client = client_of("bithu.phap")
    today = timezone.localdate().isoformat()
    response = client.post(READ, {"day": today, "kind": "deadline.reminder"})
    assert response.status_code == 302
    assert unread(personas["bithu.phap"]) == {mine["m1"].pk, mine["x1"].pk, mine["r0"].pk}
    assert unread(personas["bithu.duc"]) == {t.pk for t in theirs}  # the same day and kind, someone else's
    # The group without a kind is its own group.
    assert client.post(READ, {"day": today, "kind": ""}).status_code == 302
    assert unread(personas["bithu.phap"]) == {mine["m1"].pk, mine["r0"].pk}
    # The page now folds the groups all read.
    days = dict(grouped(client))
    assert [(kind, is_open) for kind, _, is_open in days[today]] == [
        ("deadline.reminder", False), ("meeting.notice", True), ("", False)]
    # Bad input changes nothing.
    for bad in ({"day": "07/12/2026"}, {"day": "2026-02-30"}, {"id": "1 OR 1=1"}, {"day": today, "kind": "x" * 41}):
        assert client.post(READ, bad).status_code == 404, bad
    assert unread(personas["bithu.phap"]) == {mine["m1"].pk, mine["r0"].pk}


def test_mark_all_read_by_the_page_and_the_api_touches_only_the_callers_own(client_of, personas, bells):
    mine, theirs = bells
    client = client_of("bithu.phap")
    doc = lxml.html.fromstring(client.get(LIST).content.decode())
    everything = doc.xpath("//form[@action='/notifications/read/'][.//button[contains(., 'Đánh dấu tất cả')]]")[0]
    assert {i.get("name") for i in everything.xpath(".//input")} == {"csrfmiddlewaretoken"}  # no id, day or kind
    assert client.post(READ).status_code == 302
    assert unread(personas["bithu.phap"]) == set()
    assert unread(personas["bithu.duc"]) == {t.pk for t in theirs}
    # The API twin, for the other user: their own two, nothing else.
    Notification.objects.filter(pk=mine["r1"].pk).update(read_at=None)
    response = client_of("bithu.duc").post(API_READ, {}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert unread(personas["bithu.duc"]) == set()
    assert unread(personas["bithu.phap"]) == {mine["r1"].pk}


def test_the_api_marks_one_group_and_refuses_bad_input(client_of, personas, bells):
    mine, theirs = bells
    client = client_of("bithu.phap")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(API_READ, {"day": yesterday, "kind": "deadline.reminder"}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert unread(personas["bithu.phap"]) == {mine["r1"].pk, mine["r2"].pk, mine["m1"].pk, mine["x1"].pk}
    assert unread(personas["bithu.duc"]) == {t.pk for t in theirs}
    # A kind alone: that kind on every day.
    response = client.post(API_READ, {"kind": "meeting.notice"}, content_type="application/json")
    assert response.json() == {"marked": 1}
    for bad in ({"day": "hôm qua"}, {"kind": "x" * 41}, {"id": 0}, {"id": theirs[0].pk}):
        response = client.post(API_READ, bad, content_type="application/json")
        assert response.status_code in (400, 404), bad
    assert unread(personas["bithu.phap"]) == {mine["r1"].pk, mine["r2"].pk, mine["x1"].pk}
    assert unread(personas["bithu.duc"]) == {t.pk for t in theirs}


def test_the_list_is_bounded_to_a_page(client_of, personas):
    me = personas["bithu.phap"]
    Notification.objects.filter(user=me).delete()
    Notification.objects.bulk_create([Notification(user=me, kind="deadline.reminder", title_vi=f"Nhắc {i}")
                                      for i in range(130)])
    client = client_of("bithu.phap")
    first = sum(len(ids) for _, groups in grouped(client) for _, ids, _ in groups)
    assert first == 50
    doc = lxml.html.fromstring(client.get(LIST, {"page": 3}).content.decode())
    assert len(doc.xpath("//li[@data-notification]")) == 30
