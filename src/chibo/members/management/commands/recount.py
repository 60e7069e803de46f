from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.members.counters import counts_check, counts_rebuild
from chibo.units.selectors import units_by_id

SHOWN = 20  # mismatching units listed in the output


class Command(BaseCommand):
    help = ("Member counters per unit (the dashboard's figures): recount them from the member rows and correct "
            "them; with --check, only report the units whose counters are wrong and fail if there are any.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report mismatches, change nothing; exit 1 if any")

    def handle(self, *args, check=False, **options):
        wrong = counts_check() if check else counts_rebuild()
        units = units_by_id(m.unit_id for m in wrong[:SHOWN])
        codes = {pk: unit.code for pk, unit in units.items()}
        for m in wrong[:SHOWN]:
            detail = ", ".join(f"{name} {m.stored[name]} → {m.actual[name]}" for name in m.columns())
            self.stdout.write(f"{codes.get(m.unit_id, m.unit_id)}: {detail}")
        if len(wrong) > SHOWN:
            self.stdout.write(f"… and {len(wrong) - SHOWN} more units.")
        if check:
            if wrong:
                raise CommandError(f"Member counters wrong for {len(wrong)} units; "
                                   "run 'chibo recount' to rebuild them.")
            self.stdout.write(self.style.SUCCESS("Member counters match a recount of the member rows."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Member counters rebuilt: {len(wrong)} units corrected."))
