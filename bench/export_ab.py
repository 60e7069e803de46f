"""The member list export, each writer against the one it replaced, in the same run: `.venv/bin/python
bench/export_ab.py [--reuse]`.

Builds a throw-away PostgreSQL database as `make bench` does (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/chibo_bench_export, dropped and re-created; `--reuse` keeps one built before;
BENCH_MEMBERS [1000000], BENCH_UNITS [10000]), then exports the first BENCH_EXPORT_ROWS [100000] rows of the whole
tree's list as the upper committee sees it, each export in a process of its own (`export_one.py`, so that peak
memory compares), BENCH_EXPORT_REPS [3] rounds, the writers in a different order each round (the machine's load
drifts): the product's streamed XLSX and CSV, the writer they replaced (openpyxl's write-only mode over model
objects: the baseline) and XlsxWriter in constant-memory mode over the same rows (if installed: the `bench`
extra). Reported: medians of seconds and rows/s, file size, peak RSS, and each writer's rows/s against the
baseline's in the same round (median of the rounds' ratios). Target (issue 20): 40,000 rows/s, flat memory.

Writes its section into bench/results.md (between the ``export-writers`` markers; `make bench` keeps it) and
bench/export_ab.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench_export")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000000"))
UNITS = int(os.environ.get("BENCH_UNITS", "10000"))
ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
REPS = int(os.environ.get("BENCH_EXPORT_REPS", "3"))
TARGET = 40_000
WORK = ROOT / "var" / "bench"
BEGIN = "<!-- export-writers -->"
END = "<!-- /export-writers -->"
WRITERS = ["openpyxl", "xlsx", "csv"] + (["xlsxwriter"] if importlib.util.find_spec("xlsxwriter") else [])
NAMES = {"openpyxl": "openpyxl write-only over model objects (the writer before; baseline)",
         "xlsx": "chibo streamed XLSX (`core.sheets.stream_xlsx`)",
         "csv": "chibo streamed CSV (`core.sheets.stream_csv`)",
         "xlsxwriter": "XlsxWriter, constant-memory mode, same rows"}


def env() -> dict:
    return {**os.environ, "DATABASE_URL": URL, "CHIBO_ENV": "dev", "CHIBO_DEBUG": "0", "CHIBO_VAR_DIR": str(WORK),
            "DJANGO_SETTINGS_MODULE": "chibo.settings", "PYTHONPATH": str(ROOT / "src")}


def sh(*args, capture: bool = False) -> str:
    print("$", " ".join(map(str, args)), flush=True)
    done = subprocess.run(args, check=True, env=env(), cwd=ROOT, text=True,
                          stdout=subprocess.PIPE if capture else None)
    return done.stdout or ""


def build() -> float:
    from bench.database import build as build_database

    return build_database(URL, MEMBERS, UNITS, sh)


def export_once(writer: str) -> dict:
    out = sh(BIN / "python", HERE / "export_one.py", str(ROWS), writer, capture=True)
    data = dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)
    return {"writer": writer, "seconds": float(data["seconds"]), "bytes": int(data["bytes"]),
            "rss_mb": float(data["rss_mb"]), "base_rss_mb": float(data["base_rss_mb"])}


def main() -> None:
    built = None if "--reuse" in sys.argv else build()
    sh(BIN / "python", HERE / "export_one.py", "1000", "xlsx", capture=True)  # warm the database's cache
    load = [os.getloadavg()[0]]
    rounds = []
    for n in range(REPS):
        order = WRITERS[n % len(WRITERS):] + WRITERS[:n % len(WRITERS)]
        rounds.append({r["writer"]: r for r in (export_once(w) for w in order)})
        print(rounds[-1], flush=True)
    load.append(os.getloadavg()[0])
    report = {"day": date.today().isoformat(), "members": MEMBERS, "units": UNITS, "rows": ROWS, "reps": REPS,
              "built_seconds": built, "python": platform.python_version(), "cpus": os.cpu_count(), "rounds": rounds,
              "load": load}
    (HERE / "export_ab.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    section = render(report)
    write_section(section)
    print(section)


def render(r: dict) -> str:
    rounds, rows = r["rounds"], r["rows"]
    lines = [BEGIN, "## 4b. Export writers side by side, same run", "",
             f"`bench/export_ab.py` ({date.fromisoformat(r['day']):%d/%m/%Y}; {r['cpus']} CPUs, Python "
             f"{r['python']}, PostgreSQL on the same machine): the first {rows:,} rows of the whole tree's member list "
             f"as the upper committee sees it (sorted by name, scope applied), out of {r['members']:,} members in "
             f"{r['units']:,} units, each export in a process of its own, {r['reps']} rounds with the writers in "
             "turn; medians. The ratio is the writer's rows/s over the baseline's in the same round (median of the "
             f"rounds). Target: {TARGET:,} rows/s with flat memory. The machine's load average (1 minute) was "
             + " at the start, ".join(f"{x:.1f}" for x in r.get("load", [])) + " at the end.", "",
             "| writer | seconds | rows/s | × baseline | file MB | RSS before MB | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for writer in WRITERS:
        runs = [x[writer] for x in rounds if writer in x]
        seconds = statistics.median(x["seconds"] for x in runs)
        ratio = statistics.median(x["openpyxl"]["seconds"] / x[writer]["seconds"] for x in rounds if writer in x)
        lines.append(f"| {NAMES[writer]} | {seconds:.2f} | {rows / seconds:,.0f} | {ratio:.2f} | "
                     f"{statistics.median(x['bytes'] for x in runs) / 1e6:.1f} | "
                     f"{statistics.median(x['base_rss_mb'] for x in runs):.0f} | "
                     f"{max(x['rss_mb'] for x in runs):.0f} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    from bench.sections import write_section as write  # the root is on sys.path once the script runs

    write(section, begin=BEGIN, end=END, before="\n<!-- audit-concurrency -->")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
