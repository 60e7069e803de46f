from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from chibo.units.models import Unit


class Command(BaseCommand):
    help = "Build the demo organization (deterministic by seed) with its demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--members", type=int, default=1500, help="about how many members (default 1500)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has units")
        parser.add_argument("--units", type=int, default=0,
                            help="national-scale load data on PostgreSQL (COPY): this many units; see chibo.bulk.national")

    def handle(self, *args, seed, members, if_empty, units=0, **options):
        from chibo.demo import build_demo

        if Unit.objects.exists():
            if if_empty:
                self.stdout.write("Demo: the database already holds an organization; nothing loaded.")
                return
            raise CommandError("The database already holds an organization; the demo loads into an empty one.")
        if units:
            from chibo.bulk.national import build_national

            result = build_national(members=members, units=units, seed=seed, log=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"National data loaded: {result['units']} units, {result['members']} members in {result['seconds']}s."))
            return
        if not 50 <= members <= 100_000:
            raise CommandError("--members must be between 50 and 100000")
        started = time.monotonic()
        result = build_demo(seed=seed, members=members)
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded: {result.units} units, {result.members} members in {time.monotonic() - started:.1f}s."))
