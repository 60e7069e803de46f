"""Figures stored per unit and year, with each unit's subtree sum beside them: the statistics of any subtree read
from one row (plus the few rows not computed yet) instead of every record under it.

A process defines its family of figures with a model holding ``unit``, ``year``, a count field per figure (say
``full`` and ``probationary``), a ``sub_<field>`` per figure and ``dirty``, unique on (unit, year); a model of the
stored years (``year``, ``ready``, ``computed_at``); and a counter: ``counter(unit_ids or None, first, last,
**options)`` returns the figures per (unit, year) counted from its records (units and years with nothing left out).

What stays true:
- **A unit's row** holds its own figures of the year, as the counter counted them when the row was last computed.
  A writer that changes a record never computes: it marks the rows of the units concerned ``dirty`` (+1, every
  stored year, the row created when missing) in its own transaction. A dirty row is not read as it is: its unit is
  counted from the records at read time (a few units, cheap) until ``refresh`` computes it again. ``refresh``
  subtracts the marks it read before counting, so a change committed while it counts leaves the row dirty.
- **A unit's subtree sums** (``sub_<field>``) equal the sum of the stored figures of every row of its subtree, itself
  included, dirty or not: the rows that computing changes carry their difference up to their ancestors' rows in the
  same transaction (created when missing); a unit moved under another parent takes its subtree sums from the old
  chain of ancestors to the new one (``subtree_moved``). A subtree's figure is then its root's subtree sums, less the
  stored figures of its dirty rows, plus those units counted at read time.
- **A year is read from the rows** only once computed for every unit (``ready``). The year's row exists before the
  first count starts and writers read the years with a share lock, so no change made during that count goes
  unmarked. Only computing writes figures and sums, one computation at a time (a transaction-level lock on
  PostgreSQL; SQLite has one writer anyway); writers only touch ``dirty``. A refresh gives way to writers: it waits
  a short time for a row lock, then rolls back and tries again (``refresh``), so a writer never meets a deadlock.
- ``check`` compares the clean rows with a recount and every subtree sum with the sum of its rows.

A "year" is any whole-number period: a family says what its periods are (``per``): calendar years, months
(``month_period``: year × 12 + month − 1, the roll-up's figures of a month, a quarter or a year summed from its
months) or ``NOW``, the single period 0 of figures that hold today (the members on the rolls). What a family keeps
stored is ``kept_periods``; a period not stored is counted from the records by the caller.
"""

from __future__ import annotations

import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import OperationalError, connection, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from chibo.core.access import PATH_STEP, subtree_q

Values = tuple[int, ...]
Figures = dict[tuple[int, int], Values]  # (unit id, year) → the figures, in the family's field order
Counter = Callable[..., Mapping[tuple[int, int], Values]]
CHUNK = 1000
REFRESH_LOCK_WAIT = 0.2  # seconds a refresh waits for a row lock before it gives way (``StoredYears.refresh``)
REFRESH_TRIES = 5
REFRESH_PAUSE = 0.1      # seconds before the next try, times the tries made
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error code for lock_timeout


def chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


UnitIds = Iterable[int] | QuerySet[Any] | None
YEAR, MONTH, NOW = "year", "month", "now"  # what a family's periods are
MONTHS_KEPT = 24  # months stored back from the current one by the families stored per month


def unit_batches(unit_ids: UnitIds) -> list[list[int] | QuerySet[Any]] | None:
    """The units a counter counts, as the batches its queries filter on: None for every unit, a query of unit ids
    as one batch (read as a subquery), ids in sorted chunks of ``CHUNK`` (none: an empty list, nothing to count)."""
    if unit_ids is None:
        return None
    if isinstance(unit_ids, QuerySet):
        return [unit_ids]
    return list(chunks(sorted(set(unit_ids))))


def month_period(day: date) -> int:
    """The period number of ``day``'s month in the families stored per month."""
    return day.year * 12 + day.month - 1


