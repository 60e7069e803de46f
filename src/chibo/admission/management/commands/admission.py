"""`chibo admission open …`: record an outstanding person and open their admission case from the command line
(the same service as the page and the API). Further steps: `chibo act admission ID STEP …`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from chibo.accounts.cli import cli_actor, unit_by_code
from chibo.admission.services import applicant_record
from chibo.core.forms import VNDateField


class Command(BaseCommand):
    help = "Admission cases: `open` records an applicant and opens the case."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        opening = sub.add_parser("open", help="record an applicant (quần chúng ưu tú) and open the case")
        opening.add_argument("--unit", required=True, help="the cell's code")
        opening.add_argument("--name", required=True, help="full name")
        opening.add_argument("--gender", required=True, choices=["M", "F"])
        opening.add_argument("--birth", required=True, help="date of birth, dd/mm/yyyy")
        opening.add_argument("--citizen-id", default="", help="citizen ID (12 digits)")
        opening.add_argument("--email", default="", help="for the invitation to the applicant's dossier page")
        opening.add_argument("--on", default="", help="recorded on, dd/mm/yyyy (default: today)")
        opening.add_argument("--invite", action="store_true", help="also invite the applicant (needs --email)")
        opening.add_argument("--user", help="act as this user (default: the installation's operator)")

    def handle(self, *args, what, **o):
        actor = cli_actor(o["user"])
        unit = unit_by_code(o["unit"])
        try:
            birth = VNDateField().clean(o["birth"])
            on = VNDateField(required=False).clean(o["on"]) if o["on"] else None
            applicant = applicant_record(actor=actor, unit=unit, full_name=o["name"], gender=o["gender"],
                                         birth_date=birth, recorded_on=on, citizen_id=o["citizen_id"],
                                         email=o["email"], invite=o["invite"])
        except PermissionDenied as exc:
            raise CommandError(f"{actor.label} may not open admission cases in {unit.code}.") from exc
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError("; ".join(f"{k + ': ' if k else ''}{' '.join(v)}" for k, v in problems.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Case {applicant.case.pk} opened for {applicant.full_name} "
                                             f"in {unit.code}."))
        if o["invite"]:
            self.stdout.write(f"Invitation to the dossier page queued to {o['email']}.")
