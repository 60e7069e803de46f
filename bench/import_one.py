"""One member import on the bench database, in its own process, with the code on PYTHONPATH (this tree's or a
baseline's): python bench/import_one.py FILE. Reads FILE only (parse only: ``open_sheet`` and its rows, as section
3 measures it), then imports it (all rows new), then again (all unchanged); prints one JSON line: for each, the
seconds and the CPU seconds of this process (and for the imports, of which sealing the audit rows after the commit,
the CPU seconds of its database backend, and the audit rows written)."""

import json
import os
import resource
import sys
import time
from pathlib import Path

import django

django.setup()

from django.db import connection  # noqa: E402

import chibo.core.audit as audit  # noqa: E402
from chibo.accounts.models import User  # noqa: E402
from chibo.bulk.reader import open_sheet  # noqa: E402
from chibo.bulk.services import import_file  # noqa: E402
from chibo.core.access import actor_from_user  # noqa: E402

sealing = [0.0]
seal = audit.seal


def timed_seal(**kwargs):
    """The after-commit sealing (``_Sealing`` calls the module's ``seal``), timed."""
    started = time.perf_counter()
    try:
        return seal(**kwargs)
    finally:
        sealing[0] += time.perf_counter() - started


audit.seal = timed_seal


def cpu(backend: int) -> tuple[float, float]:
    """CPU seconds so far (user + system) of this process and of the database backend serving it."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    return me.ru_utime + me.ru_stime, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def audit_rows() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM core_auditevent")
        return cur.fetchone()[0]


def main() -> None:
    path = Path(sys.argv[1])
    actor = actor_from_user(User.objects.get(username="ban.tochuc"))
    out = {"code": str(Path(audit.__file__).resolve().parents[2])}
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    cpu_before = cpu(backend)
    started = time.perf_counter()
    rows = sum(1 for _ in open_sheet(path, path.stat().st_size).rows)
    out["parse"] = {"rows": rows, "seconds": time.perf_counter() - started,
                    "cpu_client": cpu(backend)[0] - cpu_before[0]}
    for key, expect in (("import", "new"), ("again", "unchanged")):
        rows_before, sealing[0] = audit_rows(), 0.0
        cpu_before = cpu(backend)
        started = time.perf_counter()
        plan, outcome = import_file(actor=actor, path=path, size=path.stat().st_size, file_name=path.name, mode="all")
        getattr(audit, "seal_deferred", lambda: None)()  # rows left to the process's sealer thread: sealed and timed
        seconds = time.perf_counter() - started
        cpu_after = cpu(backend)
        assert plan.counts[expect] == plan.counts["rows"], plan.counts
        out[key] = {"rows": plan.counts["rows"], "seconds": seconds, "sealing": sealing[0],
                    "cpu_client": cpu_after[0] - cpu_before[0], "cpu_database": cpu_after[1] - cpu_before[1],
                    "audit_rows": audit_rows() - rows_before}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