def period_month(period: int) -> tuple[int, int]:
    """(year, month) of a month's period number."""
    return period // 12, period % 12 + 1


def month_periods(first: date, last: date) -> list[int]:
    """The months from ``first``'s to ``last``'s, as period numbers."""
    return list(range(month_period(first), month_period(last) + 1))


def whole_months(first: date, last: date) -> list[int] | None:
    """The months of ``first``–``last`` as period numbers when it runs from a month's first day to a month's last
    day (what the families stored per month can answer), else None."""
    if first.day != 1 or (last + timedelta(days=1)).day != 1 or last < first:
        return None
    return month_periods(first, last)


def before_save(fields: tuple[str, ...]) -> Callable[..., None]:
    """A ``pre_save`` receiver keeping on the instance what ``fields`` held in the database before this save
    (``stored_before``; None for a new row), so that a family's ``post_save`` receiver marks only what changed."""

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        instance.stored_before = (sender.objects.filter(pk=instance.pk).values_list(*fields).first()
                                  if instance.pk else None)

    return receiver


def runs(years: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) runs."""
    out: list[tuple[int, int]] = []
    for y in sorted(set(years)):
        if out and out[-1][1] == y - 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


def path_ids(path: str) -> list[int]:
    """The ids of the units on a materialized path, from the root down to the unit itself."""
    return [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def subtree_sums(rows: Iterable[tuple[str, Values]], width: int) -> dict[int, Values]:
    """Every unit's subtree sums from the rows (unit path, figures): each row counts in its unit and every ancestor."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0] * width)
    for path, values in rows:
        for unit_id in path_ids(path):
            cell = sums[unit_id]
            for i, v in enumerate(values):
                cell[i] += v
    return {u: tuple(v) for u, v in sums.items()}


class StoredFigures(models.Model):
    """What every family's model of rows holds beside its figures (``figure_model``): the unit, the period, the
    changes not computed yet (``dirty``), one row per unit and period."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    dirty = models.IntegerField(default=0)

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="%(class)s_once")]
        indexes = [models.Index(fields=["year", "unit"], name="%(class)s_dirty", condition=models.Q(dirty__gt=0))]


class StoredPeriods(models.Model):
    """A family's periods: one computed for every unit is ``ready`` (read from the rows)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    ready = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


def figure_model(name: str, module: str, fields: tuple[str, ...], doc: str) -> type[StoredFigures]:
    """A family's model of rows, defined in its app's models ``module``: ``StoredFigures`` with a whole-number column
    per figure of ``fields`` and its subtree sum ``sub_<field>``."""
    columns: dict[str, models.Field] = {f: models.IntegerField(default=0) for f in fields}
    columns |= {f"sub_{f}": models.IntegerField(default=0) for f in fields}
    return type(name, (StoredFigures,), {"__module__": module, "__qualname__": name, "__doc__": doc, **columns})


def _quoted(column: str) -> str:
    return connection.ops.quote_name(column)  # "full", "left": words of SQL


@dataclass(frozen=True)
class Wrong:
    """A stored row that differs from what it should hold: its own figures against a recount ("row"), or its subtree
    sums against the sum of the subtree's rows ("subtree")."""

    unit: int
    year: int
    stored: Values
    expected: Values
    what: str


