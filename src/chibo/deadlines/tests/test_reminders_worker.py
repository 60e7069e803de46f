"""Reminders through the real worker process: scheduled, sent once, escalated, retried with back-off,
and nothing lost or duplicated when the worker is killed mid-batch.

Each test runs the installed ``chibo`` command against its own database (the demo with 60
members, whose probationary members have real confirmation deadlines): a file SQLite database in
the SQLite pass, a throw-away PostgreSQL database in the PostgreSQL pass.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from chibo.core.tests.cli_support import chibo_executable, cli_env, demo_db_copy, run_chibo

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
FAR_FUTURE = "01/06/2028"  # every demo deadline is overdue by then: deliveries for every step


class Db:
    """Read-only SQL access to the database the subprocesses use."""

    def __init__(self, url: str, sqlite_path: Path | None = None, pg_dsn: str | None = None):
        self.url, self.sqlite_path, self.pg_dsn = url, sqlite_path, pg_dsn

    def scalar(self, sql: str):
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
                return conn.execute(sql).fetchone()[0]
        with psycopg.connect(self.pg_dsn) as conn:
            return conn.execute(sql).fetchone()[0]

    def rows(self, sql: str) -> list[tuple]:
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
                return conn.execute(sql).fetchall()
        with psycopg.connect(self.pg_dsn) as conn:
            return conn.execute(sql).fetchall()


@contextmanager
def database(tmp_path_factory, name: str):
    """A demo database for the subprocesses, on the engine of the current test pass."""
    if connection.vendor == "sqlite":
        path, env = demo_db_copy(tmp_path_factory, name)
        yield Db(env["DATABASE_URL"], sqlite_path=path), env
        return
    settings = connection.settings_dict
    admin_dsn = f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} user={settings['USER']} dbname=postgres"
    dbname = f"chibo_rem_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{dbname}"
        var_dir = tmp_path_factory.mktemp(name)
        env = cli_env(url, var_dir=var_dir)
        run_chibo("migrate", "--no-input", "-v", "0", env=env)
        run_chibo("demo", "--members", "60", env=env)
        yield Db(url, pg_dsn=admin_dsn.replace("dbname=postgres", f"dbname={dbname}")), env
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def mail_env(env: dict, mail_dir: Path, **extra) -> dict:
    return {**env, "CHIBO_EMAIL_BACKEND": FILE_BACKEND, "CHIBO_EMAIL_FILE_PATH": str(mail_dir),
            "CHIBO_EMAIL_FROM": "chibo@example.org", **extra}


def mails(mail_dir: Path) -> list[str]:
    return [chunk for path in sorted(mail_dir.glob("*.log")) for chunk in path.read_text().split("-" * 79)
            if chunk.strip()]


def message_id_of(message: str) -> str:
    found = re.search(r"^Message-ID: <(reminder-\d+)@", message, re.MULTILINE | re.IGNORECASE)
    assert found, message[:300]
    return found.group(1)


def worker_batch(env: dict) -> None:
    run_chibo("db_worker", "--batch", "--no-startup-delay", env=env, timeout=300)


def delivery_counts(db: Db) -> dict[str, int]:
    return dict(db.rows("SELECT state, COUNT(*) FROM deadlines_delivery GROUP BY state"))


@pytest.mark.django_db
def test_reminders_are_sent_once_and_escalated(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "rem-once") as (db, env):
        env = mail_env(env, tmp_path / "mail")
        out = run_chibo("reminders", "--today", FAR_FUTURE, env=env).stdout
        assert "new deliveries" in out
        overdue = db.scalar("SELECT COUNT(*) FROM deadlines_deadline WHERE state IN ('open','late') "
                            "AND due_date < '2028-06-01'")
        assert overdue > 0
        assert db.scalar("SELECT COUNT(*) FROM deadlines_deadline WHERE state = 'late'") == overdue
        # Cells that never met got their meeting deadlines for that month and quarter.
        assert db.scalar("SELECT COUNT(*) FROM deadlines_deadline WHERE kind = 'meeting.regular' "
                         "AND due_date = '2028-06-30'") > 0
        queued = db.scalar("SELECT COUNT(*) FROM deadlines_delivery")
        assert queued > 0 and delivery_counts(db) == {"queued": queued}

        worker_batch(env)
        assert delivery_counts(db) == {"sent": queued}
        in_app = db.scalar("SELECT COUNT(*) FROM deadlines_delivery WHERE channel = 'inapp'")
        assert db.scalar("SELECT COUNT(*) FROM deadlines_notification") == in_app
        email = queued - in_app
        assert len(mails(tmp_path / "mail")) == email > 0
        # Overdue deadlines of French cells reach the secretary of France and, escalated, the upper committee.
        escalated_to = {r[0] for r in db.rows(
            "SELECT u.username FROM deadlines_delivery d JOIN accounts_user u ON u.id = d.user_id "
            "WHERE d.step = 'escalate'")}
        assert "ban.tochuc" in escalated_to and "bithu.phap" not in escalated_to
        overdue_to = {r[0] for r in db.rows(
            "SELECT u.username FROM deadlines_delivery d JOIN accounts_user u ON u.id = d.user_id "
            "JOIN deadlines_deadline dl ON dl.id = d.deadline_id JOIN units_unit un ON un.id = dl.unit_id "
            "WHERE d.step = 'overdue' AND un.code LIKE 'PHAP%'")}
        assert "bithu.phap" in overdue_to
        assert all("Nguyễn" not in m and "Trần" not in m for m in mails(tmp_path / "mail")), "no names in e-mail"

        # The same day again, and the worker again: nothing new, nothing sent twice.
        run_chibo("reminders", "--today", FAR_FUTURE, env=env)
        worker_batch(env)
        assert db.scalar("SELECT COUNT(*) FROM deadlines_delivery") == queued
        assert db.scalar("SELECT COUNT(*) FROM deadlines_notification") == in_app
        assert len(mails(tmp_path / "mail")) == email
        duplicates = db.scalar(
            "SELECT COUNT(*) FROM (SELECT user_id, deadline_id, title, COUNT(*) c FROM deadlines_notification "
            "GROUP BY user_id, deadline_id, title HAVING COUNT(*) > 1) t")
        assert duplicates == 0


@pytest.mark.django_db
def test_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "rem-kill") as (db, env):
        env = mail_env(env, tmp_path / "mail", CHIBO_REMINDER_STALE_SECONDS="0")
        run_chibo("reminders", "--today", FAR_FUTURE, env=env)
        total = db.scalar("SELECT COUNT(*) FROM deadlines_delivery")
        assert total >= 20
        worker = subprocess.Popen([chibo_executable(), "db_worker", "--no-startup-delay", "--interval", "0.1"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while db.scalar("SELECT COUNT(*) FROM deadlines_delivery WHERE state = 'sent'") < total // 4:
                assert time.monotonic() < deadline, "the worker made no progress"
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        sent_at_kill = db.scalar("SELECT COUNT(*) FROM deadlines_delivery WHERE state = 'sent'")
        assert sent_at_kill < total, "the worker finished before it was killed: kill earlier"

        # Restart: the sweep hands over what the dead worker left (its running task included).
        run_chibo("reminders", "--today", FAR_FUTURE, env=env)
        worker_batch(env)
        assert delivery_counts(db) == {"sent": total}
        in_app = db.scalar("SELECT COUNT(*) FROM deadlines_delivery WHERE channel = 'inapp'")
        assert db.scalar("SELECT COUNT(*) FROM deadlines_notification") == in_app
        # One message per e-mail delivery. A worker killed between the SMTP send and its commit sends
        # that one again with the same Message-ID, which the recipient's mail system keeps once.
        email_ids = {r[0] for r in db.rows("SELECT id FROM deadlines_delivery WHERE channel = 'email'")}
        sent_ids = [message_id_of(m) for m in mails(tmp_path / "mail")]
        assert set(sent_ids) == {f"reminder-{pk}" for pk in email_ids}
        assert len(sent_ids) - len(set(sent_ids)) <= 1, "at most the message in flight at the kill is repeated"


@pytest.mark.django_db
def test_failed_email_is_retried_with_backoff_and_shown(tmp_path_factory, tmp_path):
    with database(tmp_path_factory, "rem-retry") as (db, env):
        broken = {**env, "CHIBO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                  "CHIBO_EMAIL_HOST": "127.0.0.1", "CHIBO_EMAIL_PORT": "9", "CHIBO_REMINDER_BACKOFF_SECONDS": "1"}
        run_chibo("reminders", "--today", FAR_FUTURE, env=broken)
        worker_batch(broken)
        failed = db.rows("SELECT attempts, last_error, next_attempt_at, state FROM deadlines_delivery "
                         "WHERE channel = 'email'")
        # Each e-mail failed at least once (a slow batch may already have retried some), with the error kept.
        assert failed and all(a >= 1 and "Connection refused" in err and state == "failed" and nxt is not None
                              for a, err, nxt, state in failed), failed
        assert db.scalar("SELECT COUNT(*) FROM deadlines_delivery WHERE channel = 'inapp' AND state = 'sent'") > 0
        assert not mails(tmp_path / "mail")

        # The mail server is back; once the back-off has passed the retry goes through.
        latest = db.scalar("SELECT MAX(next_attempt_at) FROM deadlines_delivery WHERE channel = 'email'")
        latest = datetime.fromisoformat(str(latest)) if not isinstance(latest, datetime) else latest
        if latest.tzinfo is None:
            latest = latest.replace(tzinfo=UTC)
        time.sleep(max(0.0, (latest - datetime.now(UTC)).total_seconds()) + 0.5)
        good = mail_env(env, tmp_path / "mail", CHIBO_REMINDER_BACKOFF_SECONDS="1")
        worker_batch(good)
        assert db.scalar("SELECT COUNT(*) FROM deadlines_delivery WHERE channel = 'email' AND state = 'sent' "
                         "AND attempts >= 2") == len(failed)
        assert len(mails(tmp_path / "mail")) == len(failed)
