from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError

from chibo.core import clock
from chibo.core.rulebook import describe_value, in_force, rule_history, rules_in_force


def _parse_day(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise CommandError(f"--on: «{text}» is not a date; write dd/mm/yyyy, e.g. 01/07/2026.")


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "…"


class Command(BaseCommand):
    help = ("The rulebook: every rule key with the version in force today (value, unit, basis, from/to, "
            "confidence). --all prints each rule's history; --on dd/mm/yyyy picks the date.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="print every version of each rule")
        parser.add_argument("--on", metavar="dd/mm/yyyy", help="the date (default: today)")
        parser.add_argument("--key", help="only this rule key")

    def handle(self, *args, **options):
        on = _parse_day(options["on"]) if options.get("on") else clock.today()
        rows = rules_in_force(on=on)
        if options.get("key"):
            rows = [(k, v) for k, v in rows if k == options["key"]]
            if not rows:
                raise CommandError(f"unknown rule key {options['key']!r}")
        self.stdout.write(f"Rulebook on {_d(on)}: {len(rows)} rules")
        width = max((len(k) for k, _ in rows), default=10)
        for key, version in rows:
            if version is None:
                self.stdout.write(f"{key:<{width}}  — no version in force on {_d(on)}")
            else:
                self.stdout.write(self._line(key, version, width, describe_value))
            if options["all"]:
                for old in rule_history(key):
                    mark = "*" if in_force(old, on) else " "
                    self.stdout.write(f"{'':<{width}}  {mark} " + self._line("", old, 0, describe_value).strip())

    @staticmethod
    def _line(key: str, version, width: int, describe) -> str:
        comparison = {"gte": "≥", "gt": ">", "lt": "<", "lte": "≤"}.get(version.comparison, " ")
        confidence = "to confirm" if version.confidence == "to_confirm" else "confirmed"
        return (f"{key:<{width}}  {comparison} {describe(version):<24}  {_d(version.effective_from)}–"
                f"{_d(version.effective_to)}  [{confidence}]  {version.basis}")
