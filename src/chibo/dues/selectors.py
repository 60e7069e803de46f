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
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import Actor, subtree_q
from chibo.core.calendar import add_months
from chibo.core.money import quantize
from chibo.core.rulebook import rule_versions, rules_read_once
from chibo.dues import rules as drules
from chibo.dues.compute import Computer
from chibo.dues.enums import RemittanceState
from chibo.dues.models import Decision, Entry, ExchangeRate, Obligation, Profile, Remittance
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.selectors import member_get, members_by_id, members_on_rolls
from chibo.units.enums import UnitKind
from chibo.units.selectors import subtree_units, unit_get, units_by_id

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
    basis: str                  # in Vietnamese (the dues book)
    deferred: bool
    paid: Decimal = Decimal(0)  # how much of it the payments cover
    projected: bool = False     # not yet due: computed from the profile for a prepayment
    said: dict = field(default_factory=dict)  # the basis as said (core.said)

    @property
    def basis_shown(self) -> str:
        """The basis in the reader's language (the pages, the API)."""
        return drules.basis_shown(self.said, self.basis)

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
        return amount <= sum((owed for _month, owed in self._open_months(through)), Decimal(0))

    def months_settled(self, amount: Decimal, *, through: date) -> tuple[date, date] | None:
        """The first and last month that ``amount`` more (in the current currency) goes to, oldest unpaid first
        as the ledger allocates it (a month it covers only in part counts), looking no further than ``through``;
        None when nothing is open (no profile, or all paid through ``through``)."""
        first = last = None
        left = amount
        for month, owed in self._open_months(through):
            if left <= 0:
                break
            first, last = first or month, month
            left -= owed
        return (first, last) if first is not None and last is not None else None

    def _open_months(self, through: date) -> Iterable[tuple[date, Decimal]]:
        """(month, what is still owed on it) in the current currency, oldest first, through ``through``: the
        months due so far not yet covered, then the coming months (and a month whose obligation is not generated
        yet) computed from the profile, after the credit the ledger already holds in that currency."""
        if self.currency is None:
            return
        after = add_months(drules.month_start(self.today), -1)
        for line in self.lines + self.projected:
            after = max(after, line.month)
            if line.currency == self.currency and line.amount > line.paid:
                yield line.month, line.amount - line.paid
        credit = self.credit.get(self.currency, Decimal(0)) - sum((p.paid for p in self.projected), Decimal(0))
        month = add_months(after, 1)
        while month <= through and self._computer is not None and self._admitted is not None:
            due = self._computer.due(self.member_id, self._admitted, month)
            if due is not None and due.currency == self.currency and due.amount > 0:
                take = min(due.amount, max(credit, Decimal(0)))
                credit -= take
                if due.amount > take:
                    yield month, due.amount - take
            month = add_months(month, 1)


def member_position(member: Member, *, today: date | None = None) -> Position:
    return positions([member], today=today)[member.pk]


def positions(members: Iterable[Member], *, today: date | None = None) -> dict[int, Position]:
    """The position of each of ``members`` (a cell's month: a few queries whatever the number of members)."""
    today = today or clock.today()
    current = drules.month_start(today)
    members = list(members)
    ids = [m.pk for m in members]
    obligations: dict[int, list[Obligation]] = defaultdict(list)
    for o in Obligation.objects.filter(member_id__in=ids, month__lte=current).order_by("member_id", "month"):
        obligations[o.member_id].append(o)
    paid: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for member_id, currency, total in (Entry.objects.filter(member_id__in=ids).values_list("member_id", "currency")
                                       .annotate(total=Sum("amount")).order_by()):
        paid[member_id][currency] += quantize(total, currency)
    computer = Computer.for_members(ids)
    with rules_read_once():  # the projections ask the same few rules for every member
        return {m.pk: _position(m, obligations[m.pk], dict(paid[m.pk]), computer, today) for m in members}


