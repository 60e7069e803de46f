"""The reports-upward and statistics pages against a baseline revision, in the same run, on a national database:
`.venv/bin/python bench/upward_ab.py`.

Reads a database `make bench` (or `bench/run.py`) built before, with its history, reports and stored figures
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/chibo_bench; nothing is rebuilt, nothing written
but what the pages themselves write). The baseline is BENCH_UPWARD_BASELINE's `src/` (`git archive`; it reads the
same tables, its code only: columns and tables it does not know are left alone). Each tree answers the roll-up and
the statistics, pages and API twins, for ban.tochuc on the top unit and bithu.phap on France
(`bench.measure.run_pages_upward`), in its own process, BENCH_UPWARD_ROUNDS [2] rounds alternated (baseline first
in odd rounds), BENCH_REPS [15] timed requests per page after one warm-up (the baseline's slow pages: at most
BENCH_UPWARD_BASE_REPS [5]). Reported: p50 / p95 per page for both, the ratio of p95, and whether this tree is within
the budget (p95 ≤ 100 ms).

Writes section 2b of bench/results.md (between the ``pages-upward`` markers; `make bench` keeps it when it does
not measure pages) and bench/upward_ab.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the root, for bench.*
from bench import sections  # noqa: E402
from bench.revisions import extract_src  # noqa: E402
from bench.revisions import head as this_head  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench")
BASELINE = os.environ.get("BENCH_UPWARD_BASELINE", "main")
ROUNDS = int(os.environ.get("BENCH_UPWARD_ROUNDS", "2"))
REPS = int(os.environ.get("BENCH_REPS", "15"))
BASE_REPS = int(os.environ.get("BENCH_UPWARD_BASE_REPS", "5"))
WORK = ROOT / "var" / "bench"
BEGIN, END = "<!-- pages-upward -->", "<!-- /pages-upward -->"
BUDGET_MS = 100

ONE = ("import json, sys, django; django.setup(); from bench.measure import run_pages_upward, upward_data; "
       "print(json.dumps({'pages': run_pages_upward(int(sys.argv[1])), 'data': upward_data()}))")


def measure(src: Path, reps: int) -> dict:
    env = {**os.environ, "DATABASE_URL": URL, "CHIBO_ENV": "dev", "CHIBO_DEBUG": "0", "CHIBO_VAR_DIR": str(WORK),
           "DJANGO_SETTINGS_MODULE": "chibo.settings", "PYTHONPATH": f"{src}:{ROOT}"}
    done = subprocess.run([BIN / "python", "-c", ONE, str(reps)], check=True, env=env, cwd=ROOT, text=True,
                          stdout=subprocess.PIPE)
    return json.loads(done.stdout.strip().splitlines()[-1])


def combine(runs: list[dict]) -> dict[tuple[str, str], dict]:
    """Per (user, url): the medians over the rounds of p50 and p95."""
    out: dict[tuple[str, str], dict] = {}
    for key in {(p["user"], p["url"]) for r in runs for p in r["pages"]}:
        rows = [p for r in runs for p in r["pages"] if (p["user"], p["url"]) == key]
        out[key] = {"p50": statistics.median(p["p50"] for p in rows), "p95": statistics.median(p["p95"] for p in rows),
                    "queries": rows[-1]["queries"], "status": rows[-1]["status"], "n": sum(p["n"] for p in rows)}
    return out


def render(result: dict) -> str:
    d = result["data"]
    L = [BEGIN, "## 2b. Reports upward and statistics: the page budget, against a baseline in the same run", "",
         f"`bench/upward_ab.py` ({result['day']}; 2 CPUs shared with other work) on the database of `make bench` at "
         f"{result['members']:,} members in {result['units']:,} units, with {d['reports_submitted']:,} submitted and "
         f"{d['reports_draft']:,} draft quarterly reports of the top unit's units, {d['timeline_events']:,} timeline "
         f"events, {d['transfers']:,} transfers and {d['meetings']:,} meetings, and the stored yearly figures of "
         f"`chibo stats_figures`. Baseline: `{result['baseline_name']}` ({result['baseline'][:7]}); this tree: "
         f"{result['head'][:7]}"
         f"{' with uncommitted changes' if result['dirty'] else ''}. {result['rounds']} rounds alternated, each tree "
         f"in its own process; this tree {result['reps']} timed requests per page per round, the baseline "
         f"{result['base_reps']}, after one warm-up; medians over the rounds. Budget: p95 ≤ {BUDGET_MS} ms.", "",
         "| user | page | queries | baseline p50 / p95 ms | this tree p50 / p95 ms | p95 this / baseline "
         "| within budget |",
         "|---|---|---:|---:|---:|---:|---|"]
    for row in result["pages"]:
        ok = "yes" if row["new_p95"] <= BUDGET_MS else "**no**"
        L.append(f"| {row['user']} | `{row['url']}` | {row['queries']} | {row['base_p50']:.0f} / {row['base_p95']:.0f} "
                 f"| {row['new_p50']:.0f} / {row['new_p95']:.0f} | {row['new_p95'] / row['base_p95']:.2f} | {ok} |")
    L.append(END)
    return "\n".join(L) + "\n"


def write_section(text: str) -> None:
    sections.write_section(text, begin=BEGIN, end=END, before="\n## 3. Import")


def scale() -> tuple[int, int]:
    env = {**os.environ, "DATABASE_URL": URL, "CHIBO_ENV": "dev", "CHIBO_VAR_DIR": str(WORK),
           "DJANGO_SETTINGS_MODULE": "chibo.settings", "PYTHONPATH": str(ROOT / "src")}
    script = ("import django; django.setup(); from django.db import connection; c = connection.cursor(); "
              "c.execute('SELECT (SELECT count(*) FROM members_member), (SELECT count(*) FROM units_unit)'); "
              "print(*c.fetchone())")
    done = subprocess.run([BIN / "python", "-c", script], check=True, env=env, cwd=ROOT, text=True,
                          stdout=subprocess.PIPE)
    members, units = done.stdout.split()
    return int(members), int(units)


def main() -> None:
    if "--render" in sys.argv:
        write_section(render(json.loads((HERE / "upward_ab.json").read_text(encoding="utf-8"))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    commit, base_src = extract_src(BASELINE, WORK)
    runs: dict[str, list[dict]] = {"base": [], "new": []}
    for rnd in range(ROUNDS):
        for which in (("base", "new") if rnd % 2 == 0 else ("new", "base")):
            src, reps = (base_src, BASE_REPS) if which == "base" else (ROOT / "src", REPS)
            print(f"round {rnd + 1}: {which}", flush=True)
            runs[which].append(measure(src, reps))
    base, new = combine(runs["base"]), combine(runs["new"])
    members, units = scale()
    pages = [{"user": user, "url": url, "queries": new[(user, url)]["queries"],
              "base_p50": base[(user, url)]["p50"], "base_p95": base[(user, url)]["p95"],
              "new_p50": new[(user, url)]["p50"], "new_p95": new[(user, url)]["p95"]}
             for user, url in [(p["user"], p["url"]) for p in runs["new"][0]["pages"]]]
    head, dirty = this_head()
    result = {"day": f"{date.today():%d/%m/%Y}", "baseline_name": BASELINE, "baseline": commit, "head": head,
              "dirty": dirty,
              "rounds": ROUNDS, "reps": REPS, "base_reps": BASE_REPS, "members": members, "units": units,
              "data": runs["new"][0]["data"], "pages": pages}
    (HERE / "upward_ab.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    write_section(render(result))
    print(render(result))


if __name__ == "__main__":
    main()
