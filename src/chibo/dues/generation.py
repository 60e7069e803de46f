"""A month's obligations for many members at once: the fast path of ``dues.services.obligations_generate``.

The rows are the ones ``dues.compute.Computer.due`` gives member by member (``dues.rules.due_for``), computed
differently for speed:

- the month's rules are read once, not once per member (``MonthRules``); a due depends only on the member's profile
  in force, the decision covering the month and whether the member has the party age that exempts, so it is
  computed once per distinct combination and reused (salaries repeat: a public scale, round amounts);
- members are read by keyset chunks as tuples (``values_list``), with the chunk's profiles in force and decisions
  covering the month in two more queries;
- on PostgreSQL the rows go in with COPY (each distinct due's columns formatted once); a chunk whose COPY meets an
  obligation written meanwhile (a profile changed during the run) is written again with ``bulk_create``, skipping
  the conflicts, as every other database always does.

``MonthRules.due`` mirrors ``rules.due_for`` step by step; ``dues/tests/test_generation.py`` holds them equal.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from chibo.core.money import quantize
from chibo.core.rulebook import RuleNotInForce, UnknownRule, integer, number, rule
from chibo.core.said import Said
from chibo.dues import rules as drules
from chibo.dues.enums import Base, DecisionKind
from chibo.dues.models import Decision, Obligation, Profile

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from chibo.members.models import Member

# (category, base, base_amount, currency, voluntary) of the profile in force; (kind, percent, document) of the
# decision covering the month.
ProfileRow = tuple[str, str, Decimal | None, str, Decimal]
DecisionRow = tuple[str, int, str]
MISSING = object()  # a rule with no version in force that month (the member's due is then None)
COPY_COLUMNS = ("member_id", "unit_id", "month", "currency", "amount", "basis", "basis_said", "deferred")


@dataclass
class MonthRules:
    """The rules of one month, each read once, and the due of a profile and decision under them."""

    month: date
    _values: dict[str, Any] = field(default_factory=dict)
    _by_age: dict[date, bool] = field(default_factory=dict)

    def value(self, key: str, read: Any = number) -> Any:
        """``read(rule(key, on=month))``, or MISSING when the rule has no version in force (or is unknown)."""
        found = self._values.get(key)
        if found is None:
            try:
                found = read(rule(key, on=self.month))
            except (UnknownRule, RuleNotInForce):
                found = MISSING
            self._values[key] = found
        return found

    def exempt_by_age(self, admitted: date, years: int) -> bool:
        found = self._by_age.get(admitted)
        if found is None:
            found = self._by_age[admitted] = drules.party_years(admitted, self.month) >= years
        return found

    def due(self, admitted: date, profile: ProfileRow, decision: DecisionRow | None) -> drules.Due | None:
        """``rules.due_for`` for this month, with the rules already read; None where ``Computer.due`` gives None
        (a rule it needs has no version in force)."""
        years = self.value("dues.exempt_party_years", integer)
        if years is MISSING:
            return None
        category, base, base_amount, cur, voluntary = profile
        if self.exempt_by_age(admitted, years):
            return drules.due_of(Decimal(0), cur, drules.basis_exempt_by_age(years))
        if decision is not None and decision[0] == DecisionKind.EXEMPT:
            return drules.due_of(Decimal(0), cur, drules.basis_exempt_by_decision(decision[2]))
        found = self._base_amount(category, base, base_amount, cur)
        if found is None:
            return None
        amount, basis = found
        if decision is not None and decision[0] == DecisionKind.REDUCE:
            amount = quantize(amount * Decimal(100 - decision[1]) / 100, cur)
            basis = drules.basis_reduced(basis, decision[1], decision[2])
        if voluntary:
            amount += Decimal(voluntary)
            basis = drules.basis_voluntary(basis, voluntary, cur)
        deferred = decision is not None and decision[0] == DecisionKind.DEFER
        if deferred and decision is not None:
            basis = drules.basis_deferred(basis, decision[2])
        return drules.due_of(quantize(amount, cur), cur, basis, deferred)

    def _base_amount(self, category: str, base: str, base_amount: Decimal | None,
                     cur: str) -> tuple[Decimal, Said] | None:
        """``rules.base_amount``; None where it raises (no version in force)."""
        if base in (Base.SALARY, Base.PENSION):
            ratio = self.value("dues.rate_salary" if base == Base.SALARY else "dues.rate_pension")
            if ratio is MISSING:
                return None
            amount = quantize(Decimal(base_amount or 0) * drules._fraction(ratio), cur)
            return amount, drules.basis_rate(ratio, base_amount, cur, pension=base == Base.PENSION)
        if base == Base.STUDENT:
            monthly = self.value("dues.student_monthly")
            if monthly is MISSING:
                return None
            return quantize(drules._fraction(monthly), "VND"), drules.basis_student()
        fixed = self.value(drules.abroad_key(category, cur))
        if fixed is MISSING:
            return None
        return quantize(drules._fraction(fixed), cur), drules.basis_fixed(category)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


Row = tuple[int, int, tuple[drules.Due, str]]  # member, unit, (due, its COPY columns after member and unit)


class _Generator:
    def __init__(self, month: date) -> None:
        self.month = month
        self.rules = MonthRules(month)
        # (admitted exempt, profile, decision) → (due, its COPY columns after member and unit), or None
        self.memo: dict[tuple[Any, ...], tuple[drules.Due, str] | None] = {}

    def _compute(self, key: tuple[Any, ...], admitted: date, profile: ProfileRow,
                 decision: DecisionRow | None) -> tuple[drules.Due, str] | None:
        """The due of a key not seen yet, and its COPY columns; remembered."""
        due = self.rules.due(admitted, profile, decision)
        found = None if due is None else (due, f"{self.month.isoformat()}\t{due.currency}\t{due.amount:f}\t"
                                               f"{_copy_text(due.basis)}\t{_copy_text(_json(due.said))}\t"
                                               f"{'t' if due.deferred else 'f'}\n")
        self.memo[key] = found
        return found

    def rows(self, members: list[tuple[int, int, date]]) -> list[Row]:
        """The obligations of ``members`` (pk, unit, the day party age counts from). A due is computed once per
        key: the profile and decision, or only the currency for a member exempt by party age (the loop runs once per
        member of the country: lookups are local names)."""
        ids = [pk for pk, _, _ in members]
        profiles, decisions = self._profiles(ids).get, self._decisions(ids).get
        years = self.rules.value("dues.exempt_party_years", integer)
        by_age, memo, compute = self.rules._by_age, self.memo, self._compute
        rows: list[Row] = []
        append = rows.append
        for pk, unit_id, admitted in members:
            profile = profiles(pk)
            if profile is None:
                continue
            aged = False
            if years is not MISSING:
                aged = by_age.get(admitted)  # type: ignore[assignment]
                if aged is None:
                    aged = self.rules.exempt_by_age(admitted, years)
            decision = None if aged else decisions(pk)
            key = (True, profile[3]) if aged else (False, profile, decision)
            found = memo.get(key, MISSING)
            if found is MISSING:
                found = compute(key, admitted, profile, decision)
            if found is not None:
                append((pk, unit_id, found))  # type: ignore[arg-type]
        return rows

    def _ids_filter(self, ids: list[int]) -> dict[str, Any]:
        """The chunk's members by range when they are dense (one index range, no long IN list), else by id."""
        if ids[-1] - ids[0] < 2 * len(ids):
            return {"member_id__gte": ids[0], "member_id__lte": ids[-1]}
        return {"member_id__in": ids}

    def _profiles(self, ids: list[int]) -> dict[int, ProfileRow]:
        """Each member's profile in force (the latest month up to this one), as ``Computer.profile_on``."""
        found: dict[int, ProfileRow] = {}
        rows = (Profile.objects.filter(**self._ids_filter(ids), month__lte=self.month).order_by("member_id", "month")
                .values_list("member_id", "category", "base", "base_amount", "currency", "voluntary"))
        for member_id, *profile in rows:
            found[member_id] = tuple(profile)  # type: ignore[assignment]  # the later month wins
        return found

    def _decisions(self, ids: list[int]) -> dict[int, DecisionRow]:
        """The first decision (by ``month_from``) not revoked covering the month, as ``rules.due_for`` takes it."""
        found: dict[int, DecisionRow] = {}
        rows = (Decision.objects.filter(**self._ids_filter(ids), revoked_at__isnull=True, month_from__lte=self.month,
                                        month_to__gte=self.month)
                .order_by("member_id", "month_from", "pk").values_list("member_id", "kind", "percent", "document"))
        for member_id, *decision in rows:
            found.setdefault(member_id, tuple(decision))  # type: ignore[arg-type]
        return found


