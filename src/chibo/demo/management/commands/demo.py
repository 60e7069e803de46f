from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chibo.demo.builder import build_demo
from chibo.demo.national import build_national
from chibo.units.selectors import unit_root


class Command(BaseCommand):
    help = "Build the demo organization (deterministic by seed) with its demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--members", type=int, default=1500, help="about how many members (default 1500)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has units")
        parser.add_argument("--units", type=int, default=0,
                            help="national-scale load data on PostgreSQL (COPY): this many units; "
                                 "see chibo.demo.national")

    def handle(self, *args, seed, members, if_empty, units=0, **options):
        if settings.CHIBO_ENV == "production":
            raise CommandError("The demo is never loaded in production (its accounts share a public password); "
                               "set CHIBO_ENV=dev for a demonstration install.")
        if unit_root() is not None:
            if if_empty:
                self.stdout.write("Demo: the database already holds an organization; nothing loaded.")
                return
            raise CommandError("The database already holds an organization; the demo loads into an empty one.")
        if units:
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
