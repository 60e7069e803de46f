from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chibo.core.audit import anchor_now, parse_anchors, verify_chain


class Command(BaseCommand):
    help = ("Audit log tools. 'chibo audit verify [--anchors FILE]' seals the rows committed so far, walks the hash "
            "chain and fails on the first bad row; 'chibo audit anchor [--append FILE]' seals, then prints the chain "
            "head (SEQ:HASH) to keep outside the database.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--anchors", metavar="FILE",
                            help="verify: SEQ:HASH lines printed earlier by 'chibo audit anchor' "
                                 "(default: the file CHIBO_AUDIT_ANCHORS names, which the sweep appends to)")
        parser.add_argument("--append", metavar="FILE", help="anchor: also append the line to FILE")

    def handle(self, *args: Any, action: str, anchors: str | None = None, append: str | None = None,
               **options: Any) -> None:
        if action == "anchor":
            line = anchor_now()
            if append:
                with Path(append).open("a", encoding="ascii") as out:
                    out.write(line + "\n")
            self.stdout.write(line)
            return
        known: dict[int, str] = {}
        anchors = anchors or getattr(settings, "CHIBO_AUDIT_ANCHORS", "")
        if not anchors:
            self.stderr.write(self.style.WARNING(
                "No anchors: set CHIBO_AUDIT_ANCHORS to a file outside the database (the sweep appends the chain "
                "head to it), or pass --anchors. Without them, deleting the newest rows together with the head "
                "would not be detected."))
        if anchors:
            try:
                known = parse_anchors(Path(anchors).read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"Cannot read the anchors file {anchors}: {exc}") from exc
        result = verify_chain(anchors=known)
        if not result.ok:
            raise CommandError(f"Audit chain broken at row #{result.bad_seq}: {result.reason} "
                               f"({result.checked} rows verified before it).")
        extra = f", {len(known)} anchors matched" if known else ""
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} rows verified{extra}."))
