"""Encrypted, consistent backups and their restore into an empty install.

A backup is a tar archive holding ``database.sqlite3`` (SQLite's online backup: consistent while the product
runs) or ``database.dump`` (``pg_dump -Fc``), plus the files under the var directory that the product keeps
(uploaded lists awaiting import are left out on purpose: they are transient personal data). The archive is
encrypted with AES-256-GCM under ``CHIBO_BACKUP_KEY`` in chunks of 1 MiB; each chunk's associated data names
its number and whether it is the last, so a truncated, reordered or altered file is refused on restore.
"""

from __future__ import annotations

import base64
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection

MAGIC = b"CHIBOBK1"
CHUNK = 1 << 20
SKIP = {"imports"}  # transient uploads: never backed up


class BackupError(Exception):
    pass


def backup_key() -> bytes:
    raw = getattr(settings, "CHIBO_BACKUP_KEY", "")
    if not raw:
        raise BackupError("CHIBO_BACKUP_KEY is not set: a backup is always encrypted (base64 of 32 random bytes).")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise BackupError("CHIBO_BACKUP_KEY is not valid base64.") from exc
    if len(key) != 32:
        raise BackupError("CHIBO_BACKUP_KEY must be 32 bytes (base64 of 32 random bytes).")
    return key


def _database() -> dict:
    return settings.DATABASES["default"]


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict, name: str | None = None) -> list[str]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    return [*args, "-d", name or db["NAME"]]


def _dump_database(workdir: Path) -> str:
    db = _database()
    if connection.vendor == "sqlite":
        target = workdir / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # SQLite's online backup: one consistent snapshot
        return target.name
    target = workdir / "database.dump"
    run = subprocess.run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target), *_pg_args(db)],
                         env=_pg_env(db), capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()[:500]}")
    return target.name


def _var_files() -> list[tuple[Path, str]]:
    var = Path(settings.VAR_DIR)
    db_name = Path(str(_database().get("NAME", ""))).resolve() if connection.vendor == "sqlite" else None
    found = []
    if var.is_dir():
        for path in sorted(var.rglob("*")):
            relative = path.relative_to(var)
            if not path.is_file() or relative.parts[0] in SKIP or path.suffix in (".chibobk",):
                continue
            if db_name is not None and path.resolve().name.startswith(db_name.name):
                continue  # the live database and its -wal/-shm: the snapshot above stands for them
            found.append((path, f"var/{relative.as_posix()}"))
    return found


def _encrypt(source, out, key: bytes) -> None:
    aead = AESGCM(key)
    out.write(MAGIC)
    number = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, chunk, struct.pack(">Q?", number, last))
        out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        if last:
            return
        chunk, number = following, number + 1


def _decrypt(source, out, key: bytes) -> None:
    aead = AESGCM(key)
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("Not a chibo backup (or a newer format).")
    number = 0
    while True:
        head = source.read(4)
        if len(head) < 4:
            raise BackupError("The backup is truncated.")
        (size,) = struct.unpack(">I", head)
        nonce, sealed = source.read(12), source.read(size)
        if len(sealed) < size:
            raise BackupError("The backup is truncated.")
        for last in (False, True):
            try:
                out.write(aead.decrypt(nonce, sealed, struct.pack(">Q?", number, last)))
            except InvalidTag:
                continue
            if last:
                if source.read(1):
                    raise BackupError("The backup has data after its end.")
                return
            break
        else:
            raise BackupError("The backup was altered, or the key is not the one it was made with.")
        number += 1


def backup_create(out_path: str | Path) -> dict:
    """Write an encrypted backup to ``out_path`` (0600); returns what it holds."""
    key = backup_key()
    with tempfile.TemporaryDirectory(prefix="chibo-backup-") as tmp:
        workdir = Path(tmp)
        database = _dump_database(workdir)
        files = _var_files()
        archive = workdir / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(workdir / database, arcname=database)
            for path, name in files:
                tar.add(path, arcname=name)
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(archive, "rb") as source, os.fdopen(fd, "wb") as out:
            _encrypt(source, out, key)
    return {"database": database, "files": len(files), "vendor": connection.vendor}


def _empty() -> bool:
    tables = set(connection.introspection.table_names())
    if "units_unit" not in tables:
        return True
    with connection.cursor() as cur:
        for table in ("units_unit", "accounts_user", "members_member"):
            if table in tables:
                cur.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 (fixed names)
                if cur.fetchone():
                    return False
    return True


def backup_restore(path: str | Path) -> dict:
    """Bring a backup back into an empty install (refused when the database holds units, accounts or members)."""
    key = backup_key()
    if not _empty():
        raise BackupError("The database is not empty: restore only into a new install (migrate, nothing else).")
    with tempfile.TemporaryDirectory(prefix="chibo-restore-") as tmp:
        workdir = Path(tmp)
        plain = workdir / "backup.tar"
        with open(path, "rb") as source, open(plain, "wb") as out:
            _decrypt(source, out, key)
        with tarfile.open(plain, mode="r") as tar:
            tar.extractall(workdir / "content", filter="data")
        workdir = workdir / "content"
        files = 0
        var = Path(settings.VAR_DIR)
        if (workdir / "var").is_dir():
            for item in (workdir / "var").rglob("*"):
                if item.is_file():
                    target = var / item.relative_to(workdir / "var")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(item, target)
                    files += 1
        if (workdir / "database.sqlite3").exists():
            if connection.vendor != "sqlite":
                raise BackupError("This backup is of a SQLite database; the install uses PostgreSQL.")
            connection.ensure_connection()
            with sqlite3.connect(workdir / "database.sqlite3") as snapshot:
                snapshot.backup(connection.connection)
        elif (workdir / "database.dump").exists():
            if connection.vendor != "postgresql":
                raise BackupError("This backup is of a PostgreSQL database; the install uses SQLite.")
            db = _database()
            connection.close()
            run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                  *_pg_args(db), str(workdir / "database.dump")],
                                 env=_pg_env(db), capture_output=True, text=True)
            if run.returncode != 0:
                raise BackupError(f"pg_restore failed: {run.stderr.strip()[:500]}")
        else:
            raise BackupError("The backup holds no database.")
    return {"files": files, "vendor": connection.vendor}
