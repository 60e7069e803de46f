"""The import through the API: a multipart upload is a dry run (nothing written), the counts say what the
import would do, the real import writes exactly the valid rows; a finished job cannot be cancelled."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.bulk.tests.test_import import HEADER, rows_for
from chibo.members.models import Member

pytestmark = pytest.mark.django_db


def csv(rows) -> SimpleUploadedFile:
    text = "\n".join(";".join(str(c) for c in r) for r in [HEADER, *rows])
    return SimpleUploadedFile("ds.csv", text.encode("utf-8"), content_type="text/csv")


def test_upload_dry_run_then_import_the_valid_rows(client_of):
    api = client_of("bithu.phap")
    rows = rows_for(["Nguyễn Văn Đức", "Trần Thị Hằng", "Phạm Ngọc Ánh"], card_base=55_000_000)
    rows[2][3] = "31/02/1980"  # not a date
    answer = api.post("/api/v1/imports/", {"file": csv(rows), "mode": "valid"})
    assert answer.status_code == 201, answer.content
    job = answer.json()
    assert job["state"] == "done" and job["dry_run"] is True
    assert job["counts"] == {"rows": 3, "new": 2, "update": 0, "unchanged": 0, "error": 1}
    assert not Member.objects.filter(card_number__startswith="5500000").exists()
    assert api.get(f"/api/v1/imports/{job['id']}/").json()["counts"] == job["counts"]

    bad = api.post(f"/api/v1/imports/{job['id']}/run/", {"mode": "sometimes"}, content_type="application/json")
    assert bad.status_code == 400 and "mode" in bad.json()
    done = api.post(f"/api/v1/imports/{job['id']}/run/", {"mode": "valid"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["dry_run"] is False
    assert Member.objects.filter(card_number__startswith="5500000").count() == 2
    # Imported already: a second real run is refused until a new dry run; a finished job cannot be stopped.
    again = api.post(f"/api/v1/imports/{job['id']}/run/", {"mode": "valid"}, content_type="application/json")
    assert again.status_code == 400
    assert api.post(f"/api/v1/imports/{job['id']}/cancel/").status_code == 409
    # Another user's job is not found, even for an officer over the whole tree.
    assert client_of("ban.tochuc").get(f"/api/v1/imports/{job['id']}/").status_code == 404


def test_an_upload_without_a_file_or_for_a_reader_is_refused(client_of):
    before = Member.objects.count()
    assert client_of("bithu.phap").post("/api/v1/imports/", {"mode": "all"}).status_code == 400
    assert client_of("ub.kiemtra").post("/api/v1/imports/", {"file": csv([])}).status_code == 403
    assert client_of("dangvien.phap").post("/api/v1/imports/", {"file": csv([])}).status_code == 404
    assert Member.objects.count() == before


def test_uploads_are_private_removed_after_the_import_and_purged_by_the_rule(client_of):
    import os
    import stat
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from chibo.bulk import jobs
    from chibo.bulk.models import ImportJob

    api = client_of("bithu.phap")
    rows = rows_for(["Nguyễn Văn Đức", "Trần Thị Hằng"], card_base=56_000_000)
    first = api.post("/api/v1/imports/", {"file": csv(rows), "mode": "all"}).json()
    job = ImportJob.objects.get(pk=first["id"])
    for path in (job.stored_path, jobs.report_path(job)):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert stat.S_IMODE(os.stat(jobs.storage_dir()).st_mode) == 0o700
    api.post(f"/api/v1/imports/{job.pk}/run/", {"mode": "all"}, content_type="application/json")
    assert not os.path.exists(job.stored_path)  # the list itself goes once imported
    assert os.path.exists(jobs.report_path(job))  # the report stays for the rule's days

    second = ImportJob.objects.get(pk=api.post("/api/v1/imports/", {"file": csv(rows)}).json()["id"])
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=4))
    call_command("reminders", stdout=open(os.devnull, "w"))  # the daily sweep
    assert not os.path.exists(jobs.report_path(job))
    assert os.path.exists(second.stored_path) and os.path.exists(jobs.report_path(second))  # within the rule
    assert api.get(f"/bulk/import/{job.pk}/report/").status_code == 404


def test_an_import_whose_worker_died_is_marked_failed_and_can_be_run_again(client_of):
    import os
    import time as _time

    from chibo.bulk import jobs
    from chibo.bulk.models import ImportJob, JobState

    api = client_of("bithu.phap")
    rows = rows_for(["Nguyễn Văn Đức", "Trần Thị Hằng"], card_base=57_000_000)
    job = ImportJob.objects.get(pk=api.post("/api/v1/imports/", {"file": csv(rows), "mode": "all"}).json()["id"])
    # The real import started in a worker that was then killed: the row says running, the heartbeat is old.
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, done=0, total=0)
    jobs._write_progress(job.stored_path, 1, 2)
    old = _time.time() - 11 * 60
    os.utime(jobs._progress_file(job), (old, old))
    seen = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert seen["state"] == "failed" and "chạy lại" in seen["message"]
    again = api.post(f"/api/v1/imports/{job.pk}/run/", {"mode": "all"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["state"] == "done"
    assert Member.objects.filter(card_number__startswith="5700000").count() == 2


def test_a_queued_import_is_cancelled_at_once(client_of):
    from chibo.bulk.models import ImportJob, JobState

    api = client_of("bithu.phap")
    job = ImportJob.objects.get(pk=api.post("/api/v1/imports/", {"file": csv(rows_for(["Lê Văn Tám"],
                                                                                      card_base=58_000_000))}).json()["id"])
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, done=0, total=0)
    answer = api.post(f"/api/v1/imports/{job.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"
