"""Reads on dues, always through the actor's scope: a member's position (what they owe, paid, paid through), a
cell's month, the ledger, receipts, exchange rates.

Sums are rounded back to the currency's minor unit: SQLite adds decimal columns as binary floats.

Allocation: payments cover a member's obligations oldest month first, per currency; money beyond what is due
is a credit, which covers the coming months (prepayment) as they are computed from the profile in force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum
from django.http import Http404

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.calendar import add_months
from chibo.core.money import quantize
from chibo.dues import rules as drules
from chibo.dues.compute import Computer
from chibo.dues.models import Entry, Obligation
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.selectors import member_get

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

# How far ahead the projection of coming months goes when a credit is allocated (a safety bound).
PROJECTION_MONTHS = 60


@dataclass
class MonthLine:
    month: date
    amount: Decimal
    currency: str
    basis: str
    deferred: bool
    paid: Decimal = Decimal(0)  # how much of it the payments cover
    projected: bool = False     # not yet due: computed from the profile for a prepayment

    @property
    def covered(self) -> bool:
        return self.paid >= self.amount


@dataclass
class Position:
    member_id: int
    today: date
    currency: str | None                      # of the profile in force this month (None: no profile yet)
    lines: list[MonthLine]                    # obligations due so far, oldest first, with what covers them
    due: dict[str, Decimal]                   # obligations due so far, per currency
    paid: dict[str, Decimal]                  # net payments (payments minus reversals), per currency
    projected: list[MonthLine] = field(default_factory=list)  # coming months covered by the credit
    _computer: Computer | None = None
    _admitted: date | None = None

    @property
    def balance(self) -> dict[str, Decimal]:
        """Per currency: positive = arrears, negative = credit."""
        return {c: self.due.get(c, Decimal(0)) - self.paid.get(c, Decimal(0)) for c in set(self.due) | set(self.paid)}

    @property
    def arrears(self) -> dict[str, Decimal]:
        return {c: v for c, v in self.balance.items() if v > 0}

    @property
    def credit(self) -> dict[str, Decimal]:
        return {c: -v for c, v in self.balance.items() if v < 0}

    @property
    def paid_through(self) -> date | None:
        """The last month such that it and every month before it are paid (prepaid months included)."""
        last = None
        for line in self.lines + self.projected:
            if not line.covered:
                break
            last = line.month
        return last

    def unpaid_months(self, year: int) -> list[date]:
        """Months of ``year`` already over, with something due, not covered and not deferred by a decision."""
        current = drules.month_start(self.today)
        return [line.month for line in self.lines if line.month.year == year and line.month < current
                and line.amount > 0 and not line.covered and not line.deferred]

    def covers_with(self, amount: Decimal, *, through: date) -> bool:
        """Whether ``amount`` more (in the current currency) stays within what is due through ``through``."""
        if self.currency is None:
            return False
        need = self.balance.get(self.currency, Decimal(0))
        current = drules.month_start(self.today)
        month = add_months(current, 1)
        while month <= through and self._computer is not None and self._admitted is not None:
            due = self._computer.due(self.member_id, self._admitted, month)
            if due is not None and due.currency == self.currency:
                need += due.amount
            month = add_months(month, 1)
        return amount <= need


def member_position(member: Member, *, today: date | None = None) -> Position:
    today = today or clock.today()
    current = drules.month_start(today)
    obligations = list(Obligation.objects.filter(member_id=member.pk, month__lte=current).order_by("month"))
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for currency, total in (Entry.objects.filter(member_id=member.pk).values_list("currency")
                            .annotate(total=Sum("amount")).order_by()):
        paid[currency] += quantize(total, currency)
    due: dict[str, Decimal] = defaultdict(Decimal)
    lines = [MonthLine(o.month, o.amount, o.currency, o.basis, o.deferred) for o in obligations]
    remaining = dict(paid)
    for line in lines:
        due[line.currency] += line.amount
        take = min(line.amount, max(remaining.get(line.currency, Decimal(0)), Decimal(0)))
        line.paid = take
        remaining[line.currency] = remaining.get(line.currency, Decimal(0)) - take
    computer = Computer.for_members([member.pk])
    profile = computer.profile_on(member.pk, current) or next(iter(computer.profiles.get(member.pk, [])), None)
    currency = profile.currency if profile is not None else None
    position = Position(member_id=member.pk, today=today, currency=currency, lines=lines, due=dict(due),
                        paid=dict(paid), _computer=computer, _admitted=member.admission_date)
    if currency is not None and all(line.covered for line in lines):
        credit = remaining.get(currency, Decimal(0))
        month = add_months(current, 1)
        for _ in range(PROJECTION_MONTHS):
            if credit <= 0:
                break
            found = computer.due(member.pk, member.admission_date, month)
            if found is None or found.currency != currency:
                break
            take = min(found.amount, credit)
            position.projected.append(MonthLine(month, found.amount, currency, found.basis, found.deferred,
                                                paid=take, projected=True))
            credit -= take
            month = add_months(month, 1)
    return position


def members_owing(year: int) -> list[int]:
    """Members on the rolls with obligations in ``year`` whose obligations so far exceed their payments (in some
    currency): the candidates for arrears (the exact months come from ``member_position``)."""
    due: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    candidates = Obligation.objects.filter(month__year=year, amount__gt=0,
                                           member__status__in=ACTIVE_STATUSES).values("member_id")
    for member_id, currency, total in (Obligation.objects.filter(member_id__in=candidates)
                                       .values_list("member_id", "currency").annotate(t=Sum("amount")).order_by()):
        due[(member_id, currency)] += quantize(total, currency)
    for member_id, currency, total in (Entry.objects.filter(member_id__in=candidates)
                                       .values_list("member_id", "currency").annotate(t=Sum("amount")).order_by()):
        due[(member_id, currency)] -= quantize(total, currency)
    return sorted({member_id for (member_id, _), owed in due.items() if owed > 0})


def paid_through(member: Member, *, today: date | None = None) -> date | None:
    """The month through which ``member`` has paid their dues (the transfer letter's box), None if nothing."""
    return member_position(member, today=today).paid_through


def paid_through_text(member: Member, *, today: date | None = None) -> str:
    """``paid_through`` as the letter writes it (mm/yyyy), "" when the ledger has nothing for the member."""
    month = paid_through(member, today=today)
    return f"{month:%m/%Y}" if month else ""


# --------------------------------------------------------------------------------------------------
# Scoped reads
# --------------------------------------------------------------------------------------------------
def member_for_dues(actor: Actor, pk: int | str) -> Member:
    """A member whose dues the actor may see: staff with dues.view on the member's unit, or the member."""
    member = member_get(actor, pk)
    if actor.member_id == member.pk or actor.can("dues.view", member.unit):
        return member
    raise Http404("Không có đảng viên này")


def entries_of(member: Member) -> QuerySet[Entry]:
    return Entry.objects.filter(member_id=member.pk).select_related("reverses").order_by("-pk")


def reversed_ids(entries: list[Entry]) -> set[int]:
    return set(Entry.objects.filter(reverses_id__in=[e.pk for e in entries]).values_list("reverses_id", flat=True))


def entry_get(actor: Actor, pk: int | str) -> Entry:
    """A ledger entry seen by staff with dues.view on its unit, or by the member it belongs to; else 404."""
    entry = (Entry.objects.select_related("unit", "member", "reverses").filter(pk=pk).first()
             if str(pk).isdigit() else None)
    if entry is None or not (actor.member_id == entry.member_id or actor.can("dues.view", entry.unit)):
        raise Http404("Không có khoản thu này")
    return entry


def collected(units_q: Iterable[int] | QuerySet[Unit], first: date, last: date) -> dict[tuple[int, str], Decimal]:
    """Net payments by unit and currency, paid in the months from ``first`` to ``last`` (first days)."""
    out: dict[tuple[int, str], Decimal] = {}
    for unit_id, currency, total in (Entry.objects.filter(unit__in=units_q, paid_on__gte=first,
                                                          paid_on__lt=add_months(last, 1))
                                     .values_list("unit_id", "currency").annotate(t=Sum("amount")).order_by()):
        out[(unit_id, currency)] = quantize(total, currency)
    return out


def due_in(units_q: Iterable[int] | QuerySet[Unit], first: date, last: date) -> dict[tuple[int, str], Decimal]:
    """Obligations by unit and currency for the months from ``first`` to ``last``."""
    out: dict[tuple[int, str], Decimal] = {}
    for unit_id, currency, total in (Obligation.objects.filter(unit__in=units_q, month__gte=first, month__lte=last)
                                     .values_list("unit_id", "currency").annotate(t=Sum("amount")).order_by()):
        out[(unit_id, currency)] = quantize(total, currency)
    return out
