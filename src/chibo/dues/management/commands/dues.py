"""``chibo dues …``: the dues ledger from the command line, through the same services as every other way in,
acting as ``--user`` (default: the installation's operator over the whole tree).

    chibo dues rate CATEGORY CURRENCY AMOUNT --from dd/mm/yyyy --basis "…" [--confirmed]
    chibo dues fx CURRENCY dd/mm/yyyy VND_PER_UNIT --source "…"
    chibo dues profile MEMBER_ID --base abroad|salary|pension|student --currency EUR [--from mm/yyyy]
                       [--base-amount N] [--category C] [--voluntary N]
    chibo dues pay UNIT_CODE MEMBER_ID=AMOUNT [MEMBER_ID=AMOUNT …] [--on dd/mm/yyyy] [--method cash|bank|portal]
    chibo dues reverse ENTRY_ID --reason "…"
    chibo dues position MEMBER_ID
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.accounts.cli import cli_actor, unit_by_code
from chibo.core import clock
from chibo.core.money import format_amount
from chibo.core.rulebook import describe_value
from chibo.dues import selectors, services
from chibo.dues.enums import Base, Method
from chibo.members.selectors import member_get


def _day(text: str) -> date:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError as exc:
        raise CommandError(f"{text!r}: a date is dd/mm/yyyy") from exc


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%m/%Y").date()
    except ValueError as exc:
        raise CommandError(f"{text!r}: a month is mm/yyyy") from exc


class Command(BaseCommand):
    help = "Dues: rates abroad, exchange rates, a member's profile, payments, reversals, a member's position."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="act as this user (default: the installation's operator)")
        sub = parser.add_subparsers(dest="what", required=True)
        rate = sub.add_parser("rate")
        rate.add_argument("category")
        rate.add_argument("currency")
        rate.add_argument("amount")
        rate.add_argument("--from", dest="effective_from", required=True)
        rate.add_argument("--basis", required=True)
        rate.add_argument("--confirmed", action="store_true")
        fx = sub.add_parser("fx")
        fx.add_argument("currency")
        fx.add_argument("day")
        fx.add_argument("vnd")
        fx.add_argument("--source", required=True)
        profile = sub.add_parser("profile")
        profile.add_argument("member_id", type=int)
        profile.add_argument("--base", required=True, choices=Base.values)
        profile.add_argument("--currency", required=True)
        profile.add_argument("--from", dest="month", default="")
        profile.add_argument("--base-amount", default=None)
        profile.add_argument("--category", default="")
        profile.add_argument("--voluntary", default="0")
        pay = sub.add_parser("pay")
        pay.add_argument("unit_code")
        pay.add_argument("lines", nargs="+", metavar="MEMBER_ID=AMOUNT")
        pay.add_argument("--on", default="")
        pay.add_argument("--method", default=Method.CASH, choices=Method.values)
        reverse = sub.add_parser("reverse")
        reverse.add_argument("entry_id", type=int)
        reverse.add_argument("--reason", required=True)
        position = sub.add_parser("position")
        position.add_argument("member_id", type=int)

    def handle(self, *args, what, **o):
        actor = cli_actor(o.get("user"))
        try:
            getattr(self, "do_" + what)(actor, o)
        except ValidationError as exc:
            details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError("; ".join(f"{k}: {m}" if k else m for k, ms in details.items() for m in ms)) from exc
        except (PermissionDenied, Http404) as exc:
            raise CommandError(f"Not allowed or not found: {exc}") from exc

    def do_rate(self, actor, o):
        version = services.rate_define(actor=actor, category=o["category"], currency=o["currency"],
                                       amount=o["amount"], effective_from=_day(o["effective_from"]),
                                       basis=o["basis"], confirmed=o["confirmed"])
        self.stdout.write(_("%(key)s = %(value)s từ %(start)s (%(confidence)s)") % {
            "key": version.key, "value": describe_value(version), "start": f"{version.effective_from:%d/%m/%Y}",
            "confidence": _(version.get_confidence_display())})

    def do_fx(self, actor, o):
        rate = services.exchange_rate_set(actor=actor, currency=o["currency"], day=_day(o["day"]), vnd=o["vnd"],
                                          source=o["source"])
        self.stdout.write(f"1 {rate.currency} = {rate.vnd} VND ({rate.day:%d/%m/%Y}, {rate.source})")

    def do_profile(self, actor, o):
        member = member_get(actor, o["member_id"])
        month = _month(o["month"]) if o["month"] else clock.today().replace(day=1)
        profile = services.profile_set(actor=actor, member=member, month=month, base=o["base"],
                                       currency=o["currency"], category=o["category"],
                                       base_amount=o["base_amount"], voluntary=o["voluntary"])
        self.stdout.write(_("%(name)s: %(base)s, %(currency)s, từ tháng %(month)s") % {
            "name": member.full_name, "base": _(Base(profile.base).label), "currency": profile.currency,
            "month": f"{profile.month:%m/%Y}"})

    def do_pay(self, actor, o):
        unit = unit_by_code(o["unit_code"])
        if unit is None:
            raise CommandError(f"No unit {o['unit_code']!r}.")
        lines = []
        for text in o["lines"]:
            member_id, sep, amount = text.partition("=")
            if not sep or not member_id.isdigit():
                raise CommandError(f"{text!r}: write MEMBER_ID=AMOUNT")
            lines.append(services.PaymentLine(member_get(actor, member_id), amount))
        posted = services.payments_post(actor=actor, unit=unit, lines=lines, method=o["method"],
                                        paid_on=_day(o["on"]) if o["on"] else clock.today())
        for entry in posted.entries:
            self.stdout.write(_("biên lai %(receipt)s") % {"receipt": entry.receipt}
                              + f"\t{entry.member.full_name}\t{format_amount(entry.amount, entry.currency)}"
                              f"\t(entry {entry.pk})")
        for note in posted.notes:
            self.stdout.write(note)

    def do_reverse(self, actor, o):
        entry = selectors.entry_get(actor, o["entry_id"])
        reversal = services.payment_reverse(actor=actor, entry=entry, reason=o["reason"])
        self.stdout.write(_("đảo biên lai %(receipt)s: %(amount)s") % {
            "receipt": entry.receipt, "amount": format_amount(reversal.amount, reversal.currency)})

    def do_position(self, actor, o):
        member = selectors.member_for_dues(actor, o["member_id"])
        position = selectors.member_position(member)
        through = position.paid_through
        self.stdout.write(_("%(name)s: đã đóng đến hết tháng %(month)s") % {"name": member.full_name,
                                                                             "month": f"{through:%m/%Y}"}
                          if through else _("%(name)s: chưa đóng tháng nào") % {"name": member.full_name})
        for currency, amount in sorted(position.arrears.items()):
            self.stdout.write(_("còn nợ %(amount)s") % {"amount": format_amount(amount, currency)})
        for currency, amount in sorted(position.credit.items()):
            self.stdout.write(_("số dư có (đóng trước) %(amount)s") % {"amount": format_amount(amount, currency)})
        unpaid = position.unpaid_months(clock.today().year)
        if unpaid:
            self.stdout.write(_("tháng chưa đóng năm nay: %(months)s") % {
                "months": ", ".join(f"{m:%m/%Y}" for m in unpaid)})
