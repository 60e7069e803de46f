"""The real background worker, and the account commands of the ``chibo`` console script.

The worker runs as a separate process (``chibo db_worker --batch``), so the task must be in a
database both processes see: on PostgreSQL the test database itself (committed: a transactional
test); on SQLite, whose test database lives in memory, a file database built by the console script.
"""

from __future__ import annotations

import re
import sqlite3
from email import message_from_bytes, policy
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings

from chibo.accounts.services import NOTICES
from chibo.core.tests.cli_support import cli_env, demo_db_copy, run_chibo

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def _mails(directory: Path) -> list:
    """Messages the file-based e-mail backend wrote (one file per connection, 79 dashes between)."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip() + b"\n", policy=policy.default))
    return messages


def _body(message) -> str:
    return message.get_content()


def _subject(message) -> str:
    return str(message["Subject"])


def _worker_env(database_url: str, mail_dir: Path, var_dir: Path) -> dict[str, str]:
    return cli_env(database_url, var_dir=var_dir, CHIBO_EMAIL_BACKEND=FILE_BACKEND,
                   CHIBO_EMAIL_FILE_PATH=str(mail_dir), CHIBO_EMAIL_FROM="chibo@example.org")


def _postgres_test_url() -> str:
    db = connection.settings_dict  # during the test run: the test database
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


DELIVER = "chibo.notifications.tasks.deliver"


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_security_notice_and_sends_the_mail(tmp_path, tmp_path_factory):
    """A new API token: the holder's bell at once, the e-mail queued in the outbox and sent by the worker."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    if connection.vendor == "postgresql":
        from django_tasks_db.models import DBTaskResult

        from chibo.accounts.services import token_create, user_create
        from chibo.core.access import SYSTEM
        from chibo.notifications.models import Message, Notification

        with_mail = user_create(actor=SYSTEM, username="nhan.thu", password="Mat-khau-dai-2026!",
                                email="nhan.thu@example.org")
        without_mail = user_create(actor=SYSTEM, username="khong.thu", password="Mat-khau-dai-2026!")
        token_create(actor=SYSTEM, user=with_mail)  # commits, then hands the e-mail over on commit
        token_create(actor=SYSTEM, user=without_mail)
        # Both holders have the notice in their bell; only the one with an address gets an e-mail.
        assert set(Notification.objects.values_list("user__username", flat=True)) == {"nhan.thu", "khong.thu"}
        email = Message.objects.get(channel="email")
        assert (email.user, email.address, email.state, email.kind) == (
            with_mail, "nhan.thu@example.org", "queued", "security.notice")
        pending = list(DBTaskResult.objects.all())
        assert [(r.task_path, r.args_kwargs["args"], r.status) for r in pending] == [(DELIVER, [email.pk], "READY")]

        env = _worker_env(_postgres_test_url(), mail_dir, tmp_path)
        run_chibo("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)

        done = DBTaskResult.objects.get()
        assert (done.status, done.return_value) == ("SUCCESSFUL", "sent")
        email.refresh_from_db()
        assert email.state == "sent" and email.attempts == 1 and email.sent_at is not None
        recipient = "nhan.thu@example.org"
    else:
        path, env = demo_db_copy(tmp_path_factory, "worker-db")
        env = _worker_env(env["DATABASE_URL"], mail_dir, path.parent)
        key = run_chibo("token", "create", "bithu.phap", env=env).stdout.strip()
        assert len(key) >= 40
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT status, task_path, args_kwargs "
                              "FROM django_tasks_database_dbtaskresult").fetchall()
            messages = db.execute("SELECT m.channel, m.state, m.kind FROM notifications_message m "
                                  "JOIN accounts_user u ON u.id = m.user_id WHERE u.username = 'bithu.phap' "
                                  "ORDER BY m.channel").fetchall()
        db.close()
        assert messages == [("email", "queued", "security.notice"), ("inapp", "sent", "security.notice")]
        assert len(rows) == 1 and rows[0][0] == "READY"
        assert rows[0][1] == DELIVER

        run_chibo("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)

        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT status, return_value, finished_at FROM django_tasks_database_dbtaskresult"
                              ).fetchall()
            states = db.execute("SELECT state FROM notifications_message WHERE channel = 'email'").fetchall()
        db.close()
        assert len(rows) == 1
        status, return_value, finished_at = rows[0]
        assert status == "SUCCESSFUL"
        assert return_value == '"sent"'
        assert finished_at
        assert states == [("sent",)]
        recipient = "bithu.phap@example.org"

    messages = _mails(mail_dir)
    assert len(messages) == 1, [m["To"] for m in messages]
    message = messages[0]
    assert message["To"] == recipient
    assert message["From"] == "chibo@example.org"
    assert _subject(message) == "[chibo] Thông báo bảo mật"
    assert NOTICES["token.created"] in _body(message)
    assert re.fullmatch(r"<[0-9a-f]{32}@[^>]+>", str(message["Message-ID"]))


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    return demo_db_copy(tmp_path_factory, "accounts-cli")


