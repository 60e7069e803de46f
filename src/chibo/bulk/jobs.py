"""Import jobs: the uploaded file kept under VAR_DIR/imports, a dry run or a real import, run inline for small
files and by the worker (django-tasks) for large ones, with progress and cancel."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from chibo.bulk.models import ImportJob, JobState
from chibo.bulk.reader import FileRefused
from chibo.bulk.services import ImportCancelled, ImportRefused, Plan, import_file, report_xlsx

INLINE_MAX_BYTES = 512 * 1024  # larger files go to the worker


def storage_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_create(*, actor, upload, unit, mode: str) -> ImportJob:
    suffix = Path(upload.name).suffix.lower()[:6]
    stored = storage_dir() / f"{uuid.uuid4().hex}{suffix}"
    with open(stored, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return ImportJob.objects.create(user=actor.user, unit=unit, file_name=upload.name[:200], stored_path=str(stored),
                                    sha256="", mode=mode)


def report_path(job: ImportJob) -> str:
    return job.stored_path + ".report.xlsx"


def _side_update(job_id: int, *, side_ok: bool, **fields) -> None:
    """Progress written, and the cancel flag read, through a second connection so the page sees them while the
    import's transaction is open (PostgreSQL, job row committed beforehand); on SQLite the writer holds the
    lock, so progress is only written between phases."""
    from django.db import connection

    if not connection.in_atomic_block:
        ImportJob.objects.filter(pk=job_id).update(**fields)
        if ImportJob.objects.filter(pk=job_id, cancel_requested=True).exists():
            raise ImportCancelled
        return
    if connection.vendor != "postgresql" or not side_ok:
        return
    side = connections.create_connection("default")
    cancel = False
    try:
        with side.cursor() as cur:
            cur.execute("SET lock_timeout = '2s'")
            sets = ", ".join(f"{k} = %s" for k in fields)
            cur.execute(f"UPDATE bulk_importjob SET {sets} WHERE id = %s", [*fields.values(), job_id])
            cur.execute("SELECT cancel_requested FROM bulk_importjob WHERE id = %s", [job_id])
            row = cur.fetchone()
            cancel = bool(row and row[0])
        side.commit()
    except Exception:  # progress is best effort; the import itself must not fail because of it
        cancel = False
    finally:
        side.close()
    if cancel:
        raise ImportCancelled


def run_job(job: ImportJob, *, dry_run: bool, override: dict | None = None) -> ImportJob:
    """Run the job's file; ``override`` (header key → field, "" to skip) is the user's column mapping, kept in
    the job so the real import uses what the dry run showed."""
    from django.db import connection

    from chibo.core.access import actor_from_user

    actor = actor_from_user(job.user)
    side_ok = not connection.in_atomic_block  # the job row is committed: a second connection can see it
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, message="")

    def progress(done: int, total: int) -> None:
        _side_update(job.pk, side_ok=side_ok, done=done, total=total)

    plan: Plan | None = None
    override = override if override is not None else (job.counts or {}).get("override") or None
    unknown: list[str] = []
    try:
        plan, outcome = import_file(actor=actor, path=job.stored_path, size=os.path.getsize(job.stored_path),
                                    file_name=job.file_name, unit=job.unit, mode=job.mode, dry_run=dry_run,
                                    mapping_override=override, progress=progress)
        state, message = JobState.DONE, ""
    except ImportCancelled:
        state, message = JobState.CANCELLED, "Đã hủy; không có gì được ghi."
    except ImportRefused as exc:
        state, message, unknown = JobState.FAILED, str(exc), exc.unknown
    except FileRefused as exc:
        state, message = JobState.FAILED, str(exc)
    except Exception as exc:  # the transaction rolled back; say so plainly
        state, message = JobState.FAILED, f"Lỗi khi nhập ({exc.__class__.__name__}); không có gì được ghi."
    counts = {"unknown": unknown, "override": override or {}}
    if plan is not None:
        with open(report_path(job), "wb") as fh:
            fh.write(report_xlsx(plan))
        counts = {**counts, **plan.counts, "dry_run": dry_run, "unknown": plan.unknown, "sha256": plan.sha256,
                  "encodings": plan.encodings, "conversions": plan.conversions[:15],
                  "errors": [(r.number, "; ".join(r.errors)) for r in plan.rows if r.errors][:50]}
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, message=message, counts=counts, sha256=counts.get("sha256", ""), finished_at=timezone.now(),
        done=len(plan.rows) if plan else 0, total=len(plan.rows) if plan else 0)
    job.refresh_from_db()
    return job


def job_run_background(job: ImportJob, *, dry_run: bool) -> None:
    from chibo.bulk.tasks import run_import

    run_import.enqueue(job.pk, dry_run)


def run_from_worker(job_id: int, dry_run: bool) -> str:
    close_old_connections()
    job = ImportJob.objects.select_related("user", "unit").get(pk=job_id)
    if job.cancel_requested:
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, finished_at=timezone.now())
        return JobState.CANCELLED
    return run_job(job, dry_run=dry_run).state
