"""A load test of the whole stack on this machine, gunicorn and PostgreSQL, then the embedded SQLite default with
concurrent writers: `.venv/bin/python bench/load_test.py [--reuse] [--postgres-only | --sqlite-only]` (locust: the
`bench` extra, `pip install -e '.[bench]'`).

PostgreSQL: a throw-away copy of a database built before (BENCH_LOAD_DATABASE_URL
[postgres://postgres@127.0.0.1:5432/chibo_bench_load], dropped and made again with `CREATE DATABASE … TEMPLATE
BENCH_LOAD_TEMPLATE` [chibo_bench_export]: the 1 M members of `bench/export_ab.py` under the demo organization, left
unchanged; `--reuse` keeps the copy a run made before), migrated, with the statistics' stored figures computed
(`chibo stats_figures`). `bench/load_sessions.py` makes one account and one signed-in session per simulated user
(MFA enrolled, as the pages require). gunicorn serves it on a free port of 127.0.0.1 (BENCH_LOAD_WORKERS [3]
processes × BENCH_LOAD_THREADS [4] threads, for 2 CPUs; CHIBO_ENV=dev, DEBUG off). locust
(`bench/load_locustfile.py`) then runs, each in the same way with BENCH_LOAD_USERS [200] users:

1. the baseline: the trivial view `/healthz`, back to back, for BENCH_LOAD_BASELINE_SECONDS [30] (after all users
   are up): the most requests per second this setup serves (again after 3: the machine's load drifts);
2. the mixed journeys for BENCH_LOAD_SECONDS [300], users started at BENCH_LOAD_SPAWN [users / 30] a second, each
   reading a page for BENCH_LOAD_THINK [5,15] seconds (uniform) before the next: 60% members reading their own pages,
   25% secretaries (their cell's list, a search by name, a meeting, attendance recorded through the form or the
   API), 15% officers (dashboard, deadlines radar, reports board and roll-up, statistics of a mid-size unit, a
   search across the tree);
3. the same journeys back to back (no reading time) for BENCH_LOAD_CAPACITY_SECONDS [60]: the most requests per
   second of the real mix, to compare with the baseline.

SQLite: a throw-away file under var/bench/load/sqlite/ (migrate, `chibo demo`), the same gunicorn, and
BENCH_LOAD_SQLITE_WRITERS [20] secretaries writing back to back for BENCH_LOAD_SQLITE_SECONDS [60]: attendance
through the form and the API, a member record edited through the API's PATCH with the version read before,
notifications marked read. Every answer is counted; a 5xx or a 'database is locked' reaching a user is a failure.

Bounded: everything listens on 127.0.0.1 only; each locust run has a hard time limit, the whole script
BENCH_LOAD_LIMIT [seconds of the phases + 1800]; gunicorn (its process group) and locust are stopped at the end,
on failure too. Writes bench/load_results.md (committed) and bench/load_results.json, a short section of
bench/results.md pointing to them (between the ``load-test`` markers; `make bench` keeps it), and locust's CSV and
HTML reports and gunicorn's log under var/bench/load/. A run of one part keeps the other part's last figures, and
the notes written by hand at the end of load_results.md (after the ``notes by hand`` marker) are kept.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "var" / "bench" / "load"
URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench_load")
TEMPLATE = os.environ.get("BENCH_LOAD_TEMPLATE", "chibo_bench_export")
USERS = int(os.environ.get("BENCH_LOAD_USERS", "200"))
SPAWN = float(os.environ.get("BENCH_LOAD_SPAWN", str(round(USERS / 30, 2))))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "300"))
BASELINE_SECONDS = int(os.environ.get("BENCH_LOAD_BASELINE_SECONDS", "30"))
CAPACITY_SECONDS = int(os.environ.get("BENCH_LOAD_CAPACITY_SECONDS", "60"))
THINK = os.environ.get("BENCH_LOAD_THINK", "5,15")
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "4"))
WRITERS = int(os.environ.get("BENCH_LOAD_SQLITE_WRITERS", "20"))
SQLITE_SECONDS = int(os.environ.get("BENCH_LOAD_SQLITE_SECONDS", "60"))
LIMIT = int(os.environ.get("BENCH_LOAD_LIMIT", str(BASELINE_SECONDS + SECONDS + CAPACITY_SECONDS + SQLITE_SECONDS
                                                    + 1800)))
MIX = {"MemberUser": 60, "SecretaryUser": 25, "OfficerUser": 15}
BEGIN = "<!-- load-test -->"
END = "<!-- /load-test -->"
JSON = HERE / "load_results.json"
REPORT = HERE / "load_results.md"
NOTES = "<!-- notes by hand: kept by the next run -->"


def env(url: str, var: Path) -> dict:
    return {**os.environ, "DATABASE_URL": url, "CHIBO_ENV": "dev", "CHIBO_DEBUG": "0", "CHIBO_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "chibo.settings", "PYTHONPATH": str(ROOT / "src")}


def sh(environ: dict, *args, timeout: float = 1800) -> None:
    print("$", " ".join(map(str, args)), flush=True)
    subprocess.run(list(map(str, args)), check=True, env=environ, cwd=ROOT, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(environ: dict, log: Path, threads: int = THREADS):
    """gunicorn on a free loopback port, in a process group of its own, stopped (then killed) on the way out."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    args = [BIN / "gunicorn", "chibo.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
            "--worker-class", "gthread", "--threads", str(threads), "--timeout", "120", "--graceful-timeout", "10",
            "--backlog", "2048", "--error-logfile", log]
    print("$", " ".join(map(str, args)), flush=True)
    proc = subprocess.Popen(list(map(str, args)), env=environ, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within 60 s")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        print(f"gunicorn stopped ({proc.returncode})", flush=True)


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 5 s while a run lasts."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.samples.append(os.getloadavg()[0])


def locust(base: str, name: str, classes: list[str], *, users: int, spawn: float, seconds: int, think: str,
           users_file: Path, reset: bool) -> dict:
    """One headless locust run; its per-name figures, failures and the machine's load during it."""
    prefix = WORK / name
    args = [BIN / "locust", "-f", HERE / "load_locustfile.py", "--headless", "--host", base, "-u", users,
            "-r", spawn, "-t", f"{seconds}s", "--stop-timeout", "10", "--csv", prefix, "--html",
            f"{prefix}.html", "--only-summary", "--loglevel", "WARNING", *(["--reset-stats"] if reset else []),
            *classes]
    environ = {**os.environ, "LOAD_USERS": str(users_file), "LOAD_THINK": think}
    print("$", " ".join(map(str, args)), flush=True)
    sampler = LoadSampler()
    before = os.getloadavg()
    sampler.start()
    started = time.monotonic()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(list(map(str, args)), env=environ, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL)
    try:
        proc.wait(timeout=seconds + users / spawn + 120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        sampler.stop.set()
    elapsed = time.monotonic() - started
    after = os.getloadavg()
    done = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust's own CPU (gunicorn is reaped only at the end)
    client_cpu = done.ru_utime + done.ru_stime - cpu.ru_utime - cpu.ru_stime
    rows = list(csv.DictReader((WORK / f"{name}_stats.csv").open(encoding="utf-8")))
    failures = list(csv.DictReader((WORK / f"{name}_failures.csv").open(encoding="utf-8")))
    pages = [{"method": r["Type"], "name": r["Name"], "count": int(r["Request Count"]),
              "failures": int(r["Failure Count"]), "p50": float(r["50%"] or 0), "p95": float(r["95%"] or 0),
              "p99": float(r["99%"] or 0), "max": float(r["Max Response Time"] or 0),
              "mean": float(r["Average Response Time"] or 0), "rps": float(r["Requests/s"] or 0),
              "bytes": float(r["Average Content Size"] or 0)} for r in rows]
    return {"name": name, "classes": classes, "users": users, "spawn": spawn, "seconds": seconds, "think": think,
            "elapsed": round(elapsed, 1), "client_cpu_seconds": round(client_cpu, 1), "exit": proc.returncode,
            "reset_after_spawn": reset,
            "pages": [p for p in pages if p["name"] != "Aggregated"],
            "total": next(p for p in pages if p["name"] == "Aggregated"),
            "failures": [{"method": f["Method"], "name": f["Name"], "error": f["Error"],
                          "count": int(f["Occurrences"])} for f in failures],
            "load_before": before, "load_after": after, "load_samples": sampler.samples}


def server_log_problems(log: Path) -> dict:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return {"tracebacks": text.count("Traceback (most recent call last)"),
            "locked": text.count("database is locked"), "worker_timeouts": text.count("WORKER TIMEOUT")}


def copy_database() -> float:
    import psycopg

    started = time.monotonic()
    dbname = URL.rsplit("/", 1)[1]
    admin = URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        for attempt in range(30):  # the template must have no other session while it is copied
            try:
                conn.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{TEMPLATE}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 29:
                    raise
                time.sleep(2)
    return time.monotonic() - started


def run_postgres(reuse: bool) -> dict:
    var = WORK / "var"
    environ = env(URL, var)
    prepared = {}
    if not reuse:
        prepared["copy_seconds"] = round(copy_database(), 1)
        sh(environ, BIN / "chibo", "migrate", "--no-input", "-v", "0")
        started = time.monotonic()
        sh(environ, BIN / "chibo", "stats_figures")
        prepared["stats_figures_seconds"] = round(time.monotonic() - started, 1)
    counts = {k: math.ceil(USERS * w / 100) for k, w in MIX.items()}
    users_file = WORK / "users.json"
    sh(environ, BIN / "python", HERE / "load_sessions.py", users_file, counts["MemberUser"], counts["SecretaryUser"],
       counts["OfficerUser"])
    scale = db_scale(environ)
    log = WORK / "gunicorn-postgres.log"
    log.unlink(missing_ok=True)
    with gunicorn(environ, log) as base:
        runs = [locust(base, "baseline", ["HealthUser"], users=USERS, spawn=max(SPAWN, USERS / 5),
                       seconds=BASELINE_SECONDS, think="0,0", users_file=users_file, reset=True),
                locust(base, "mixed", list(MIX), users=USERS, spawn=SPAWN, seconds=SECONDS, think=THINK,
                       users_file=users_file, reset=False),
                locust(base, "capacity", list(MIX), users=USERS, spawn=max(SPAWN, USERS / 5),
                       seconds=CAPACITY_SECONDS, think="0,0", users_file=users_file, reset=True),
                locust(base, "baseline-after", ["HealthUser"], users=USERS, spawn=max(SPAWN, USERS / 5),
                       seconds=BASELINE_SECONDS, think="0,0", users_file=users_file, reset=True)]
    return {"runs": runs, "server": server_log_problems(log), "scale": scale, "prepared": prepared,
            "accounts": counts}


def db_scale(environ: dict) -> dict:
    out = subprocess.run([str(BIN / "chibo"), "shell", "-c",
                          "from chibo.members.models import Member; from chibo.units.models import Unit; "
                          "print(Member.objects.count(), Unit.objects.count())"],
                         env=environ, cwd=ROOT, text=True, capture_output=True, check=True, timeout=300).stdout
    members, units = map(int, out.split()[-2:])
    return {"members": members, "units": units}


def run_sqlite() -> dict:
    var = WORK / "sqlite"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    environ = env(f"sqlite:///{var / 'load.sqlite3'}", var)
    started = time.monotonic()
    sh(environ, BIN / "chibo", "migrate", "--no-input", "-v", "0")
    sh(environ, BIN / "chibo", "demo")
    built = time.monotonic() - started
    users_file = WORK / "writers.json"
    sh(environ, BIN / "python", HERE / "load_sessions.py", users_file, 0, 0, 0, "--writers", WRITERS)
    scale = db_scale(environ)
    log = WORK / "gunicorn-sqlite.log"
    log.unlink(missing_ok=True)
    threads = max(THREADS, math.ceil(WRITERS / WORKERS))  # every writer in a request at the same time
    with gunicorn(environ, log, threads) as base:
        run = locust(base, "sqlite-writers", ["WriterUser"], users=WRITERS, spawn=WRITERS, seconds=SQLITE_SECONDS,
                     think="0,0", users_file=users_file, reset=False)
    locked = sum(f["count"] for f in run["failures"] if "locked" in f["error"].lower())
    server_errors = sum(f["count"] for f in run["failures"] if f["error"].lstrip("'\"").startswith("5"))
    return {"run": run, "server": server_log_problems(log), "built_seconds": round(built, 1), "scale": scale,
            "threads": threads,
            "locked_reaching_users": locked, "server_errors": server_errors}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True, capture_output=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, text=True,
                           capture_output=True).stdout
    return {"cpu": cpu, "cpus": os.cpu_count(), "ram_gb": mem, "python": platform.python_version(),
            "kernel": platform.release(), "commit": commit.strip(), "src_changes_uncommitted": len(dirty.splitlines())}


def main() -> None:
    args = set(sys.argv[1:])
    WORK.mkdir(parents=True, exist_ok=True)

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum} (time limit {LIMIT} s)")

    signal.signal(signal.SIGALRM, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.alarm(LIMIT)
    report = json.loads(JSON.read_text(encoding="utf-8")) if JSON.exists() else {}
    report.update({"day": date.today().isoformat(), "machine": machine(), "workers": WORKERS, "threads": THREADS})
    if "--sqlite-only" not in args:
        report["postgres"] = run_postgres("--reuse" in args)
    if "--postgres-only" not in args:
        report["sqlite"] = run_sqlite()
    signal.alarm(0)
    JSON.write_text(json.dumps(report, indent=1), encoding="utf-8")
    text = render(report)
    previous = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    kept = NOTES + previous.split(NOTES, 1)[1] if NOTES in previous else ""  # notes written by hand after a run
    REPORT.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")
    write_section(section(report))
    print(text)


def baseline_rps(pg: dict) -> float:
    rates = [x["total"]["rps"] for x in pg["runs"] if x["name"].startswith("baseline")]
    return sum(rates) / len(rates)


def think_mean(think: str) -> float:
    low, high = (float(x) for x in think.split(","))
    return (low + high) / 2


def ms(x: float) -> str:
    return f"{x:,.0f}"


def load_text(run: dict) -> str:
    samples = run["load_samples"] or [run["load_after"][0]]
    return (f"{run['load_before'][0]:.1f} at the start, {max(samples):.1f} at most, "
            f"{sum(samples) / len(samples):.1f} on average")


def page_table(run: dict) -> list[str]:
    lines = ["| page | method | requests | failures | p50 ms | p95 ms | p99 ms | max ms | mean KB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for p in sorted(run["pages"], key=lambda p: p["name"]):
        lines.append(f"| {p['name']} | {p['method']} | {p['count']:,} | {p['failures']} | {ms(p['p50'])} | "
                     f"{ms(p['p95'])} | {ms(p['p99'])} | {ms(p['max'])} | {p['bytes'] / 1024:.1f} |")
    t = run["total"]
    lines.append(f"| **all** | | **{t['count']:,}** | **{t['failures']}** | {ms(t['p50'])} | {ms(t['p95'])} | "
                 f"{ms(t['p99'])} | {ms(t['max'])} | |")
    return lines


def failure_lines(run: dict) -> list[str]:
    if not run["failures"]:
        return ["Failures: **none**."]
    return ["Failures:", ""] + [f"- {f['count']} × {f['method']} {f['name']}: `{f['error'][:300]}`"
                                for f in run["failures"]]


def render(r: dict) -> str:
    m = r["machine"]
    lines = [f"# chibo load test — {date.fromisoformat(r['day']):%d/%m/%Y}", "",
             "Written by `bench/load_test.py` (how to run it: its docstring and bench/README.md). Percentiles are "
             "locust's (rounded to two significant figures above 100 ms).", "",
             f"**Machine:** {m['cpu']}, {m['cpus']} CPUs shared with other engineers' work, {m['ram_gb']} GB RAM; "
             f"Linux {m['kernel']}; Python {m['python']}; commit {m['commit']}"
             + (f" with {m['src_changes_uncommitted']} files of src/ changed and not committed (others' work in "
                "progress)" if m.get("src_changes_uncommitted") else "") + ". "
             f"gunicorn {r['workers']} processes × {r['threads']} threads (gthread) on 127.0.0.1, locust on the same "
             "machine (its CPU counts against the server's).", ""]
    pg = r.get("postgres")
    if pg:
        base, mixed, cap = (next(x for x in pg["runs"] if x["name"] == n) for n in ("baseline", "mixed", "capacity"))
        after = next((x for x in pg["runs"] if x["name"] == "baseline-after"), None)
        a = pg["accounts"]
        trivial = baseline_rps(pg)
        ratio_cap = cap["total"]["rps"] / trivial if trivial else 0
        lines += [
            "## PostgreSQL: 200 users, mixed journeys".replace("200", str(mixed["users"])), "",
            f"A copy of the national bench database: {pg['scale']['members']:,} members in {pg['scale']['units']:,} "
            f"units under the demo organization. One account and one signed-in session per simulated user: "
            f"{a['MemberUser']} members (dangvien.phap and members picked over the whole tree), {a['SecretaryUser']} "
            f"secretaries (bithu.phap, bithu.duc and secretaries of cells of 30 to 300 members), {a['OfficerUser']} "
            "officers (ban.tochuc and other officers of the upper committee, a third; officers of grassroots "
            "committees). locust picks users 60 : 25 : 15 by journey.", "",
            f"**Run:** {mixed['users']} users started at {mixed['spawn']} a second, {mixed['seconds']} s "
            f"(run took {mixed['elapsed']} s), each reading a page for {mixed['think'].replace(',', ' to ')} s "
            f"before the next. Load average (1 min) during it: {load_text(mixed)}.", "",
            f"**Errors: {mixed['total']['failures']}** of {mixed['total']['count']:,} requests; server log: "
            f"{pg['server']['tracebacks']} tracebacks, {pg['server']['worker_timeouts']} worker timeouts "
            "(the whole run, the three phases).", "",
            *page_table(mixed), "", *failure_lines(mixed), "",
            "### Throughput against the trivial view, same run", "",
            "| phase | users | seconds | requests | failures | requests/s | p50 ms | p95 ms | locust CPU s | "
            "load average |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        names = {"baseline": "trivial view `/healthz`, back to back (baseline)",
                 "mixed": f"mixed journeys, {mixed['think'].replace(',', '–')} s reading each page",
                 "capacity": "mixed journeys, back to back",
                 "baseline-after": "trivial view `/healthz` again, back to back (baseline)"}
        for x in (base, mixed, cap, *([after] if after else [])):
            t = x["total"]
            lines.append(f"| {names[x['name']]} | {x['users']} | {x['seconds']} | {t['count']:,} | {t['failures']} | "
                         f"{t['rps']:.1f} | {ms(t['p50'])} | {ms(t['p95'])} | {x['client_cpu_seconds']} | "
                         f"{load_text(x)} |")
        lines += ["", f"Ratio mixed journeys back to back / trivial view: **{ratio_cap:.3f}** "
                      f"({cap['total']['rps']:.1f} against {trivial:.1f} requests/s, the trivial view's rate being "
                      "the mean of the runs before and after). With reading "
                      f"time the {mixed['users']} users asked for {mixed['total']['rps']:.1f} requests/s, "
                      f"{mixed['total']['rps'] / trivial:.3f} of the trivial view's rate. The baseline "
                      "and the capacity run count from the moment all users were up. locust runs on the same two "
                      "CPUs: its CPU seconds (column above) are taken from the server, most of all in the baseline, "
                      "whose rate is therefore a floor of what gunicorn alone would serve.", "",
                  f"At the capacity rate and {mixed['think'].replace(',', '–')} s of reading per page, this machine "
                  f"would carry about {cap['total']['rps'] * think_mean(mixed['think']):.0f} users at once before "
                  "requests queue (capacity × mean reading time).", "",
                  "Pages of the capacity run (back to back):", "", *page_table(cap), "", *failure_lines(cap), ""]
    sq = r.get("sqlite")
    if sq:
        run = sq["run"]
        lines += [f"## SQLite: {run['users']} concurrent writers", "",
                  f"The embedded default: a SQLite file (WAL, IMMEDIATE transactions, busy timeout 20 s, as "
                  f"settings.py sets them) with the demo organization ({sq['scale']['members']:,} members in "
                  f"{sq['scale']['units']:,} units; migrate and demo in {sq['built_seconds']} s), gunicorn as above "
                  f"with {sq.get('threads', r['threads'])} threads a process, so that every writer is in a request "
                  "at the same time. "
                  f"{run['users']} secretaries of the demo's cells write back to back for {run['seconds']} s (run took "
                  f"{run['elapsed']} s): attendance through the meeting page's form and through the API, a member "
                  "of their cell read then edited through the API's PATCH with that version, their notifications "
                  f"marked read; every request also saves the session. Load average (1 min): {load_text(run)}.", "",
                  f"**'database is locked' reaching a user: {sq['locked_reaching_users']}; server errors (5xx): "
                  f"{sq['server_errors']}; failures in all: {run['total']['failures']}** of "
                  f"{run['total']['count']:,} requests ({run['total']['rps']:.1f} requests/s). Server log: "
                  f"{sq['server']['tracebacks']} tracebacks, {sq['server']['locked']} 'database is locked'.", "",
                  *page_table(run), "", *failure_lines(run), ""]
    return "\n".join(lines).rstrip() + "\n"


def section(r: dict) -> str:
    lines = [BEGIN, "## 7. Load test", "", f"`bench/load_test.py` ({date.fromisoformat(r['day']):%d/%m/%Y}): the "
             "full report, per page, is [load_results.md](load_results.md)."]
    pg = r.get("postgres")
    if pg:
        mixed, cap = (next(x for x in pg["runs"] if x["name"] == n) for n in ("mixed", "capacity"))
        trivial = baseline_rps(pg)
        lines.append(f"PostgreSQL, {pg['scale']['members']:,} members: {mixed['users']} users on mixed journeys "
                     f"for {mixed['seconds']} s, **{mixed['total']['failures']} errors** in "
                     f"{mixed['total']['count']:,} requests, p50 {ms(mixed['total']['p50'])} ms, p95 "
                     f"{ms(mixed['total']['p95'])} ms; back to back {cap['total']['rps']:.1f} requests/s against "
                     f"{trivial:.1f} for the trivial view (**{cap['total']['rps'] / trivial:.3f}×**).")
    sq = r.get("sqlite")
    if sq:
        lines.append(f"SQLite: {sq['run']['users']} writers for {sq['run']['seconds']} s, "
                     f"{sq['run']['total']['count']:,} requests, **{sq['locked_reaching_users']} 'database is "
                     f"locked' and {sq['server_errors']} server errors reaching a user**.")
    return "\n".join(lines) + "\n" + END + "\n"


def write_section(text: str) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.sections import write_section as write

    write(text, begin=BEGIN, end=END, before="\n## Notes on this run")


if __name__ == "__main__":
    main()
