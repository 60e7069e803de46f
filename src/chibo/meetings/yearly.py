"""Regular meetings held per year stored per cell (``MeetingYearFigure``, with each unit's subtree sums): the
statistics of a large subtree without reading every meeting. How the rows and sums stay right is
``chibo.core.yearly``'s; what is counted is here.

A cell's figure for a year is the number of months of that year in which it held a regular or combined meeting,
the month on the meeting's own calendar (its time zone), as ``meetings.selectors.regular_meetings_per_year``
counts them; units that are not cells count nothing. The definition reads no clock: the current year is stored
too. Every save or deletion of a meeting marks its unit's rows of every stored year ``dirty`` in the same
transaction (a model signal: whoever writes the meeting, ``apps.ready``). Writers behind the ORM (the national
loader, SQL) run ``chibo stats_figures --rebuild`` afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from chibo.core import clock
from chibo.core.access import PATH_END
from chibo.core.events import subscribe
from chibo.core.yearly import (
    MONTH,
    StoredYears,
    UnitIds,
    before_save,
    chunks,
    month_period,
    period_month,
    register,
    unit_batches,
)
from chibo.meetings.models import (
    COMPLIANCE_FIELDS,
    Meeting,
    MeetingComplianceFigure,
    MeetingComplianceStored,
    MeetingKind,
    MeetingMonthFigure,
    MeetingMonthStored,
    MeetingState,
    MeetingYearFigure,
    MeetingYearStored,
)
from chibo.meetings.rules import CELL_KINDS, ComplianceCounts
from chibo.units.events import UnitMoved

Figures = dict[tuple[int, int], tuple[int]]  # (unit id, year) → (months held,)


def _units() -> Any:
    """The units' model (units.Unit), reached through the figures' foreign key: only its app imports it."""
    return MeetingComplianceFigure._meta.get_field("unit").related_model


def meeting_zone(name: str) -> tzinfo:
    """A meeting's time zone (the server's for a name the zone database does not know)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def count(unit_ids: UnitIds, first: int, last: int) -> Figures:
    """Months held per cell and year from ``first`` to ``last`` counted from the meetings, for ``unit_ids`` (every
    unit when None, or a query of unit ids read as a subquery; units that are not cells count nothing); one grouped
    query per thousand units. A meeting's month is the one on its own calendar (its time zone), not the server's:
    the year and the month are taken in each of the time zones the meetings were held in (a CASE over them,
    converted by the database)."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    meetings = Meeting.objects.filter(state=MeetingState.HELD, kind__in=(MeetingKind.REGULAR, MeetingKind.COMBINED),
                                      unit__kind__in=CELL_KINDS,
                                      starts_at__gte=timezone.make_aware(datetime(first, 1, 1)) - timedelta(days=1),
                                      starts_at__lt=timezone.make_aware(datetime(last + 1, 1, 1)) + timedelta(days=1))
    out: Figures = {}
    for qs in [meetings] if batches is None else [meetings.filter(unit_id__in=batch) for batch in batches]:
        zones = {name: meeting_zone(name) for name in qs.values_list("time_zone", flat=True).distinct().order_by()}
        if not zones:
            continue

        def local(extract: type[ExtractYear] | type[ExtractMonth], zones=zones) -> Case:
            return Case(*[When(time_zone=name, then=extract("starts_at", tzinfo=zone)) for name, zone in zones.items()],
                        output_field=IntegerField())

        rows = (qs.annotate(year=local(ExtractYear), month=local(ExtractMonth)).filter(year__gte=first, year__lte=last)
                .values("unit_id", "year").annotate(n=Count("month", distinct=True)).order_by())
        for row in rows:
            out[(row["unit_id"], row["year"])] = (row["n"],)
    return out


FIGURES = StoredYears(figure=MeetingYearFigure, stored=MeetingYearStored, fields=("held",), counter=count)
mark_units = FIGURES.mark_units
ready_years = FIGURES.ready_years


# -- the roll-up's meetings held per month ---------------------------------------------------------------------
HELD_KINDS = (MeetingKind.REGULAR, MeetingKind.COMBINED)
OTHER_KINDS = (MeetingKind.THEMATIC, MeetingKind.EXTRAORDINARY)


def count_months(unit_ids: UnitIds, first: int, last: int) -> dict[tuple[int, int], tuple[int, int]]:
    """(regular or combined, thematic or extraordinary) meetings held per unit and month (``core.yearly``'s period
    numbers ``first`` to ``last``), the month on the server's calendar, as the roll-up's live column counts a
    period's meetings (``reports.figures``), for ``unit_ids``; units and months with none left out."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    (y0, m0), (y1, m1) = period_month(first), period_month(last)
    since = timezone.make_aware(datetime(y0, m0, 1))
    until = timezone.make_aware(datetime(y1 + m1 // 12, m1 % 12 + 1, 1))
    meetings = Meeting.objects.filter(state=MeetingState.HELD, kind__in=(*HELD_KINDS, *OTHER_KINDS),
                                      starts_at__gte=since, starts_at__lt=until)
    zone = timezone.get_current_timezone()
    out: dict[tuple[int, int], list[int]] = {}
    for qs in [meetings] if batches is None else [meetings.filter(unit_id__in=batch) for batch in batches]:
        rows = (qs.annotate(y=ExtractYear("starts_at", tzinfo=zone), m=ExtractMonth("starts_at", tzinfo=zone))
                .values_list("unit_id", "y", "m", "kind").annotate(n=Count("pk")).order_by())
        for unit_id, year, month, kind, n in rows:
            cell = out.setdefault((unit_id, year * 12 + month - 1), [0, 0])
            cell[0 if kind in HELD_KINDS else 1] += n
    return {key: (v[0], v[1]) for key, v in out.items()}


MONTHS = StoredYears(figure=MeetingMonthFigure, stored=MeetingMonthStored, fields=("held", "other"),
                     counter=count_months, per=MONTH)


@subscribe(UnitMoved)
def _unit_moved(event: UnitMoved) -> None:
    FIGURES.subtree_moved(event.old_path, event.new_path)
    MONTHS.subtree_moved(event.old_path, event.new_path)
    COMPLIANCE.subtree_moved(event.old_path, event.new_path)


def read(path: str, years: list[int]) -> dict[int, int]:
    """The months held in ``years`` (ready ones) by the cells of the subtree at ``path``."""
    return {y: v[0] for y, v in FIGURES.read(path, years).items()}


# What the roll-up's months count of a meeting: held or not, its kind, its unit and its day; and the compliance
# figures: its day on its own calendar (its time zone).
COUNTED = ("state", "kind", "unit_id", "starts_at", "time_zone")
remember = before_save(COUNTED)  # the pre_save receiver (``apps.ready``)


def _month_counted(values: tuple[Any, ...] | None) -> tuple[int, int] | None:
    """(unit, month) in which a meeting with these ``COUNTED`` values counts as held, None when it does not."""
    if values is None:
        return None
    state, kind, unit_id, starts_at = values[:4]
    if state != MeetingState.HELD or kind not in (*HELD_KINDS, *OTHER_KINDS) or starts_at is None:
        return None
    return unit_id, month_period(timezone.localtime(starts_at).date())


def _mark(unit_id: int, before: tuple[Any, ...] | None, after: tuple[Any, ...] | None) -> None:
    mark_units([unit_id])  # the months held per year: every stored year of the unit, as before
    was, now = _month_counted(before), _month_counted(after)
    if was != now or (was is not None and before[:4] != after[:4]):  # type: ignore[index]  # the kind may move
        changed = [c for c in (was, now) if c]
        MONTHS.mark_units([u for u, _m in changed], periods=[m for _u, m in changed])
    _mark_compliance(unit_id, before, after)


def meeting_saved(sender, instance: Meeting, **kwargs) -> None:
    """The ``post_save`` receiver (``apps.ready``): the rows of the months a meeting counted in before the save
    (``remember``) and counts in now are dirty, none when neither changed (a meeting planned, its agenda edited)."""
    _mark(instance.unit_id, getattr(instance, "stored_before", None),
          tuple(getattr(instance, f) for f in COUNTED))


def meeting_deleted(sender, instance: Meeting, **kwargs) -> None:
    """The ``post_delete`` receiver: what the meeting counted no longer counts."""
    _mark(instance.unit_id, tuple(getattr(instance, f) for f in COUNTED), None)


# -- the compliance page's late cells -------------------------------------------------------------------------
REGULAR_KINDS = (MeetingKind.REGULAR, MeetingKind.COMBINED)
THEMATIC_KINDS = (MeetingKind.THEMATIC, MeetingKind.COMBINED)


def _missing(opened_on: date, year: int, last_month: int, regular: set[int], thematic: set[int]) -> tuple[int, int]:
    """(months, quarters) of ``year`` up to ``last_month`` a cell opened on ``opened_on`` misses, as
    ``rules.compliance`` reckons them."""
    start = opened_on.month if opened_on.year == year else (1 if opened_on.year < year else 13)
    months = sum(1 for m in range(start, last_month + 1) if m not in regular)
    last_q, first_q = (last_month - 1) // 3 + 1 if last_month else 0, (start - 1) // 3 + 1
    return months, sum(1 for q in range(first_q, last_q + 1) if q not in thematic)


def count_compliance(unit_ids: UnitIds, first: int, last: int) -> dict[tuple[int, int], tuple[int, ...]]:
    """The compliance figures (``models.COMPLIANCE_FIELDS``) per open cell and period ``first`` to ``last`` (a
    period: the months of its year up to its own), for ``unit_ids`` (every unit when None); units that are not open
    cells left out. The meetings held in each year read once per year (one query per thousand units), each dated on
    its own calendar (its time zone) as ``rules.compliance`` dates it."""
    batches = unit_batches(unit_ids)
    if batches == []:
        return {}
    by_year: dict[int, list[int]] = {}
    for period in range(first, last + 1):
        year, month = period_month(period)
        by_year.setdefault(year, []).append(month)
    out: dict[tuple[int, int], tuple[int, ...]] = {}
    for batch in [None] if batches is None else batches:
        cells = _units().objects.filter(kind__in=CELL_KINDS, closed_on__isnull=True)
        opened = dict((cells if batch is None else cells.filter(pk__in=batch)).values_list("pk", "opened_on")
                      .iterator(chunk_size=5000))
        if not opened:
            continue
        for year, months in by_year.items():
            meetings = Meeting.objects.filter(
                state=MeetingState.HELD, kind__in=(*REGULAR_KINDS, *THEMATIC_KINDS),
                starts_at__gte=timezone.make_aware(datetime(year, 1, 1)) - timedelta(days=1),
                starts_at__lt=timezone.make_aware(datetime(year + 1, 1, 1)) + timedelta(days=1))
            if batch is not None:
                meetings = meetings.filter(unit_id__in=batch)
            regular: dict[int, set[int]] = defaultdict(set)
            thematic: dict[int, set[int]] = defaultdict(set)
            zones: dict[str, tzinfo] = {}
            for unit_id, kind, starts_at, zone in meetings.values_list(
                    "unit_id", "kind", "starts_at", "time_zone").order_by().iterator(chunk_size=5000):
                if unit_id not in opened:
                    continue
                day = starts_at.astimezone(zones.get(zone) or zones.setdefault(zone, meeting_zone(zone))).date()
                if day.year != year:
                    continue
                if kind in REGULAR_KINDS:
                    regular[unit_id].add(day.month)
                if kind in THEMATIC_KINDS:
                    thematic[unit_id].add((day.month - 1) // 3 + 1)
            empty: set[int] = set()
            for unit_id, opened_on in opened.items():
                for month in months:
                    m, q = _missing(opened_on, year, month, regular.get(unit_id, empty),
                                    thematic.get(unit_id, empty))
                    out[(unit_id, year * 12 + month - 1)] = (1, int(bool(m or q)), int(bool(m)), int(bool(q)), m, q)
    return out


class CompliancePeriods(StoredYears):
    """The compliance figures' periods: December of each kept year before the current one, and the current month
    (a year's compliance counts its months up to the current one). When a newer month is computed, the month before
    it (unless a December) is no longer kept: its rows and its period go."""

    def kept_periods(self, today: date, years: int) -> list[int]:
        return [y * 12 + 11 for y in range(today.year - years + 1, today.year)] + [month_period(today)]

    def periods_of_years(self, years: Iterable[int]) -> list[int]:
        today = clock.today()
        return sorted({y * 12 + 11 for y in years if y < today.year}
                      | ({month_period(today)} if today.year in set(years) else set()))

    def _names(self, period: int, unit_ids: list[int] | None = None) -> None:
        """The rows of ``period`` (of ``unit_ids``) take their unit's ``sort_key``, in the computing transaction."""
        table, units = self.figure._meta.db_table, _units()._meta.db_table
        name = f'(SELECT u.sort_key FROM "{units}" u WHERE u.id = "{table}".unit_id)'
        batches: list[list[int] | None] = [None] if unit_ids is None else list(chunks(unit_ids))
        for chunk in batches:
            only = "" if chunk is None else f" AND unit_id IN ({', '.join(['%s'] * len(chunk))})"
            with connection.cursor() as cur:
                cur.execute(f'UPDATE "{table}" SET sort_key = {name} WHERE year = %s AND sort_key <> {name}{only}',  # noqa: S608
                            [period, *(chunk or [])])

    def _store_whole(self, year: int, figures: Any, read: dict[int, int], known: dict[int, str]) -> None:
        super()._store_whole(year, figures, read, known)
        self._names(year)

    def _write(self, year: int, figures: Any, read: dict[int, int]) -> None:
        super()._write(year, figures, read)
        self._names(year, sorted(set(read) | {u for u, y in figures if y == year}))

    def years_compute(self, years: Iterable[int], **options: Any) -> None:
        wanted = sorted(set(years))
        super().years_compute(wanted, **options)
        if not wanted:
            return
        with transaction.atomic():
            self._computing()
            stored = list(self.stored.objects.values_list("year", flat=True))
            passed = [p for p in stored if p % 12 != 11 and p < max(stored)]
            if passed:
                self.figure.objects.filter(year__in=passed).delete()
                self.stored.objects.filter(year__in=passed).delete()


COMPLIANCE = register("meetings_compliance", CompliancePeriods(
    figure=MeetingComplianceFigure, stored=MeetingComplianceStored, fields=COMPLIANCE_FIELDS,
    counter=count_compliance, per=MONTH))


def compliance_period(year: int, today: date) -> int | None:
    """The period of ``year``'s compliance on ``today``: its December when past, the current month when current;
    None for a year to come (nothing due)."""
    if year < today.year:
        return year * 12 + 11
    return month_period(today) if year == today.year else None


def _compliance_marks(values: tuple[Any, ...] | None) -> tuple[int, int] | None:
    """(year, month) on its own calendar in which a meeting with these ``COUNTED`` values counts for compliance,
    None when it does not."""
    if values is None:
        return None
    state, kind, _unit_id, starts_at, zone = values
    if state != MeetingState.HELD or kind not in (*REGULAR_KINDS, *THEMATIC_KINDS) or starts_at is None:
        return None
    day = starts_at.astimezone(meeting_zone(zone)).date()
    return day.year, day.month


def _mark_compliance(unit_id: int, before: tuple[Any, ...] | None, after: tuple[Any, ...] | None) -> None:
    """The compliance rows a meeting's change touches: its unit's periods of the year, from the month it counted in
    (before or now) on."""
    was, now = _compliance_marks(before), _compliance_marks(after)
    if was == now and (was is None or before == after):
        return
    periods = {y * 12 + m for y, month in (c for c in (was, now) if c) for m in range(month - 1, 12)}
    units = {v[2] for v in (before, after) if v is not None} | {unit_id}
    COMPLIANCE.mark_units(units, periods=periods)


def unit_saved(sender, instance: Any, **kwargs) -> None:
    """The ``post_save`` receiver of units (``apps.ready``): a cell created, closed or renamed is marked in every
    stored period of the compliance figures."""
    if instance.kind in CELL_KINDS:
        COMPLIANCE.mark_units([instance.pk])


def _scope_sql(paths: list[str], ids: list[int]) -> tuple[str, list[Any]]:
    """SQL matching the units ``u`` of the subtrees at ``paths`` and the units ``ids``."""
    parts = ["(u.path >= %s AND u.path < %s)"] * len(paths)
    params: list[Any] = [v for path in paths for v in (path, path + PATH_END)]
    if ids:
        parts.append(f"u.id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    return f"({' OR '.join(parts) or 'FALSE'})", params


def compliance_read(paths: list[str], ids: list[int], year: int, *, today: date, offset: int = 0, limit: int = 50,
                    worst_first: bool = True) -> ComplianceCounts | None:
    """``rules.compliance_counts`` of the open cells in the subtrees at ``paths`` (none inside another) and the units
    ``ids`` (none inside them), read from the stored compliance figures of ``year``'s period on ``today``; None when
    that period is not stored (the caller counts). One statement, so one snapshot of the sums, the marks and the rows:
    the subtrees' sums and the units' own figures, the dirty rows of the scope, and the clean late rows up to the
    page's end in its order (their index; the units' names copied for the ties). The dirty rows' units are then
    counted from the meetings: the totals take their count instead of their stored figures, the page merges them
    in. A write committed meanwhile is either in the snapshot or marks a row counted now: each cell is counted
    once, as it was at some moment of the read."""
    period = compliance_period(year, today)
    if period is None or not COMPLIANCE.ready_years(period, period):
        return None
    if not paths and not ids:
        return ComplianceCounts(cells=0, late=0, late_regular=0, late_thematic=0, rows=[])
    figures, units = MeetingComplianceFigure._meta.db_table, _units()._meta.db_table
    scope, scope_params = _scope_sql(paths, ids)
    order = "f.months DESC, f.quarters DESC, f.sort_key, f.unit_id" if worst_first else "f.sort_key, f.unit_id"
    own = "f.cells, f.late, f.late_months, f.late_quarters"
    join = f'"{figures}" f JOIN "{units}" u ON u.id = f.unit_id'
    parts: list[str] = []
    params: list[Any] = []
    if paths:
        parts.append(f"SELECT 0, f.unit_id, f.sub_cells, f.sub_late, f.sub_late_months, f.sub_late_quarters, 0, 0, '' "
                     f"FROM {join} WHERE f.year = %s AND u.path IN ({', '.join(['%s'] * len(paths))})")
        params += [period, *paths]
    if ids:
        parts.append(f'SELECT 0, f.unit_id, {own}, 0, 0, \'\' FROM "{figures}" f '
                     f"WHERE f.year = %s AND f.unit_id IN ({', '.join(['%s'] * len(ids))})")
        params += [period, *ids]
    parts.append(f"SELECT 1, f.unit_id, {own}, f.months, f.quarters, u.sort_key FROM {join} "
                 f"WHERE f.year = %s AND f.dirty > 0 AND {scope}")
    params += [period, *scope_params]
    parts.append(f"SELECT * FROM (SELECT 2, f.unit_id, 0, 0, 0, 0, f.months, f.quarters, f.sort_key FROM {join} "
                 f"WHERE f.year = %s AND f.late > 0 AND f.dirty = 0 AND {scope} ORDER BY {order} LIMIT %s) p")
    params += [period, *scope_params, offset + limit]
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)  # noqa: S608  (table names, placeholders)
        fetched = cur.fetchall()
    totals = [0, 0, 0, 0]
    for kind, _unit, *values in fetched:
        if kind < 2:  # the scope's figures (0), less the stored figures of its dirty rows (1)
            totals = [t + (v if kind == 0 else -v) for t, v in zip(totals, values[:4], strict=True)]
    dirty = {unit: key for kind, unit, *_v, key in fetched if kind == 1}
    counted = count_compliance(sorted(dirty), period, period) if dirty else {}
    for values in counted.values():
        totals = [t + v for t, v in zip(totals, values[:4], strict=True)]
    rows = [(unit, m, q, key) for kind, unit, *_v, m, q, key in fetched if kind == 2]
    rows += [(unit, v[4], v[5], dirty[unit]) for (unit, _p), v in counted.items() if v[1]]

    def page_order(r: tuple[Any, ...]) -> tuple[Any, ...]:
        return (-r[1], -r[2], r[3], r[0]) if worst_first else (r[3], r[0])

    return ComplianceCounts(cells=totals[0], late=totals[1], late_regular=totals[2], late_thematic=totals[3],
                            rows=[(u, m, q) for u, m, q, _key in sorted(rows, key=page_order)[offset:offset + limit]])
