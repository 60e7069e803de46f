"""Databases that a real ``chibo`` subprocess (the worker, the sweep, a shell) and the test both see.

On SQLite a private copy of the demo database file; on PostgreSQL a throw-away database with the
small demo. ``Db`` reads it with plain SQL, from outside Django's test connection.
"""

from __future__ import annotations

import atexit
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connection

from chibo.core.tests.cli_support import cli_env, demo_db_copy, run_chibo

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


class Db:
    """Read-only SQL access to the database the subprocesses use."""

    def __init__(self, url: str, sqlite_path: Path | None = None, pg_dsn: str | None = None):
        self.url, self.sqlite_path, self.pg_dsn = url, sqlite_path, pg_dsn

    def scalar(self, sql: str):
        return self.rows(sql)[0][0]

    def rows(self, sql: str) -> list[tuple]:
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path, timeout=30) as conn:
                rows = conn.execute(sql).fetchall()
            conn.close()
            return rows
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
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    admin_dsn = f"host={host} port={port} user={settings['USER']} dbname=postgres"
    template = _pg_template(tmp_path_factory, admin_dsn, f"postgres://{settings['USER']}@{host}:{port}")
    dbname = f"chibo_rem_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{template}"')
    try:
        url = f"postgres://{settings['USER']}@{host}:{port}/{dbname}"
        env = cli_env(url, var_dir=tmp_path_factory.mktemp(name))
        yield Db(url, pg_dsn=admin_dsn.replace("dbname=postgres", f"dbname={dbname}")), env
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


_pg_templates: dict[str, str] = {}


def _pg_template(tmp_path_factory, admin_dsn: str, server_url: str) -> str:
    """A PostgreSQL database migrated with ``chibo demo --members 60`` loaded, built once per test process and
    dropped when it ends; each test gets a copy (``CREATE DATABASE … TEMPLATE``, a file copy on the server) instead
    of migrating and loading the demo again."""
    found = _pg_templates.get(admin_dsn)
    if found is not None:
        return found
    name = f"chibo_tpl_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    atexit.register(_drop, admin_dsn, name)
    env = cli_env(f"{server_url}/{name}", var_dir=tmp_path_factory.mktemp("chibo-demo-pg"))
    run_chibo("migrate", "--no-input", "-v", "0", env=env)
    run_chibo("demo", "--members", "60", env=env)
    _pg_templates[admin_dsn] = name
    return name


def _drop(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mail_env(env: dict, mail_dir: Path, **extra) -> dict:
    return {**env, "CHIBO_EMAIL_BACKEND": FILE_BACKEND, "CHIBO_EMAIL_FILE_PATH": str(mail_dir),
            "CHIBO_EMAIL_FROM": "chibo@example.org", **extra}


def mails(mail_dir: Path) -> list[str]:
    """Messages the file-based e-mail backend wrote (one file per connection, 79 dashes between)."""
    return [chunk for path in sorted(mail_dir.glob("*.log")) for chunk in path.read_text().split("-" * 79)
            if chunk.strip()]


def worker_batch(env: dict) -> None:
    """The real worker: runs every task that is due, then exits."""
    run_chibo("db_worker", "--batch", "--no-startup-delay", env=env, timeout=300)