class StoredYears:
    """One family of figures stored per unit and year (see the module)."""

    def __init__(self, *, figure: Any, stored: Any, fields: tuple[str, ...], counter: Counter, per: str = YEAR):
        self.figure, self.stored, self.fields, self.counter, self.per = figure, stored, fields, counter, per
        self.subs = tuple(f"sub_{name}" for name in fields)
        self.zero: Values = (0,) * len(fields)
        self._lock_key = zlib.crc32(figure._meta.db_table.encode())

    def kept_periods(self, today: date, years: int) -> list[int]:
        """The periods kept stored: the last ``years`` years, the last ``MONTHS_KEPT`` months, or today's."""
        if self.per == NOW:
            return [0]
        if self.per == MONTH:
            now = month_period(today)
            return list(range(now - MONTHS_KEPT + 1, now + 1))
        return list(range(today.year - years + 1, today.year + 1))

    def periods_of_years(self, years: Iterable[int]) -> list[int]:
        """The periods of these calendar years (for a family stored per month, their months; today's for ``NOW``)."""
        if self.per == NOW:
            return [0]
        if self.per == MONTH:
            return [y * 12 + m for y in sorted(set(years)) for m in range(12)]
        return sorted(set(years))

    # -- writers: marking ------------------------------------------------------------------------------
    def stored_years_locked(self) -> list[int]:
        """The stored years, read with a share lock held to the end of the writer's transaction: a year being added
        (``years_compute``) waits for the writers that read the list without it."""
        table = self.stored._meta.db_table
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cur:
            cur.execute(f'SELECT "year" FROM "{table}"{lock}')  # noqa: S608  (a model's table name)
            return [r[0] for r in cur.fetchall()]

    def mark_units(self, unit_ids: Iterable[int | None], periods: Iterable[int] | None = None) -> None:
        """A record of these units changed: their rows of every stored period become dirty (created when missing),
        or only of the stored ones among ``periods`` when the writer knows which periods the change touched."""
        ids = sorted({u for u in unit_ids if u})
        if not ids:
            return
        with transaction.atomic(savepoint=False):
            years = self.stored_years_locked()
            if periods is not None:
                years = sorted(set(years) & set(periods))
            if not years:
                return
            for chunk in chunks(ids):
                self.figure.objects.bulk_create([self.figure(unit_id=u, year=y) for u in chunk for y in years],
                                                ignore_conflicts=True)
                self.figure.objects.filter(unit_id__in=chunk, year__in=years).update(dirty=F("dirty") + 1)

    def forget_before(self, first: int) -> int:
        """Periods before ``first`` are no longer kept (a family stored per month keeps a window that moves): their
        rows and their stored period go, so that writers stop marking them. Returns how many periods went."""
        with transaction.atomic():
            self._computing()
            old = list(self.stored.objects.filter(year__lt=first).values_list("year", flat=True))
            if old:
                self.figure.objects.filter(year__in=old).delete()
                self.stored.objects.filter(year__in=old).delete()
        return len(old)

    # -- computing -------------------------------------------------------------------------------------
    def _computing(self) -> None:
        """One computation at a time (inside its transaction): figures and sums are written by computing only."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [self._lock_key])

    def _ensure_rows(self, unit_ids: Iterable[int], year: int) -> None:
        for chunk in chunks(sorted(set(unit_ids))):
            self.figure.objects.bulk_create([self.figure(unit_id=u, year=year) for u in chunk], ignore_conflicts=True)

    def _update(self, sets: str, params: list[tuple[Any, ...]]) -> None:
        """``UPDATE … SET <sets> WHERE unit_id = … AND year = …`` once per row of ``params`` (the values of
        ``sets``, then the unit and the year): one statement sent many times, not a CASE over thousands of rows."""
        if not params:
            return
        table = connection.ops.quote_name(self.figure._meta.db_table)
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET {sets} WHERE unit_id = %s AND year = %s", params)  # noqa: S608

    def _add_to_sums(self, year: int, deltas: dict[int, list[int]]) -> None:
        """Add ``deltas`` (unit → a difference per figure) to those units' subtree sums of ``year``."""
        deltas = {u: d for u, d in deltas.items() if any(d)}
        self._ensure_rows(deltas, year)
        self._update(", ".join(f"{q} = {q} + %s" for q in map(_quoted, self.subs)),
                     [(*deltas[u], u, year) for u in sorted(deltas)])

    def _write(self, year: int, figures: Mapping[tuple[int, int], Values], read: dict[int, int]) -> None:
        """Store ``figures`` of ``year`` for the units in ``read`` (unit → the dirty count read before counting) and
        any unit counted: each row takes its count and loses the marks read (marks added meanwhile stay), and the
        differences go up to the subtree sums."""
        units = sorted(set(read) | {u for u, y in figures if y == year})
        deltas: dict[int, list[int]] = defaultdict(lambda: [0] * len(self.fields))
        params = []
        for chunk in chunks(units):
            self._ensure_rows(chunk, year)
            for unit_id, path, *old in (self.figure.objects.filter(unit_id__in=chunk, year=year)
                                        .values_list("unit_id", "unit__path", *self.fields)):
                new = figures.get((unit_id, year), self.zero)
                params.append((*new, read.get(unit_id, 0), unit_id, year))
                if tuple(new) != tuple(old):
                    for ancestor in path_ids(path):
                        cell = deltas[ancestor]
                        for i, (a, b) in enumerate(zip(new, old, strict=True)):
                            cell[i] += a - b
        self._update(", ".join([*(f"{q} = %s" for q in map(_quoted, self.fields)), "dirty = dirty - %s"]), params)
        self._add_to_sums(year, deltas)

    def _store_whole(self, year: int, figures: Mapping[tuple[int, int], Values], read: dict[int, int],
                     known: dict[int, str]) -> None:
        """Set every row of ``year`` from ``figures`` (the count for every unit), with every subtree sum computed here
        (this also mends sums a write behind the services left wrong): the rows missing are inserted whole, the
        others updated where they differ or were marked before the count (those marks, ``read``, are taken off;
        marks made meanwhile stay). A row a writer created meanwhile (zeros, marked) is set by the update. ``known``:
        the units' paths read for the earlier years of the same computation."""
        width = len(self.fields)
        rows = self.figure.objects.filter(year=year)
        paths = {u: p for u, p in rows.values_list("unit_id", "unit__path")}
        have = set(paths)
        counted = {u: tuple(v) for (u, y), v in figures.items() if y == year}
        units = self.figure._meta.get_field("unit").related_model.objects
        known.update(paths)
        for chunk in chunks(sorted(set(counted) - set(known))):
            known.update(units.filter(pk__in=chunk).values_list("pk", "path"))
        paths = known
        sums = subtree_sums(((paths[u], v) for u, v in counted.items()), width)
        target = {u: (*counted.get(u, self.zero), *sums.get(u, self.zero)) for u in set(counted) | set(sums)}
        names = (*self.fields, *self.subs)
        self.figure.objects.bulk_create(
            [self.figure(unit_id=u, year=year, **dict(zip(names, target[u], strict=True)))
             for u in sorted(set(target) - have)], ignore_conflicts=True, batch_size=2000)
        params = []
        for unit_id, *values in rows.values_list("unit_id", *names).iterator(chunk_size=5000):
            want = target.get(unit_id, self.zero * 2)
            if tuple(values) != want or read.get(unit_id, 0):
                params.append((*want, read.get(unit_id, 0), unit_id, year))
        self._update(", ".join([*(f"{q} = %s" for q in map(_quoted, names)), "dirty = dirty - %s"]), params)

    def years_compute(self, years: Iterable[int], **options: Any) -> None:
        """Compute every unit's rows of ``years`` from the records (the first time, or again after writes made behind
        the services) and their subtree sums; the years are read from the rows once done."""
        wanted = sorted(set(years))
        if not wanted:
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:  # waits for writers that read the years before this one existed
                    cur.execute(f'LOCK TABLE "{self.stored._meta.db_table}" IN EXCLUSIVE MODE')
            for year in wanted:
                self.stored.objects.get_or_create(year=year)
        with transaction.atomic():
            self._computing()
            read: dict[int, dict[int, int]] = defaultdict(dict)
            for unit_id, year, dirty in self.figure.objects.filter(year__in=wanted).values_list(
                    "unit_id", "year", "dirty"):
                read[year][unit_id] = dirty
            for first, last in runs(wanted):
                figures = self.counter(None, first, last, **options)
                known: dict[int, str] = {}
                for year in range(first, last + 1):
                    self._store_whole(year, figures, read[year], known)
            self.stored.objects.filter(year__in=wanted).update(ready=True, computed_at=timezone.now())
        if connection.vendor == "postgresql":
            # The planner's statistics of the rows just written (hundreds of thousands at once): without them it
            # guesses thousands of dirty rows and reads a subtree's every unit to find none (28 ms instead of 0.1).
            with connection.cursor() as cur:
                cur.execute(f'ANALYZE "{self.figure._meta.db_table}"')

    def refresh(self, **options: Any) -> int:
        """Compute again the dirty rows; returns how many were dirty.

        The computation gives way to writers. It locks the rows it changes, then their ancestors' sums, while a
        writer marks rows in its own order (a member moved off the top unit's rolls marks the top unit, then the
        cell). Each could hold what the other waits for. So on PostgreSQL the computation waits at most
        REFRESH_LOCK_WAIT for a row lock, well before the deadlock check (one second) could pick the writer,
        rolls back and tries again, REFRESH_TRIES times; the writer goes on."""
        for attempt in range(1, REFRESH_TRIES + 1):
            try:
                return self._refresh(options)
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE or attempt == REFRESH_TRIES:
                    raise
                time.sleep(REFRESH_PAUSE * attempt)  # the writer commits meanwhile
        raise AssertionError("unreachable")

    def _refresh(self, options: dict[str, Any]) -> int:
        with transaction.atomic():
            self._computing()
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute(f"SET LOCAL lock_timeout = {int(REFRESH_LOCK_WAIT * 1000)}")
            dirty = list(self.figure.objects.filter(dirty__gt=0).values_list("unit_id", "year", "dirty"))
            if not dirty:
                return 0
            figures: Figures = {}
            for first, last in runs({y for _u, y, _d in dirty}):
                figures.update(self.counter(sorted({u for u, _y, _d in dirty}), first, last, **options))
            by_year: dict[int, dict[int, int]] = defaultdict(dict)
            for u, y, d in dirty:
                by_year[y][u] = d
            for year, read in by_year.items():
                self._write(year, {k: v for k, v in figures.items() if k[0] in read}, read)
        return len(dirty)

    def subtree_moved(self, old_path: str, new_path: str) -> None:
        """A unit moved from ``old_path`` to ``new_path`` (its subtree with it, same transaction): its subtree sums
        leave the ancestors it had and reach the ones it has."""
        unit_id = path_ids(old_path)[-1]
        old, new = path_ids(old_path)[:-1], path_ids(new_path)[:-1]
        left, joined = [u for u in old if u not in new], [u for u in new if u not in old]
        with transaction.atomic(savepoint=False):
            self._computing()
            for year, *sums in self.figure.objects.filter(unit_id=unit_id).values_list("year", *self.subs):
                self._add_to_sums(year, {**{u: [-s for s in sums] for u in left}, **{u: list(sums) for u in joined}})

    # -- reading ---------------------------------------------------------------------------------------
    def ready_years(self, first: int, last: int) -> list[int]:
        return list(self.stored.objects.filter(year__gte=first, year__lte=last, ready=True)
                    .values_list("year", flat=True))

    def read(self, path: str, years: list[int], **options: Any) -> dict[int, Values]:
        """The figures of the subtree at ``path`` for ``years`` (ready ones): its root's subtree sums, with the units
        of its dirty rows counted from the records instead of read."""
        if not years:
            return {}
        out = {y: list(self.zero) for y in years}
        # The root's sums and the dirty rows in one statement, so that both are of the same moment: a computation
        # committing between two reads would leave rows counted twice or not corrected.
        root_sql, root_params = (self.figure.objects.filter(unit_id=path_ids(path)[-1], year__in=years)
                                 .values_list("unit_id", "year", *self.subs).query.sql_with_params())
        dirty_sql, dirty_params = (self.figure.objects.filter(subtree_q([path], "unit__path"), year__in=years,
                                                              dirty__gt=0)
                                   .values_list("unit_id", "year", *self.fields).query.sql_with_params())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 0, r.* FROM ({root_sql}) r UNION ALL SELECT 1, d.* FROM ({dirty_sql}) d",
                           [*root_params, *dirty_params])
            fetched = cursor.fetchall()
        dirty = []
        for kind, unit_id, year, *values in fetched:
            if kind == 0:
                out[year] = list(values)
            else:
                dirty.append((unit_id, year, *values))
        if dirty:
            counted: Figures = {}
            for first, last in runs({y for _u, y, *_v in dirty}):
                counted.update(self.counter(sorted({u for u, _y, *_v in dirty}), first, last, **options))
            for unit_id, year, *stored in dirty:
                now = counted.get((unit_id, year), self.zero)
                out[year] = [total - s + n for total, s, n in zip(out[year], stored, now, strict=True)]
        return {y: tuple(v) for y, v in out.items()}

    def read_sum(self, path: str, periods: list[int], **options: Any) -> Values | None:
        """The figures of the subtree at ``path`` summed over ``periods``, read from the rows; None unless every one
        of them is stored (the caller counts from the records)."""
        if not periods:
            return None
        ready = self.ready_years(min(periods), max(periods))
        if set(periods) - set(ready):
            return None
        total = list(self.zero)
        for values in self.read(path, sorted(set(periods)), **options).values():
            total = [a + b for a, b in zip(total, values, strict=True)]
        return tuple(total)

    def check(self, years: Iterable[int] | None = None, **options: Any) -> list[Wrong]:
        """Rows of ready years that are wrong: clean rows against a recount, every subtree sum against its rows."""
        wanted = sorted(set(years) if years is not None else
                        self.stored.objects.filter(ready=True).values_list("year", flat=True))
        wrong: list[Wrong] = []
        for first, last in runs(wanted):
            counted = self.counter(None, first, last, **options)
            rows = self.figure.objects.filter(year__gte=first, year__lte=last)
            stored = {(u, y): (d, tuple(v)) for u, y, d, *v in rows.values_list("unit_id", "year", "dirty",
                                                                                  *self.fields)}
            for key in sorted(set(stored) | set(counted)):
                dirty, have = stored.get(key, (0, self.zero))
                if not dirty and have != counted.get(key, self.zero):
                    wrong.append(Wrong(key[0], key[1], have, counted.get(key, self.zero), "row"))
            for year in range(first, last + 1):
                of_year = rows.filter(year=year)
                sums = subtree_sums(((p, v) for p, *v in of_year.values_list("unit__path", *self.fields)),
                                    len(self.fields))
                for unit_id, *have_sums in of_year.values_list("unit_id", *self.subs).order_by("unit_id"):
                    if tuple(have_sums) != sums.get(unit_id, self.zero):
                        wrong.append(Wrong(unit_id, year, tuple(have_sums), sums.get(unit_id, self.zero),
                                           "subtree"))
                missing = set(sums) - set(of_year.values_list("unit_id", flat=True))
                wrong.extend(Wrong(u, year, self.zero, sums[u], "subtree") for u in sorted(missing)
                             if sums[u] != self.zero)
        return wrong


# The families of apps the statistics app cannot import (those of its own layer: the roll-up's), registered by
# their module; ``stats.stored.families`` lists them beside the ones it names.
_REGISTERED: dict[str, StoredYears] = {}


def register(name: str, family: StoredYears) -> StoredYears:
    _REGISTERED[name] = family
    return family


def registered() -> dict[str, StoredYears]:
    return dict(_REGISTERED)
