from __future__ import annotations

from django.core.management.base import BaseCommand

from chibo.core.forms import VNDateField


class Command(BaseCommand):
    help = ("Flag late deadlines and queue the reminders now due (run every few minutes: cron or a systemd "
            "timer in production; `make run` runs it every minute). The worker delivers them.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="dd/mm/yyyy (default: today)")

    def handle(self, *args, today=None, **options):
        from django.apps import apps

        from chibo.core import clock
        from chibo.deadlines.reminders import sweep

        day = VNDateField().clean(today) if today else None
        if apps.is_installed("chibo.meetings"):
            from chibo.meetings.services import meeting_deadlines_ensure

            meeting_deadlines_ensure(today=day or clock.today())
        result = sweep(today=day)
        self.stdout.write(f"Reminders: {result.marked_late} marked late, {result.created} new deliveries, "
                          f"{result.enqueued} handed to the worker.")
