"""Targets of the permission matrix for the bulk routes: a finished dry-run import of bithu.phap."""

from __future__ import annotations

import uuid

from chibo.bulk import jobs
from chibo.bulk.models import ImportJob

CSV = "Họ và tên;Giới tính;Ngày sinh;Số thẻ đảng viên;Ngày vào Đảng;Diện ở nước ngoài;Mã chi bộ\n" \
      "Lê Văn Tám;Nam;01/02/1990;99000001;03/04/2020;Lưu học sinh tự túc;PHAP-LHS\n"


def import_job_targets(personas) -> dict[str, int]:
    path = jobs.storage_dir() / f"{uuid.uuid4().hex}.csv"
    path.write_text(CSV, encoding="utf-8")
    job = ImportJob.objects.create(user=personas["bithu.phap"], unit=None, file_name="ds.csv", stored_path=str(path),
                                   sha256="", mode="all")
    jobs.run_job(job, dry_run=True)
    assert job.state == "done" and job.counts["new"] == 1, (job.state, job.message, job.counts)
    return {"job_phap": job.pk, "job_missing": job.pk + 1000}
