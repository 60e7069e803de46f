"""Reminders through the outbox and the real worker process: scheduled, sent once, escalated,
retried with back-off, and nothing lost or duplicated when the worker is killed mid-batch.

Each test runs the installed ``chibo`` command against its own database (the demo with 60
members, whose probationary members have real confirmation deadlines): a file SQLite database in
the SQLite pass, a throw-away PostgreSQL database in the PostgreSQL pass.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import UTC, datetime

import pytest

from chibo.core.tests.cli_support import chibo_executable, run_chibo
from chibo.core.tests.worker_support import Db, database, mail_env, mails, worker_batch

FAR_FUTURE = "01/06/2028"  # every demo deadline is overdue by then: reminders for every step
REMINDERS = "FROM notifications_message WHERE kind = 'deadline.reminder'"


def message_id_of(message: str) -> str:
    found = re.search(r"^Message-ID: (<[0-9a-f]{32}@[^>]+>)", message, re.MULTILINE | re.IGNORECASE)
    assert found, message[:300]
    return found.group(1)


def reminder_mails(db: Db, mail_dir) -> list[str]:
    """The e-mails the worker sent for deadline reminders (the sweep also runs the weekly account review)."""
    ids = {r[0] for r in db.rows(f"SELECT message_id {REMINDERS} AND channel = 'email'")}
    return [m for m in mails(mail_dir) if message_id_of(m) in ids]


BELL_REMINDERS = "SELECT COUNT(*) FROM notifications_notification WHERE kind = 'deadline.reminder'"


def state_counts(db: Db, channel: str) -> dict[str, int]:
    return dict(db.rows(f"SELECT state, COUNT(*) {REMINDERS} AND channel = '{channel}' GROUP BY state"))


@pytest.mark.django_db
def test_reminders_are_sent_once_and_escalated(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "rem-once") as (db, env):
        env = mail_env(env, tmp_path / "mail")
        out = run_chibo("reminders", "--today", FAR_FUTURE, env=env).stdout
        assert "new messages" in out
        overdue = db.scalar("SELECT COUNT(*) FROM deadlines_deadline WHERE state IN ('open','late') "
                            "AND due_date < '2028-06-01'")
        assert overdue > 0
        assert db.scalar("SELECT COUNT(*) FROM deadlines_deadline WHERE state = 'late'") == overdue
        # Cells that never met got their meeting deadlines for that month and quarter.
        assert db.scalar("SELECT COUNT(*) FROM deadlines_deadline WHERE kind = 'meeting.regular' "
                         "AND due_date = '2028-06-30'") > 0
        # The bell's entries were written by the sweep with their messages; the e-mails wait for the worker.
        in_app = db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'inapp'")
        email = db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'email'")
        assert in_app > 0 and email > 0
        assert state_counts(db, "inapp") == {"sent": in_app} and state_counts(db, "email") == {"queued": email}
        assert db.scalar("SELECT COUNT(*) FROM notifications_notification WHERE kind = 'deadline.reminder'") == in_app
        assert db.scalar("SELECT COUNT(*) FROM notifications_notification n JOIN notifications_message m "
                         "ON m.id = n.message_id WHERE m.channel = 'inapp' AND m.kind = 'deadline.reminder'") == in_app

        worker_batch(env)
        assert state_counts(db, "email") == {"sent": email}
        assert len(reminder_mails(db, tmp_path / "mail")) == email
        # Overdue deadlines of French cells reach the secretary of France and, escalated, the upper committee.
        escalated_to = {r[0] for r in db.rows(
            "SELECT u.username FROM notifications_message m JOIN accounts_user u ON u.id = m.user_id "
            "WHERE m.key LIKE 'deadline:%:escalate'")}
        assert "ban.tochuc" in escalated_to and "bithu.phap" not in escalated_to
        overdue_to = {r[0] for r in db.rows(
            "SELECT u.username FROM notifications_message m JOIN accounts_user u ON u.id = m.user_id "
            "JOIN units_unit un ON un.id = m.unit_id WHERE m.key LIKE 'deadline:%:overdue' AND un.code LIKE 'PHAP%'")}
        assert "bithu.phap" in overdue_to
        assert all("Nguyễn" not in m and "Trần" not in m for m in mails(tmp_path / "mail")), "no names in e-mail"

        # The same day again, and the worker again: nothing new, nothing sent twice.
        run_chibo("reminders", "--today", FAR_FUTURE, env=env)
        worker_batch(env)
        assert db.scalar(f"SELECT COUNT(*) {REMINDERS}") == in_app + email
        assert db.scalar(BELL_REMINDERS) == in_app
        assert len(reminder_mails(db, tmp_path / "mail")) == email
        duplicates = db.scalar(
            "SELECT COUNT(*) FROM (SELECT user_id, ref, title, COUNT(*) c FROM notifications_notification "
            "GROUP BY user_id, ref, title HAVING COUNT(*) > 1) t")
        assert duplicates == 0


@pytest.mark.django_db
def test_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "rem-kill") as (db, env):
        env = mail_env(env, tmp_path / "mail", CHIBO_REMINDER_STALE_SECONDS="0")
        run_chibo("reminders", "--today", FAR_FUTURE, env=env)
        total = db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'email'")
        assert total >= 20
        worker = subprocess.Popen([chibo_executable(), "db_worker", "--no-startup-delay", "--interval", "0.1"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'email' AND state = 'sent'") < total // 4:
                assert time.monotonic() < deadline, "the worker made no progress"
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        sent_at_kill = db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'email' AND state = 'sent'")
        assert sent_at_kill < total, "the worker finished before it was killed: kill earlier"

        # Restart: the sweep hands over what the dead worker left (its running task included).
        out = run_chibo("reminders", "--today", FAR_FUTURE, env=env).stdout
        assert "0 new messages" in out
        worker_batch(env)
        assert state_counts(db, "email") == {"sent": total}
        in_app = db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'inapp'")
        assert db.scalar(BELL_REMINDERS) == in_app
        # One message per e-mail. A worker killed between the SMTP send and its commit sends that one
        # again with the same Message-ID, which the recipient's mail system keeps once.
        expected = {r[0] for r in db.rows(f"SELECT message_id {REMINDERS} AND channel = 'email'")}
        sent_ids = [message_id_of(m) for m in reminder_mails(db, tmp_path / "mail")]
        assert set(sent_ids) == expected
        assert len(sent_ids) - len(set(sent_ids)) <= 1, "at most the message in flight at the kill is repeated"


@pytest.mark.django_db
def test_failed_email_is_retried_with_backoff_and_shown(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "rem-retry") as (db, env):
        # The reminders' own name of the back-off setting still works (CHIBO_OUTBOX_BACKOFF_SECONDS is new).
        broken = {**env, "CHIBO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                  "CHIBO_EMAIL_HOST": "127.0.0.1", "CHIBO_EMAIL_PORT": "9", "CHIBO_REMINDER_BACKOFF_SECONDS": "1"}
        run_chibo("reminders", "--today", FAR_FUTURE, env=broken)
        worker_batch(broken)
        failed = db.rows(f"SELECT attempts, last_error, next_attempt_at, state {REMINDERS} AND channel = 'email'")
        # Each e-mail failed at least once (a slow batch may already have retried some), with the error kept.
        assert failed and all(a >= 1 and "Connection refused" in err and state == "failed" and nxt is not None
                              for a, err, nxt, state in failed), failed
        assert db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'inapp' AND state = 'sent'") > 0
        assert not reminder_mails(db, tmp_path / "mail")

        # The mail server is back; once the back-off has passed the retry goes through.
        latest = db.scalar(f"SELECT MAX(next_attempt_at) {REMINDERS} AND channel = 'email'")
        latest = datetime.fromisoformat(str(latest)) if not isinstance(latest, datetime) else latest
        if latest.tzinfo is None:
            latest = latest.replace(tzinfo=UTC)
        time.sleep(max(0.0, (latest - datetime.now(UTC)).total_seconds()) + 0.5)
        good = mail_env(env, tmp_path / "mail", CHIBO_REMINDER_BACKOFF_SECONDS="1")
        worker_batch(good)
        assert db.scalar(f"SELECT COUNT(*) {REMINDERS} AND channel = 'email' AND state = 'sent' "
                         "AND attempts >= 2") == len(failed)
        assert len(reminder_mails(db, tmp_path / "mail")) == len(failed)
