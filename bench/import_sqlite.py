"""Other writers during a large import on SQLite: `.venv/bin/python bench/import_sqlite.py` (a few minutes).

Builds a throw-away SQLite file under var/bench/sqlite-import/ (migrate, `chibo demo --members 300`), makes two
BENCH_SQLITE_ROWS [100000]-row XLSX files of new members (the file of `make bench`, each with its own card numbers)
and imports them, in the same run, two ways while another process writes as requests do (an audited read of a
member's full record, a new session, a member edit, over and over: ``chibo.bulk.tests.writers``):

- baseline: `chibo import members FILE`, the whole import in one transaction, as before import jobs wrote in steps;
- steps: the same import as a job run by the worker (`chibo db_worker --batch`), written in short steps.

Reported for each: the import's seconds and rows/s, the writes made while it ran, how many failed, their longest
and 99th-percentile wait; and the ratios steps / baseline. Rewrites its own section of bench/results.md (between
the ``import-sqlite`` markers; `make bench` keeps it) and bench/import_sqlite.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
ROWS = int(os.environ.get("BENCH_SQLITE_ROWS", "100000"))
WORK = ROOT / "var" / "bench" / "sqlite-import"
DB = WORK / "chibo.sqlite3"
BEGIN = "<!-- import-sqlite -->"
END = "<!-- /import-sqlite -->"

ENQUEUE = """
import shutil
from chibo.accounts.models import User
from chibo.bulk import jobs
from chibo.bulk.models import ImportJob
stored = jobs.storage_dir() / "bench.xlsx"
shutil.copyfile(FILE, stored)
job = ImportJob.objects.create(user=User.objects.get(username="ban.tochuc"), file_name="bench.xlsx",
                               stored_path=str(stored), sha256="", mode="all")
