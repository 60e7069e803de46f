"""Backup and restore through the command line: a backup of a working install, restored into an empty one,
gives the same counts and a passing ``chibo audit verify``; a wrong key, an altered or truncated file, and a
restore over a database in use are refused."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
import uuid

import pytest
from django.db import connection

from chibo.core.tests.cli_support import cli_env, demo_db_copy, run_chibo, sqlite_url

KEY = base64.b64encode(b"k" * 32).decode()
TABLES = ("units_unit", "members_member", "accounts_user", "core_auditevent", "meetings_meeting")


def counts_sqlite(path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def test_a_backup_restores_into_an_empty_install(tmp_path_factory, tmp_path):
    source, env = demo_db_copy(tmp_path_factory, "backup-source")
    env = {**env, "CHIBO_BACKUP_KEY": KEY}
    kept = tmp_path_factory.mktemp("backup-var")
    (kept / "files").mkdir()
    (kept / "files" / "note.txt").write_text("kept file")
    (kept / "imports").mkdir()
    (kept / "imports" / "upload.csv").write_text("transient")
    env["CHIBO_VAR_DIR"] = str(kept)
    archive = tmp_path / "chibo.chibobk"
    made = run_chibo("backup", str(archive), env=env)
    assert "encrypted" in made.stdout
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    assert b"Nguy" not in archive.read_bytes() and b"SQLite format" not in archive.read_bytes()

    target_dir = tmp_path_factory.mktemp("restore-target")
    target = target_dir / "chibo.sqlite3"
    restore_env = {**cli_env(sqlite_url(target), var_dir=target_dir), "CHIBO_BACKUP_KEY": KEY}
    run_chibo("restore", str(archive), env=restore_env)
    run_chibo("migrate", "--no-input", "-v", "0", env=restore_env)
    verified = run_chibo("audit", "verify", env=restore_env)
    assert "Audit chain intact" in verified.stdout
    assert counts_sqlite(target) == counts_sqlite(source)
    assert (target_dir / "files" / "note.txt").read_text() == "kept file"
    assert not (target_dir / "imports").exists()  # uploads are never backed up

    # Refusals: over a database in use, with another key, an altered or a truncated file.
    again = run_chibo("restore", str(archive), env=restore_env, check=False)
    assert again.returncode != 0 and "not empty" in again.stderr
    fresh = {**cli_env(sqlite_url(tmp_path / "other.sqlite3"), var_dir=tmp_path), "CHIBO_BACKUP_KEY": KEY}
    wrong_key = run_chibo("restore", str(archive), env={**fresh, "CHIBO_BACKUP_KEY": base64.b64encode(b"x" * 32)
                                                         .decode()}, check=False)
    assert wrong_key.returncode != 0 and "key" in wrong_key.stderr
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 1
    altered = tmp_path / "altered.chibobk"
    altered.write_bytes(bytes(data))
    assert run_chibo("restore", str(altered), env=fresh, check=False).returncode != 0
    truncated = tmp_path / "truncated.chibobk"
    truncated.write_bytes(archive.read_bytes()[: len(data) - 1000])
    cut = run_chibo("restore", str(truncated), env=fresh, check=False)
    assert cut.returncode != 0 and "truncated" in cut.stderr
    no_key = {k: v for k, v in env.items() if k != "CHIBO_BACKUP_KEY"}
    refused = run_chibo("backup", str(tmp_path / "x.chibobk"), env=no_key, check=False)
    assert refused.returncode != 0 and "CHIBO_BACKUP_KEY" in refused.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL pass covers pg_dump and pg_restore")
def test_a_postgresql_backup_restores_into_an_empty_database(tmp_path):
    import psycopg

    base = connection.settings_dict
    admin = f"postgresql://{base['USER']}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/postgres"
    names = [f"chibo_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(admin, autocommit=True) as pg:
        for name in names:
            pg.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{base['USER']}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/"
        source = {**cli_env(url + names[0], var_dir=tmp_path), "CHIBO_BACKUP_KEY": KEY}
        target = {**cli_env(url + names[1], var_dir=tmp_path / "t"), "CHIBO_BACKUP_KEY": KEY}
        run_chibo("migrate", "--no-input", "-v", "0", env=source)
        run_chibo("demo", "--members", "50", env=source)
        run_chibo("backup", str(tmp_path / "pg.chibobk"), env=source)
        run_chibo("restore", str(tmp_path / "pg.chibobk"), env=target)
        assert "Audit chain intact" in run_chibo("audit", "verify", env=target).stdout

        def counts(name):
            with psycopg.connect(admin.rsplit("/", 1)[0] + "/" + name) as db:
                return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608

        assert counts(names[1]) == counts(names[0])
    finally:
        with psycopg.connect(admin, autocommit=True) as pg:
            for name in names:
                pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
