"""What the rules say about a meeting: the resolution headcount (docs/domain.md §5), who may vote,
the planning warnings, the compliance calendar and repeated absences. Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core import clock
from chibo.core.rulebook import integer, rule
from chibo.meetings.models import (
    PRESENT,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingState,
    MeetingYearFigure,
    MeetingYearStored,
    Presence,
)
from chibo.members.enums import ACTIVE_STATUSES, FULL_STATUSES, Status
from chibo.members.selectors import members_by_id, members_of_unit
from chibo.transfers.selectors import temporarily_away, temporary_members_at

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

CELL_KINDS = ("grassroots_cell", "subordinate_cell", "delegation_cell")


def local_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).date()


@dataclass
class Headcount:
    """The number a resolution's votes are measured against, and why each member is left out."""

    count: int
    on_rolls: int
    excluded: list[tuple[Member, str]] = field(default_factory=list)


def headcount(meeting: Meeting) -> Headcount:
    """Full members on the unit's rolls (probationary members do not vote on resolutions, Charter
    art. 5), minus: members on temporary transfer elsewhere, exempted members who are absent,
    suspended members, members absent with an approved reason (docs/domain.md §5)."""
    members = list(members_of_unit(meeting.unit, statuses=FULL_STATUSES))
    marks = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    away = temporarily_away(meeting.unit, local_day(meeting))
    excluded: list[tuple[Member, str]] = []
    for m in members:
        a = marks.get(m.pk)
        present = a is not None and a.presence in PRESENT
        if m.pk in away:
            excluded.append((m, gettext_noop("Đang chuyển sinh hoạt tạm thời nơi khác")))
        elif m.status == Status.SUSPENDED:
            excluded.append((m, gettext_noop("Đang bị đình chỉ sinh hoạt")))
        elif m.status == Status.EXEMPT and not present:
            excluded.append((m, gettext_noop("Được miễn sinh hoạt và vắng mặt")))
        elif a is not None and a.presence == Presence.EXCUSED and a.reason_approved:
            excluded.append((m, _("Vắng có lý do được chấp nhận: %(reason)s") % {"reason": a.reason}))
    return Headcount(count=len(members) - len(excluded), on_rolls=len(members), excluded=excluded)


def temporary_members(meeting: Meeting) -> list[Member]:
    """Members of other cells taking part here on temporary transfer on the meeting's day: marked at the meeting,
    not on the cell's rolls, so never in its figures, headcount or ballots."""
    return list(temporary_members_at(meeting.unit, local_day(meeting)))


def attendance_roll(meeting: Meeting) -> list[Member]:
    """Who is marked at the meeting, in name order: the cell's active members, then those attending on temporary
    transfer."""
    return list(members_of_unit(meeting.unit)) + temporary_members(meeting)


def may_be_marked(meeting: Meeting, member: Member) -> bool:
    """Whether ``member`` is on the meeting's attendance roll: active on the cell's rolls, or attending it on
    temporary transfer that day."""
    if member.status not in ACTIVE_STATUSES:
        return False
    return member.unit_id == meeting.unit_id or any(m.pk == member.pk for m in temporary_members(meeting))


@dataclass
class Turnout:
    """Who had to attend and how they came, so the figures add up: members of the cell = not required + required,
    and required = present + excused + absent + not marked. Members not required (away on temporary transfer,
    suspended, exempt and not present) are listed apart by name. Members of other cells attending on temporary
    transfer (``temporary``) are marked too but stand outside the cell's figures."""

    members: int
    full: int
    probationary: int
    apart: list[tuple[Member, str]]  # the reasons in Vietnamese (the minutes print them; the pages translate them)
    required: list[tuple[Member, Attendance | None]]
    temporary: list[tuple[Member, Attendance | None]] = field(default_factory=list)
    present_full: int = 0
    present_probationary: int = 0
    excused: int = 0
    absent: int = 0
    unmarked: int = 0

    @property
    def present(self) -> int:
        return self.present_full + self.present_probationary


