"""Reads of meetings through the actor's scope: staff see the meetings of their subtree
(meetings.view), a member those of their own unit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.paginator import Page
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import PATH_STEP, Actor, subtree_q
from chibo.core.paging import PagedInDatabase
from chibo.core.yearly import runs, whole_months
from chibo.deadlines.feeds import vevent
from chibo.meetings import rules, yearly
from chibo.meetings.models import BallotBox, BallotVoter, Meeting, MeetingState, Resolution
from chibo.units.selectors import subtree_units, unit_by_path, unit_paths, units_by_id

if TYPE_CHECKING:
    from chibo.units.models import Unit


def own_unit_id(actor: Actor) -> int | None:
    return actor.member_unit_id


def meetings_visible(actor: Actor) -> QuerySet[Meeting]:
    """The meetings of the units in the actor's scope, and of their own cell. The units are chosen first (a small
    table) and the meetings by their unit's id, so the meetings' unit index is used: an OR over the unit's path and
    the own unit read every meeting of the installation."""
    if actor.sees_whole_tree("meetings.view"):
        return Meeting.objects.all()
    roots = actor.paths_for("meetings.view")
    unit_id = own_unit_id(actor)
    if not roots:
        return Meeting.objects.filter(unit_id=unit_id) if unit_id else Meeting.objects.none()
    return Meeting.objects.filter(unit__in=subtree_units(roots, also_ids=[unit_id] if unit_id else []).values("pk"))


def meeting_get(actor: Actor, pk: int | str) -> Meeting:
    try:
        return meetings_visible(actor).select_related("unit", "unit__parent").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy cuộc họp")) from exc


def resolution_get(actor: Actor, pk: int | str) -> Resolution:
    try:
        return Resolution.objects.select_related("meeting__unit").get(
            pk=pk, meeting__in=meetings_visible(actor).values("pk"))
    except (Resolution.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy nội dung biểu quyết")) from exc


def box_get(actor: Actor, pk: int | str) -> BallotBox:
    try:
        return BallotBox.objects.select_related("resolution__meeting__unit").get(
            pk=pk, resolution__meeting__in=meetings_visible(actor).values("pk"))
    except (BallotBox.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy cuộc bỏ phiếu")) from exc


def meeting_units(actor: Actor) -> QuerySet[Unit]:
    """Units whose meetings the actor may see (cells for the compliance view)."""
    return subtree_units(actor.paths_for("meetings.view"), also_ids=[own_unit_id(actor) or 0])


COMPLIANCE_ROWS = 50  # per page of cells behind with their meetings, and of members often absent


@dataclass
class ComplianceOverview:
    """The cells of the actor's tree (or of ``focus``'s subtree) behind with their meetings in ``year``:
    the totals, one page of the late cells, and the members of the cells they manage often absent."""
    year: int
    focus: Unit | None
    up: Unit | None          # the focus's parent, when within the scope
    cells: int               # open cells looked at
    late: Page               # of rules.Compliance, cells missing a meeting (worst first, or in name order)
    absences: list           # (unit, rules.AbsenceFlag), at most COMPLIANCE_ROWS
    absences_total: int
    late_regular: int = 0    # cells missing a regular meeting in a month
    late_thematic: int = 0   # cells missing a thematic meeting in a quarter
    by_name: bool = False    # the late cells in name order (else the most months missing first)


def _compliance_scope(actor: Actor, focus: Unit | None) -> tuple[list[str], list[int]]:
    """``meeting_units`` (within ``focus``'s subtree) as whole subtrees, none inside another, and single units
    outside them: the actor's subtrees (or the focus's, or those of theirs below it), and their own cell when
    outside them."""
    roots: list[str] = []
    for path in sorted(actor.paths_for("meetings.view")):
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    if focus is not None:
        roots = ([focus.path] if any(focus.path.startswith(r) for r in roots)
                 else [r for r in roots if r.startswith(focus.path)])
    own = own_unit_id(actor)
    own_path = unit_paths([own]).get(own) if own else None
    inside = own_path is None or any(own_path.startswith(r) for r in roots) or (
        focus is not None and not own_path.startswith(focus.path))
    return roots, [] if inside else [own]  # type: ignore[list-item]


def compliance_overview(actor: Actor, year: int, *, focus: Unit | None = None, page: str | int | None = None,
                        by_name: bool = False) -> ComplianceOverview:
    """A constant number of queries whatever the number of cells: the cells' months and quarters without a meeting
    counted in the database (rules.compliance_counts), the page's cells (COMPLIANCE_ROWS) with the months and
    quarters they miss (rules.compliance)."""

    cells = meeting_units(actor).filter(kind__in=rules.CELL_KINDS, closed_on__isnull=True)
    if focus is not None:
        cells = cells.filter(subtree_q([focus.path]))
    number = int(page) if str(page or "").isdigit() and 0 < int(page) < 10**6 else 1  # type: ignore[arg-type]
    paths, ids = _compliance_scope(actor, focus)
    today = clock.today()

    def counted(number: int) -> rules.ComplianceCounts:
        """The page from the stored compliance figures (meetings.yearly), else counted over the cells."""
        kwargs = {"offset": (number - 1) * COMPLIANCE_ROWS, "limit": COMPLIANCE_ROWS, "worst_first": not by_name}
        return (yearly.compliance_read(paths, ids, year, today=today, **kwargs)  # type: ignore[arg-type]
                or rules.compliance_counts(cells, year, today=today, **kwargs))  # type: ignore[arg-type]

    counts = counted(number)
    if not counts.rows and counts.late and number > 1:  # past the last page: the last page
        number = (counts.late + COMPLIANCE_ROWS - 1) // COMPLIANCE_ROWS
        counts = counted(number)
    units = units_by_id(pk for pk, _months, _quarters in counts.rows)
    found = {row.unit.pk: row for row in rules.compliance([units[pk] for pk, _m, _q in counts.rows], year)}
    rows = [found[pk] for pk, _months, _quarters in counts.rows]
    late = PagedInDatabase(counts.late, COMPLIANCE_ROWS).page_of(number, rows)
    manage = actor.paths_for("meetings.manage")
    flags = rules.repeated_absences_in(cells.filter(subtree_q(manage)).values("pk"), year) if manage else []
    names = units_by_id({unit_id for unit_id, _flag in flags[:COMPLIANCE_ROWS]})
    up = None
    if focus is not None and len(focus.path) > PATH_STEP:
        parent_path = focus.path[:-PATH_STEP]
        if any(parent_path.startswith(root) for root in actor.paths_for("meetings.view")):
            up = unit_by_path(parent_path)
    return ComplianceOverview(year=year, focus=focus, up=up, cells=counts.cells, late=late,
                              absences=[(names[unit_id], flag) for unit_id, flag in flags[:COMPLIANCE_ROWS]],
                              absences_total=len(flags), late_regular=counts.late_regular,
                              late_thematic=counts.late_thematic, by_name=by_name)


def voted_boxes(actor: Actor, boxes: Iterable[BallotBox]) -> set[int]:
    """The boxes in which the actor has voted online (participation only: never how)."""
    if not actor.member_id:
        return set()
    return set(BallotVoter.objects.filter(box__in=boxes, member_id=actor.member_id, voted=True)
               .values_list("box_id", flat=True))


def eligible_boxes(actor: Actor, boxes: Iterable[BallotBox]) -> set[int]:
    if not actor.member_id:
        return set()
    return set(BallotVoter.objects.filter(box__in=boxes, member_id=actor.member_id).values_list("box_id", flat=True))


def meeting_events(actor: Actor, *, detail_url: Callable[[int], str],
                   today: date | None = None) -> list[list[str]]:
    """VEVENTs of the planned and running meetings the actor may see, for the iCalendar feed: an
    timed event (UTC, shown by each client in its own zone) lasting the planned minutes, the local
    time and zone in the summary, no names."""



    today = today or clock.today()
    stamp = timezone.now()
    events = []
    rows = (meetings_visible(actor).filter(state__in=[MeetingState.PLANNED, MeetingState.OPEN])
            .select_related("unit").order_by("starts_at", "pk"))
    for m in rows:
        start = m.starts_at.astimezone(ZoneInfo(m.time_zone))
        if start.date() < today:
            continue
        url = detail_url(m.pk)
        events.append(vevent(uid=f"meeting-{m.pk}@chibo", day=start, end=start + timedelta(minutes=m.planned_minutes),
                             stamp=stamp, url=url,
                             summary=f"{m.get_kind_display()} {start:%H:%M} ({m.time_zone}) — {m.unit.name}",
                             description=url))
    return events


# ------------------------------------------------------------------------------------------------
# Reads for the processes above (the caller has checked the actor on the unit concerned).
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VoteRoom:
    """What a vote taken in a meeting is measured against: the full members convened (the denominator) and
    those present who may vote."""

    meeting: Meeting
    convened: int
    present_voters: int


def meetings_for_votes(unit: Unit, *, limit: int = 20) -> QuerySet[Meeting]:
    """The unit's meetings where a vote can be recorded (open or held), latest first."""
    return (Meeting.objects.filter(unit=unit, state__in=[MeetingState.OPEN, MeetingState.HELD])
            .order_by("-starts_at", "-pk")[:limit])


