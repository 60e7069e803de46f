"""chibo export members --unit CODE --format xlsx|csv|pdf|book-xlsx [--output FILE]"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from chibo.accounts.cli import cli_actor, unit_by_code
from chibo.bulk import exports
from chibo.members.selectors import MemberFilters


class Command(BaseCommand):
    help = "Export members: the list (xlsx or csv, streamed) or the member list book 7-HSĐV (book-xlsx, pdf)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["members"])
        parser.add_argument("--unit", help="unit code (its whole subtree)")
        parser.add_argument("--format", choices=["xlsx", "csv", "book-xlsx", "pdf"], default="xlsx")
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")
        parser.add_argument("--user", help="act as this user (default: an officer over the whole tree)")

    def handle(self, *args, what, unit, format, output, user, **options):
        actor = cli_actor(user)
        unit_obj = unit_by_code(unit)
        out = open(output, "wb") if output else sys.stdout.buffer
        try:
            if format in exports.FORMATS:
                for block in exports.stream_member_list(actor, MemberFilters(unit=unit_obj), format):
                    out.write(block)
            else:
                if unit_obj is None:
                    raise CommandError("--unit is required for the member list book.")
                data = exports.book_pdf(actor, unit_obj) if format == "pdf" else exports.book_xlsx(actor, unit_obj)
                out.write(data)
        finally:
            if output:
                out.close()