jobs.job_run_background(job, dry_run=False)
print("JOB", job.pk)
"""


def env() -> dict:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("CHIBO_", "DJANGO_", "DATABASE_"))}
    return {
        **out,
        "DATABASE_URL": f"sqlite:///{DB}",
        "CHIBO_ENV": "dev",
        "CHIBO_DEBUG": "0",
        "CHIBO_VAR_DIR": str(WORK),
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }


def sh(*args, capture: bool = False) -> str:
    print("$", " ".join(map(str, args))[:160], flush=True)
    done = subprocess.run(
        list(map(str, args)), check=True, env=env(), cwd=ROOT, text=True, stdout=subprocess.PIPE if capture else None
    )
    return done.stdout or ""


def build() -> None:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    sh(BIN / "chibo", "migrate", "--no-input", "-v", "0")
    sh(BIN / "chibo", "demo", "--members", "300")


def make_file(card_base: int) -> Path:
    path = WORK / f"import-{ROWS}-{card_base}.xlsx"
    script = (
        "import sys; from pathlib import Path; import django; django.setup(); "
        "from bench.measure import make_import_file; "
        "make_import_file(int(sys.argv[1]), Path(sys.argv[2]), unit_code='PHAP-LHS', card_base=int(sys.argv[3]))"
    )
    sh(BIN / "python", "-c", script, ROWS, path, card_base)
    return path


def writers(job: int, stop: Path) -> subprocess.Popen:
    from chibo.bulk.tests.writers import writers_script

    return subprocess.Popen(
        [str(BIN / "chibo"), "shell", "-c", writers_script(job=job, seconds=3600, stop=str(stop))],
        env=env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def collected(proc: subprocess.Popen) -> list:
    out, _ = proc.communicate(timeout=600)
    return json.loads(next(line for line in out.splitlines() if line.startswith("WRITES "))[7:])


def summary(seconds: float, writes: list) -> dict:
    waits = sorted(w[1] for w in writes)
    return {
        "seconds": seconds,
        "rows_per_s": ROWS / seconds,
        "writes": len(writes),
        "failed": sum(1 for w in writes if w[3]),
        "errors": sorted({w[3][:80] for w in writes if w[3]})[:5],
        "max_wait": waits[-1] if waits else 0.0,
        "p99_wait": waits[min(len(waits) - 1, int(len(waits) * 0.99))] if waits else 0.0,
        "median_wait": statistics.median(waits) if waits else 0.0,
    }


def baseline(path: Path) -> dict:
    stop = WORK / "stop"
    stop.unlink(missing_ok=True)
    load = writers(0, stop)
    time.sleep(3)  # the writers are up
    started = time.monotonic()
    sh(BIN / "chibo", "import", "members", path, "--user", "ban.tochuc")
    seconds = time.monotonic() - started
    stop.touch()
    return summary(seconds, collected(load))


def steps(path: Path) -> dict:
    said = sh(BIN / "chibo", "shell", "-c", ENQUEUE.replace("FILE", repr(str(path))), capture=True)
    job = int(next(line for line in said.splitlines() if line.startswith("JOB ")).split()[1])
    load = writers(job, WORK / "never")
    time.sleep(3)
    started = time.monotonic()
    sh(BIN / "chibo", "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    seconds = time.monotonic() - started
    writes = collected(load)
    state = sh(
        BIN / "python",
        "-c",
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
        "'SELECT state FROM bulk_importjob WHERE id = ?', (int(sys.argv[2]),)).fetchone()[0])",
        DB,
        job,
        capture=True,
    ).strip()
    return {
        **summary(seconds, writes),
        "state": state,
        "during_write": summary(seconds, [w for w in writes if w[2] == "writing"]),
    }


def render(r: dict) -> str:
    b, s = r["baseline"], r["steps"]
    lines = [
        BEGIN,
        "## 3c. Import on SQLite while others write",
        "",
        f"`bench/import_sqlite.py` ({r['day']}; {os.cpu_count()} CPUs shared with other work): {r['rows']:,} new "
        "members from XLSX into a SQLite file with the demo organization, while another process writes as "
        "requests do (an audited read of a full record, a new session, a member edit, again and again; busy "
        "timeout 20 s as configured). Baseline: `chibo import`, one transaction. Steps: the same import as a "
        f"job in the worker, written in short transactions (the first of {r['step_rows']} records, then sized to "
        f"last about {r.get('step_seconds', 0.25)} s).",
        "",
        "| import | seconds | rows/s | writes meanwhile | failed | longest wait s | p99 wait s | median wait s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, x in (("baseline: one transaction", b), (f"steps: job in the worker ({s.get('state', '')})", s)):
        lines.append(
            f"| {label} | {x['seconds']:.1f} | {x['rows_per_s']:,.0f} | {x['writes']:,} | {x['failed']} | "
            f"{x['max_wait']:.2f} | {x['p99_wait']:.2f} | {x['median_wait']:.3f} |"
        )
    lines += [
        "",
        f"Ratio steps / baseline: **{r['ratios']['rows_per_s']:.2f}×** rows/s (the pauses between steps "
        f"let the others in), longest wait {r['ratios']['max_wait']:.3f}×, failed writes "
        f"{s['failed']} against {b['failed']}.",
    ]
    if b["errors"]:
        lines.append(f"Baseline errors: {'; '.join(b['errors'])}.")
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    from bench.sections import write_section as write  # the root is on sys.path once the script runs

    write(section, begin=BEGIN, end=END, before="\n## 4. Export")


def main() -> None:
    if "--render" in sys.argv:
        write_section(render(json.loads((HERE / "import_sqlite.json").read_text(encoding="utf-8"))))
        return
    build()
    step_rows = int(
        sh(
            BIN / "python",
            "-c",
            "import django; django.setup(); from chibo.bulk.services import STEP_ROWS; print(STEP_ROWS)",
            capture=True,
        ).split()[-1]
    )
    first, second = make_file(100_000_000), make_file(101_000_000)
    report = {
        "day": f"{date.today():%d/%m/%Y}",
        "rows": ROWS,
        "step_rows": step_rows,
        "baseline": baseline(first),
        "steps": steps(second),
    }
    report["ratios"] = {
        "rows_per_s": report["steps"]["rows_per_s"] / report["baseline"]["rows_per_s"],
        "max_wait": report["steps"]["max_wait"] / max(report["baseline"]["max_wait"], 1e-9),
    }
    (HERE / "import_sqlite.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    section = render(report)
    write_section(section)
    print(section)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    main()
