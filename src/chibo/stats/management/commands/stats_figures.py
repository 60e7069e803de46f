from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.core import clock
from chibo.stats import stored

SHOWN = 20


class Command(BaseCommand):
    help = ("Stored yearly figures per unit for the statistics (members at each year's end, regular meetings held, "
            "transfers): compute the years not stored yet and the rows changes have marked; --rebuild computes years "
            "again for every unit (after writes made behind the services); --check compares the stored rows with a "
            "recount and their subtree sums with the rows, and fails if any differs.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=stored.KEPT, help="years kept back from the current one")
        parser.add_argument("--rebuild", type=int, nargs="*", default=None, metavar="YEAR",
                            help="years to compute again for every unit (none given: every kept year)")
        parser.add_argument("--check", action="store_true", help="compare with a recount, change nothing")

    def handle(self, *args, years=stored.KEPT, rebuild=None, check=False, **options):
        today = clock.today()
        if check:
            found = stored.check()
            wrong = [w for rows in found.values() for w in rows]
            for w in wrong[:SHOWN]:
                what = "subtree sums" if w.what == "subtree" else "figures"
                self.stdout.write(f"unit {w.unit}, {w.year}, {what}: stored {w.stored}, expected {w.expected}")
            if wrong:
                counts = ", ".join(f"{len(rows)} {name} rows" for name, rows in found.items())
                raise CommandError(f"Stored figures wrong: {counts}; run 'chibo stats_figures --rebuild'.")
            self.stdout.write(self.style.SUCCESS("Stored yearly figures match a recount."))
            return
        if rebuild is not None and not rebuild:
            rebuild = list(range(today.year - years + 1, today.year + 1))
        done = stored.refresh(today, kept=years, rebuild=rebuild)
        self.stdout.write(self.style.SUCCESS(
            f"Years computed: {', '.join(map(str, done.computed)) or 'none'}; rows computed again: "
            + ", ".join(f"{n} ({name})" for name, n in done.rows.items()) + "."))
