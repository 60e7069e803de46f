from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.reports import totals


class Command(BaseCommand):
    help = ("The roll-up's stored sums of submitted reports (per committee and period): --check compares them with "
            "the reports and fails if any differs; without it, writes them all again (after reports written behind "
            "the services, or units moved or closed).")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare with the reports, change nothing")

    def handle(self, *args, check=False, **options):
        if check:
            wrong = totals.check()
            for unit_id, kind, start in wrong[:20]:
                self.stdout.write(f"unit {unit_id}, {kind} {start:%Y-%m-%d}: stored sums differ from the reports")
            if wrong:
                raise CommandError(f"{len(wrong)} stored sums wrong: run 'chibo report_totals'.")
            self.stdout.write(self.style.SUCCESS("Stored sums of submitted reports match the reports."))
            return
        self.stdout.write(self.style.SUCCESS(f"Stored sums written: {totals.rebuild()}."))
