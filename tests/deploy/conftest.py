"""What the deployment tests share: the files in deploy/ with the install's paths pointed at this checkout, and a
copy of this test process's database (the demo the suite built) that real processes with production settings
open: a file copy of SQLite's in-memory test database, or a PostgreSQL database made from the test database."""

from __future__ import annotations

import os
import secrets
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from deploy_support import Database
from django.conf import settings


@pytest.fixture(scope="module")
def database_copy(tmp_path_factory, django_db_setup, django_db_blocker):
    """A copy of the suite's test database, made before any test of the module opens its transaction."""
    from django.db import connection

    directory = tmp_path_factory.mktemp("deploy-db")
    with django_db_blocker.unblock():
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            path = directory / "chibo.sqlite3"
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            yield Database(f"sqlite:///{path}", sqlite_path=path)
            return
        db = connection.settings_dict
        host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"]
        admin = f"host={host} port={port} user={user} dbname=postgres"
        name = f"chibo_deploy_{uuid.uuid4().hex[:10]}"
        connection.close()  # a template database must have no other session
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'CREATE DATABASE "{name}" TEMPLATE "{db["NAME"]}"')
    try:
        yield Database(f"postgres://{user}@{host}:{port}/{name}",
                       pg_dsn=admin.replace("dbname=postgres", f"dbname={name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> Callable[..., dict[str, str]]:
    """The environment an install's /etc/chibo/chibo.env gives the units (deploy/chibo.env.example), for a test."""

    def make(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIBO_", "DJANGO_", "DATABASE_"))}
        env.update({
            "CHIBO_ENV": "production",
            "CHIBO_SECRET_KEY": secrets.token_urlsafe(50),
            # the keys the demo's personal fields were encrypted with
            "CHIBO_FIELD_KEYS": settings.CHIBO_FIELD_KEYS,
            "CHIBO_BLIND_INDEX_KEY": settings.CHIBO_BLIND_INDEX_KEY,
            "CHIBO_ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "CHIBO_VAR_DIR": str(var_dir),
            "CHIBO_TRUSTED_PROXIES": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            **extra,
        })
        return env

    return make
