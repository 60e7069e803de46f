"""``chibo backup FILE``: an encrypted, consistent backup of the database and the files the product keeps."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chibo.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Write an encrypted backup (AES-256-GCM under CHIBO_BACKUP_KEY) of the database (SQLite online backup "
            "or pg_dump) and the files under the var directory. Restore it with 'chibo restore FILE'.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup (created 0600)")

    def handle(self, *args, file, **options):
        try:
            made = backup_create(file)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {file}: the {made['vendor']} database and "
                                             f"{made['files']} files, encrypted."))
