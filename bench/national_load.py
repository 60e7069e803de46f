"""Load national-scale members and units into the bench database (COPY), then the history the statistics read and
the reports upward the roll-up sums: python bench/national_load.py MEMBERS UNITS

``--history-only`` adds only the history and the reports to a database the loader filled before (members and units
already there)."""

import sys
import time

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.db import connection, transaction  # noqa: E402

from chibo.core import clock  # noqa: E402
from chibo.core.access import PATH_END, PATH_STEP  # noqa: E402
from chibo.demo.national import build_national  # noqa: E402
from chibo.members.enums import ACTIVE_STATUSES, TimelineKind  # noqa: E402
from chibo.reports import totals  # noqa: E402
from chibo.reports.enums import State as ReportState  # noqa: E402
from chibo.reports.models import Report  # noqa: E402
from chibo.reports.periods import last_ended  # noqa: E402
from chibo.reports.services import template_for  # noqa: E402
from chibo.units.models import Unit  # noqa: E402

HISTORY_YEARS = 5  # the statistics page's default span: the history covers it
MOVED_EVERY = 67   # one active member in 67 (≈1.5 %) moved between cells within the history's years
CELL_KINDS = ["grassroots_cell", "subordinate_cell", "delegation_cell"]
ACTIVE = [str(s) for s in ACTIVE_STATUSES]


def log(text: str) -> None:
    print(text, flush=True)


