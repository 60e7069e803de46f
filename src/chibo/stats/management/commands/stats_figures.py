from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.core import clock
from chibo.stats import stored

SHOWN = 20


class Command(BaseCommand):
    help = ("Stored yearly figures per unit for the statistics (members at each year's end, regular meetings held): "
            "compute the years not stored yet and the rows changes have marked; --rebuild computes years again for "
            "every unit (after writes made behind the services); --check compares the stored rows with a recount "
            "and their subtree sums with the rows, and fails if any differs.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=stored.KEPT, help="years kept back from the current one")
        parser.add_argument("--rebuild", type=int, nargs="*", default=None, metavar="YEAR",
                            help="years to compute again for every unit (none given: every kept year)")
        parser.add_argument("--check", action="store_true", help="compare with a recount, change nothing")

    def handle(self, *args, years=stored.KEPT, rebuild=None, check=False, **options):
        today = clock.today()
        if check:
            members, meetings = stored.check()
            for wrong in [*members, *meetings][:SHOWN]:
                what = "subtree sums" if wrong.what == "subtree" else "figures"
                self.stdout.write(f"unit {wrong.unit}, {wrong.year}, {what}: stored {wrong.stored}, "
                                  f"expected {wrong.expected}")
            if members or meetings:
                raise CommandError(f"Stored figures wrong: {len(members)} member rows, {len(meetings)} meeting rows; "
                                   "run 'chibo stats_figures --rebuild'.")
            self.stdout.write(self.style.SUCCESS("Stored yearly figures match a recount."))
            return
        if rebuild is not None and not rebuild:
            rebuild = list(range(today.year - years + 1, today.year + 1))
        done = stored.refresh(today, kept=years, rebuild=rebuild)
        self.stdout.write(self.style.SUCCESS(
            f"Years computed: {', '.join(map(str, done.computed)) or 'none'}; rows computed again: "
            f"{done.members} (members), {done.meetings} (meetings)."))
