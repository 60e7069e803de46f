"""Background jobs of the deadlines app (run by ``chibo db_worker``); reminders are delivered by the
outbox's worker task (chibo.notifications.tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_reminders() -> dict:
    from chibo.deadlines.sweep import run_sweep  # the sweep imports the meetings' steps: at run time only

    result = run_sweep()
    return {"marked_late": result.marked_late, "created": result.created, "handed_over": result.handed_over}
