"""Import jobs: the uploaded file kept under VAR_DIR/imports, a dry run or a real import, run inline for small
files and by the worker (django-tasks) for large ones, with progress and cancel.

While an import's transaction is open, the job row cannot carry its progress (its own writes are invisible
until the commit). So progress and the cancel request also travel through two small files next to the stored
upload, which the web server and the worker already share: ``<file>.progress`` (written by the job at each batch,
read by the job page) and ``<file>.cancel`` (made by the cancel button, checked by the job at each batch). On
PostgreSQL the job row is also updated through a second connection. On SQLite a job's real import is written in
short steps (services.execute with ``job``), between which the job row itself is updated.

A running job holds a lease: its heartbeat (``heartbeat_at``, renewed at each batch and step, and the progress
file's time) must stay younger than LEASE, or the job is stale: its worker died. A stale job is marked failed and
can be run again; if it had committed steps (SQLite), the worker first undoes them from the job's journal
(``undo_from_worker``), and the job says so meanwhile (phase "undoing"). ``phase`` tells the page what the job
is doing: waiting for the worker, reading and checking the file, writing, undoing.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.bulk.models import ImportedRecord, ImportJob, JobPhase, JobState
from chibo.bulk.services import ImportCancelled, ImportRefused, Plan, import_file, import_undo
from chibo.bulk.sheets import report_xlsx
from chibo.bulk.tasks import run_import, undo_import
from chibo.core.access import actor_from_user
from chibo.core.rulebook import integer, rule
from chibo.core.spreadsheets import FileRefused

logger = logging.getLogger(__name__)

INLINE_MAX_BYTES = 512 * 1024  # larger files go to the worker


def storage_dir() -> Path:
    """Uploaded lists and their reports hold personal data in clear: a directory only the service reads."""
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _private(path: str | Path):
    """A new file only the service's user may read (0600), whatever the umask."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _remove(*paths: str | Path) -> None:
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def job_create(*, actor, upload, unit, mode: str) -> ImportJob:
    suffix = Path(upload.name).suffix.lower()[:6]
    stored = storage_dir() / f"{uuid.uuid4().hex}{suffix}"
    with _private(stored) as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return ImportJob.objects.create(user=actor.user, unit=unit, file_name=upload.name[:200], stored_path=str(stored),
                                    sha256="", mode=mode)


def report_path(job: ImportJob) -> str:
    return job.stored_path + ".report.xlsx"


def _progress_file(job_or_path) -> Path:
    return Path(getattr(job_or_path, "stored_path", job_or_path) + ".progress")


def _cancel_file(job_or_path) -> Path:
    return Path(getattr(job_or_path, "stored_path", job_or_path) + ".cancel")


def _write_progress(stored_path: str, done: int, total: int) -> None:
    path = _progress_file(stored_path)
    tmp = path.with_suffix(".progress.tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}))
    os.replace(tmp, path)  # the page never reads a half-written file


LEASE = timedelta(minutes=3)       # a running import renews its heartbeat every few seconds at most
STALE_RUNNING = LEASE
STALE_QUEUED = timedelta(hours=6)  # the worker takes queued imports one after another


def _last_sign_of_life(job: ImportJob) -> datetime:
    """The newer of the job's heartbeat and its progress file's time; its creation if it has neither."""
    signs = [job.heartbeat_at] if job.heartbeat_at is not None else []
    try:
        signs.append(datetime.fromtimestamp(_progress_file(job).stat().st_mtime, tz=UTC))
    except OSError:
        pass
    return max(signs, default=job.created_at)


def job_is_stale(job: ImportJob, *, now: datetime | None = None) -> bool:
    """A job whose worker died: running without a heartbeat for STALE_RUNNING, or queued for STALE_QUEUED."""
    now = now or timezone.now()
    if job.state == JobState.RUNNING:
        return now - _last_sign_of_life(job) > STALE_RUNNING
    if job.state == JobState.QUEUED:
        return now - max(job.created_at, _last_sign_of_life(job)) > STALE_QUEUED
    return False


INTERRUPTED = gettext_noop("Việc nhập bị gián đoạn (tiến trình nền đã dừng); không có gì được ghi. Có thể chạy lại.")


def job_fail_stale(job: ImportJob) -> bool:
    """Mark a stale job failed (its transaction died with its worker: nothing of it was written), so that it
    can be run again. A job that had committed steps of its import (SQLite) is handed to the worker to undo them
    first: it stays running, phase "undoing", with a fresh lease, until that is done. A job whose last step had
    committed (phase "written") is done. Returns whether it was stale."""
    if not job_is_stale(job):
        return False
    now = timezone.now()
    if job.phase == JobPhase.WRITTEN:
        changed = ImportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=JobState.DONE, finished_at=now, done=job.total,
            counts={**(job.counts or {}), "dry_run": False},
            message=_("Đã nhập xong; tiến trình nền dừng trước khi ghi kết quả."))
    elif ImportedRecord.objects.filter(job=job).exists():
        changed = ImportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=JobState.RUNNING, phase=JobPhase.UNDOING, heartbeat_at=now,
            message=_("Việc nhập bị gián đoạn; đang hoàn tác phần đã ghi."))
        if changed:
            undo_import.enqueue(job.pk)
    else:
        changed = ImportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=JobState.FAILED, finished_at=now, message=_(INTERRUPTED))
    _clear_side_files(job)
    job.refresh_from_db()
    return bool(changed)


