"""The outbox in one process: notify() in the caller's transaction, the bell exactly once, the
idempotency key, nothing sent for a rolled-back write, a failing mail server retried with back-off
and shown in the log without touching the write behind it, the log scoped by unit, stale hand-overs.

This package may use chibo.core only (import contract), so units and users come from the app
registry and the demo's personas. The real worker process runs in the meetings' and reminders'
worker tests; here the worker's own function (tasks.deliver_now) is called directly.
"""

from __future__ import annotations

import smtplib
from datetime import date, timedelta
from io import StringIO

import lxml.html
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chibo.core.access import SYSTEM
from chibo.core.models import CalendarDay
from chibo.notifications.models import Message, Notification
from chibo.notifications.services import notify, outbox_hand_over_stale
from chibo.notifications.tasks import backoff, deliver_now

pytestmark = pytest.mark.django_db
DELIVER = "chibo.notifications.tasks.deliver"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message, as a real SMTP server can."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.1.1 mailbox unavailable")})


REFUSING = f"{__name__}.RefusingBackend"


def unit(code: str):
    return apps.get_model("units", "Unit").objects.get(code=code)


def handed_over() -> list[int]:
    return sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(task_path=DELIVER))


def rows(response) -> list[int]:
    return [int(pk) for pk in lxml.html.fromstring(response.content).xpath("//tr[@data-message]/@data-message")]


