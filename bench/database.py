"""The throw-away database the stand-alone benchmarks build as `make bench` does: dropped and re-created, migrated,
the demo organization (personas), then national-scale data with COPY (`national_load.py`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = HERE.parent / ".venv" / "bin"


def recreate(url: str) -> None:
    import psycopg

    dbname = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def build(url: str, members: int, units: int, sh: Callable[..., object]) -> float:
    """Seconds taken; ``sh`` runs a command with the caller's environment (its DATABASE_URL is ``url``)."""
    started = time.monotonic()
    recreate(url)
    sh(BIN / "chibo", "migrate", "--no-input", "-v", "0")
    sh(BIN / "chibo", "demo", "--members", "300")
    sh(BIN / "python", HERE / "national_load.py", str(members), str(units))
    return time.monotonic() - started