def vote_room(unit: Unit, meeting_id: int) -> VoteRoom | None:
    """The unit's open or held meeting ``meeting_id`` with its headcount (None when it is not one)."""
    meeting = (Meeting.objects.filter(unit=unit, state__in=[MeetingState.OPEN, MeetingState.HELD], pk=meeting_id)
               .select_related("unit").first())
    if meeting is None:
        return None
    return VoteRoom(meeting, rules.headcount(meeting).count, rules.present_voters(meeting))


def regular_meetings_per_year(actor: Actor, unit: Unit, first: int, last: int) -> dict[int, tuple[int, int]]:
    """(due, held) per year from ``first`` to ``last`` for the cells of ``unit``'s subtree: a regular meeting is due
    each month a cell is open (up to the current month); held counts the months in which a cell held one (regular
    or combined), at most one a month, the month on the meeting's own calendar (its time zone). Three grouped
    queries whatever the number of cells; 404 outside the scope."""
    if not actor.can("meetings.view", unit):
        raise Http404(_("Không tìm thấy tổ chức"))
    today = clock.today()
    cells = subtree_units([unit.path]).filter(kind__in=rules.CELL_KINDS)
    due = dict.fromkeys(range(first, last + 1), 0)
    for opened, closed, n in (cells.values_list("opened_on", "closed_on").annotate(n=Count("pk")).order_by()):
        for year in due:
            start = opened.month if opened.year == year else (1 if opened.year < year else 13)
            end = 12 if year < today.year else (today.month if year == today.year else 0)
            if closed is not None:
                end = min(end, closed.month if closed.year == year else (12 if closed.year > year else 0))
            due[year] += n * max(end - start + 1, 0)
    # The years stored per unit (meetings.yearly) are their cells' rows summed; the others are counted here.
    held = yearly.read(unit.path, yearly.ready_years(first, last))
    for run_first, run_last in runs([y for y in range(first, last + 1) if y not in held]):
        held |= _held_counted(cells, run_first, run_last)
    return {year: (due[year], held[year]) for year in due}


def held_by_kind_stored(actor: Actor, unit: Unit, first: date, last: date) -> tuple[int, int] | None:
    """(regular or combined, thematic or extraordinary) meetings held in ``unit``'s subtree from ``first`` to
    ``last``, the roll-up's live figures, read from the rows stored per month (``meetings.yearly.MONTHS``); None when
    the period is not whole stored months or the subtree not wholly in the actor's scope (the caller counts)."""
    if not (actor.sees_whole_tree("meetings.view")
            or any(unit.path.startswith(root) for root in actor.paths_for("meetings.view"))):
        return None
    months = whole_months(first, last)
    found = yearly.MONTHS.read_sum(unit.path, months) if months else None
    return None if found is None else (found[0], found[1])


def _held_counted(cells: QuerySet, first: int, last: int) -> dict[int, int]:
    """Months held per year by ``cells`` counted from the meetings (``meetings.yearly.count`` over them, summed)."""
    held = dict.fromkeys(range(first, last + 1), 0)
    for (_unit, year), (n,) in yearly.count(cells.values("pk"), first, last).items():
        held[year] += n
    return held
