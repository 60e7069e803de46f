"""chibo import members FILE [--unit CODE] [--dry-run] [--mode all|valid] [--report OUT.xlsx]"""

from __future__ import annotations

import os
import time

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from chibo.accounts.cli import cli_actor, unit_by_code
from chibo.bulk.services import ImportRefused, import_file
from chibo.bulk.sheets import report_xlsx
from chibo.core.spreadsheets import FileRefused


class Command(BaseCommand):
    help = "Import members from an XLSX, XLS, ODS or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["members"])
        parser.add_argument("file")
        parser.add_argument("--unit", help="code of the unit for rows without a unit code")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--mode", choices=["all", "valid"], default="all")
        parser.add_argument("--user", help="act as this user (default: an officer over the whole tree)")
        parser.add_argument("--report", help="write the row-by-row report (XLSX) here")

    def handle(self, *args, what, file, unit, dry_run, mode, user, report, **options):
        actor = cli_actor(user)
        started = time.monotonic()
        try:
            plan, outcome = import_file(actor=actor, path=file, size=os.path.getsize(file),
                                        file_name=os.path.basename(file), unit=unit_by_code(unit), mode=mode,
                                        dry_run=dry_run)
        except (FileRefused, ImportRefused) as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError("Not allowed for this user.") from exc
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        finally:
            elapsed = time.monotonic() - started
        if report:
            with open(report, "wb") as fh:
                fh.write(report_xlsx(plan))
        c = plan.counts
        enc = ", ".join(f"{k}={v}" for k, v in plan.encodings.items() if v in ("tcvn3", "vni"))
        self.stdout.write(
            f"{'Dry run' if dry_run else 'Imported'}: {c['rows']} rows — new {c['new']}, updated {c['update']}, "
            f"unchanged {c['unchanged']}, errors {c['error']}"
            f"{' (legacy encodings: ' + enc + ')' if enc else ''} in {elapsed:.1f}s "
            f"({c['rows'] / max(elapsed, 1e-6):.0f} rows/s). sha256 {plan.sha256}")