def test_console_token_authenticates_against_the_api(cli_db):
    path, env = cli_db
    key = run_chibo("token", "create", "bithu.phap", env=env).stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", key)
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT prefix, key_hash FROM accounts_apitoken").fetchall()
    db.close()
    assert len(stored) == 1 and stored[0][0] == key[:8] and key not in stored[0][1]

    probe = (
        "from django.test import Client\n"
        "import sys\n"
        "key = sys.stdin.read().strip()\n"
        "ok = Client().get('/api/v1/members/', HTTP_AUTHORIZATION='Token ' + key)\n"
        "bad = Client().get('/api/v1/members/', HTTP_AUTHORIZATION='Token ' + key[:-1] + 'x')\n"
        "none = Client().get('/api/v1/members/')\n"
        "print(ok.status_code, bad.status_code, none.status_code, ok.json()['count'])\n"
    )
    out = run_chibo("shell", "-c", probe, env=env, stdin=key).stdout.split()
    ok, bad, none, count = (int(x) for x in out[-4:])
    assert (ok, bad, none) == (200, 401, 401)
    assert count > 0

    assert run_chibo("token", "create", "khong.co.ai", env=env, check=False).returncode != 0


@pytest.mark.django_db
def test_token_command_prints_a_working_scoped_token(personas):
    from chibo.accounts.models import ApiToken
    from chibo.accounts.services import hash_token
    from chibo.core.models import AuditEvent
    from chibo.members.models import Member

    out = StringIO()
    call_command("token", "create", "bithu.phap", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=personas["bithu.phap"])
    assert token.key_hash == hash_token(key) and token.prefix == key[:8]
    event = AuditEvent.objects.filter(action="token.created").order_by("-pk").first()
    assert event.object_id == str(token.pk) and key not in str(event.data)

    client = Client()
    response = client.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] > 0
    ids = [row["id"] for row in body["results"]]
    countries = set(Member.objects.filter(pk__in=ids).values_list("unit__country", flat=True))
    assert countries == {"FR"}  # a secretary in France sees France only
    german = Member.objects.filter(unit__country="DE").first()
    assert client.get(f"/api/v1/members/{german.pk}/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 404

    assert client.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {key}x").status_code == 401
    from chibo.accounts.services import token_revoke
    from chibo.core.access import SYSTEM

    token_revoke(actor=SYSTEM, token=token)
    assert client.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "khong.co.ai", stdout=StringIO())


@pytest.mark.django_db
def test_totp_command_prints_demo_codes_only(personas):
    from chibo.accounts.services import totp_code, totp_enrol, totp_secret, user_create
    from chibo.core.access import SYSTEM

    out = StringIO()
    call_command("totp", "bithu.phap", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert code == totp_code(totp_secret(personas["bithu.phap"]))

    real = user_create(actor=SYSTEM, username="that.su", password="Mat-khau-dai-2026!")
    totp_enrol(actor=SYSTEM, user=real)
    assert totp_secret(real)
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("totp", "that.su", stdout=StringIO())
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("totp", "khong.co.ai", stdout=StringIO())
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="production"):
        call_command("totp", "bithu.phap", stdout=StringIO())


def test_totp_console_script_refuses_in_production(tmp_path):
    import base64
    import os

    env = cli_env(f"sqlite:///{tmp_path / 'p.sqlite3'}", var_dir=tmp_path, env="production",
                  CHIBO_SECRET_KEY="p" * 20 + "r" * 20 + "o" * 20, CHIBO_ALLOWED_HOSTS="chibo.example.org",
                  CHIBO_FIELD_KEYS="k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
                  CHIBO_BLIND_INDEX_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode())
    proc = run_chibo("totp", "bithu.phap", env=env, check=False)
    assert proc.returncode != 0
    assert "production" in proc.stderr
    assert not re.search(r"^\d{6}$", proc.stdout, re.M)

