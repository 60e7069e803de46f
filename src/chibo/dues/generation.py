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

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery

from chibo.core.money import format_amount, quantize
from chibo.core.rulebook import RuleNotInForce, UnknownRule, integer, number, rule
from chibo.dues import rules as drules
from chibo.dues.enums import Base, DecisionKind
from chibo.dues.models import Decision, Obligation, Profile
from chibo.members.enums import Category

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from chibo.members.models import Member

# (category, base, base_amount, currency, voluntary) of the profile in force; (kind, percent, document) of the
# decision covering the month.
ProfileRow = tuple[str, str, Decimal | None, str, Decimal]
DecisionRow = tuple[str, int, str]
MISSING = object()  # a rule with no version in force that month (the member's due is then None)
COPY_COLUMNS = ("member_id", "unit_id", "month", "currency", "amount", "basis", "deferred")


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
            return drules.Due(Decimal(0), cur, f"Miễn: từ {years} năm tuổi Đảng")
        if decision is not None and decision[0] == DecisionKind.EXEMPT:
            return drules.Due(Decimal(0), cur, f"Miễn theo quyết định {decision[2]}")
        found = self._base_amount(category, base, base_amount, cur)
        if found is None:
            return None
        amount, basis = found
        if decision is not None and decision[0] == DecisionKind.REDUCE:
            amount = quantize(amount * Decimal(100 - decision[1]) / 100, cur)
            basis += f", giảm {decision[1]}% (QĐ {decision[2]})"
        if voluntary:
            amount += Decimal(voluntary)
            basis += f", tự nguyện thêm {format_amount(voluntary, cur)}"
        deferred = decision is not None and decision[0] == DecisionKind.DEFER
        if deferred and decision is not None:
            basis += f", cho chậm đóng (QĐ {decision[2]})"
        return drules.Due(quantize(amount, cur), cur, basis[:200], deferred)

    def _base_amount(self, category: str, base: str, base_amount: Decimal | None,
                     cur: str) -> tuple[Decimal, str] | None:
        """``rules.base_amount``; None where it raises (no version in force)."""
        if base in (Base.SALARY, Base.PENSION):
            ratio = self.value("dues.rate_salary" if base == Base.SALARY else "dues.rate_pension")
            if ratio is MISSING:
                return None
            amount = quantize(Decimal(base_amount or 0) * drules._fraction(ratio), cur)
            suffix = "" if base == Base.SALARY else " lương hưu"
            return amount, f"{drules._percent(ratio)} × {format_amount(base_amount, cur)}{suffix}"
        if base == Base.STUDENT:
            monthly = self.value("dues.student_monthly")
            if monthly is MISSING:
                return None
            return quantize(drules._fraction(monthly), "VND"), "Mức học sinh, sinh viên"
        fixed = self.value(drules.abroad_key(category, cur))
        if fixed is MISSING:
            return None
        return quantize(drules._fraction(fixed), cur), f"Mức cố định: {Category(category).label}"


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

    def due_of(self, admitted: date, profile: ProfileRow,
               decision: DecisionRow | None) -> tuple[drules.Due, str] | None:
        years = self.rules.value("dues.exempt_party_years", integer)
        if years is not MISSING and self.rules.exempt_by_age(admitted, years):
            key: tuple[Any, ...] = (True, profile[3])  # only the currency counts
        else:
            key = (False, profile, decision)
        found = self.memo.get(key, MISSING)
        if found is MISSING:
            due = self.rules.due(admitted, profile, decision)
            found = None if due is None else (due, f"{self.month.isoformat()}\t{due.currency}\t{due.amount:f}\t"
                                                   f"{_copy_text(due.basis)}\t{'t' if due.deferred else 'f'}\n")
            self.memo[key] = found
        return found  # type: ignore[return-value]

    def rows(self, members: list[tuple[int, int, date]]) -> list[Row]:
        """The obligations of ``members`` (pk, unit, admission date), computed."""
        ids = [pk for pk, _, _ in members]
        profiles = self._profiles(ids)
        decisions = self._decisions(ids)
        rows: list[Row] = []
        for pk, unit_id, admitted in members:
            profile = profiles.get(pk)
            if profile is None:
                continue
            found = self.due_of(admitted, profile, decisions.get(pk))
            if found is not None:
                rows.append((pk, unit_id, found))
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
                    basis=due.basis, deferred=due.deferred) for pk, unit_id, (due, _) in rows],
        batch_size=2000, ignore_conflicts=True)


def _close_connection() -> None:
    connection.close()  # the calling thread's


class _Writer:
    """Writes the rows ``WRITE_ROWS`` at a time (a commit each). On PostgreSQL outside any transaction it writes in a
    thread with its own connection, so the database inserts one batch (its indexes, its foreign-key checks) while
    this process reads and computes the next: on two cores most of the computing is hidden. Inside a transaction
    (the caller's, a test's) it writes inline, in that transaction."""

    def __init__(self, month: date) -> None:
        self.month = month
        self.pending: deque[Future[None]] = deque()
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block and connection.get_autocommit()
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="dues-obligations") if threaded else None

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        if self.pool is None:
            write_rows(self.month, rows)
            return
        while len(self.pending) >= 2:  # one batch being written, one waiting: memory stays bounded
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(write_rows, self.month, rows))

    def finish(self) -> None:
        """Wait for every batch (raising what failed), then close the thread's connection."""
        if self.pool is None:
            return
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            for future in self.pending:
                future.cancel()
            self.pool.submit(_close_connection).result()
            self.pool.shutdown()


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
                    .values_list("pk", "unit_id", "admission_date", "done"))
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
