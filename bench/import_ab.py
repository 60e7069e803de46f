"""The member import against a baseline revision, in the same run: `.venv/bin/python bench/import_ab.py`.

Builds a throw-away PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/chibo_bench_import; dropped and re-created; `--reuse` keeps one built
before): migrate, the demo organization, national-scale members and units with COPY (BENCH_MEMBERS [1000000],
BENCH_UNITS [10000]; `chibo.demo.national`, without the history the statistics read). Then it imports a
BENCH_IMPORT_ROWS [100000]-row XLSX of new members (the file of `make bench`, each run with its own card numbers)
with this tree's code and with the code of BENCH_IMPORT_BASELINE [main] (its `src/` taken with `git archive`), each
run in its own process, BENCH_IMPORT_REPS [3] pairs alternated (AB, BA, AB…: the machine's load drifts), and each
file imported again (all unchanged). When the two trees have the same migrations they share the database; when
they differ (a baseline from before a schema change), the baseline gets a database of its own (the same name with
``_base``), built the same way by its own code: its migrations, its demo organization, its national loader (the
same seed), so that each code runs on the schema it was written for and on the same data.
Each process first reads its file only (parse only: ``open_sheet`` and its rows, section 3's first line), so that
the import is set against parse only in the same run; after its first import it measures the database floor (the
same records written again by the database alone, rolled back: ``import_one.floor``). Reported: seconds and rows/s
(medians), of which sealing the audit rows after the commit, the CPU seconds of the importing process and of its
database backend (steadier than seconds on a machine shared with other work), the audit rows written, parse only and
the import's time over it (median of each process's own ratio), and the ratios this tree / baseline (medians of the
pairs' ratios).
Afterwards, in each database and with its own code, the audit chain must verify and the member counters must equal
a recount.

Writes its section into bench/results.md (between the ``import-baseline`` markers; `make bench` keeps it) and
bench/import_ab.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the root, for bench.*
from bench.revisions import extract_src  # noqa: E402
from bench.revisions import head as this_head  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench_import")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000000"))
UNITS = int(os.environ.get("BENCH_UNITS", "10000"))
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
REPS = int(os.environ.get("BENCH_IMPORT_REPS", "3"))
BASELINE = os.environ.get("BENCH_IMPORT_BASELINE", "main")
WORK = ROOT / "var" / "bench"
BEGIN = "<!-- import-baseline -->"
END = "<!-- /import-baseline -->"


def env(src: Path, url: str = URL) -> dict:
    return {**os.environ, "DATABASE_URL": url, "CHIBO_ENV": "dev", "CHIBO_DEBUG": "0", "CHIBO_VAR_DIR": str(WORK),
            "DJANGO_SETTINGS_MODULE": "chibo.settings", "PYTHONPATH": str(src)}


def sh(*args, src: Path = ROOT / "src", url: str = URL, capture: bool = False) -> str:
    print("$", " ".join(map(str, args)), flush=True)
    done = subprocess.run(args, check=True, env=env(src, url), cwd=ROOT, text=True,
                          stdout=subprocess.PIPE if capture else None)
    return done.stdout or ""


def migrations_of(src: Path) -> set[str]:
    return {p.relative_to(src).as_posix() for p in src.glob("chibo/*/migrations/0*.py")}


def baseline_tree() -> tuple[str, Path, bool]:
    """The baseline's ``src/`` (``git archive``), its commit, and whether its migrations are this tree's."""
    commit, src = extract_src(BASELINE, WORK)
    return commit, src, migrations_of(src) == migrations_of(ROOT / "src")


NATIONAL = ("import sys, django; django.setup(); from chibo.demo.national import build_national; "
            "print(build_national(members=int(sys.argv[1]), units=int(sys.argv[2])))")


def build(src: Path, url: str) -> float:
    """A database for ``src``'s code at ``url``, built by that code; seconds taken."""
    from bench.database import recreate

    started = time.monotonic()
    recreate(url)
    sh(BIN / "chibo", "migrate", "--no-input", "-v", "0", src=src, url=url)
    sh(BIN / "chibo", "demo", "--members", "300", src=src, url=url)
    sh(BIN / "python", "-c", NATIONAL, str(MEMBERS), str(UNITS), src=src, url=url)
    return time.monotonic() - started


