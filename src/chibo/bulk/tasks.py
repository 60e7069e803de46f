"""Background jobs of the bulk app (run by the worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int, dry_run: bool) -> str:
    from chibo.bulk.jobs import run_from_worker  # jobs queues this task: imported when the task runs

    return run_from_worker(job_id, dry_run)


@task()
def undo_import(job_id: int) -> str:
    from chibo.bulk.jobs import undo_from_worker  # jobs queues this task: imported when the task runs

    return undo_from_worker(job_id)
