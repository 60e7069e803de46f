"""Large imports run in the real worker (``chibo db_worker --batch``) on a file database; a cancelled job writes
nothing. The subprocesses use a private SQLite copy of the demo (see core/tests/cli_support.py)."""

from __future__ import annotations

import sqlite3

from chibo.core.tests.cli_support import demo_db_copy, run_chibo

ENQUEUE = """
from chibo.accounts.models import User
from chibo.bulk.models import ImportJob
from chibo.bulk import jobs
path = jobs.storage_dir() / "big.csv"
lines = ["Họ và tên;Giới tính;Ngày sinh;Số thẻ đảng viên;Ngày vào Đảng;Ngày chính thức;Diện ở nước ngoài;Mã chi bộ"]
for i in range(3000):
    lines.append(f"Nguyeãn Vaên Ñöùc;Nam;05/03/1985;{60_000_000 + i};19/05/2010;19/05/2011;Trong nước;PHAP-LHS")
path.write_text("\\n".join(lines), encoding="utf-8")
for cancel in (False, True):
    job = ImportJob.objects.create(user=User.objects.get(username="bithu.phap"), file_name="big.csv",
                                   stored_path=str(path), sha256="", mode="all", cancel_requested=cancel)
    jobs.job_run_background(job, dry_run=False)
print("ok")
"""


