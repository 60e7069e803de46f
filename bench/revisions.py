"""Another revision's code beside this tree's, for the benchmarks that measure both in the same run."""

from __future__ import annotations

import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], check=True, cwd=ROOT, capture_output=True).stdout


def extract_src(revision: str, work: Path) -> tuple[str, Path]:
    """``revision``'s commit and its ``src/`` (``git archive``, kept in ``work`` for the next run)."""
    commit = git("rev-parse", "--verify", f"{revision}^{{commit}}").decode().strip()
    target = work / f"baseline-{commit[:12]}"
    if not (target / "src" / "chibo").is_dir():
        with tarfile.open(fileobj=BytesIO(git("archive", commit, "src"))) as archive:
            archive.extractall(target, filter="data")
    return commit, target / "src"


def head() -> tuple[str, bool]:
    """This tree's commit, and whether its ``src/`` has uncommitted changes."""
    return (git("rev-parse", "HEAD").decode().strip(),
            bool(git("status", "--porcelain", "--untracked-files=no", "src").strip()))