def _position(member: Member, obligations: list[Obligation], paid: dict[str, Decimal], computer: Computer,
              today: date) -> Position:
    current = drules.month_start(today)
    due: dict[str, Decimal] = defaultdict(Decimal)
    lines = [MonthLine(o.month, o.amount, o.currency, o.basis, o.deferred, said=o.basis_said) for o in obligations]
    remaining = dict(paid)
    for line in lines:
        due[line.currency] += line.amount
        take = min(line.amount, max(remaining.get(line.currency, Decimal(0)), Decimal(0)))
        line.paid = take
        remaining[line.currency] = remaining.get(line.currency, Decimal(0)) - take
    profile = computer.profile_on(member.pk, current) or next(iter(computer.profiles.get(member.pk, [])), None)
    currency = profile.currency if profile is not None else None
    position = Position(member_id=member.pk, today=today, currency=currency, lines=lines, due=dict(due),
                        paid=dict(paid), _computer=computer, _admitted=member.party_age_from)
    if currency is not None and all(line.covered for line in lines):
        credit = remaining.get(currency, Decimal(0))
        # From the month after the last obligation generated (this month too, when the sweep has not made it yet).
        month = add_months(max([add_months(current, -1), *(line.month for line in lines)]), 1)
        for _step in range(PROJECTION_MONTHS):
            if credit <= 0:
                break
            found = computer.due(member.pk, member.party_age_from, month)
            if found is None or found.currency != currency:
                break
            take = min(found.amount, credit)
            position.projected.append(MonthLine(month, found.amount, currency, found.basis, found.deferred,
                                                paid=take, projected=True, said=dict(found.said)))
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
    return sorted({member_id for (member_id, _month), owed in due.items() if owed > 0})


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
    raise Http404(_("Không có đảng viên này"))


def members_of_unit_for_dues(unit: Unit, ids: Iterable[int]) -> list[Member]:
    """Those of ``ids`` whose unit is ``unit`` (a cell's month posted through the API)."""
    return [m for m in members_by_id(ids).values() if m.unit_id == unit.pk]


def entries_of(member: Member) -> QuerySet[Entry]:
    return Entry.objects.filter(member_id=member.pk).select_related("reverses").order_by("-pk")


def reversed_ids(entries: list[Entry]) -> set[int]:
    return set(Entry.objects.filter(reverses_id__in=[e.pk for e in entries]).values_list("reverses_id", flat=True))


def profiles_of(member: Member) -> QuerySet[Profile]:
    return Profile.objects.filter(member_id=member.pk).order_by("-month")


def decisions_of(member: Member) -> QuerySet[Decision]:
    return Decision.objects.filter(member_id=member.pk).order_by("-month_from", "-pk")


def decision_get(actor: Actor, pk: int | str) -> Decision:
    """A dues decision seen by staff with dues.view on its member's unit, or by the member; else 404."""
    found = (Decision.objects.select_related("member__unit").filter(pk=pk).first() if str(pk).isdigit() else None)
    if found is None or not (actor.member_id == found.member_id or actor.can("dues.view", found.member.unit)):
        raise Http404(_("Không có quyết định này"))
    return found


def reversal_of(entry: Entry) -> Entry | None:
    return Entry.objects.filter(reverses_id=entry.pk).first()


def abroad_rates() -> list:
    """The amounts abroad by category and currency, every version (rulebook rows of ``dues.abroad.…``)."""
    return list(rule_versions(prefix=drules.ABROAD))


def entry_get(actor: Actor, pk: int | str) -> Entry:
    """A ledger entry seen by staff with dues.view on its unit, or by the member it belongs to; else 404."""
    entry = (Entry.objects.select_related("unit", "member", "reverses").filter(pk=pk).first()
             if str(pk).isdigit() else None)
    if entry is None or not (actor.member_id == entry.member_id or actor.can("dues.view", entry.unit)):
        raise Http404(_("Không có khoản thu này"))
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


# --------------------------------------------------------------------------------------------------
# A cell's month: the treasurer's page, the dues book
# --------------------------------------------------------------------------------------------------
@dataclass
class CellLine:
    member: Member
    position: Position
    obligation: MonthLine | None                        # what the member owes for the month (None: no profile)
    entries: list[Entry] = field(default_factory=list)  # posted in the month at this unit, oldest first

    @property
    def paid_in_month(self) -> Decimal:
        return sum((e.amount for e in self.entries), Decimal(0))

    @property
    def currency(self) -> str | None:
        return self.obligation.currency if self.obligation else self.position.currency


@dataclass
class CellMonth:
    unit: Unit
    month: date
    lines: list[CellLine]

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """Per currency: what was due for the month, what was collected in it, arrears and credit now."""
        out: dict[str, dict[str, Decimal]] = {}
        zero = Decimal(0)
        for line in self.lines:
            currency = line.currency
            if currency is None:
                continue
            row = out.setdefault(currency, {"due": zero, "collected": zero, "arrears": zero, "credit": zero})
            row["due"] += line.obligation.amount if line.obligation else zero
            for entry in line.entries:
                out.setdefault(entry.currency, {"due": zero, "collected": zero, "arrears": zero, "credit": zero})
                out[entry.currency]["collected"] += entry.amount
            for key, values in (("arrears", line.position.arrears), ("credit", line.position.credit)):
                for cur, value in values.items():
                    out.setdefault(cur, {"due": zero, "collected": zero, "arrears": zero, "credit": zero})
                    out[cur][key] += value
        return out


