"""Background jobs of the deadlines app (run by ``chibo db_worker``); reminders are delivered by the
outbox's worker task (chibo.notifications.tasks)."""

from __future__ import annotations

from django_tasks import task

from chibo.deadlines.reminders import sweep


@task()
def sweep_reminders() -> dict:
    result = sweep()
    return {"marked_late": result.marked_late, "created": result.created, "handed_over": result.handed_over}