def undo_from_worker(job_id: int) -> str:
    """The worker's part for a stale job: undo its committed steps, then mark it failed (it can run again)."""
    close_old_connections()
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.state != JobState.RUNNING or job.phase != JobPhase.UNDOING:
        return job.state
    import_undo(actor=actor_from_user(job.user), job=job)
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, phase="", finished_at=timezone.now(),
                                               done=0, message=_(INTERRUPTED))
    return JobState.FAILED


def jobs_fail_stale(today: date) -> int:
    """A step of the sweep: every stale job is marked failed."""
    return sum(job_fail_stale(job) for job in ImportJob.objects.filter(state__in=[JobState.RUNNING, JobState.QUEUED]))


def job_progress(job: ImportJob) -> ImportJob:
    """The job with the progress its running import last reported (the progress file is newer than the row
    while the import's transaction is open); a job whose worker died is marked failed here."""
    if job.finished or job_fail_stale(job):
        return job
    try:
        found = json.loads(_progress_file(job).read_text())
        job.done, job.total = int(found["done"]), int(found["total"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return job


def job_cancel(job: ImportJob) -> None:
    """Ask the job to stop: the cancel file (seen at its next batch, whatever the database), and the row's flag
    unless the job is running on SQLite (its import may hold the write lock until it ends; waiting for it
    would hang the page). A job still waiting for the worker, or whose worker died, stops at once."""
    if job_fail_stale(job):
        return
    if job.state == JobState.QUEUED:
        ImportJob.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.CANCELLED, cancel_requested=True, finished_at=timezone.now(),
            message=_("Đã hủy; không có gì được ghi."))
        job.refresh_from_db()
        return

    _cancel_file(job).touch()
    if connection.vendor == "sqlite" and job.state == JobState.RUNNING and job.phase not in (
            JobPhase.READING, JobPhase.WRITING):  # a run in one transaction (not a job's steps) holds the lock
        return
    ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)


def _clear_side_files(job: ImportJob) -> None:
    for path in (_progress_file(job), _cancel_file(job)):
        path.unlink(missing_ok=True)


def _side_update(job: ImportJob, *, side_ok: bool, done: int, total: int) -> None:
    """Report progress and honour a cancel request. Outside a transaction: the job row. Inside the import's
    transaction: the progress file (every database), and on PostgreSQL the row too, through a second connection
    (the job row was committed beforehand)."""

    if not connection.in_atomic_block:
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total, heartbeat_at=timezone.now())
        _write_progress(job.stored_path, done, total)  # the page prefers the file while the job runs
        if _cancel_file(job).exists() or ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
            raise ImportCancelled
        return
    _write_progress(job.stored_path, done, total)
    cancel = _cancel_file(job).exists()
    if connection.vendor == "postgresql" and side_ok:
        side = connections.create_connection("default")
        try:
            with side.cursor() as cur:
                cur.execute("SET lock_timeout = '2s'")
                cur.execute("UPDATE bulk_importjob SET done = %s, total = %s, heartbeat_at = %s WHERE id = %s",
                            [done, total, timezone.now(), job.pk])
                cur.execute("SELECT cancel_requested FROM bulk_importjob WHERE id = %s", [job.pk])
                row = cur.fetchone()
                cancel = cancel or bool(row and row[0])
            side.commit()
        except Exception:  # progress is best effort; the import itself must not fail because of it
            pass
        finally:
            side.close()
    if cancel:
        raise ImportCancelled