def cell_month(unit: Unit, month: date, *, today: date | None = None) -> CellMonth:
    """Members of ``unit`` itself on the rolls, and anyone with a ledger entry at ``unit`` in ``month`` (a member
    who left since), with their position, the month's obligation and the month's entries, by name."""
    month = drules.month_start(month)
    nxt = add_months(month, 1)
    entries = list(Entry.objects.filter(unit=unit, paid_on__gte=month, paid_on__lt=nxt).order_by("pk"))
    ids = set(members_on_rolls(unit).filter(unit_id=unit.pk).values_list("pk", flat=True))
    ids |= {e.member_id for e in entries}
    members = sorted(members_by_id(ids).values(), key=lambda m: (m.name_sort, m.pk))
    found = positions(members, today=today)
    by_member: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_member[entry.member_id].append(entry)
    dues = {(o.member_id): o for o in Obligation.objects.filter(member_id__in=ids, month=month)}
    lines = []
    for member in members:
        o = dues.get(member.pk)
        line = (MonthLine(o.month, o.amount, o.currency, o.basis, o.deferred, said=o.basis_said) if o else None)
        if line is not None:
            line.paid = next((x.paid for x in found[member.pk].lines if x.month == month), Decimal(0))
        lines.append(CellLine(member, found[member.pk], line, by_member.get(member.pk, [])))
    return CellMonth(unit, month, lines)


# --------------------------------------------------------------------------------------------------
# Exchange rates and remittances up the tree
# --------------------------------------------------------------------------------------------------
def rate_on(currency: str, day: date) -> ExchangeRate | None:
    """The rate of ``currency`` on ``day``: the latest one entered for that day or before."""
    return ExchangeRate.objects.filter(currency=currency, day__lte=day).order_by("-day").first()


def exchange_rates(limit: int = 200) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.order_by("-day", "currency")[:limit]


def remits(unit: Unit) -> bool:
    """Whether ``unit`` sends dues up (every unit but the top of the tree)."""
    return unit.kind != UnitKind.UPPER_COMMITTEE and unit.parent_id is not None


@dataclass
class RemitFigures:
    """What ``unit`` sends up for ``month`` in ``currency``: what its treasurer collected, what the units below
    sent it (confirmed), the share it keeps by rule, the rest; and the remittance recorded, if any."""

    unit: Unit
    month: date
    currency: str
    collected: Decimal
    received: Decimal
    share: Fraction
    kept: Decimal
    due_up: Decimal
    remittance: Remittance | None

    @property
    def share_text(self) -> str:
        return f"{self.share.numerator}/{self.share.denominator}"

    @property
    def total(self) -> Decimal:
        return self.collected + self.received


def received_from_below(unit_ids: Iterable[int], month: date) -> dict[tuple[int, str], Decimal]:
    """Confirmed remittances sent to each of ``unit_ids`` for ``month``, by (receiving unit, currency)."""
    out: dict[tuple[int, str], Decimal] = {}
    for unit_id, currency, total in (Remittance.objects.filter(to_unit__in=list(unit_ids), period_from=month,
                                                               state=RemittanceState.CONFIRMED)
                                     .values_list("to_unit_id", "currency").annotate(t=Sum("due_up")).order_by()):
        out[(unit_id, currency)] = quantize(total, currency)
    return out


def remit_figures(unit: Unit, month: date) -> list[RemitFigures]:
    """Per currency the unit handled in ``month`` (or has a remittance for): the figures of its remittance."""
    month = drules.month_start(month)
    own = collected([unit.pk], month, month)
    below = received_from_below([unit.pk], month)
    recorded = {r.currency: r for r in Remittance.objects.filter(unit=unit, period_from=month)
                .exclude(state=RemittanceState.RETURNED)}
    share = drules.kept_share(unit.kind, month)
    out = []
    for currency in sorted({c for _unit, c in own} | {c for _unit, c in below} | set(recorded)):
        got = own.get((unit.pk, currency), Decimal(0))
        received = below.get((unit.pk, currency), Decimal(0))
        kept = quantize((got + received) * Decimal(share.numerator) / Decimal(share.denominator), currency)
        out.append(RemitFigures(unit, month, currency, got, received, share, kept, got + received - kept,
                                recorded.get(currency)))
    return out


