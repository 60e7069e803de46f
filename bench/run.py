"""chibo benchmarks: `make bench` (see bench/README.md). Writes bench/results.md.

Builds a throw-away PostgreSQL database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/chibo_bench):
migrate, the demo organization (personas), then national-scale data with COPY (BENCH_MEMBERS, BENCH_UNITS), and
measures, in the same run:
  1. scoped search, list, detail and dashboard counts: the app's selector vs the same query in raw SQL (p50/p95);
  2. import of a BENCH_IMPORT_ROWS-row XLSX: `chibo import` (bulk path) vs django-import-export vs parse-only;
  3. export: time and peak memory (RSS, separate process per size) as rows grow;
  4. page weight and query count of the main pages; the reports upward roll-up and the statistics against the page
     budget.
BENCH_SECTIONS (default: all of selectors,pages,export,import) measures only some of them.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "5600000"))
UNITS = int(os.environ.get("BENCH_UNITS", "60000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
IIE_ROWS = int(os.environ.get("BENCH_IIE_ROWS", str(IMPORT_ROWS)))
EXPORT_SIZES = [int(x) for x in os.environ.get("BENCH_EXPORT_SIZES", "10000,50000,100000").split(",")]
REPS = int(os.environ.get("BENCH_REPS", "15"))
ALL_SECTIONS = ("selectors", "pages", "export", "import")
SECTIONS = tuple(x.strip() for x in os.environ.get("BENCH_SECTIONS", ",".join(ALL_SECTIONS)).split(",") if x.strip())
ENV = {**os.environ, "DATABASE_URL": URL, "CHIBO_ENV": "dev", "CHIBO_DEBUG": "0",
       "CHIBO_VAR_DIR": str(ROOT / "var" / "bench"), "DJANGO_SETTINGS_MODULE": "chibo.settings"}


def sh(*args, **kw):
    print("$", " ".join(map(str, args)), flush=True)
    return subprocess.run(args, check=True, env=ENV, cwd=ROOT, **kw)


def fresh_database() -> None:
    import psycopg

    dbname = URL.rsplit("/", 1)[1]
    admin = URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    import psycopg

    with psycopg.connect(URL.replace("postgres://", "postgresql://", 1)) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return (f"{platform.node()}: {cpu or platform.processor()}, {os.cpu_count()} CPUs (shared with other work), {mem}; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}; PostgreSQL {pg}")


def main() -> None:
    started = time.monotonic()
    unknown = set(SECTIONS) - set(ALL_SECTIONS)
    if unknown or not SECTIONS:
        sys.exit(f"BENCH_SECTIONS: {', '.join(sorted(unknown)) or 'empty'}; known: {', '.join(ALL_SECTIONS)}")
    if "--measure" not in sys.argv:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        fresh_database()
        sh(BIN / "chibo", "migrate", "--no-input", "-v", "0")
        sh(BIN / "chibo", "demo", "--members", "300")
        sh(BIN / "python", HERE / "national_load.py", str(MEMBERS), str(UNITS))
        # The statistics' stored per-unit yearly figures, computed once the history is written behind the services.
        sh(BIN / "chibo", "stats_figures")
        load_seconds = time.monotonic() - started
        sh(BIN / "python", __file__, "--measure", f"--load-seconds={load_seconds:.0f}")
        return
    import django

    os.environ.update(ENV)  # also when run by hand with --measure on a database built before
    sys.path.insert(0, str(ROOT / "src"))
    django.setup()
    from bench import measure

    load = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--load-seconds="))
    report = measure.run_all(reps=REPS, import_rows=IMPORT_ROWS, iie_rows=IIE_ROWS, export_sizes=EXPORT_SIZES,
                             sections=SECTIONS)
    if set(SECTIONS) == set(ALL_SECTIONS):
        write_results(report, load_seconds=float(load))
    else:
        write_some(report)


def write_some(report: dict) -> None:
    """A run of only some sections: results.json keeps the other sections' last figures; in results.md only the
    blocks of the measured sections that have markers are rewritten (today: 2b, the reports upward and statistics
    pages), the rest stays as the last full run wrote it."""
    from bench import measure, sections

    path = HERE / "results.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(json.dumps({**previous, **report}, indent=1, default=str), encoding="utf-8")
    if "pages_upward" in report:
        block = measure.render_upward(report, day=date.today(), sections=list(SECTIONS))
        sections.write_section(block, begin=measure.UPWARD_BEGIN, end=measure.UPWARD_END, before="## 3. Import")
        print(block)


def write_results(report: dict, *, load_seconds: float) -> None:
    from bench.measure import render

    text = render(report, machine=machine(), members=MEMBERS, units=UNITS, load_seconds=load_seconds,
                  import_rows=IMPORT_ROWS, iie_rows=IIE_ROWS, reps=REPS, day=date.today())
    path = HERE / "results.md"
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(text, encoding="utf-8")
    from bench import audit_concurrency, dues_obligations, export_ab, import_ab, import_sqlite, load_test

    for kept in (import_ab, export_ab, audit_concurrency, dues_obligations,
                 import_sqlite, load_test):  # measured on their own by these scripts: kept
        if kept.BEGIN in previous and kept.END in previous:
            kept.write_section(kept.BEGIN + previous.split(kept.BEGIN, 1)[1].split(kept.END, 1)[0] + kept.END + "\n")
    (HERE / "results.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
