"""`chibo anonymise --user NAME`: the dry run (who would be anonymised today and why, who is held back and why);
`chibo anonymise --user NAME --member ID --confirm` (or `--applicant ID`) anonymises that person, through the same
service as the page and the API (``privacy.anonymise`` at the top of the tree)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from chibo.accounts.cli import cli_actor
from chibo.core import clock
from chibo.privacy import selectors, services


class Command(BaseCommand):
    help = "Retention and anonymisation: a dry run by default; --member/--applicant ID --confirm anonymises."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--member", type=int, help="a former member's record id")
        who.add_argument("--applicant", type=int, help="the id of an applicant not admitted")
        parser.add_argument("--confirm", action="store_true", help="anonymise (without it: only say what would be)")
        parser.add_argument("--user", help="act as this user (default: the installation's operator)")

    def handle(self, *args, **o):
        actor = cli_actor(o["user"])
        if not selectors.may_anonymise(actor):
            raise CommandError(f"{actor.label} may not anonymise (privacy.anonymise at the top of the tree).")
        kind, person = ("member", o["member"]) if o["member"] else ("applicant", o["applicant"])
        if person is None:
            if o["confirm"]:
                raise CommandError("--confirm needs --member ID or --applicant ID.")
            return self._dry_run(actor)
        try:
            candidate, _record = selectors.anonymisation_assess(kind, person, today=clock.today())
            if not o["confirm"]:
                verdict = "would be anonymised" if candidate.eligible else "would be refused"
                self.stdout.write(f"{kind} {person} ({candidate.name}): {verdict}: {candidate.reason}")
                self.stdout.write("Dry run: nothing written. Add --confirm to anonymise.")
                return
            done = services.anonymise_person(actor=actor, kind=kind, person=person)
        except ValidationError as exc:
            raise CommandError(" ".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{actor.label} may not anonymise.") from exc
        except Http404 as exc:
            raise CommandError(f"No {kind} {person}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Anonymised {kind} {person}: {done.rows} rows changed or removed."))

    def _dry_run(self, actor) -> None:
        found = selectors.anonymisation_candidates(actor)
        eligible = [c for c in found if c.eligible]
        self.stdout.write(f"Dry run on {clock.today():%d/%m/%Y}: {len(eligible)} to anonymise, "
                          f"{len(found) - len(eligible)} held back. Nothing written.")
        for c in found:
            mark = "ANONYMISE" if c.eligible else "keep"
            self.stdout.write(f"{mark:9} {c.kind:9} {c.pk:>7}  {c.name} — {c.unit}: {c.reason}")
