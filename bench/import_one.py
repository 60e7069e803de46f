"""One member import on the bench database, in its own process, with the code on PYTHONPATH (this tree's or a
baseline's): python bench/import_one.py FILE. Reads FILE only (parse only: ``open_sheet`` and its rows, as section
3 measures it), then imports it (all rows new), then again (all unchanged); prints one JSON line: for each, the
seconds and the CPU seconds of this process (and for the imports, of which sealing the audit rows after the commit,
the CPU seconds of its database backend, and the audit rows written). After the first import, the database floor:
the same records written again by the database alone, in a transaction rolled back (``floor``)."""

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


def floor(after_audit_id: int) -> dict:
    """What the database alone takes to store the records the import just wrote, measured on them: each member
    imported copied into a new row (a new id, card and dossier numbers made from it), with its "created" timeline
    event and its chained audit row, by ``INSERT … SELECT`` (no COPY to parse, no network, no checking), then the
    deferred foreign-key checks; rolled back. Seconds of each step, and their sum. A floor for any importer of
    these records into this schema on this machine."""
    from django.db import transaction

    from chibo.members.models import Member

    columns = [f.column for f in Member._meta.concrete_fields if not f.primary_key]
    made = {"card_number": "'F' || map.new::text", "dossier_number": "'F' || map.new::text"}
    select = ", ".join(f"m.{c}" if c not in made else f"{made[c]} AS {c}" for c in columns)
    ready = [  # the rows to write, made first (not timed): the steps timed only insert them
        "CREATE TEMP TABLE floor_map ON COMMIT DROP AS SELECT object_id::bigint AS old, "
        "nextval(pg_get_serial_sequence('members_member', 'id')) AS new FROM core_auditevent "
        "WHERE id > %s AND action = 'member.created' AND object_type = 'member'",
        f"CREATE TEMP TABLE floor_members ON COMMIT DROP AS SELECT map.new AS id, {select} "
        "FROM members_member m JOIN floor_map map ON m.id = map.old",
        "CREATE TEMP TABLE floor_events ON COMMIT DROP AS SELECT e.kind, e.occurred_on, e.actor_label, e.data, "
        "map.new AS member_id, e.unit_id FROM members_timelineevent e JOIN floor_map map ON e.member_id = map.old "
        "WHERE e.kind = 'member.created'",
        "CREATE TEMP TABLE floor_audit ON COMMIT DROP AS SELECT a.actor_id, a.actor_label, a.action, a.object_type, "
        "map.new::text AS object_id, a.unit_id, a.ip, a.data, a.hash, a.digest FROM core_auditevent a "
        "JOIN floor_map map ON a.object_id = map.old::text "
        "WHERE a.id > %s AND a.action = 'member.created' AND a.object_type = 'member'",
    ]
    steps = {
        "members": f"INSERT INTO members_member (id, {', '.join(columns)}) SELECT id, {', '.join(columns)} "
                   "FROM floor_members",
        "events": "INSERT INTO members_timelineevent (kind, occurred_on, recorded_at, actor_label, data, member_id, "
                  "unit_id) SELECT kind, occurred_on, now(), actor_label, data, member_id, unit_id FROM floor_events",
        "audit": "INSERT INTO core_auditevent (seq, at, actor_id, actor_label, action, object_type, object_id, "
                 "unit_id, ip, data, prev_hash, hash, digest) SELECT (SELECT max(seq) FROM core_auditevent) "
                 "+ row_number() OVER (), now(), actor_id, actor_label, action, object_type, object_id, unit_id, ip, "
                 "data, hash, md5(hash) || md5(digest), digest FROM floor_audit",
        "checks": "SET CONSTRAINTS ALL IMMEDIATE",
    }
    out = {}
    with transaction.atomic(), connection.cursor() as cur:
        for sql in ready:
            cur.execute(sql, [after_audit_id] * sql.count("%s"))
        for name, sql in steps.items():
            started = time.perf_counter()
            cur.execute(sql, [after_audit_id] * sql.count("%s"))
            out[name] = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM floor_members")
        out["rows"] = cur.fetchone()[0]
        transaction.set_rollback(True)
    out["seconds"] = sum(out[name] for name in steps)
    return out


def last_audit_id() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM core_auditevent")
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
        rows_before, sealing[0], last_id = audit_rows(), 0.0, last_audit_id()
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
        if key == "import":
            out["floor"] = floor(last_id)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
