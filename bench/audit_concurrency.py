"""Audit chain under concurrent writes: `.venv/bin/python bench/audit_concurrency.py` (PostgreSQL only).

Builds a throw-away database (BENCH_AUDIT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/chibo_auditbench_<pid>, dropped at the end) and measures, in the same run:
  1. write throughput of BENCH_AUDIT_WRITERS [8] processes, each on its own unit, each running short
     transactions that update its own member row and append one audit event (a service write), against the
     same transactions without the audit event, and with the audit row inserted but never chained (what the
     row itself costs); BENCH_AUDIT_SECONDS [8] per run, BENCH_AUDIT_REPS [3] runs of each, alternated,
     median reported;
  2. an import: one process holds a long transaction that updates its rows and audits BENCH_AUDIT_IMPORT_EVENTS
     [30000] events in batches of 1000 (``audit_many``) while the others keep writing; reported is how many
     commits the others made while the import ran and their longest wait, with and without the audit events.
Writes its section into bench/results.md (between the ``audit-concurrency`` markers) and
bench/audit_concurrency.json.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# set in the environment so the writer processes (spawned) name the same database
URL = os.environ.setdefault("BENCH_AUDIT_DATABASE_URL",
                           f"postgres://postgres@127.0.0.1:5432/chibo_auditbench_{os.getpid()}")
WRITERS = int(os.environ.get("BENCH_AUDIT_WRITERS", "8"))
SECONDS = float(os.environ.get("BENCH_AUDIT_SECONDS", "8"))
REPS = int(os.environ.get("BENCH_AUDIT_REPS", "3"))
IMPORT_EVENTS = int(os.environ.get("BENCH_AUDIT_IMPORT_EVENTS", "30000"))
IMPORT_BATCH = 1000
IMPORT_MEMBERS = 200
BEGIN = "<!-- audit-concurrency -->"
END = "<!-- /audit-concurrency -->"
FAMILY = ["Nguyễn", "Trần", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Kim"]
GIVEN = ["An", "Bình", "Chung", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khoa", "Lâm", "Long", "Minh", "Nam", "Phong",
         "Quang", "Sơn", "Tâm", "Thành", "Trung", "Vinh"]


def configure() -> None:
    os.environ.update({"DATABASE_URL": URL, "CHIBO_ENV": "dev", "CHIBO_DEBUG": "0",
                       "CHIBO_VAR_DIR": str(ROOT / "var" / "bench"), "DJANGO_SETTINGS_MODULE": "chibo.settings"})
    for path in (str(ROOT / "src"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def admin_url() -> tuple[str, str]:
    base, dbname = URL.rsplit("/", 1)
    return base.replace("postgres://", "postgresql://", 1) + "/postgres", dbname


def create_database() -> None:
    import psycopg

    admin, dbname = admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def drop_database() -> None:
    import psycopg

    admin, dbname = admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def build() -> dict:
    """One unit per writer with one member; the importer's unit with IMPORT_MEMBERS members."""
    from django.core.management import call_command

    from chibo.core.access import SYSTEM, Actor, Grant, Role
    from chibo.members.models import Category, Status
    from chibo.members.services import member_create
    from chibo.units.services import unit_create

    call_command("migrate", "--no-input", verbosity=0)
    root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao", code="DU",
                       opened_on=date(2000, 1, 1))
    root.refresh_from_db()
    officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="bench")

    def people(unit, n, family):
        return [member_create(actor=officer, unit=unit, status=Status.FULL,
                              full_name=f"{family} {MIDDLE[i // len(GIVEN) % len(MIDDLE)]} {GIVEN[i % len(GIVEN)]}",
                              gender="M", birth_date=date(1980, 1, 1), admission_date=date(2005, 1, 1),
                              confirmation_date=date(2006, 1, 1), category=Category.MISSION_STAFF).pk
                for i in range(n)]

    writers = []
    for i in range(WRITERS):
        cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name=f"Chi bộ {i}", code=f"C{i}",
                           opened_on=date(2001, 1, 1))
        writers.append({"unit": cell.pk, "member": people(cell, 1, FAMILY[i % len(FAMILY)])[0]})
    cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name="Chi bộ nhập", code="IMP",
                       opened_on=date(2001, 1, 1))
    return {"writers": writers, "importer": {"unit": cell.pk, "members": people(cell, IMPORT_MEMBERS, "Lê")}}


# -- the processes --------------------------------------------------------------------------------------------
MODES = {"plain": "update only (no audit event)", "unchained": "update + the audit row, never chained",
         "audited": "update + `audit()`"}