def turnout(meeting: Meeting) -> Turnout:
    marks = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    roll = list(members_of_unit(meeting.unit))
    listed = {m.pk for m in roll}
    # A member marked at this meeting who has left the cell since still counts where they were marked; a
    # temporary member's mark does not put them on the cell's rolls.
    guest_ids = {m.pk for m in temporary_members(meeting)} if set(marks) - listed else set()
    left = [pk for pk in marks if pk not in listed and pk not in guest_ids]
    roll += list(members_by_id(left).values()) if left else []
    away = temporarily_away(meeting.unit, local_day(meeting), [m.pk for m in roll])
    apart: list[tuple[Member, str]] = []
    required: list[tuple[Member, Attendance | None]] = []
    for m in roll:
        a = marks.get(m.pk)
        present = a is not None and a.presence in PRESENT
        if not present and m.pk in away:
            apart.append((m, gettext_noop("đang chuyển sinh hoạt tạm thời nơi khác")))
        elif not present and m.status == Status.SUSPENDED:
            apart.append((m, gettext_noop("đang bị đình chỉ sinh hoạt")))
        elif not present and m.status == Status.EXEMPT:
            apart.append((m, gettext_noop("được miễn công tác và sinh hoạt đảng")))
        else:
            required.append((m, a))
    full = sum(1 for m in roll if m.status != Status.PROBATIONARY)
    guests = [(m, marks.get(m.pk)) for m in temporary_members(meeting) if m.pk not in listed]
    out = Turnout(members=len(roll), full=full, probationary=len(roll) - full, apart=apart, required=required,
                  temporary=guests)
    for m, a in required:
        if a is None:
            out.unmarked += 1
        elif a.presence in PRESENT:
            if m.status == Status.PROBATIONARY:
                out.present_probationary += 1
            else:
                out.present_full += 1
        elif a.presence == Presence.EXCUSED:
            out.excused += 1
        else:
            out.absent += 1
    return out


VOTING_STATUSES = (Status.FULL, Status.EXEMPT)  # full members, not suspended: who may vote


def eligible_voters(meeting: Meeting) -> list[int]:
    """Full members (not suspended) of the cell present in person or online: who may vote. A member attending on
    temporary transfer does not vote here on organization or personnel matters."""
    return list(Attendance.objects.filter(meeting=meeting, presence__in=PRESENT,
                                          member__status__in=VOTING_STATUSES, member__unit=meeting.unit_id)
                .values_list("member_id", flat=True))


def present_voters(meeting: Meeting) -> int:
    return len(eligible_voters(meeting))


def ballot_needs(meeting: Meeting) -> dict[str, int]:
    """What a secret ballot needs to open: the rule's minimum of eligible voters present, and how many are."""
    return {"minimum": ballot_min_voters(meeting), "present": present_voters(meeting)}


def may_vote(meeting: Meeting, member: Member) -> bool:
    """Whether a member present may take part in the meeting's votes (full members of the cell, not suspended)."""
    return member.status in VOTING_STATUSES and member.unit_id == meeting.unit_id


def ballot_min_voters(meeting: Meeting) -> int:
    """The fewest eligible voters present for a secret ballot to open (rule meeting.ballot_min_voters): fewer,
    and the result would tell who voted how."""
    return integer(rule("meeting.ballot_min_voters", on=local_day(meeting)))


@dataclass
class Duration:
    """The minimum length of a meeting of this kind, and whether a shorter plan is refused or only warned about."""

    key: str
    minimum: int
    refused: bool
    basis: str


def duration_rule(meeting_kind: str, on: date) -> Duration:
    key = "meeting.min_minutes_combined" if meeting_kind == MeetingKind.COMBINED else "meeting.min_minutes"
    version = rule(key, on=on)
    # Regular and combined meetings are bound by the minimum (42-HD/BTCTW); the others only warned about.
    strict = meeting_kind in (MeetingKind.REGULAR, MeetingKind.COMBINED)
    refused = strict and integer(rule("meeting.min_minutes_refused", on=on)) > 0
    return Duration(key=key, minimum=integer(version), refused=refused, basis=version.basis)