def files(count: int, *, fresh: bool) -> list[Path]:
    """``count`` import files of the same rows, each with card numbers the database has not seen: block n holds
    cards 100,000,000 + n × 1,000,000 on (the national data stops below 30,000,000); the next unused block is
    kept in var/bench/import-ab-next (back to 0 with a fresh database). Files are made once, kept in var/bench."""
    script = ("import sys; from pathlib import Path; import django; django.setup(); "
              "from bench.measure import make_import_file; "
              "make_import_file(int(sys.argv[1]), Path(sys.argv[2]), unit_code='PHAP-LHS', card_base=int(sys.argv[3]))")
    counter = WORK / "import-ab-next"
    first = 0 if fresh or not counter.exists() else int(counter.read_text())
    counter.write_text(str(first + count))
    out = []
    for block in range(first, first + count):
        path = WORK / f"import-ab-{ROWS}-{block}.xlsx"
        if not path.exists():
            subprocess.run([BIN / "python", "-c", script, str(ROWS), str(path), str(100_000_000 + block * 1_000_000)],
                           check=True, env={**env(ROOT / "src"), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}, cwd=ROOT)
        out.append(path)
    return out


def import_once(path: Path, src: Path, url: str) -> dict:
    line = sh(BIN / "python", HERE / "import_one.py", path, src=src, url=url, capture=True).strip().splitlines()[-1]
    return json.loads(line)


def after_checks(src: Path, url: str) -> dict:
    """The audit chain verified and the member counters recounted in the database at ``url``, by ``src``'s code."""
    script = ("import json, time, django; django.setup(); from chibo.core.audit import verify_chain; "
              "from chibo.members.counters import counts_check; t = time.perf_counter(); r = verify_chain(); "
              "s = time.perf_counter() - t; print(json.dumps({'ok': r.ok, 'checked': r.checked, 'reason': r.reason, "
              "'verify_seconds': s, 'counter_mismatches': len(counts_check())}))")
    return json.loads(sh(BIN / "python", "-c", script, src=src, url=url, capture=True).strip().splitlines()[-1])


def median_of(runs: list[dict], key: str, field: str) -> float:
    return statistics.median(r[key][field] for r in runs)


def cpu(step: dict) -> float:
    return step["cpu_client"] + step["cpu_database"]


