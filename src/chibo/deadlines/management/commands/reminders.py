from __future__ import annotations

from django.core.management.base import BaseCommand

from chibo.core.forms import VNDateField
from chibo.deadlines.sweep import run_sweep


class Command(BaseCommand):
    help = ("Flag late deadlines, queue the reminders now due in the outbox and hand stale outbox messages to "
            "the worker again (run every few minutes: cron or a systemd timer in production; `make run` runs it "
            "every minute). The worker delivers the e-mails.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="dd/mm/yyyy (default: today)")

    def handle(self, *args, today=None, **options):
        day = VNDateField().clean(today) if today else None
        result = run_sweep(today=day)
        self.stdout.write(f"Reminders: {result.marked_late} marked late, {result.created} new messages; "
                          f"outbox: {result.handed_over} stale messages handed to the worker again.")
