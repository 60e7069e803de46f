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


def test_progress_is_visible_while_the_sqlite_writer_holds_the_lock(tmp_path_factory):
    """On SQLite the import's transaction holds the only write lock and the job row cannot change until the
    commit: the page still sees the write phase advance, batch by batch, through the progress file."""
    import json
    import subprocess
    import time
    from pathlib import Path

    from chibo.core.tests.cli_support import PROJECT_DIR, chibo_executable

    rows = 12_000
    path, env = demo_db_copy(tmp_path_factory, "bulk-progress")
    stored = run_chibo("shell", "-c", ENQUEUE_LARGE.replace("ROWS", str(rows)), env=env).stdout.strip().splitlines()[-1]
    progress_file = Path(stored + ".progress")
    worker = subprocess.Popen([chibo_executable(), "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
                              env=env, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = []  # ((row's done, total), (file's done, total)) while the job runs
    try:
        deadline = time.monotonic() + 300
        while worker.poll() is None and time.monotonic() < deadline:
            try:
                found = json.loads(progress_file.read_text())
            except (OSError, ValueError):
                found = None
            if found:
                with sqlite3.connect(path, timeout=30) as db:
                    state, done, total = db.execute("SELECT state, done, total FROM bulk_importjob").fetchone()
                db.close()
                if state == "running":
                    seen.append(((done, total), (found["done"], found["total"])))
            time.sleep(0.02)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
    writing = [(row, file) for row, file in seen if file[1] == rows and 0 < file[0] < rows]  # written/rows
    assert len({file for _, file in writing}) >= 2, seen  # the page saw the write phase advance …
    # … while the job row itself stayed as the analysis left it (the writer holds the lock until the commit)
    assert all(row != file for row, file in writing), writing
    with sqlite3.connect(path) as db:
        state, done, total = db.execute("SELECT state, done, total FROM bulk_importjob").fetchone()
        written = db.execute("SELECT count(*) FROM members_member WHERE card_number >= '61000000' "
                             "AND card_number < '61012000'").fetchone()[0]
    db.close()
    assert (state, done, total, written) == ("done", rows, rows, rows)
    assert not progress_file.exists()  # cleared when the job ended
