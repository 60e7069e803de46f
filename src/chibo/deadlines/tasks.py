"""Background jobs of the deadlines app (run by ``chibo db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str:
    from chibo.deadlines.reminders import deliver_now

    return deliver_now(delivery_id)


@task()
def sweep_reminders() -> dict:
    from chibo.deadlines.sweep import (
        run_sweep,  # reminders imports this module (to enqueue): no cycle at load
    )

    result = run_sweep()
    return {"marked_late": result.marked_late, "created": result.created, "enqueued": result.enqueued}