def write_rows(month: date, rows: list[Row]) -> None:
    """Insert ``rows`` in one transaction: COPY on PostgreSQL; ``bulk_create`` skipping conflicts elsewhere, and for
    rows the COPY refused because an obligation of one of their members was written meanwhile."""
    if connection.vendor == "postgresql":
        try:
            with connection.wrap_database_errors, transaction.atomic(), connection.cursor() as cursor:
                with cursor.copy(f"COPY {Obligation._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                    copy.write("".join(f"{pk}\t{unit_id}\t{tail}" for pk, unit_id, (_, tail) in rows))
            return
        except IntegrityError:
            pass
    Obligation.objects.bulk_create(
        [Obligation(member_id=pk, unit_id=unit_id, month=month, currency=due.currency, amount=due.amount,
                    basis=due.basis, basis_said=due.said, deferred=due.deferred) for pk, unit_id, (due, _) in rows],
        batch_size=2000, ignore_conflicts=True)


class _Writer:
    """Writes the rows ``WRITE_ROWS`` at a time (a commit each). On PostgreSQL outside any transaction (the daily
    sweep) ``WRITERS`` threads write, each with its own connection: the database inserts batches (their indexes,
    their foreign-key checks: most of the work) on more than one core while this process reads and computes the
    next. Inside a transaction (the caller's, a test's) the rows are written inline, in that transaction."""

    def __init__(self, month: date) -> None:
        self.month = month
        self.failed: BaseException | None = None
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block and connection.get_autocommit()
        self.queue: queue.Queue[list[Row] | None] = queue.Queue(maxsize=WRITERS)  # memory stays bounded
        self.threads = [threading.Thread(target=self._run, name=f"dues-obligations-{n}", daemon=True)
                        for n in range(WRITERS if threaded else 0)]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            while (rows := self.queue.get()) is not None:
                if self.failed is None:  # after a failure the batches left are taken off the queue, not written
                    try:
                        write_rows(self.month, rows)
                    except BaseException as exc:  # noqa: BLE001 - raised in the calling thread
                        self.failed = exc
        finally:
            connection.close()  # this thread's

    def write(self, rows: list[Row]) -> None:
        if self.failed is not None:
            raise self.failed
        if not rows:
            return
        if not self.threads:
            write_rows(self.month, rows)
            return
        self.queue.put(rows)

    def finish(self) -> None:
        """Wait until every batch is written; raise what failed."""
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.failed is not None:
            raise self.failed


WRITERS = 2  # threads writing on PostgreSQL (outside a transaction)
WRITE_ROWS = 50_000  # rows per write: fewer commits (each waits for the disk) than one per chunk read


def generate(members: QuerySet[Member], month: date, *, batch: int = 5000) -> int:
    """Create the obligation for ``month`` (a month's first day) of each of ``members`` who has a profile in force
    and no obligation that month yet; returns how many were created (as ``obligations_generate`` counts them).
    ``batch``: members read at a time."""
    generator, writer = _Generator(month), _Writer(month)
    # Whether the member has the month's obligation already: a subquery in the select list, so one index probe for
    # each member the chunk reads. As a filter (NOT EXISTS, NOT IN) the planner guesses its selectivity from
    # statistics that still show the month empty while it fills: it then scans all the members left, or keeps the
    # month's rows aside and rescans them for every member, for each chunk.
    done = Obligation.objects.filter(member_id=OuterRef("pk"), month=month).values("pk")[:1]
    members_rows = (members.annotate(done=Subquery(done)).order_by("pk")
                    .annotate(party_from=Coalesce("admission_decided_on", "admission_date"))
                    .values_list("pk", "unit_id", "party_from", "done"))
    created, last = 0, 0
    rows: list[Row] = []
    try:
        while True:
            chunk = list(members_rows.filter(pk__gt=last)[:batch])
            pending = [(pk, unit_id, admitted) for pk, unit_id, admitted, found in chunk if found is None]
            if pending:
                rows += generator.rows(pending)
            if len(rows) >= WRITE_ROWS or len(chunk) < batch:
                created += len(rows)
                writer.write(rows)
                rows = []
            if len(chunk) < batch:
                return created
            last = chunk[-1][0]
    finally:
        writer.finish()
