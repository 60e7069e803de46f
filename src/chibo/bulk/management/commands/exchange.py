"""chibo exchange export [--format json|xlsx] [--output FILE] [--user U]
chibo exchange import FILE --user U"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from chibo.accounts.cli import cli_actor
from chibo.bulk import exchange


class Command(BaseCommand):
    help = ("The exchange format (docs/exchange-format.md): export the units and members as a file, or import a "
            "file into an install holding only its top unit (all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["export", "import"])
        parser.add_argument("file", nargs="?", help="the exchange file to import (.json or .xlsx)")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")
        parser.add_argument("--user", help="act as this user (export: default an officer over the whole tree)")

    def handle(self, *args, what, file, format, output, user, **options):
        try:
            if what == "export":
                actor = cli_actor(user)
                data = exchange.exchange_json(actor) if format == "json" else exchange.exchange_xlsx(actor)
                if output:
                    Path(output).write_bytes(data)
                else:
                    sys.stdout.buffer.write(data)
                return
            if not file:
                raise CommandError("Name the exchange file to import.")
            if not user:
                raise CommandError("--user is required: the organization officer of the top unit.")
            actor = cli_actor(user)
            try:
                raw = Path(file).read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
            counts = exchange.exchange_import(actor=actor, data=exchange.read_exchange(raw))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except (PermissionDenied, Http404) as exc:
            raise CommandError("This user may not use the exchange (organization officers of the top unit).") from exc
        self.stdout.write(f"Imported {counts['units']} units and {counts['members']} members.")