def units_to_remit(month: date) -> list[Unit]:
    """Open units (not the top) that handled dues in ``month`` (collected some, or received some from below) and
    have recorded no remittance for it: the "not yet remitted" of the whole tree, for the daily sweep."""
    month = drules.month_start(month)
    handled = set(Entry.objects.filter(paid_on__gte=month, paid_on__lt=add_months(month, 1))
                  .values_list("unit_id").annotate(t=Sum("amount")).filter(t__gt=0).values_list("unit_id", flat=True))
    handled |= set(Remittance.objects.filter(period_from=month, state=RemittanceState.CONFIRMED)
                   .values_list("to_unit_id", flat=True))
    sent = set(Remittance.objects.filter(period_from=month).exclude(state=RemittanceState.RETURNED)
               .values_list("unit_id", flat=True))
    units = units_by_id(handled - sent)
    return [u for _key, u in sorted(units.items()) if u.closed_on is None and remits(u)]


def remittance_get(actor: Actor, pk: int | str) -> Remittance:
    """A remittance seen by staff with dues.view on the sending or the receiving unit; else 404."""
    found = (Remittance.objects.select_related("unit", "to_unit").filter(pk=pk).first()
             if str(pk).isdigit() else None)
    if found is None or not (actor.can("dues.view", found.unit) or actor.can("dues.view", found.to_unit)):
        raise Http404(_("Không có lần nộp này"))
    return found


def remittances_of(unit: Unit, *, limit: int = 60) -> QuerySet[Remittance]:
    """Remittances sent by ``unit`` or to it, newest first."""
    return (Remittance.objects.filter(unit=unit) | Remittance.objects.filter(to_unit=unit)).select_related(
        "unit", "to_unit").order_by("-period_from", "-pk")[:limit]


@dataclass
class BoardRow:
    unit: Unit
    figures: list[RemitFigures]

    @property
    def state(self) -> str:
        """"none" (nothing handled), "missing" (something to send, nothing sent), "sent", "confirmed"."""
        due = [f for f in self.figures if f.due_up > 0 or f.remittance is not None]
        if not due:
            return "none"
        if any(f.remittance is None for f in due):
            return "missing"
        if all(f.remittance is not None and f.remittance.state == RemittanceState.CONFIRMED for f in due):
            return "confirmed"
        return "sent"


def remit_board(unit: Unit, month: date) -> list[BoardRow]:
    """Every open unit below ``unit`` (and ``unit`` itself unless it is the top), with its month's figures:
    the "not yet remitted" board of the level above."""
    units = [u for u in subtree_units([unit.path]).filter(closed_on__isnull=True).order_by("path") if remits(u)]
    return [BoardRow(u, remit_figures(u, month)) for u in units]


# --------------------------------------------------------------------------------------------------
# Level summaries and the collection rate
# --------------------------------------------------------------------------------------------------
@dataclass
class SummaryRow:
    unit: Unit
    due: dict[str, Decimal]
    collected: dict[str, Decimal]

    def rate(self) -> int | None:
        """Collected / due in percent, over the currencies with something due (None: nothing due)."""
        due = sum((v for v in self.due.values()), Decimal(0))
        if due <= 0:
            return None
        got = sum((min(self.collected.get(c, Decimal(0)), v) for c, v in self.due.items()), Decimal(0))
        return int((got * 100 / due).to_integral_value())


def _children(unit: Unit) -> list[Unit]:
    return list(subtree_units([unit.path]).filter(parent_id=unit.pk, closed_on__isnull=True).order_by("name"))


ByChild = dict[tuple[int, date, str], Decimal]


def _by_child(unit: Unit, children: list[Unit], first: date, last: date) -> tuple[ByChild, ByChild]:
    """Obligations and payments of ``unit``'s subtree for the months from ``first`` to ``last``, by (the child of
    ``unit`` the row falls under — ``unit`` itself for its own members —, month, currency): two grouped queries."""
    width = len(children[0].path) if children else 0
    child_of_path = {c.path: c.pk for c in children}
    owner = {pk: child_of_path.get(path[:width], unit.pk)
             for pk, path in subtree_units([unit.path]).values_list("pk", "path")}
    due: dict[tuple[int, date, str], Decimal] = defaultdict(Decimal)
    got: dict[tuple[int, date, str], Decimal] = defaultdict(Decimal)
    tree = subtree_units([unit.path]).values("pk")
    for unit_id, month, currency, total in (Obligation.objects.filter(unit__in=tree, month__gte=first,
                                                                      month__lte=last)
                                            .values_list("unit_id", "month", "currency")
                                            .annotate(t=Sum("amount")).order_by()):
        due[(owner.get(unit_id, unit.pk), month, currency)] += quantize(total, currency)
    for unit_id, day, currency, total in (Entry.objects.filter(unit__in=tree, paid_on__gte=first,
                                                               paid_on__lt=add_months(last, 1))
                                          .values_list("unit_id", "paid_on", "currency")
                                          .annotate(t=Sum("amount")).order_by()):
        got[(owner.get(unit_id, unit.pk), drules.month_start(day), currency)] += quantize(total, currency)
    return due, got