def test_worker_runs_a_large_import_and_honours_cancel(tmp_path_factory):
    path, env = demo_db_copy(tmp_path_factory, "bulk-worker")
    assert run_chibo("shell", "-c", ENQUEUE, env=env).stdout.strip().endswith("ok")
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT count(*) FROM members_member").fetchone()[0]
        assert db.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status='READY'"
                          ).fetchone()[0] == 2
    db.close()
    run_chibo("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env, timeout=300)
    with sqlite3.connect(path) as db:
        jobs = db.execute("SELECT state, done, total, counts FROM bulk_importjob ORDER BY id").fetchall()
        after = db.execute("SELECT count(*) FROM members_member").fetchone()[0]
        names = {r[0] for r in db.execute("SELECT full_name FROM members_member WHERE card_number >= '60000000' "
                                          "AND card_number < '60003000'")}
        audits = db.execute("SELECT count(*) FROM core_auditevent WHERE action='members.imported'").fetchone()[0]
    db.close()
    assert [j[0] for j in jobs] == ["done", "cancelled"], jobs
    assert jobs[0][1] == jobs[0][2] == 3000
    assert after == before + 3000 and names == {"Nguyễn Văn Đức"}
    assert audits == 1


ENQUEUE_LARGE = """
from chibo.accounts.models import User
from chibo.bulk.models import ImportJob
from chibo.bulk import jobs
path = jobs.storage_dir() / "large.csv"
lines = ["Họ và tên;Giới tính;Ngày sinh;Số thẻ đảng viên;Ngày vào Đảng;Ngày chính thức;Diện ở nước ngoài;Mã chi bộ"]
for i in range(ROWS):
    lines.append(f"Nguyễn Văn Đức;Nam;05/03/1985;{61_000_000 + i};19/05/2010;19/05/2011;Trong nước;PHAP-LHS")
path.write_text("\\n".join(lines), encoding="utf-8")
job = ImportJob.objects.create(user=User.objects.get(username="bithu.phap"), file_name="large.csv",
                               stored_path=str(path), sha256="", mode="all")
jobs.job_run_background(job, dry_run=False)
print(job.stored_path)
"""


def _job_row(path):
    with sqlite3.connect(path, timeout=30) as db:
        row = db.execute("SELECT state, phase, done, total FROM bulk_importjob ORDER BY id DESC").fetchone()
    db.close()
    return row


def _count(path, sql):
    with sqlite3.connect(path, timeout=30) as db:
        found = db.execute(sql).fetchone()[0]
    db.close()
    return found


def _said(proc) -> list[str]:
    """What a shell script printed after JOB."""
    return next(line for line in proc.stdout.splitlines() if line.startswith("JOB ")).split()[1:]


def _worker(env):
    import subprocess

    from chibo.core.tests.cli_support import PROJECT_DIR, chibo_executable

    return subprocess.Popen([chibo_executable(), "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
                            env=env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_an_import_in_the_worker_never_blocks_other_writers(tmp_path_factory):
    """On SQLite the worker writes a job's import in short steps: while it runs, other writers (an audited read,
    a new session, a member edit, each as a request makes it) never fail and never wait 2 seconds; the job row
    shows the real phase and progress as it goes; the import still lands whole, and its journal goes."""
    import json
    import subprocess
    import time

    from chibo.bulk.tests.writers import writers_script
    from chibo.core.tests.cli_support import PROJECT_DIR, chibo_executable

    rows = 5000
    path, env = demo_db_copy(tmp_path_factory, "bulk-steps")
    cards = "card_number >= '61000000' AND card_number < '61005000'"
    run_chibo("shell", "-c", ENQUEUE_LARGE.replace("ROWS", str(rows)), env=env)
    job_id = _count(path, "SELECT max(id) FROM bulk_importjob")
    writers = subprocess.Popen([chibo_executable(), "shell", "-c", writers_script(job=job_id, seconds=90)],
                               env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker = _worker(env)
    seen = []  # (phase, done, total) of the running job, as the page reads them
    started = time.monotonic()
    try:
        deadline = time.monotonic() + 120
        while worker.poll() is None and time.monotonic() < deadline:
            state, phase, done, total = _job_row(path)
            if state == "running":
                seen.append((phase, done, total))
            time.sleep(0.1)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
    took = time.monotonic() - started
    out, err = writers.communicate(timeout=120)
    writes = json.loads(next(line for line in out.splitlines() if line.startswith("WRITES "))[7:])
    assert [w for w in writes if w[3]] == [], (took, err)  # no write failed ("database is locked")
    during = [w for w in writes if w[2] == "writing"]
    assert len(during) >= 15, writes  # the writers did run while the import wrote
    assert max(w[1] for w in writes) < 2, sorted(writes, key=lambda w: -w[1])[:5]
    assert {"reading", "writing"} <= {phase for phase, _, _ in seen}, seen
    writing = sorted({done for phase, done, total in seen if phase == "writing" and total == rows and 0 < done < rows})
    assert len(writing) >= 3, seen  # the job row itself advanced, step by step
    assert _job_row(path) == ("done", "", rows, rows)
    assert _count(path, f"SELECT count(*) FROM members_member WHERE {cards}") == rows
    assert _count(path, "SELECT count(*) FROM bulk_importedrecord") == 0


UNDO = """
from chibo.bulk import jobs
from chibo.bulk.models import ImportJob
job = jobs.job_progress(ImportJob.objects.get(pk=JOB_ID))
print("JOB", job.state, job.phase)
"""

RERUN = """
from chibo.bulk import jobs
from chibo.bulk.models import ImportJob
job = jobs.run_job(ImportJob.objects.select_related("user").get(pk=JOB_ID), dry_run=False)
print("JOB", job.state, job.done)
"""


def test_an_import_whose_worker_dies_mid_write_is_undone_then_runs_again(tmp_path_factory):
    """The worker is killed after some steps committed: once its lease has run out the job is stale, the worker
    undoes the committed steps from the journal (the records, their timeline events, their probation deadlines
    and the counters end as before, the audit log says what was undone), the job is failed and can run again,
    and the second run imports every row."""
    import os
    import signal
    import time

    rows = 2500
    path, env = demo_db_copy(tmp_path_factory, "bulk-undo")
    cards = "card_number >= '61000000' AND card_number < '61002500'"
    run_chibo("shell", "-c", ENQUEUE_LARGE.replace("ROWS", str(rows)), env=env)
    job_id = _count(path, "SELECT max(id) FROM bulk_importjob")
    stored = _count(path, "SELECT stored_path FROM bulk_importjob ORDER BY id DESC")
    state_sql = ("SELECT (SELECT count(*) FROM members_member), (SELECT count(*) FROM members_timelineevent), "
                 "(SELECT count(*) FROM deadlines_deadline), "
                 "(SELECT group_concat(unit_id || ':' || status_probationary || ':' || status_full, ',') FROM "
                 "(SELECT * FROM members_unitmembercount ORDER BY unit_id))")
    with sqlite3.connect(path) as db:
        before = db.execute(state_sql).fetchone()
    db.close()
    worker = _worker(env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state, phase, done, total = _job_row(path)
            if phase == "writing" and total == rows and done >= 1000:
                break
            time.sleep(0.02)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    written = _count(path, f"SELECT count(*) FROM members_member WHERE {cards}")
    assert 0 < written < rows and _count(path, "SELECT count(*) FROM bulk_importedrecord") == written
    assert _said(run_chibo("shell", "-c", UNDO.replace("JOB_ID", str(job_id)), env=env)) == ["running", "writing"]
    with sqlite3.connect(path) as db:  # the lease runs out: no heartbeat for longer than jobs.LEASE
        db.execute("UPDATE bulk_importjob SET heartbeat_at = datetime('now', '-1 hour')")
    db.close()
    old = time.time() - 3600
    if os.path.exists(stored + ".progress"):
        os.utime(stored + ".progress", (old, old))
    assert _said(run_chibo("shell", "-c", UNDO.replace("JOB_ID", str(job_id)), env=env)) == ["running", "undoing"]
    run_chibo("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env, timeout=120)
    assert _job_row(path)[:2] == ("failed", "")
    with sqlite3.connect(path) as db:
        after = db.execute(state_sql).fetchone()
        discarded = db.execute("SELECT count(*) FROM core_auditevent WHERE action = 'member.discarded'").fetchone()[0]
    db.close()
    assert after == before and discarded == written
    assert _count(path, "SELECT count(*) FROM bulk_importedrecord") == 0
    assert _said(run_chibo("shell", "-c", RERUN.replace("JOB_ID", str(job_id)), env=env)) == ["done", str(rows)]
    assert _count(path, f"SELECT count(*) FROM members_member WHERE {cards}") == rows
