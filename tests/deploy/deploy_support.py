"""Helpers of the deployment tests: the files in deploy/ with the install's paths pointed at this checkout, and
SQL access to the database copy the deployed processes use."""

from __future__ import annotations

import shlex
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / "deploy"
BIN = Path(sys.executable).parent


def replace(text: str, old: str, new: str) -> str:
    """The deployed file must still contain what a test substitutes; otherwise the test no longer runs it."""
    assert old in text, f"deploy file no longer contains {old!r}"
    return text.replace(old, new)


def at_checkout(text: str) -> str:
    """A line of a unit with the install's paths (/opt/chibo, its .venv) pointed at this checkout."""
    return replace(text, "/opt/chibo/", "/opt/chibo/").replace("/opt/chibo/.venv/bin/", f"{BIN}/").replace(
        "/opt/chibo/", f"{PROJECT}/")


def exec_starts(unit: str, env: dict[str, str] | None = None) -> list[list[str]]:
    """The unit's ExecStart lines as argument lists, at this checkout, ${VAR} taken from env as systemd does."""
    commands = []
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("ExecStart="):
            text = at_checkout(line.split("=", 1)[1])
            for name, value in (env or {}).items():
                text = text.replace("${" + name + "}", value)
            commands.append(shlex.split(text))
    assert commands, f"{unit} has no ExecStart"
    return commands


@dataclass
class Database:
    url: str
    sqlite_path: Path | None = None
    pg_dsn: str | None = None

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.sqlite_path:
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                conn.close()
        with psycopg.connect(self.pg_dsn) as pg:
            return pg.execute(sql, params).fetchall()
