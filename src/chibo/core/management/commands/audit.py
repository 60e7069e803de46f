from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Audit log tools. 'chibo audit verify' walks the hash chain and fails on the first bad row."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        from chibo.core.audit import verify_chain

        result = verify_chain()
        if not result.ok:
            raise CommandError(f"Audit chain broken at row #{result.bad_seq}: {result.reason} "
                               f"({result.checked} rows verified before it).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} rows verified."))