def _run(sql: str, params=None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def load_history() -> dict:
    """What the statistics read, in SQL on the server: a "created" timeline event for every member (as the member
    services write one), a status change for every member off the rolls, a move between cells for one active member
    in MOVED_EVERY with the completed internal transfer behind it, and the regular meetings the cells held, month by
    month over HISTORY_YEARS years (nine months in ten)."""
    today = clock.today()
    since = today.replace(month=1, day=1).replace(year=today.year - HISTORY_YEARS + 1)
    days = (today - since).days
    out = {}
    t = time.monotonic()
    _run("SELECT setseed(0.2026)")
    out["timeline created"] = _run(
        "INSERT INTO members_timelineevent (member_id, kind, occurred_on, recorded_at, actor_label, unit_id, data) "
        "SELECT m.id, %s, m.admission_date, now(), 'national load', m.unit_id, "
        "jsonb_build_object('status', m.status, 'unit_id', m.unit_id) FROM members_member m "
        "WHERE m.admission_date IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM members_timelineevent e WHERE e.member_id = m.id AND e.kind = %s)",
        [str(TimelineKind.CREATED)] * 2)
    # Off the rolls: left from full membership on a day after admission, spread over the last eight years.
    out["timeline status changed"] = _run(
        "INSERT INTO members_timelineevent (member_id, kind, occurred_on, recorded_at, actor_label, unit_id, data) "
        "SELECT m.id, %s, greatest(m.admission_date + 400, %s::date - (m.id * 7919 %% 2920)::int), now(), "
        "'national load', m.unit_id, jsonb_build_object('from', 'full', 'to', m.status, 'reason', '', "
        "'document', '') FROM members_member m WHERE m.status <> ALL(%s) AND m.admission_date IS NOT NULL",
        [str(TimelineKind.STATUS_CHANGED), today - timedelta(days=1), ACTIVE])
    # Moves between cells: the member came from another cell (a deterministic pick) on a day in the history.
    _run("CREATE TEMP TABLE bench_cells AS SELECT row_number() OVER (ORDER BY id) AS n, id, name FROM units_unit "
         "WHERE kind = ANY(%s) AND closed_on IS NULL", [CELL_KINDS])
    cells = _run("SELECT 1 FROM bench_cells") or 1
    _run("CREATE TEMP TABLE bench_moves AS SELECT m.id AS member_id, m.unit_id AS to_id, c.id AS from_id, "
         "c.name AS from_name, u.name AS to_name, "
         "greatest(m.admission_date + 30, %s::date + (m.id * 104729 %% %s)::int) AS moved_on "
         "FROM members_member m JOIN units_unit u ON u.id = m.unit_id "
         "JOIN bench_cells c ON c.n = (m.id * 7919 %% %s) + 1 "
         "WHERE m.status = ANY(%s) AND m.id %% %s = 0 AND c.id <> m.unit_id AND m.admission_date < %s",
         [since, days, cells, ACTIVE, MOVED_EVERY, today - timedelta(days=60)])
    out["timeline moved"] = _run(
        "INSERT INTO members_timelineevent (member_id, kind, occurred_on, recorded_at, actor_label, unit_id, data) "
        "SELECT member_id, %s, moved_on, now(), 'national load', to_id, jsonb_build_object('from', from_name, "
        "'to', to_name, 'from_id', from_id, 'to_id', to_id, 'reason', '', 'document', '') FROM bench_moves",
        [str(TimelineKind.MOVED)])
    out["transfers reported"] = _run(
        "INSERT INTO transfers_transfer (member_id, kind, state, from_unit_id, to_unit_id, unit_id, decision_doc, "
        "decision_date, reason, requested_on, approved_on, issued_on, received_on, reported_on, incoming_letter, "
        "late_start, late_start_reason, late_report, late_report_reason, cancel_reason, created_at) "
        "SELECT member_id, 'internal', 'reported', from_id, to_id, from_id, 'national load', moved_on - 20, "
        "'Chuyển công tác', moved_on - 20, moved_on - 15, moved_on - 10, moved_on - 5, moved_on, '', false, '', "
        "false, '', '', now() FROM bench_moves")
    # Regular meetings: each open cell, each month of the history up to last month, nine in ten held.
    out["meetings held"] = _run(
        "INSERT INTO meetings_meeting (unit_id, kind, title, starts_at, time_zone, planned_minutes, place, "
        "online_link, agenda, draft_resolution, discussion, conclusion, state, minutes_text, minutes_state, "
        "minutes_approved_by, version, created_at) "
        "SELECT c.id, 'regular', 'Sinh hoạt chi bộ thường kỳ', "
        "(d + interval '4 days 19 hours') AT TIME ZONE 'Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh', 120, '', '', '', "
        "'', '', '', 'held', '', '', '', 1, now() "
        "FROM bench_cells c CROSS JOIN generate_series(%s::timestamp, %s::timestamp, interval '1 month') d "
        "WHERE (c.id + extract(month FROM d)::int) %% 10 <> 0",
        [since, today.replace(day=1) - timedelta(days=1)])
    _run("DROP TABLE bench_moves; DROP TABLE bench_cells")
    _run("ANALYZE members_timelineevent; ANALYZE transfers_transfer; ANALYZE meetings_meeting")
    log(f"history: {out} in {time.monotonic() - t:.0f}s")
    return out


def load_reports() -> dict:
    """The upper committee's units (the top unit's children) report on the last ended quarter: six in seven have
    submitted, their snapshots counted from the data as it stands (members by status and category, admitted and
    confirmed in the quarter, meetings due and held), every other figure of the template 0; half of the others
    have a draft open."""
    t = time.monotonic()
    today = clock.today()
    period = last_ended("quarter", today)
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    template = template_for(root, period.kind)
    if root is None or template is None:
        raise RuntimeError("no top unit or no quarterly template: load the demo first")
    depth = len(root.path) + PATH_STEP
    children = list(Unit.objects.filter(parent=root, closed_on__isnull=True, opened_on__lte=period.end)
                    .values_list("pk", "path"))
    by_path = {path: pk for pk, path in children}
    figures: dict[int, dict[str, int]] = {pk: {} for pk, _ in children}

    def bump(pk, key, n):
        figures[pk][key] = figures[pk].get(key, 0) + n

    with connection.cursor() as cur:
        cur.execute(
            "SELECT left(u.path, %s), m.status, m.category, count(*), "
            "count(*) FILTER (WHERE m.admission_date BETWEEN %s AND %s), "
            "count(*) FILTER (WHERE m.confirmation_date BETWEEN %s AND %s) "
            "FROM members_member m JOIN units_unit u ON u.id = m.unit_id "
            "WHERE u.path >= %s AND u.path < %s AND length(u.path) >= %s GROUP BY 1, 2, 3",
            [depth, period.start, period.end, period.start, period.end, root.path, root.path + PATH_END, depth])
        for top, status, category, n, admitted, confirmed in cur.fetchall():
            pk = by_path.get(top)
            if pk is None:
                continue
            bump(pk, "admission.admitted", admitted)
            bump(pk, "admission.confirmed", confirmed)
            if status in ACTIVE_STATUSES:
                bump(pk, "members.total", n)
                bump(pk, f"members.{status}", n)
                bump(pk, f"category.{category}", n)
        cur.execute(
            "SELECT left(u.path, %s), count(*) FROM units_unit u WHERE u.path >= %s AND u.path < %s "
            "AND length(u.path) >= %s AND u.opened_on <= %s AND (u.closed_on IS NULL OR u.closed_on > %s) "
            "AND NOT EXISTS (SELECT 1 FROM units_unit c WHERE c.parent_id = u.id) GROUP BY 1",
            [depth, root.path, root.path + PATH_END, depth, period.end, period.end])
        for top, n in cur.fetchall():
            if top in by_path:
                bump(by_path[top], "meetings.due", n * period.months)
        cur.execute(
            "SELECT left(u.path, %s), count(*) FROM meetings_meeting g JOIN units_unit u ON u.id = g.unit_id "
            "WHERE u.path >= %s AND u.path < %s AND length(u.path) >= %s AND g.state = 'held' "
            "AND g.kind IN ('regular', 'combined') AND g.starts_at >= %s AND g.starts_at < %s GROUP BY 1",
            [depth, root.path, root.path + PATH_END, depth, period.start, period.end + timedelta(days=1)])
        for top, n in cur.fetchall():
            if top in by_path:
                bump(by_path[top], "meetings.held", n)
    keys = [k for k in template.figures if k != "dues_collected"]
    taken = set(Report.objects.filter(period_kind=period.kind, period_start=period.start)
                .values_list("unit_id", flat=True))
    rows = []
    for pk, _path in children:
        if pk in taken or pk % 7 == 3 and pk % 2:
            continue
        submitted = pk % 7 != 3
        snapshot = {k: str(figures[pk].get(k, 0)) for k in keys}
        rows.append(Report(unit_id=pk, template=template, period_kind=period.kind, period_start=period.start,
                           period_end=period.end, number=1,
                           state=ReportState.SUBMITTED if submitted else ReportState.DRAFT,
                           narrative=["Đánh giá: thực hiện đầy đủ, đúng kế hoạch."] * len(template.sections),
                           figures=snapshot, opened_by="national load", opened_on=period.end + timedelta(days=3),
                           submitted_by="national load" if submitted else "",
                           submitted_on=period.end + timedelta(days=9) if submitted else None))
    with transaction.atomic():
        Report.objects.bulk_create(rows, batch_size=2000)
    _run("ANALYZE reports_report")
    stored = totals.rebuild()  # written behind the services: the roll-up's stored sums are written again
    out = {"period": period.code, "stored sums": stored, "children": len(children),
           "submitted": sum(1 for r in rows if r.state == ReportState.SUBMITTED),
           "drafts": sum(1 for r in rows if r.state == ReportState.DRAFT)}
    log(f"reports: {out} in {time.monotonic() - t:.0f}s")
    return out


if __name__ == "__main__":
    started = time.monotonic()
    if "--history-only" not in sys.argv:
        numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
        result = build_national(members=int(numbers[0]), units=int(numbers[1]), log=log)
        log(f"national load: {result} ({time.monotonic() - started:.0f}s)")
    load_history()
    load_reports()
    log(f"national load with history and reports: {time.monotonic() - started:.0f}s")