def short_writer(index: int, mine: dict, mode: str, barrier, stop_at_box, out) -> None:
    """Short transactions until the shared deadline: update my member, append one audit event (``mode``)."""
    configure()
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from chibo.core.access import Actor
    from chibo.core.audit import audit, row_digest, seal_deferred
    from chibo.core.models import AuditEvent
    from chibo.members.models import Member

    actor = Actor(user=None, label=f"writer.{index}", ip="127.0.0.1")
    member = Member.objects.get(pk=mine["member"])

    def write(n: int) -> None:
        with transaction.atomic():
            Member.objects.filter(pk=member.pk).update(job_title=f"Bí thư {n}", version=F("version") + 1)
            if mode == "audited":
                audit(actor=actor, action="member.updated", obj=member, unit=mine["unit"],
                      data={"changes": {"job_title": f"Bí thư {n}"}})
            elif mode == "unchained":
                row = AuditEvent(at=timezone.now(), actor_label=actor.label, action="member.updated",
                                 object_type="member", object_id=str(member.pk), unit_id=mine["unit"], ip=actor.ip,
                                 data={"changes": {"job_title": f"Bí thư {n}"}})
                row.digest = row_digest(row)
                row.save(force_insert=True)

    write(0)  # warm-up: connection, statement caches
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    barrier.wait()
    cpu = (time.process_time(), server_cpu(backend))
    commits: list[tuple[float, float]] = []
    n = 0
    while (began := time.time()) < stop_at_box.value:
        n += 1
        write(n)
        commits.append((began, time.time()))
    if mode == "audited":
        seal_deferred()  # what the writes left to the process's sealer thread, sealed and counted here
    cpu = (time.process_time() - cpu[0], server_cpu(backend) - cpu[1] + sealer_cpu(connection))
    connection.close()
    out.put(("writer", index, (commits, cpu)))


def sealer_cpu(connection) -> float:
    """CPU seconds of this process's audit sealer thread's backend (``CHIBO_AUDIT_SEAL_MS``; all of it falls in
    the run: the thread starts at the run's first deferred sealing), 0 if the process has none. The thread's own
    CPU is in the process's ``time.process_time()`` already."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                       [f"chibo audit sealer {os.getpid()}"])
        return sum(server_cpu(pid) for (pid,) in cursor.fetchall())


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the PostgreSQL backend ``pid`` (the server runs on this machine); 0 if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def importer(mine: dict, mode: str, barrier, delay: float, stop_at_box, out) -> None:
    """One long transaction: update the importer's members and audit IMPORT_EVENTS events, in batches;
    the others stop writing a second after it commits."""
    configure()
    from django.db import connection, transaction
    from django.db.models import F

    from chibo.core.access import Actor
    from chibo.core.audit import audit_many
    from chibo.members.models import Member

    actor = Actor(user=None, label="importer", ip="127.0.0.1")
    members = list(Member.objects.filter(pk__in=mine["members"]).order_by("pk"))
    barrier.wait()
    time.sleep(delay)
    began = time.time()
    with transaction.atomic():
        done = 0
        while done < IMPORT_EVENTS:
            n = min(IMPORT_BATCH, IMPORT_EVENTS - done)
            Member.objects.filter(pk__in=mine["members"]).update(version=F("version") + 1)
            if mode == "audited":
                audit_many(actor=actor, events=[("member.updated", members[(done + k) % len(members)], mine["unit"],
                                                 {"row": done + k}) for k in range(n)])
            done += n
        inside = time.time()
    committed = time.time()
    stop_at_box.value = committed + delay
    connection.close()
    out.put(("importer", 0, ((began, inside, committed), None)))


def run_writers(world: dict, *, mode: str, seconds: float, with_import: bool) -> dict:
    """``seconds`` of writing by every writer; with ``with_import``, until a second after the import commits."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    writers = world["writers"][:WRITERS - 1] if with_import else world["writers"]
    parties = len(writers) + (1 if with_import else 0) + 1
    barrier = ctx.Barrier(parties, timeout=300)  # a writer that dies before the start breaks it
    stop_at = ctx.Value("d", 0.0)
    procs = [ctx.Process(target=short_writer, args=(i, w, mode, barrier, stop_at, out))
             for i, w in enumerate(writers)]
    if with_import:
        procs.append(ctx.Process(target=importer, args=(world["importer"], mode, barrier, 1.0, stop_at, out)))
    for p in procs:
        p.start()
    stop_at.value = time.time() + 3600  # until the barrier releases everyone
    barrier.wait()
    start = time.time()
    if not with_import:
        stop_at.value = start + seconds
    results = []
    while len(results) < len(procs):
        try:
            results.append(out.get(timeout=1))
        except queue.Empty:
            if any(p.exitcode for p in procs):
                for p in procs:
                    p.kill()
                raise SystemExit("a writer process failed (see its traceback above)") from None
    seconds = stop_at.value - start
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a writer process failed (exit code {p.exitcode})")
    commits = [c for kind, _, (cs, _) in results if kind == "writer" for c in cs]
    client_cpu = sum(cpu[0] for kind, _, (_, cpu) in results if kind == "writer")
    backend_cpu = sum(cpu[1] for kind, _, (_, cpu) in results if kind == "writer")
    latencies = sorted((e - b) * 1000 for b, e in commits)
    if mode == "unchained":  # rows no sealer may take in the next runs
        from chibo.core.models import AuditEvent

        AuditEvent.objects.filter(seq__isnull=True).delete()
    report = {"mode": mode, "writers": len(writers), "seconds": seconds, "commits": len(commits),
              "per_second": len(commits) / seconds,
              "latency_ms": {"p50": pct(latencies, 0.5), "p95": pct(latencies, 0.95), "max": latencies[-1]},
              "cpu_ms_per_commit": {"client": 1000 * client_cpu / len(commits),
                                    "server": 1000 * backend_cpu / len(commits)}}
    if with_import:
        began, inside, committed = next(v for kind, _, (v, _) in results if kind == "importer")
        during = [(b, e) for b, e in commits if began <= e <= committed]
        outside = [(b, e) for b, e in commits if e < began or e > committed]
        window = committed - began
        waits = [(e - b) * 1000 for b, e in commits if b < committed and e > began]
        report["import"] = {
            "events": IMPORT_EVENTS if mode == "audited" else 0, "seconds": window,
            "commits_during": len(during), "per_second_during": len(during) / window,
            "per_second_outside": len(outside) / max(seconds - window, 1e-9),
            "longest_wait_ms": max(waits) if waits else 0.0,
            "longest_gap_ms": longest_gap(sorted(e for _, e in commits), began, committed) * 1000,
        }
    return report