def main() -> None:
    if "--render" in sys.argv:  # the section again from import_ab.json, without measuring
        write_section(render(json.loads((HERE / "import_ab.json").read_text(encoding="utf-8"))))
        return
    if not URL.startswith("postgres"):
        raise SystemExit("BENCH_DATABASE_URL must name a PostgreSQL database (it is dropped and re-created).")
    WORK.mkdir(parents=True, exist_ok=True)
    commit, base_src, same = baseline_tree()
    head, dirty = this_head()
    trees = {"new": (ROOT / "src", URL), "base": (base_src, URL if same else URL + "_base")}
    built = {} if "--reuse" in sys.argv else {url: build(src, url) for src, url in trees.values()}
    paths = files(2 * REPS, fresh=bool(built))
    runs: dict[str, list[dict]] = {"new": [], "base": []}
    for rep in range(REPS):
        order = ("base", "new") if rep % 2 == 0 else ("new", "base")
        for k, which in enumerate(order):
            result = import_once(paths[2 * rep + k], *trees[which])
            runs[which].append(result)
            step = result["import"]
            print(f"pair {rep + 1}/{REPS} {which}: parse only {ROWS / result['parse']['seconds']:,.0f} rows/s; "
                  f"import {ROWS / step['seconds']:,.0f} rows/s (sealing "
                  f"{step['sealing']:.1f} s, CPU {step['cpu_client']:.1f} + {step['cpu_database']:.1f} s, "
                  f"{step['audit_rows']:,} audit rows); again {ROWS / result['again']['seconds']:,.0f} rows/s",
                  flush=True)
    pairs = list(zip(runs["new"], runs["base"], strict=True))
    ratios = {key: statistics.median(b[key]["seconds"] / n[key]["seconds"] for n, b in pairs)
              for key in ("import", "again")}
    ratios |= {f"{key}_cpu": statistics.median(cpu(b[key]) / cpu(n[key]) for n, b in pairs)
               for key in ("import", "again")}
    ratios["import_to_commit"] = statistics.median(
        (b["import"]["seconds"] - b["import"]["sealing"]) / (n["import"]["seconds"] - n["import"]["sealing"])
        for n, b in pairs)
    report = {"day": f"{date.today():%d/%m/%Y}", "rows": ROWS, "members": MEMBERS, "units": UNITS, "reps": REPS,
              "baseline": {"name": BASELINE, "commit": commit}, "tree": {"commit": head, "uncommitted": dirty},
              "same_database": same, "build_seconds": built, "runs": runs, "ratios": ratios,
              "after": {which: after_checks(*tree) for which, tree in trees.items()} if not same
              else {"new": after_checks(*trees["new"])}}
    (HERE / "import_ab.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    section = render(report)
    write_section(section)
    print(section)


def render(r: dict) -> str:
    import platform

    import psycopg

    with psycopg.connect(URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]  # the server, not the database dropped
    runs, rows = r["runs"], r["rows"]
    tree = r["tree"]["commit"][:7] + (" with uncommitted changes" if r["tree"]["uncommitted"] else "")
    lines = [BEGIN, "## 3b. Import: this tree against a baseline, same run", "",
             f"`bench/import_ab.py` ({r['day']}; {os.cpu_count()} CPUs shared with other work, Python "
             f"{platform.python_version()}, PostgreSQL {pg}): {rows:,} new members from XLSX (the file of section 3, "
             f"each run with its own card numbers) into a database of {r['members']:,} members in {r['units']:,} "
             + ("units (one database for both trees: the same migrations)"
                if r.get("same_database", True) else
                "units, one for each tree (their migrations differ), each built by its own code from the same "
                "seed") +
             f"; each import in its own process, {r['reps']} pairs alternated (baseline first in odd pairs); "
             "each file is then imported again (all rows unchanged). Times are medians and include the sealing "
             "of the audit rows after the commit (shown apart); CPU is the importing process plus its database "
             "backend (steadier than seconds on this shared machine); ratios are medians of the pairs' ratios.", "",
             "| code | import s | rows/s | of which sealing s | rows/s to the commit | CPU s (process + database) | "
             "audit rows written | again s | again rows/s | parse only s | parse only rows/s | import / parse only | "
             "database floor s | floor rows/s | import / floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    name, commit = r["baseline"]["name"], r["baseline"]["commit"][:7]
    for key, label in (("base", f"baseline `{name}`" + ("" if commit.startswith(name) else f" ({commit})")),
                       ("new", f"this tree ({tree})")):
        s, again = median_of(runs[key], "import", "seconds"), median_of(runs[key], "again", "seconds")
        client, database = median_of(runs[key], "import", "cpu_client"), median_of(runs[key], "import", "cpu_database")
        sealing = median_of(runs[key], "import", "sealing")
        committed = statistics.median(rows / (r["import"]["seconds"] - r["import"]["sealing"]) for r in runs[key])
        parse = ([median_of(runs[key], "parse", "seconds"),
                  statistics.median(r["import"]["seconds"] / r["parse"]["seconds"] for r in runs[key])]
                 if all("parse" in r for r in runs[key]) else None)
        floor = ([statistics.median(r["floor"]["seconds"] for r in runs[key]),
                  statistics.median(r["import"]["seconds"] / r["floor"]["seconds"] for r in runs[key])]
                 if all("floor" in r for r in runs[key]) else None)
        lines.append(f"| {label} | {s:.1f} | {rows / s:,.0f} | {sealing:.1f} | {committed:,.0f} | "
                     f"{client:.1f} + {database:.1f} | {int(median_of(runs[key], 'import', 'audit_rows')):,} | "
                     f"{again:.1f} | {rows / again:,.0f} | "
                     + (f"{parse[0]:.1f} | {rows / parse[0]:,.0f} | {parse[1]:.1f}× |" if parse else "– | – | – |")
                     + (f" {floor[0]:.1f} | {rows / floor[0]:,.0f} | {floor[1]:.2f}× |" if floor else " – | – | – |"))
    each = "; ".join(f"{rows / n['import']['seconds']:,.0f} vs {rows / b['import']['seconds']:,.0f}"
                     for n, b in zip(runs["new"], runs["base"], strict=True))
    after = r["after"] if "new" in r["after"] else {"new": r["after"]}  # a single check before 12/2026
    every = [run for key in ("new", "base") for run in runs[key]]
    if all("parse" in run for run in every):
        over = {key: statistics.median(x["import"]["seconds"] / x["parse"]["seconds"] for x in runs[key])
                for key in ("new", "base")}
        lines += ["", f"Parse only (`open_sheet` and its rows, in each import's process before it imports): "
                  f"{rows / statistics.median(x['parse']['seconds'] for x in every):,.0f} rows/s (median of the "
                  f"{len(every)} processes). The import takes **{over['new']:.1f}×** the time of parse only with this "
                  f"tree, {over['base']:.1f}× with the baseline (target: within 3×, and at least 25,000 rows/s)."]
    if all("floor" in run for run in every):
        parts = {step: statistics.median(x["floor"][step] for x in runs["new"])
                 for step in ("members", "events", "audit", "checks")}
        lines += ["", "Database floor (`bench/import_one.py`, `floor`, after each first import, rolled back): the "
                  "records that import wrote, written again by the database alone with `INSERT … SELECT` from rows "
                  "made beforehand (no COPY to parse, no network, no checking), then the deferred foreign-key "
                  f"checks. In this tree's database (median of {len(runs['new'])}): members "
                  f"{parts['members']:.1f} s, timeline events {parts['events']:.1f} s, chained audit rows "
                  f"{parts['audit']:.1f} s, foreign-key checks {parts['checks']:.1f} s. No importer of these "
                  "records into this schema goes faster on this machine."]
    lines += ["", f"Ratio this tree / baseline, rows/s: **{r['ratios']['import']:.2f}×** for the import "
              f"({r['ratios']['import_cpu']:.2f}× by CPU; {r['ratios']['import_to_commit']:.2f}× to the commit, "
              f"before sealing), {r['ratios']['again']:.2f}× for the import again "
              f"({r['ratios']['again_cpu']:.2f}× by CPU). Pairs, rows/s this tree vs baseline: {each}. "
              + " ".join(checked(after[k], "" if len(after) == 1 else f" in the {name}'s database")
                         for k, name in (("new", "tree"), ("base", "baseline")) if k in after),
              END]
    return "\n".join(lines) + "\n"


def checked(a: dict, where: str) -> str:
    """What the checks after the imports found, as a sentence."""
    counters = ("equal a recount" if not a["counter_mismatches"]
                else f"differ from a recount in {a['counter_mismatches']} units")
    chain = "passed" if a["ok"] else "FAILED: " + a["reason"]
    return (f"Afterwards{where} `verify_chain()` {chain} over {a['checked']:,} rows ({a['verify_seconds']:.1f} s) "
            f"and the member counters {counters}.")


def write_section(section: str) -> None:
    from bench.sections import write_section as write  # the root is on sys.path once the script runs

    write(section, begin=BEGIN, end=END, before="\n## 4. Export")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