# --- planning warnings ----------------------------------------------------------------------------

def warnings(meeting: Meeting, *, now=None) -> list[str]:
    """What falls short of the rules: the duration, documents sent late, the notice."""

    now = now or timezone.now()
    on = local_day(meeting)
    out: list[str] = []
    need = duration_rule(meeting.kind, on)
    if meeting.planned_minutes < need.minimum:
        out.append(_("Thời lượng dự kiến %(minutes)s phút, dưới mức tối thiểu %(minimum)s phút (theo %(basis)s).") % {
            "minutes": meeting.planned_minutes, "minimum": need.minimum, "basis": need.basis})
    if meeting.opened_at and meeting.ended_at:
        lasted = int((meeting.ended_at - meeting.opened_at).total_seconds() // 60)
        if lasted < need.minimum:
            out.append(_("Cuộc họp thực tế kéo dài %(minutes)s phút, dưới mức tối thiểu %(minimum)s phút "
                         "(theo %(basis)s).") % {"minutes": lasted, "minimum": need.minimum, "basis": need.basis})
    days = integer(rule("meeting.documents_before", on=on))
    latest = meeting.starts_at - timedelta(days=days)
    docs = list(meeting.documents.only("pk", "meeting_id", "title", "uploaded_at"))  # not the files
    late = [d for d in docs if d.uploaded_at > latest]
    if late:
        out.append(_("Tài liệu gửi muộn (cần trước cuộc họp ít nhất %(days)s ngày): %(documents)s.") % {
            "days": days, "documents": ", ".join(d.title for d in late)})
    elif not docs and meeting.state == MeetingState.PLANNED and now > latest:
        out.append(_("Chưa có tài liệu gửi đảng viên; quy định cần gửi trước ít nhất %(days)s ngày.") % {"days": days})
    if meeting.state == MeetingState.PLANNED and not meeting.notice_sent_at:
        out.append(_("Chưa gửi thông báo cho đảng viên và cấp ủy cấp trên."))
    return out


# --- compliance -----------------------------------------------------------------------------------

@dataclass
class Compliance:
    unit: Unit
    year: int
    missing_months: list[int]
    missing_quarters: list[int]

    @property
    def ok(self) -> bool:
        return not self.missing_months and not self.missing_quarters


def compliance(units, year: int, *, today: date | None = None) -> list[Compliance]:
    """For each unit: the months of ``year`` (up to the current one) without a held regular meeting
    and the quarters without a thematic one (a combined meeting counts for both). Two queries."""

    today = today or clock.today()
    # a queryset of units is passed to the meetings query as a subquery (no list of ids, whatever its size)
    ids = units.values("pk") if isinstance(units, QuerySet) else None
    units = list(units)
    last_month = 12 if year < today.year else (today.month if year == today.year else 0)
    regular: dict[int, set[int]] = {u.pk: set() for u in units}
    thematic: dict[int, set[int]] = {u.pk: set() for u in units}
    held = Meeting.objects.filter(unit__in=[u.pk for u in units] if ids is None else ids, state=MeetingState.HELD,
                                  starts_at__year__gte=year - 1, starts_at__year__lte=year + 1)
    zones: dict[str, ZoneInfo] = {}
    for unit_id, kind, starts_at, zone in held.values_list("unit_id", "kind", "starts_at", "time_zone").iterator(2000):
        day = starts_at.astimezone(zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))).date()
        if day.year != year:
            continue
        if kind in (MeetingKind.REGULAR, MeetingKind.COMBINED):
            regular[unit_id].add(day.month)
        if kind in (MeetingKind.THEMATIC, MeetingKind.COMBINED):
            thematic[unit_id].add((day.month - 1) // 3 + 1)
    out = []
    for u in units:
        start_month = u.opened_on.month if u.opened_on.year == year else (1 if u.opened_on.year < year else 13)
        months = [m for m in range(start_month, last_month + 1) if m not in regular[u.pk]]
        last_q = (last_month - 1) // 3 + 1 if last_month else 0
        first_q = (start_month - 1) // 3 + 1
        quarters = [q for q in range(first_q, last_q + 1) if q not in thematic[u.pk]]
        out.append(Compliance(unit=u, year=year, missing_months=months, missing_quarters=quarters))
    return out


REGULAR_KINDS = (MeetingKind.REGULAR, MeetingKind.COMBINED)
THEMATIC_KINDS = (MeetingKind.THEMATIC, MeetingKind.COMBINED)
# Cells whose regular months are counted from their meetings instead of read from their stored yearly figure
# (meetings.yearly): opened during the year, a figure not computed again since a meeting changed, a meeting held
# after the current month. At most this many; beyond, every cell is counted from the meetings.
COUNTED_MAX = 5000


@dataclass
class ComplianceCounts:
    """``compliance`` of many cells counted in the database: how many cells, how many miss a meeting (a regular month
    or a thematic quarter, and each apart), and one page of the late cells as (unit id, months missing, quarters
    missing), worst first or in name order."""

    cells: int
    late: int
    late_regular: int
    late_thematic: int
    rows: list[tuple[int, int, int]]


def _zone_of(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _first_due(field_name: str, year: int, step: int) -> Case:
    """The first month (``step`` 1) or quarter (3) of ``year`` a cell opened on ``field_name`` owes a meeting in, as
    ``compliance`` reckons it: 1 when it opened before the year, the month (quarter) it opened in, 13 (5) when it
    opened after the year. Comparisons of the date only: the same SQL on every database."""
    parts = 12 // step
    whens = [When(**{f"{field_name}__lt": date(year, 1, 1)}, then=Value(1))]
    whens += [When(**{f"{field_name}__lt": date(year, k * step + 1, 1)}, then=Value(k)) for k in range(1, parts)]
    whens.append(When(**{f"{field_name}__lte": date(year, 12, 31)}, then=Value(parts)))
    return Case(*whens, default=Value(parts + 1), output_field=IntegerField())


def _year_window(year: int, first_month: int = 1) -> dict:
    """Meetings that may fall in ``year`` from ``first_month`` on the calendar of their own time zone (a day's
    margin either side of the server's)."""
    return {"starts_at__gte": timezone.make_aware(datetime(year, first_month, 1)) - timedelta(days=1),
            "starts_at__lt": timezone.make_aware(datetime(year + 1, 1, 1)) + timedelta(days=1)}


def _held(meetings: QuerySet[Meeting], year: int, kinds, step: int, last: int) -> tuple[str, tuple] | None:
    """SQL of (unit_id, n): per unit, the months (``step`` 1) or quarters (3) of ``year``, from the unit's first due
    one up to ``last``, in which it held a meeting of ``kinds``, on the meeting's own calendar (its time zone, as
    ``compliance`` reads it). None when there is no such meeting."""
    meetings = meetings.filter(state=MeetingState.HELD, kind__in=kinds, **_year_window(year))
    zones = {name: _zone_of(name) for name in meetings.values_list("time_zone", flat=True).distinct().order_by()}
    if not zones or not last:
        return None

    def local(extract) -> Case:
        return Case(*[When(time_zone=name, then=extract("starts_at", tzinfo=zone)) for name, zone in zones.items()],
                    output_field=IntegerField())

    rows = (meetings.annotate(local_year=local(ExtractYear), part=local(ExtractMonth if step == 1 else ExtractQuarter),
                              first=_first_due("unit__opened_on", year, step))
            .filter(local_year=year, part__gte=F("first"), part__lte=last)
            .values("unit_id").annotate(n=Count("part", distinct=True)).order_by())
    return rows.query.sql_with_params()


def _counted_cells(cells: QuerySet, year: int, last_month: int) -> set[int] | None:
    """The cells whose regular months cannot be read from their stored figure of ``year`` (see COUNTED_MAX); None
    when the year is not stored or they are too many (every cell is then counted)."""
    if not MeetingYearStored.objects.filter(year=year, ready=True).exists():
        return None
    limit = COUNTED_MAX + 1
    ids = set(MeetingYearFigure.objects.filter(year=year, dirty__gt=0).values_list("unit_id", flat=True)[:limit])
    ids |= set(cells.filter(opened_on__gte=date(year, 2, 1), opened_on__lte=date(year, 12, 31))
               .values_list("pk", flat=True).order_by()[:limit])
    if last_month < 12:  # a meeting marked held in a month still to come
        ids |= set(Meeting.objects.filter(state=MeetingState.HELD, kind__in=REGULAR_KINDS,
                                          **_year_window(year, last_month + 1))
                   .values_list("unit_id", flat=True).distinct().order_by()[:limit])
    return ids if len(ids) <= COUNTED_MAX else None


def compliance_counts(cells: QuerySet, year: int, *, today: date | None = None, offset: int = 0, limit: int = 50,
                      worst_first: bool = True) -> ComplianceCounts:
    """What ``compliance`` finds for each of ``cells`` (a queryset of units), counted in the database in one
    statement whatever their number: the months of ``year`` (up to the current one, from the month a cell opened)
    without a held regular or combined meeting, the quarters without a thematic or combined one. The regular months
    are read from the cells' stored yearly figures (``meetings.yearly``: the months in which a cell held one) when
    the year is stored, and counted from the meetings for the cells where the figure cannot tell (opened during the
    year, not computed again since a meeting changed, a meeting held in a month still to come); the thematic
    quarters are counted from the thematic and combined meetings. The page of late cells: ``limit`` rows from
    ``offset``, the most months missing first (then quarters, then name), or in name order."""
    today = today or clock.today()
    last_month = 12 if year < today.year else (today.month if year == today.year else 0)
    last_q = (last_month - 1) // 3 + 1 if last_month else 0
    try:
        base_sql, base_params = (cells.order_by()
                                 .annotate(first_month=_first_due("opened_on", year, 1),
                                           first_q=_first_due("opened_on", year, 3))
                                 .values("id", "sort_key", "first_month", "first_q").query.sql_with_params())
    except EmptyResultSet:  # no cell can match
        return ComplianceCounts(cells=0, late=0, late_regular=0, late_thematic=0, rows=[])
    select_params: list = [last_month, last_month]
    from_params: list = [*base_params]
    joins = []
    held_m = "0"
    counted = _counted_cells(cells, year, last_month) if last_month else None
    if counted is None:  # every cell counted from its meetings
        regular = _held(Meeting.objects.filter(unit__in=cells.order_by().values("pk")), year, REGULAR_KINDS, 1,
                        last_month)
        if regular is not None:
            joins.append(f"LEFT JOIN ({regular[0]}) r ON r.unit_id = u.id")
            from_params += regular[1]
            held_m = "COALESCE(r.n, 0)"
    else:
        joins.append(f'LEFT JOIN "{MeetingYearFigure._meta.db_table}" f ON f.unit_id = u.id AND f.year = %s')
        from_params.append(year)
        held_m = "COALESCE(f.held, 0)"
        if counted:
            ids = sorted(counted)
            regular = _held(Meeting.objects.filter(unit_id__in=ids), year, REGULAR_KINDS, 1, last_month)
            if regular is not None:
                joins.append(f"LEFT JOIN ({regular[0]}) r ON r.unit_id = u.id")
                from_params += regular[1]
            held_m = (f"CASE WHEN u.id IN ({', '.join(['%s'] * len(ids))}) "
                      f"THEN {'COALESCE(r.n, 0)' if regular is not None else '0'} ELSE COALESCE(f.held, 0) END")
            select_params += ids
    select_params += [last_q, last_q]
    held_q = "0"
    thematic = _held(Meeting.objects.filter(unit__in=cells.order_by().values("pk")), year, THEMATIC_KINDS, 3, last_q)
    if thematic is not None:
        joins.append(f"LEFT JOIN ({thematic[0]}) t ON t.unit_id = u.id")
        from_params += thematic[1]
        held_q = "COALESCE(t.n, 0)"
    due_m = "CASE WHEN u.first_month <= %s THEN %s - u.first_month + 1 ELSE 0 END"
    due_q = "CASE WHEN u.first_q <= %s THEN %s - u.first_q + 1 ELSE 0 END"
    late = "mm > 0 OR mq > 0"
    order = "mm DESC, mq DESC, sort_key, id" if worst_first else "sort_key, id"
    sql = (f"WITH c AS (SELECT u.id, u.sort_key, ({due_m}) - ({held_m}) AS mm, ({due_q}) - {held_q} AS mq "
           f"FROM ({base_sql}) u {' '.join(joins)}) "
           f"SELECT 0, COUNT(*), SUM(CASE WHEN {late} THEN 1 ELSE 0 END), SUM(CASE WHEN mm > 0 THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN mq > 0 THEN 1 ELSE 0 END), NULL FROM c "
           f"UNION ALL SELECT * FROM (SELECT 1, id, mm, mq, 0, sort_key FROM c WHERE {late} "
           f"ORDER BY {order} LIMIT %s OFFSET %s) p")
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the cells' figures (one row each) read twice, kept in memory
            cur.execute("SET LOCAL work_mem = '32MB'")
        cur.execute(sql, [*select_params, *from_params, limit, offset])
        fetched = cur.fetchall()
    totals = next(row for row in fetched if row[0] == 0)
    page = [row for row in fetched if row[0] == 1]
    page.sort(key=lambda r: (-r[2], -r[3], r[5], r[1]) if worst_first else (0, 0, r[5], r[1]))
    return ComplianceCounts(cells=totals[1] or 0, late=totals[2] or 0, late_regular=totals[3] or 0,
                            late_thematic=totals[4] or 0, rows=[(r[1], r[2], r[3]) for r in page])


# --- repeated absence -----------------------------------------------------------------------------

@dataclass
class AbsenceFlag:
    member: Member
    months: list[int]
    threshold: int


def repeated_absences(unit, year: int) -> list[AbsenceFlag]:
    """Members absent without good reason (absent, or excused with a reason not accepted) in at least
    rule strike_off.absence_or_dues_months months of ``year``: to consider striking off."""
    return [flag for _unit_id, flag in repeated_absences_in([unit.pk], year)]


def repeated_absences_in(units, year: int) -> list[tuple[int, AbsenceFlag]]:
    """repeated_absences for many cells at once (a queryset of units, or their ids): (unit id, flag) pairs,
    by unit then member. One query for the attendance, one for the members flagged."""
    threshold = integer(rule("strike_off.absence_or_dues_months", on=date(year, 12, 31)
                             if date(year, 12, 31) <= clock.today() else clock.today()))

    rows = (Attendance.objects.filter(meeting__unit__in=units, meeting__state=MeetingState.HELD,
                                      meeting__starts_at__year__gte=year - 1, meeting__starts_at__year__lte=year + 1,
                                      member__unit=F("meeting__unit"),
                                      member__status__in=FULL_STATUSES + (Status.PROBATIONARY,))
            .filter(presence__in=[Presence.ABSENT, Presence.EXCUSED])
            .values_list("member_id", "meeting__unit_id", "presence", "reason_approved", "meeting__starts_at",
                         "meeting__time_zone"))
    months: dict[tuple[int, int], set[int]] = {}
    for member_id, unit_id, presence, approved, starts_at, zone in rows.iterator(2000):
        if presence == Presence.EXCUSED and approved:
            continue
        day = starts_at.astimezone(ZoneInfo(zone)).date()
        if day.year != year:
            continue
        months.setdefault((unit_id, member_id), set()).add(day.month)
    flagged = {key: sorted(ms) for key, ms in months.items() if len(ms) >= threshold}
    members = members_by_id(member_id for _, member_id in flagged) if flagged else {}
    return [(unit_id, AbsenceFlag(member=members[member_id], months=ms, threshold=threshold))
            for (unit_id, member_id), ms in sorted(flagged.items())]
