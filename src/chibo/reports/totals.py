"""The roll-up's "submitted" column kept as it changes: for each unit and period, the frozen snapshots of its units'
submitted reports summed (``SubmittedTotal``), so that a committee with thousands of units below it reads one row
instead of every snapshot.

The row changes in the transaction that submits a report (its figures added) or supersedes it by a correction
(taken off), under a lock on the row; the first report of a unit's period creates it from every submitted snapshot.
It also holds what identifies the reports summed (how many, the sum of their ids and of their squares): the roll-up
uses the row only when these match the reports it would sum itself (the units right below, open, opened by the
period's end); otherwise, say after a unit moved or closed, or reports written behind the services, it sums the
snapshots itself, exactly, until ``rebuild`` writes the rows again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from chibo.reports import figures as figs
from chibo.reports.enums import State
from chibo.reports.models import Report, SubmittedTotal

if TYPE_CHECKING:
    from chibo.units.models import Unit

MODULUS = 2**61 - 1


@dataclass(frozen=True)
class Fingerprint:
    count: int
    id_sum: int
    id_square_sum: int

    @classmethod
    def of(cls, ids: Iterable[int]) -> Fingerprint:
        listed = list(ids)
        return cls(len(listed), sum(listed), sum(i * i for i in listed) % MODULUS)


def filed_below(units: QuerySet[Unit], kind: str, start: date) -> tuple[int, Fingerprint]:
    """How many ``units`` there are and the fingerprint of their submitted reports of the period (at most one each):
    one statement on PostgreSQL (a national committee's tens of thousands of reports never leave the database), read
    and computed here otherwise."""
    if connection.vendor != "postgresql":
        ids = Report.objects.filter(unit__in=units.values("pk"), period_kind=kind, period_start=start,
                                    state=State.SUBMITTED).values_list("pk", flat=True)
        return units.count(), Fingerprint.of(ids)
    sql, params = units.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(r.id), coalesce(sum(r.id), 0), "
                       f"mod(coalesce(sum(r.id::numeric * r.id), 0), {MODULUS}) FROM ({sql}) AS u(id) "
                       f"LEFT JOIN reports_report r ON r.unit_id = u.id AND r.period_kind = %s "
                       f"AND r.period_start = %s AND r.state = %s", [*params, kind, start, State.SUBMITTED])
        n_units, count, id_sum, squares = cursor.fetchone()
    return int(n_units), Fingerprint(int(count), int(id_sum), int(squares))


def summed(report_ids: list[int]) -> dict[str, Decimal]:
    """Each figure summed over the frozen snapshots of these reports: in the database on PostgreSQL (one grouped
    query over the snapshots' entries, exact decimals), read and added here otherwise."""
    totals: dict[str, Decimal] = {}
    if not report_ids:
        return totals
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT e.key, SUM(e.value::numeric) FROM reports_report r "
                           "CROSS JOIN LATERAL jsonb_each_text(r.figures) e WHERE r.id = ANY(%s) GROUP BY e.key",
                           [report_ids])
            return {key: Decimal(total) for key, total in cursor.fetchall()}
    for start in range(0, len(report_ids), 900):
        for values in Report.objects.filter(pk__in=report_ids[start:start + 900]).values_list("figures", flat=True):
            figs.add(totals, values)
    return totals


def _text(totals: Mapping[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(totals.items())}


def _submitted_below(parent_id: int, kind: str, start: date) -> list[int]:
    return list(Report.objects.filter(unit__parent_id=parent_id, period_kind=kind, period_start=start,
                                      state=State.SUBMITTED).order_by().values_list("pk", flat=True))


def _write_whole(row: SubmittedTotal) -> None:
    ids = _submitted_below(row.unit_id, row.period_kind, row.period_start)
    mark = Fingerprint.of(ids)
    row.count, row.id_sum, row.id_square_sum = mark.count, mark.id_sum, mark.id_square_sum
    row.totals = _text(summed(ids))
    row.save()


def changed(report: Report, *, added: bool) -> None:
    """``report`` (already saved) was submitted (``added``) or superseded: its unit's parent's row follows, in the
    caller's transaction."""
    parent_id = report.unit.parent_id
    if parent_id is None:
        return
    key = {"unit_id": parent_id, "period_kind": report.period_kind, "period_start": report.period_start}
    with transaction.atomic(savepoint=False):
        row = SubmittedTotal.objects.select_for_update().filter(**key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = SubmittedTotal.objects.create(**key)
            except IntegrityError:  # created meanwhile by another submission: take its lock and add to it
                row = SubmittedTotal.objects.select_for_update().get(**key)
            else:
                _write_whole(row)  # the first: every submitted snapshot, this one included or not as it now is
                return
        sign = 1 if added else -1
        totals = {k: Decimal(v) for k, v in row.totals.items()}
        for k, v in report.figures.items():
            totals[k] = totals.get(k, Decimal(0)) + sign * Decimal(v)
        row.totals = _text(totals)
        row.count += sign
        row.id_sum += sign * report.pk
        row.id_square_sum = (row.id_square_sum + sign * report.pk * report.pk) % MODULUS
        row.save()


def read(unit_id: int, kind: str, start: date, mark: Fingerprint, reports: QuerySet[Report]) -> dict[str, Decimal]:
    """The sum of these reports' snapshots (the submitted reports of ``unit_id``'s units for the period, whose
    fingerprint is ``mark``): the stored row when it covers exactly them, else summed now."""
    row = SubmittedTotal.objects.filter(unit_id=unit_id, period_kind=kind, period_start=start).first()
    if row is not None and Fingerprint(row.count, row.id_sum, row.id_square_sum) == mark:
        return {k: Decimal(v) for k, v in row.totals.items()}
    return summed(list(reports.order_by().values_list("pk", flat=True)))


def _groups() -> dict[tuple[int, str, date], list[int]]:
    """The submitted reports by their unit's parent and period."""
    groups: dict[tuple[int, str, date], list[int]] = defaultdict(list)
    for pk, parent_id, kind, start in (Report.objects.filter(state=State.SUBMITTED).order_by()
                                       .values_list("pk", "unit__parent_id", "period_kind", "period_start")):
        if parent_id is not None:
            groups[(parent_id, kind, start)].append(pk)
    return groups


def check() -> list[tuple[int, str, date]]:
    """The rows (unit, period kind, period start) that differ from their reports, or are missing while one of
    them exists: what ``read`` would not use."""
    groups = _groups()
    rows = {(r.unit_id, r.period_kind, r.period_start): r for r in SubmittedTotal.objects.all()}
    wrong = []
    for key in sorted(set(groups) | set(rows)):
        ids, row = groups.get(key, []), rows.get(key)
        if row is None:
            wrong.append(key)
            continue
        if (Fingerprint(row.count, row.id_sum, row.id_square_sum) != Fingerprint.of(ids)
                or {k: Decimal(v) for k, v in row.totals.items()} != summed(ids)):
            wrong.append(key)
    return wrong


def rebuild() -> int:
    """Write every row again from the submitted reports (after reports written behind the services, a unit moved or
    closed); returns how many rows were written."""
    groups = _groups()
    with transaction.atomic():
        SubmittedTotal.objects.all().delete()
        SubmittedTotal.objects.bulk_create(
            [SubmittedTotal(unit_id=parent_id, period_kind=kind, period_start=start, count=mark.count,
                            id_sum=mark.id_sum, id_square_sum=mark.id_square_sum, totals=_text(summed(ids)))
             for (parent_id, kind, start), ids in groups.items() for mark in [Fingerprint.of(ids)]],
            batch_size=500)
    return len(groups)