def longest_gap(ends: list[float], began: float, committed: float) -> float:
    """The longest stretch within [began, committed] in which no other writer committed."""
    points = [began] + [e for e in ends if began < e < committed] + [committed]
    return max(b - a for a, b in zip(points, points[1:], strict=False))


def paired(these: list[float], those: list[float]) -> float:
    """The median of the ratios of runs made next to each other: the machine's load drifts between runs."""
    return statistics.median(a / b for a, b in zip(these, those, strict=True))


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def chain_state() -> dict:
    from django.db import connection

    from chibo.core.audit import verify_chain
    from chibo.core.models import AuditEvent

    fields = {f.name for f in AuditEvent._meta.get_fields()}
    pending = AuditEvent.objects.filter(seq__isnull=True).count() if "digest" in fields else 0
    started = time.perf_counter()
    result = verify_chain()
    connection.close()
    return {"rows": AuditEvent.objects.count(), "pending_after_run": pending, "verified": result.checked,
            "ok": result.ok, "reason": result.reason, "verify_seconds": time.perf_counter() - started}


# -- results ----------------------------------------------------------------------------------------------------
def render(r: dict, machine: str) -> str:
    t, i = r["throughput"], r["import"]
    lines = [BEGIN, "## 5. Audit chain under concurrent writes", "",
             f"`bench/audit_concurrency.py` (run by itself, {r['day']}, on a throw-away database of the same "
             f"server; {machine}). {WRITERS} writer processes, each on its own unit, run short transactions "
             "that update their own member row and append one audit event (`audit()`, as a service write does); "
             "the baseline is the same transactions without the audit event; the middle line inserts the same "
             "audit row but never chains it (the row's own cost, the floor for any chain). "
             f"{SECONDS:.0f} s per run, {REPS} runs of each alternated; the median run is shown, and the ratios "
             "are medians of the ratios of runs made next to each other (the machine's load drifts between runs). "
             "CPU is the writers' processes plus their PostgreSQL backends, per commit (sealing included): the "
             "throughput ratio a machine saturated by these writes alone would show. "
             "Target: the audited figure at least half the unaudited one, and no writer waiting for an import.", "",
             "| writes | commits/s | p50 ms | p95 ms | max ms | CPU ms/commit |", "|---|---:|---:|---:|---:|---:|"]
    for key, label in MODES.items():
        m = t[key]
        lines.append(f"| {label} | {m['per_second']:,.0f} | {m['latency_ms']['p50']:.1f} | "
                     f"{m['latency_ms']['p95']:.1f} | {m['latency_ms']['max']:.0f} | "
                     f"{t['cpu_ms_per_commit'][key]:.2f} |")
    runs = {k: ", ".join(f"{x:,.0f}" for x in v) for k, v in t["runs"].items()}
    lines += ["", f"Ratio audited / unaudited: **{t['ratio']:.2f}** (by CPU per commit: {t['cpu_ratio']:.2f}); "
              f"audited / unchained row: {t['ratio_unchained']:.2f}. Runs, commits/s: unaudited {runs['plain']}; "
              f"unchained {runs['unchained']}; audited {runs['audited']}.", "",
              f"Import: one process updates its {IMPORT_MEMBERS} members and audits {IMPORT_EVENTS:,} events "
              f"(`audit_many`, batches of {IMPORT_BATCH}) in one transaction while the other {WRITERS - 1} write "
              "as above.", "",
              "| import | import s | others' commits during it | their commits/s during / outside | "
              "others' longest wait ms | longest stretch with no commit ms |",
              "|---|---:|---:|---:|---:|---:|"]
    for key, label in (("plain", "updates only (no audit events)"), ("audited", "updates + audit events")):
        m = i[key]["import"]
        lines.append(f"| {label} | {m['seconds']:.1f} | {m['commits_during']:,} | "
                     f"{m['per_second_during']:,.0f} / {m['per_second_outside']:,.0f} | {m['longest_wait_ms']:,.0f} | "
                     f"{m['longest_gap_ms']:,.0f} |")
    m = i["audited"]["import"]
    blocked = m["longest_gap_ms"] >= 0.8 * m["seconds"] * 1000
    c = r["chain"]
    lines += ["", "Others blocked for the whole import: **" + ("yes" if blocked else "no") + f"** (no other writer "
              f"committed for {m['longest_gap_ms'] / 1000:.1f} s of its {m['seconds']:.1f} s). "
              f"Afterwards the chain held {c['rows']:,} rows, {c['pending_after_run']:,} of them not yet sealed when "
              f"the writers stopped; `verify_chain()` {'passed' if c['ok'] else 'FAILED: ' + c['reason']} over "
              f"{c['verified']:,} rows in {c['verify_seconds']:.1f} s.", END]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    from bench.sections import write_section as write  # the root is on sys.path once the script runs

    write(section, begin=BEGIN, end=END, before="\n## Notes on this run")


