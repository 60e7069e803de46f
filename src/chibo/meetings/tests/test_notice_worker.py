"""Meeting notices through the outbox and the real worker process.

The notice is sent by ``chibo shell`` (the service as the view calls it) against a database the
worker sees too: a copy of the demo database file on SQLite, a throw-away database on PostgreSQL.
"""

from __future__ import annotations

import re
import time

import pytest

from chibo.core.tests.cli_support import run_chibo
from chibo.core.tests.worker_support import database, mail_env, mails, worker_batch

SEND_NOTICE = """
from datetime import time, timedelta
from chibo.accounts.models import User
from chibo.core import clock
from chibo.core.access import actor_from_user
from chibo.meetings import services
from chibo.units.models import Unit
actor = actor_from_user(User.objects.get(username="bithu.phap"))
meeting = services.meeting_plan(actor=actor, unit=Unit.objects.get(code="PHAP-DSQ"), kind="regular",
    title="Sinh hoạt chi bộ thường kỳ", day=clock.today() + timedelta(days=10), time=time(18, 30),
    planned_minutes=120, place="Phòng họp Đại sứ quán", agenda="1. Kiểm điểm công tác tháng")
told = services.meeting_send_notice(actor=actor, meeting=meeting, url=f"/meetings/{meeting.pk}/")
print("NOTICE", meeting.pk, told)
"""

LOG_PAGE = """
from django.test import Client
from chibo.accounts.models import User
client = Client()
client.force_login(User.objects.get(username="{username}"))
page = client.get("/notifications/log/?kind=meeting.notice")
print("STATUS", page.status_code)
print(page.content.decode())
"""


def send_notice(env: dict) -> tuple[int, int]:
    out = run_chibo("shell", "-c", SEND_NOTICE, env=env).stdout
    found = re.search(r"^NOTICE (\d+) (\d+)$", out, re.MULTILINE)
    assert found, out
    return int(found.group(1)), int(found.group(2))


@pytest.mark.django_db
def test_notice_is_queued_on_commit_and_delivered_by_the_worker_once(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "notice-ok") as (db, env):
        env = mail_env(env, tmp_path / "mail")
        meeting, told = send_notice(env)
        about = f"FROM notifications_message WHERE kind = 'meeting.notice' AND ref = 'meeting:{meeting}'"
        assert told > 1
        # The bell: one entry per person, written with the notice; the e-mails queued and handed over.
        assert db.scalar(f"SELECT COUNT(*) {about} AND channel = 'inapp' AND state = 'sent'") == told
        assert db.scalar(f"SELECT COUNT(*) FROM notifications_notification WHERE ref = 'meeting:{meeting}'") == told
        emails = {r[0]: r[1] for r in db.rows(f"SELECT message_id, address {about} AND channel = 'email' "
                                              "AND state = 'queued'")}
        assert 0 < len(emails) <= told and "dangvien.phap@example.org" in emails.values()
        assert db.scalar("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                         "WHERE task_path = 'chibo.notifications.tasks.deliver' AND status = 'READY'") == len(emails)
        assert db.scalar(f"SELECT notice_sent_at FROM meetings_meeting WHERE id = {meeting}") is not None
        assert not mails(tmp_path / "mail"), "nothing is sent before the worker runs"

        worker_batch(env)
        assert db.scalar(f"SELECT COUNT(*) {about} AND channel = 'email' AND state = 'sent' AND attempts = 1") \
            == len(emails)
        sent = mails(tmp_path / "mail")
        assert len(sent) == len(emails)
        assert {re.search(r"^Message-ID: (<[^>]+>)", m, re.MULTILINE).group(1) for m in sent} == set(emails)
        assert all(f"/meetings/{meeting}/" in m for m in sent)

        # The worker again and the sweep: nothing sent twice, no second bell entry.
        run_chibo("outbox", env=env)
        worker_batch(env)
        assert len(mails(tmp_path / "mail")) == len(emails)
        assert db.scalar(f"SELECT COUNT(*) FROM notifications_notification WHERE ref = 'meeting:{meeting}'") == told


@pytest.mark.django_db
def test_a_refusing_mail_server_never_fails_the_notice_and_is_retried_with_backoff(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "notice-retry") as (db, env):
        broken = {**env, "CHIBO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                  "CHIBO_EMAIL_HOST": "127.0.0.1", "CHIBO_EMAIL_PORT": "9", "CHIBO_OUTBOX_BACKOFF_SECONDS": "2"}
        meeting, told = send_notice(broken)  # the write goes through whatever the mail server does
        about = f"FROM notifications_message WHERE kind = 'meeting.notice' AND ref = 'meeting:{meeting}'"
        assert db.scalar(f"SELECT notice_sent_at FROM meetings_meeting WHERE id = {meeting}") is not None
        assert db.scalar(f"SELECT COUNT(*) FROM notifications_notification WHERE ref = 'meeting:{meeting}'") == told

        started = time.monotonic()
        worker_batch(broken)
        failed = db.rows(f"SELECT attempts, state, last_error {about} AND channel = 'email'")
        assert failed and all(a >= 1 and state == "failed" and "Connection refused" in error
                              for a, state, error in failed), failed

        # The delivery log shows the failures first, with their error, to France's secretary.
        page = run_chibo("shell", "-c", LOG_PAGE.format(username="bithu.phap"), env=broken).stdout
        assert "STATUS 200" in page
        first = re.search(r'<tr data-message="\d+" data-state="(\w+)"', page)
        assert first and first.group(1) == "failed"
        assert "Connection refused" in page
        assert "STATUS 404" in run_chibo("shell", "-c", LOG_PAGE.format(username="dangvien.phap"), env=broken).stdout

        # The server is back: once the back-off is over, the retry goes through, each e-mail once.
        time.sleep(max(0.0, 2.5 - (time.monotonic() - started)))
        good = mail_env(env, tmp_path / "mail", CHIBO_OUTBOX_BACKOFF_SECONDS="2")
        deadline = time.monotonic() + 60
        while db.scalar(f"SELECT COUNT(*) {about} AND channel = 'email' AND state <> 'sent'"):
            assert time.monotonic() < deadline, db.rows(f"SELECT state, attempts, next_attempt_at {about}")
            worker_batch(good)
            time.sleep(0.5)
        assert db.scalar(f"SELECT MIN(attempts) {about} AND channel = 'email'") >= 2
        assert len(mails(tmp_path / "mail")) == len(failed)
