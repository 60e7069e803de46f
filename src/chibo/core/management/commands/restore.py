"""``chibo restore FILE``: bring a backup back into an empty install (after `chibo migrate`, before anything)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup made by 'chibo backup' into an empty install (refused when the database holds "
            "units, accounts or members). Then run 'chibo migrate' and 'chibo audit verify'.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            done = backup_restore(file)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored the {done['vendor']} database and {done['files']} files. "
                                             "Next: chibo migrate, then chibo audit verify."))
