"""Running the installed ``chibo`` console script against a file SQLite database, for tests.

Building a database (migrate + a small demo) takes a few seconds, so it happens once per test
process: ``demo_db_copy`` hands every caller its own copy of that template to change freely.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT_DIR = Path(settings.PROJECT_DIR)
DEMO_PASSWORD = "Chibo-demo-2026"


def chibo_executable() -> str:
    """The console script installed next to the running interpreter (``.venv/bin/chibo``)."""
    for candidate in (Path(sys.executable).parent / "chibo", PROJECT_DIR / ".venv" / "bin" / "chibo"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("chibo")
    if not found:
        raise RuntimeError("the chibo console script is not installed (pip install -e .)")
    return found


def cli_env(database_url: str, *, var_dir: Path, env: str = "test", **extra: str) -> dict[str, str]:
    """A clean environment for a ``chibo`` subprocess: plain settings module, the given database."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("CHIBO_", "DJANGO_", "DATABASE_"))}
    out.update({
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
        "CHIBO_ENV": env,
        "DATABASE_URL": database_url,
        "CHIBO_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    })
    out.update(extra)
    return out


def run_chibo(*args: str, env: dict[str, str], check: bool = True, timeout: float = 180,
              stdin: str | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([chibo_executable(), *args], env=env, cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=timeout, input=stdin)
    if check and proc.returncode != 0:
        raise AssertionError(f"chibo {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"  # an absolute path gives sqlite:////abs/path


_template: Path | None = None


def demo_template(tmp_path_factory) -> Path:
    """A migrated SQLite file with ``chibo demo --members 60`` loaded, built once per process."""
    global _template
    if _template is None or not _template.exists():
        directory = tmp_path_factory.mktemp("chibo-demo-db")
        path = directory / "template.sqlite3"
        env = cli_env(sqlite_url(path), var_dir=directory)
        run_chibo("migrate", "--no-input", "-v", "0", env=env)
        run_chibo("demo", "--members", "60", env=env)
        _template = path
    return _template


def demo_db_copy(tmp_path_factory, name: str) -> tuple[Path, dict[str, str]]:
    """A private copy of the demo database and the environment that points ``chibo`` at it."""
    template = demo_template(tmp_path_factory)
    directory = tmp_path_factory.mktemp(name)
    path = directory / "chibo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copyfile(source, Path(str(path) + suffix))
    return path, cli_env(sqlite_url(path), var_dir=directory)