def _rows(unit: Unit, children: list[Unit], due: ByChild, got: ByChild, months: set[date]) -> list[SummaryRow]:
    rows = []
    for node in [unit, *children]:
        d: dict[str, Decimal] = defaultdict(Decimal)
        g: dict[str, Decimal] = defaultdict(Decimal)
        for (pk, month, currency), value in due.items():
            if month in months and (node is unit or pk == node.pk):
                d[currency] += value
        for (pk, month, currency), value in got.items():
            if month in months and (node is unit or pk == node.pk):
                g[currency] += value
        rows.append(SummaryRow(node, dict(d), dict(g)))
    return rows


def level_summary(unit: Unit, first: date, last: date) -> list[SummaryRow]:
    """For ``unit`` and each of its direct children, the dues of their subtrees for the months from ``first`` to
    ``last``: due (obligations of the months) and collected (payments in those months), per currency; the first
    row is ``unit`` itself (the total of the level, its own members included)."""
    first, last = drules.month_start(first), drules.month_start(last)
    children = _children(unit)
    due, got = _by_child(unit, children, first, last)
    return _rows(unit, children, due, got, set(drules.months_between(first, last)))


def collection_series(unit: Unit, last: date, months: int = 12) -> tuple[list[date], list[tuple[Unit, list]]]:
    """The collection rate (percent, None when nothing was due) of each direct child of ``unit`` for each of the
    ``months`` months up to ``last``: the chart of the level."""
    axis = [add_months(drules.month_start(last), -k) for k in range(months - 1, -1, -1)]
    children = _children(unit)
    due, got = _by_child(unit, children, axis[0], axis[-1])
    series = []
    for child in children:
        values = [_rows(unit, [child], due, got, {month})[1].rate() for month in axis]
        series.append((child, values))
    return axis, series


def unit_for_dues(actor: Actor, pk: int | str) -> Unit:
    """A unit whose dues the actor may see (dues.view on it), else 404."""
    unit = unit_get(actor, pk)
    if not actor.can("dues.view", unit):
        raise Http404(_("Không có tổ chức này"))
    return unit


def member_without_profile_q() -> Q:
    """Members (a Q on the members' rows) with no dues profile at all: the data quality board's "no dues profile"
    (members.quality, registered in the app's ready)."""
    return ~Q(Exists(Profile.objects.filter(member=OuterRef("pk"))))


def collection_per_year(actor: Actor, unit: Unit, first: int,
                        last: int) -> dict[tuple[int, str], tuple[Decimal, Decimal]]:
    """(due, collected) per year and currency from ``first`` to ``last`` in ``unit``'s subtree: the obligations of
    the months of the year, and the net payments (reversals taken off) paid in it; each currency apart, never
    converted. Two grouped queries; 404 when the unit is outside the actor's dues scope."""
    if not actor.can("dues.view", unit):
        raise Http404(_("Không tìm thấy tổ chức"))
    inside = subtree_q([unit.path], "unit__path")
    due: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    got: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for year, currency, total in (Obligation.objects.filter(inside, month__gte=date(first, 1, 1),
                                                            month__lte=date(last, 12, 31))
                                  .annotate(year=ExtractYear("month")).values_list("year", "currency")
                                  .annotate(t=Sum("amount")).order_by()):
        due[(year, currency)] = quantize(total, currency)
    for year, currency, total in (Entry.objects.filter(inside, paid_on__gte=date(first, 1, 1),
                                                       paid_on__lte=date(last, 12, 31))
                                  .annotate(year=ExtractYear("paid_on")).values_list("year", "currency")
                                  .annotate(t=Sum("amount")).order_by()):
        got[(year, currency)] = quantize(total, currency)
    return {key: (due.get(key, Decimal(0)), got.get(key, Decimal(0))) for key in sorted(set(due) | set(got))}
