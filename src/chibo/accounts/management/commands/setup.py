"""``chibo setup``: the first run of a real installation — the top unit and its first organization
officer, who activates the account with the one-time link this prints. Refused on a database that
already holds a unit or an account."""

from __future__ import annotations

import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from chibo.accounts.selectors import accounts_exist
from chibo.accounts.services import activation_url, first_officer, invitation_for_token
from chibo.core.access import SYSTEM
from chibo.core.forms import VNDateField
from chibo.units.enums import UnitKind
from chibo.units.selectors import unit_root
from chibo.units.services import unit_create

PARTY_FOUNDED = date(1930, 2, 3)  # earlier than any unit of the tree: the default founding day


class Command(BaseCommand):
    help = ("First run: create the top unit (the upper party committee) and the first organization officer, "
            "and print the officer's one-time activation link. Runs once, on an empty database.")

    def add_arguments(self, parser):
        parser.add_argument("--unit-name", help="e.g. 'Đảng ủy Bộ Ngoại giao'")
        parser.add_argument("--unit-code", help="short code, e.g. DUBNG")
        parser.add_argument("--opened-on", help="founding day of the top unit, dd/mm/yyyy (default 03/02/1930)")
        parser.add_argument("--name", help="the officer's full name")
        parser.add_argument("--email", default=None, help="the officer's e-mail (the link is also sent there)")
        parser.add_argument("--username", default="", help="sign-in name (default: from the full name)")
        parser.add_argument("--no-input", action="store_true", help="never prompt; missing values are an error")

    def _ask(self, value, prompt: str, *, no_input: bool, required: bool = True, default: str = "") -> str:
        if value is not None and value != "":
            return value
        if no_input or not sys.stdin.isatty():
            if required and not default:
                raise CommandError(f"Missing {prompt} (give it as an option).")
            return default
        answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip()
        if not answer and required and not default:
            raise CommandError(f"{prompt} is required.")
        return answer or default

    def handle(self, *args, **o):
        if unit_root() is not None or accounts_exist():
            raise CommandError("This database already holds an organization or accounts: `chibo setup` runs once, "
                               "on an empty database. Invite further officers from the product "
                               "(Tài khoản › Mời cán bộ).")
        no_input = o["no_input"]
        unit_name = self._ask(o["unit_name"], "Top unit name", no_input=no_input)
        unit_code = self._ask(o["unit_code"], "Top unit code", no_input=no_input)
        opened_raw = self._ask(o["opened_on"], "Founding day (dd/mm/yyyy)", no_input=no_input,
                               default=PARTY_FOUNDED.strftime("%d/%m/%Y"))
        name = self._ask(o["name"], "Officer's full name", no_input=no_input)
        email = self._ask(o["email"], "Officer's e-mail (empty: none)", no_input=no_input, required=False)
        try:
            opened_on = VNDateField().clean(opened_raw)
        except ValidationError as exc:
            raise CommandError(f"Founding day {opened_raw!r}: use dd/mm/yyyy.") from exc
        try:
            with transaction.atomic():
                root = unit_create(actor=SYSTEM, parent=None, kind=UnitKind.UPPER_COMMITTEE, name=unit_name,
                                   code=unit_code, opened_on=opened_on)
                user, token = first_officer(actor=SYSTEM, root=root, full_name=name, email=email,
                                            username=o["username"])
        except ValidationError as exc:
            messages = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
            raise CommandError("; ".join(f"{k + ': ' if k else ''}{' '.join(v)}" for k, v in messages)) from exc
        expires = timezone.localtime(invitation_for_token(token).expires_at)
        self.stdout.write(self.style.SUCCESS(f"Created {root.name} ({root.code}) and its organization officer."))
        self.stdout.write(f"Sign-in name: {user.username}")
        self.stdout.write(f"Activation link (one use, until {expires:%d/%m/%Y %H:%M}):")
        self.stdout.write(activation_url(token))
        if email:
            self.stdout.write(f"The link was also queued to {email} (sent by the worker).")