def test_in_app_is_written_with_its_message_exactly_once_and_a_key_never_sends_twice(
        personas, django_capture_on_commit_callbacks):
    user = personas["bithu.phap"]
    about = {"actor": SYSTEM, "users": [user, user], "kind": "meeting.notice", "title": "Thông báo sinh hoạt",
             "body": "Họp chi bộ tháng 12", "url": "/meetings/1/", "unit": unit("PHAP-DSQ"),
             "key": "test:1:notice", "ref": "meeting:1"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify(**about)
    assert sorted(m.channel for m in created) == ["email", "inapp"]  # the user once, on each channel
    in_app = Message.objects.get(key="test:1:notice", channel="inapp")
    assert (in_app.state, in_app.attempts, in_app.sent_at is not None) == ("sent", 1, True)
    bell = Notification.objects.get(message=in_app)
    assert (bell.user, bell.title, bell.body, bell.url, bell.ref) == (
        user, "Thông báo sinh hoạt", "Họp chi bộ tháng 12", "/meetings/1/", "meeting:1")
    email = Message.objects.get(key="test:1:notice", channel="email")
    assert (email.state, email.address, email.attempts) == ("queued", user.email, 0)
    assert len(callbacks) == 1 and handed_over() == [email.pk]

    # The same key again, whoever asks: nothing new on either channel, nothing handed over.
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert notify(**{**about, "title": "Thông báo lại"}) == []
    assert not again and handed_over() == [email.pk]
    assert Message.objects.filter(key="test:1:notice").count() == 2
    assert Notification.objects.filter(ref="meeting:1").count() == 1
    # Another key, or none, is another message.
    assert len(notify(**{**about, "key": "test:1:notice-2", "channels": ["inapp"]})) == 1
    assert len(notify(**{**about, "key": "", "channels": ["inapp"]})) == 1
    assert len(notify(**{**about, "key": "", "channels": ["inapp"]})) == 1
    assert Notification.objects.filter(ref="meeting:1").count() == 4

    # The worker, running twice (a duplicated task): one e-mail, with its Message-ID.
    assert deliver_now(email.pk) == "sent"
    assert deliver_now(email.pk) == "skipped"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [user.email] and sent.subject == "[chibo] Thông báo sinh hoạt"
    assert sent.extra_headers["Message-ID"] == email.message_id
    assert "Xem chi tiết: http" in sent.body and sent.body.rstrip().endswith("/meetings/1/")


def test_a_message_whose_transaction_rolls_back_is_never_sent(personas, django_capture_on_commit_callbacks, mailoutbox):
    before = (Message.objects.count(), Notification.objects.count(), DBTaskResult.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            CalendarDay.objects.create(day=date(2027, 1, 9), kind="working_day", note="Làm bù")
            notify(actor=SYSTEM, users=[personas["bithu.phap"], personas["dangvien.phap"]], kind="meeting.notice",
                   title="Thông báo sinh hoạt", key="test:rollback", ref="meeting:2")
            raise RuntimeError("the write behind the message fails")
    assert not callbacks
    assert (Message.objects.count(), Notification.objects.count(), DBTaskResult.objects.count()) == before
    assert not CalendarDay.objects.filter(day=date(2027, 1, 9)).exists()
    assert not mailoutbox


@override_settings(EMAIL_BACKEND=REFUSING, CHIBO_OUTBOX_BACKOFF_SECONDS=60, CHIBO_OUTBOX_MAX_ATTEMPTS=3)
def test_a_failing_email_is_retried_with_backoff_shown_in_the_log_and_never_undoes_the_write(
        personas, client_of, django_capture_on_commit_callbacks):
    user = personas["dangvien.phap"]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():  # the caller's write and its message, one transaction
            day = CalendarDay.objects.create(day=date(2027, 1, 9), kind="working_day", note="Làm bù")
            [message] = notify(actor=SYSTEM, users=[user], kind="meeting.notice", title="Thông báo sinh hoạt",
                               unit=unit("PHAP-DSQ"), channels=["email"], ref="meeting:3")
    assert CalendarDay.objects.filter(pk=day.pk).exists()  # committed; the mail server was never asked

    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_now(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("SMTPRecipientsRefused") and "mailbox unavailable" in message.last_error
    assert start + timedelta(seconds=59) < message.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    retry = DBTaskResult.objects.filter(task_path=DELIVER).order_by("-enqueued_at").first()
    assert retry.run_after == message.next_attempt_at  # the retry waits for its back-off
    # A duplicated task before the back-off is over does not try again.
    assert deliver_now(message.pk) == "waiting"
    message.refresh_from_db()
    assert message.attempts == 1

    # The log shows it first, with its error, to the upper committee and to France's secretary.
    for persona in ("ban.tochuc", "bithu.phap"):
        page = client_of(persona).get("/notifications/log/")
        assert rows(page)[0] == message.pk
        assert "mailbox unavailable" in page.content.decode()
    assert rows(client_of("bithu.phap").get("/notifications/log/?state=failed")) == [message.pk]

    assert backoff(1) == timedelta(seconds=60) and backoff(2) == timedelta(seconds=240)
    assert backoff(20) == timedelta(hours=6)
    for attempt, state in ((2, "failed"), (3, "gave_up")):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver_now(message.pk) == "failed"
        message.refresh_from_db()
        assert (message.attempts, message.state) == (attempt, state)
    assert message.next_attempt_at is None
    assert deliver_now(message.pk) == "skipped"  # given up: the log says so, nobody retries
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_the_delivery_log_is_scoped_by_unit(personas, client_of):
    everyone = [personas[p] for p in ("bithu.phap", "bithu.duc", "dangvien.phap")]
    common = {"actor": SYSTEM, "users": everyone, "kind": "meeting.notice", "title": "Thông báo sinh hoạt",
              "channels": ["inapp"]}
    france = notify(**common, unit=unit("PHAP-DSQ"), ref="meeting:10")
    germany = notify(**common, unit=unit("DUC"), ref="meeting:11")
    nowhere = notify(**{**common, "kind": "security.notice", "title": "Thông báo bảo mật"})
    seen = {p: set(rows(client_of(p).get("/notifications/log/?kind=meeting.notice")))
            | set(rows(client_of(p).get("/notifications/log/?kind=security.notice")))
            for p in ("ban.tochuc", "ub.kiemtra", "bithu.phap", "bithu.duc")}
    ids = {name: {m.pk for m in group} for name, group in
           (("france", france), ("germany", germany), ("nowhere", nowhere))}
    assert seen["ban.tochuc"] >= ids["france"] | ids["germany"] | ids["nowhere"]
    assert seen["ub.kiemtra"] >= ids["france"] | ids["germany"] | ids["nowhere"]
    assert ids["france"] <= seen["bithu.phap"] and not seen["bithu.phap"] & (ids["germany"] | ids["nowhere"])
    assert ids["germany"] <= seen["bithu.duc"] and not seen["bithu.duc"] & (ids["france"] | ids["nowhere"])
    for persona in ("dangvien.phap", "ungvien.phap"):  # their bell, not the log
        assert client_of(persona).get("/notifications/log/").status_code == 404
    bell = lxml.html.fromstring(client_of("bithu.duc").get("/notifications/").content)
    assert len(bell.xpath("//li[@data-notification]")) >= 3


def test_email_address_from_the_account_else_the_callers_else_none(personas):
    User = get_user_model()
    plain = User.objects.create_user(username="khong.thu", password="Mat-khau-dai-2026!")
    fallback = User.objects.create_user(username="thu.ho.so", password="Mat-khau-dai-2026!")
    locked = User.objects.create_user(username="da.khoa", password="Mat-khau-dai-2026!", email="k@example.org",
                                      is_active=False)
    created = notify(actor=SYSTEM, users=[plain, fallback, locked, personas["bithu.phap"]], kind="security.notice",
                     title="Thông báo bảo mật", channels=["email"],
                     emails={fallback.pk: "ho.so@example.org", personas["bithu.phap"].pk: "khac@example.org"})
    assert {m.user.username: m.address for m in created} == {
        "thu.ho.so": "ho.so@example.org", "bithu.phap": personas["bithu.phap"].email}
    with pytest.raises(ValueError):
        notify(actor=SYSTEM, users=[plain], kind="x", title="x", channels=["sms"])


def test_stale_messages_are_handed_to_the_worker_again(personas, django_capture_on_commit_callbacks):
    user = personas["bithu.phap"]
    [lost] = notify(actor=SYSTEM, users=[user], kind="meeting.notice", title="Mất", channels=["email"])
    [fresh] = notify(actor=SYSTEM, users=[user], kind="meeting.notice", title="Mới", channels=["email"])
    [failed] = notify(actor=SYSTEM, users=[user], kind="meeting.notice", title="Lỗi", channels=["email"])
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)  # handed over, task lost
    Message.objects.filter(pk=failed.pk).update(state="failed", attempts=1, next_attempt_at=long_ago)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_hand_over_stale().handed == 2
    assert handed_over() == sorted([lost.pk, failed.pk])
    lost.refresh_from_db()
    assert lost.next_attempt_at > long_ago  # the next sweep waits again before repeating it
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_hand_over_stale().handed == 0
    out = StringIO()
    call_command("outbox", stdout=out)
    assert "0 handed to the worker again" in out.getvalue() and "queued" in out.getvalue()
    assert fresh.pk not in handed_over()


def test_an_in_app_message_left_queued_by_an_older_version_reaches_the_bell_once(personas):
    user = personas["dangvien.phap"]
    queued = Message.objects.create(user=user, channel="inapp", kind="deadline.reminder", key="deadline:0:due",
                                    ref="deadline:0", title_vi="Hôm nay đến hạn", url="/deadlines/",
                                    message_id="<reminder-0@chibo>")
    assert deliver_now(queued.pk) == "sent"
    assert deliver_now(queued.pk) == "skipped"
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == ("sent", 1)
    assert list(Notification.objects.filter(message=queued).values_list("user", "title_vi")) == [
        (user.pk, "Hôm nay đến hạn")]