def run_job(job: ImportJob, *, dry_run: bool, override: dict | None = None) -> ImportJob:
    """Run the job's file; ``override`` (header key → field, "" to skip) is the user's column mapping, kept in
    the job so the real import uses what the dry run showed."""
    actor = actor_from_user(job.user)
    side_ok = not connection.in_atomic_block  # the job row is committed: a second connection can see it
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, message="", done=0, total=0,
                                               phase=JobPhase.READING, heartbeat_at=timezone.now())
    job.phase = JobPhase.READING
    _write_progress(job.stored_path, 0, 0)  # the heartbeat starts: this run's progress, not the dry run's
    _clear_side_files(job)  # a cancel that came as the previous run ended is not for this run

    def progress(done: int, total: int) -> None:
        _side_update(job, side_ok=side_ok, done=done, total=total)

    plan: Plan | None = None
    override = override if override is not None else (job.counts or {}).get("override") or None
    unknown: list[str] = []
    try:
        plan, outcome = import_file(actor=actor, path=job.stored_path, size=os.path.getsize(job.stored_path),
                                    file_name=job.file_name, unit=job.unit, mode=job.mode, dry_run=dry_run,
                                    mapping_override=override, progress=progress, job=job)
        state, message = JobState.DONE, ""
    except ImportCancelled:
        state, message = JobState.CANCELLED, _("Đã hủy; không có gì được ghi.")
    except ImportRefused as exc:
        state, message, unknown = JobState.FAILED, str(exc), exc.unknown
    except FileRefused as exc:
        state, message = JobState.FAILED, str(exc)
    except Exception as exc:  # the transaction rolled back; say so plainly, and keep the trace for the operator
        logger.exception("Import job %s failed", job.pk)
        state, message = JobState.FAILED, _("Lỗi khi nhập (%(error)s); không có gì được ghi.") % {
            "error": exc.__class__.__name__}
    if ImportedRecord.objects.filter(job=job).exists():  # its undo failed in turn: the worker tries again
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, phase=JobPhase.UNDOING,
                                                   heartbeat_at=timezone.now(),
                                                   message=_("Việc nhập bị gián đoạn; đang hoàn tác phần đã ghi."))
        undo_import.enqueue(job.pk)
        job.refresh_from_db()
        return job
    counts = {"unknown": unknown, "override": override or {}}
    if plan is not None:
        with _private(report_path(job)) as fh:
            fh.write(report_xlsx(plan))
        counts = {**counts, **plan.counts, "dry_run": dry_run, "unknown": plan.unknown, "sha256": plan.sha256,
                  "encodings": plan.encodings, "conversions": plan.conversions[:15],
                  "errors": [(r.number, "; ".join(r.errors)) for r in plan.rows if r.errors][:50]}
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, message=message, counts=counts, sha256=counts.get("sha256", ""), finished_at=timezone.now(),
        done=len(plan.rows) if plan else 0, total=len(plan.rows) if plan else 0, phase="", heartbeat_at=None)
    _clear_side_files(job)
    if not dry_run and state == JobState.DONE:  # imported: the uploaded list is not needed any more
        _remove(job.stored_path)
    job.refresh_from_db()
    return job


def imports_purge(today: date) -> int:
    """A step of the daily sweep: delete the uploads and row reports of imports older than the rule
    ``import.keep_days`` (they hold personal data in clear). The job rows stay, without their files."""
    days = integer(rule("import.keep_days", on=today))
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    purged = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(state=JobState.RUNNING).only("stored_path"):
        paths: list[str | Path] = [job.stored_path, report_path(job), _progress_file(job), _cancel_file(job)]
        if any(os.path.exists(p) for p in paths):
            _remove(*paths)
            purged += 1
    return purged


def job_run_background(job: ImportJob, *, dry_run: bool) -> None:
    run_import.enqueue(job.pk, dry_run)


INLINE_MAX_ROWS = 2000  # a real import of more rows goes to the worker


def job_submit(job: ImportJob, *, size: int, dry_run: bool = True) -> ImportJob:
    """Start a new job: small files here and now (the answer shows the result), larger ones in the worker."""
    if size > INLINE_MAX_BYTES:
        job_run_background(job, dry_run=dry_run)
        job.refresh_from_db()
        return job
    return run_job(job, dry_run=dry_run)


def job_import(job: ImportJob, *, mode: str) -> ImportJob:
    """Import for real a file whose dry run has finished (the rows the user has seen), in ``mode``."""
    if not job.finished or not (job.counts or {}).get("dry_run"):
        raise ValidationError(_("Cần chạy thử và xem kết quả trước khi nhập vào hồ sơ."))
    job.mode = mode
    job.state, job.cancel_requested, job.done, job.total = JobState.QUEUED, False, 0, 0
    job.phase, job.message, job.heartbeat_at = JobPhase.WAITING, "", None  # this run, not the dry run
    job.save(update_fields=["mode", "state", "cancel_requested", "done", "total", "phase", "message", "heartbeat_at"])
    if job.counts.get("rows", 0) > INLINE_MAX_ROWS:
        job_run_background(job, dry_run=False)
        job.refresh_from_db()
        return job
    return run_job(job, dry_run=False)


def run_from_worker(job_id: int, dry_run: bool) -> str:
    close_old_connections()
    job = ImportJob.objects.select_related("user", "unit").get(pk=job_id)
    if job.cancel_requested or _cancel_file(job).exists():
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, finished_at=timezone.now())
        _clear_side_files(job)
        return JobState.CANCELLED
    return run_job(job, dry_run=dry_run).state