def machine() -> str:
    import platform

    import psycopg

    with psycopg.connect(URL.replace("postgres://", "postgresql://", 1)) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {pg}"


def main() -> None:
    if not URL.startswith("postgres"):
        raise SystemExit("BENCH_AUDIT_DATABASE_URL must name a PostgreSQL database (it is dropped and re-created).")
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    create_database()
    try:
        configure()
        world = build()
        runs = {key: [] for key in MODES}
        details = {key: [] for key in MODES}
        for rep in range(REPS):
            for key in list(MODES) if rep % 2 == 0 else list(MODES)[::-1]:
                report = run_writers(world, mode=key, seconds=SECONDS, with_import=False)
                runs[key].append(report["per_second"])
                details[key].append(report)
                print(f"run {rep + 1}/{REPS} {key:9s} {report['per_second']:8.0f} commits/s", flush=True)
        median = {k: sorted(details[k], key=lambda d: d["per_second"])[len(details[k]) // 2] for k in details}
        cpu = {k: statistics.median(sum(d["cpu_ms_per_commit"].values()) for d in details[k]) for k in details}
        throughput = {**median, "runs": runs, "cpu_ms_per_commit": cpu,
                      "ratio": paired(runs["audited"], runs["plain"]),
                      "ratio_unchained": paired(runs["audited"], runs["unchained"]),
                      "cpu_ratio": cpu["plain"] / cpu["audited"] if cpu["audited"] else 0.0}
        imports = {}
        for key in ("plain", "audited"):
            imports[key] = run_writers(world, mode=key, seconds=0, with_import=True)
            print(f"import {key:8s} {json.dumps(imports[key]['import'])}", flush=True)
        report = {"day": f"{date.today():%d/%m/%Y}", "throughput": throughput, "import": imports,
                  "chain": chain_state()}
        section = render(report, machine())
    finally:
        from django.db import connections

        connections.close_all()
        if "BENCH_AUDIT_KEEP" not in os.environ:
            drop_database()
    (HERE / "audit_concurrency.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    write_section(section)
    print(section)


if __name__ == "__main__":
    main()
