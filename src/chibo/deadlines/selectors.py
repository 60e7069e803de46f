"""Reads of deadlines through the actor's scope: the radar, the API and the feeds share these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import holidays
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import PATH_STEP, Actor
from chibo.core.calendar import calendar_for
from chibo.core.enums import CalendarDayKind, RuleUnit
from chibo.core.rulebook import rule_version_get
from chibo.deadlines.kinds import KINDS
from chibo.deadlines.models import OPEN_STATES, Deadline
from chibo.units.selectors import subtree_units, units_by_path, units_with

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit


def deadlines_visible(actor: Actor) -> QuerySet[Deadline]:
    """Deadlines of the units the actor may read members of, plus the actor's own obligations."""
    q = Q(pk__in=[])
    if actor.sees_whole_tree():
        q = Q()
    elif actor.paths_for("members.view"):
        q = Q(unit__in=units_with(actor, "members.view").values("pk"))
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Deadline.objects.filter(q)


@dataclass
class DeadlineFilters:
    state: str = ""          # one of State, or "overdue" / "soon" / "active"
    kind: str = ""
    unit: Unit | None = None  # subtree
    soon_days: int = 30
    today: date | None = None
    mine: bool = False
    own: bool = False        # with ``unit``: that unit's own rolls only, not its subtree
    extra: dict = field(default_factory=dict)


def deadline_search(actor: Actor, filters: DeadlineFilters) -> QuerySet[Deadline]:
    today = filters.today or clock.today()
    qs = deadlines_visible(actor).select_related("unit", "member", "rule")
    if filters.mine:
        qs = qs.filter(member_id=actor.member_id) if actor.member_id else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.unit is not None and filters.own:
        qs = qs.filter(unit=filters.unit)
    elif filters.unit is not None:
        qs = qs.filter(unit__in=subtree_units([filters.unit.path]).values("pk"))
    if filters.state == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, due_date__lt=today)
    elif filters.state == "soon":
        qs = qs.filter(state__in=OPEN_STATES, due_date__gte=today,
                       due_date__lte=today + timedelta(days=filters.soon_days))
    elif filters.state == "active":
        qs = qs.filter(state__in=OPEN_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("due_date", "pk")


def deadline_get(actor: Actor, pk: int | str) -> Deadline:
    try:
        return deadlines_visible(actor).select_related("unit", "member", "rule").get(pk=pk)
    except (Deadline.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hạn")) from exc


@dataclass
class RadarCell:
    """Open deadlines of one unit (its subtree, or its own rolls) and one kind: overdue, due within the window, open."""

    overdue: int = 0
    soon: int = 0
    open: int = 0

    def add(self, other: RadarCell) -> None:
        self.overdue += other.overdue
        self.soon += other.soon
        self.open += other.open


@dataclass
class RadarMatrixRow:
    unit: Unit
    own: bool  # the focus unit's own rolls (its deadlines, not its subtree's)
    cells: dict[str, RadarCell]  # by kind
    total: RadarCell


@dataclass
class RadarMatrix:
    """The upper committee's unit × kind table: one row per unit just below ``focus`` (each counting its
    subtree) and one for the deadlines on ``focus``'s own rolls; one column per kind that has open deadlines."""

    focus: Unit | None
    kinds: list[str]
    rows: list[RadarMatrixRow]
    by_kind: dict[str, RadarCell]
    total: RadarCell


def radar_matrix(actor: Actor, filters: DeadlineFilters, *, focus: Unit | None) -> RadarMatrix:
    """Open deadlines of the filtered scope counted per (unit just below ``focus``, kind) in one grouped query.

    A row's unit is the child of ``focus`` whose subtree holds the deadline (``focus`` itself for the
    deadlines on its own rolls); without a focus, the units at the top of the tree. Rows with something
    overdue come first, then those with something due soon, then the others, in tree order."""
    today = filters.today or clock.today()
    base = deadline_search(actor, DeadlineFilters(state="active", kind=filters.kind, unit=filters.unit,
                                                  own=filters.own, today=today, mine=filters.mine))
    width = (len(focus.path) if focus is not None else 0) + PATH_STEP
    grouped = (base.order_by().annotate(row=Substr("unit__path", 1, width)).values("row", "kind").annotate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + timedelta(days=filters.soon_days))),
        open=Count("pk"),
    ))
    found = list(grouped)
    units = units_by_path(r["row"] for r in found)
    rows: dict[str, RadarMatrixRow] = {}
    by_kind: dict[str, RadarCell] = {}
    total = RadarCell()
    for r in found:
        unit = units.get(r["row"])
        if unit is None:  # a path without its unit cannot happen in a consistent tree; never count it twice
            continue
        cell = RadarCell(r["overdue"], r["soon"], r["open"])
        row = rows.setdefault(r["row"], RadarMatrixRow(
            unit, focus is not None and r["row"] == focus.path, {}, RadarCell()))
        row.cells[r["kind"]] = cell
        row.total.add(cell)
        by_kind.setdefault(r["kind"], RadarCell()).add(cell)
        total.add(cell)
    order = {key: n for n, key in enumerate(KINDS)}
    kinds = sorted(by_kind, key=lambda k: (order.get(k, len(order)), k))
    ordered = sorted(rows.values(), key=lambda r: (not r.own, -r.total.overdue, -r.total.soon, r.unit.path))
    return RadarMatrix(focus=focus, kinds=kinds, rows=ordered, by_kind=by_kind, total=total)


def radar_totals(actor: Actor, filters: DeadlineFilters) -> dict[str, int]:
    """Overdue / due within ``soon_days`` / all open deadlines of the filtered scope, in one query.

    Counted on its own (not through ``deadline_search(state=…)``) so that the radar and the API,
    which counts with the state filters, check each other.
    """
    today = filters.today or clock.today()
    base = deadline_search(actor, DeadlineFilters(state="active", kind=filters.kind, unit=filters.unit,
                                                  own=filters.own, today=today, mine=filters.mine))
    return base.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + timedelta(days=filters.soon_days))),
        open=Count("pk"),
    )


@dataclass
class DueExplanation:
    """How a due date came out of its rule version: the sentence a secretary reads, the days off
    skipped on the way (working-day rules only) and, for a probation, where the clock started."""

    text: str
    skipped: list[tuple[date, str]] = field(default_factory=list)
    weekend_days: int = 0
    start_rule: object | None = None  # the rule that set the start (probation.months), when known
    start_note: str = ""


def _holiday_label(day: date, host: str) -> str:
    for country, prefix in (("VN", ""), (host, _("Ngày lễ nước sở tại (%(country)s): ") % {"country": host})):
        if not country:
            continue
        try:
            known = holidays.country_holidays(country, years=day.year,
                                              language="vi" if country == "VN" else None)
        except NotImplementedError:
            continue
        if day in known:
            name: str = known[day]
            return prefix + name
    return _("Ngày nghỉ được công bố thêm")


def due_date_explained(deadline: Deadline) -> DueExplanation:
    version, start = deadline.rule, deadline.start_date
    unit_label = version.get_unit_display()
    when = f"{start:%d/%m/%Y}"
    if version.unit == RuleUnit.WORKING_DAYS:
        cal = calendar_for(deadline.unit)
        host = _(" và ngày lễ của nước sở tại (%(country)s)") % {"country": cal.host} if cal.host else ""
        text = _("%(value)s %(unit)s kể từ %(start)s, bỏ qua thứ Bảy, Chủ nhật và ngày nghỉ lễ%(host)s") % {
            "value": version.value, "unit": unit_label, "start": when, "host": host}
        explained = DueExplanation(text=text)
        day = start
        while day < deadline.due_date:
            day += timedelta(days=1)
            if cal.is_working_day(day):
                if day.weekday() >= 5:
                    explained.skipped.append((day, _("Ngày làm việc bù (được tính)")))
                continue
            if day.weekday() >= 5 and day not in cal.extra_off:
                explained.weekend_days += 1
            else:
                explained.skipped.append((day, _holiday_label(day, cal.host)))
    else:
        text = _("%(value)s %(unit)s kể từ %(start)s") % {"value": version.value, "unit": unit_label, "start": when}
        if (deadline.data or {}).get("month_end"):
            text += _(", tính đến ngày cuối tháng")
        explained = DueExplanation(text=text)
    start_rule_id = (deadline.data or {}).get("probation_rule_id")
    if start_rule_id:
        explained.start_rule = rule_version_get(start_rule_id)
        if explained.start_rule is not None:
            admitted = getattr(deadline.member, "admission_date", None) if deadline.member_id else None
            explained.start_note = (_("Ngày bắt đầu tính là ngày hết thời gian dự bị: %(value)s %(unit)s "
                                      "kể từ ngày vào Đảng") % {
                "value": explained.start_rule.value, "unit": explained.start_rule.get_unit_display()}
                + (f" {admitted:%d/%m/%Y}" if admitted else ""))
    return explained


# ------------------------------------------------------------------------------------------------
# Reads for the processes that opened the deadlines (their objects already checked in scope)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DueChange:
    """One move of a due date caused by the working calendar (deadlines.recompute)."""

    old: date
    new: date
    day: date
    added: bool
    day_kind: str
    note: str

    @property
    def because(self) -> str:
        what = CalendarDayKind(self.day_kind).label.lower() if self.day_kind in CalendarDayKind.values else ""
        return (_("Công bố %(what)s %(day)s") if self.added else _("Bỏ %(what)s %(day)s")) % {
            "what": what, "day": format(self.day, "%d/%m/%Y")}


def due_changes(deadline: Deadline) -> list[DueChange]:
    """The moves of ``deadline``'s due date after an announced day was added or withdrawn, oldest first."""
    return [DueChange(old=date.fromisoformat(c["from"]), new=date.fromisoformat(c["to"]),
                      day=date.fromisoformat(c["day"]), added=bool(c.get("added")), day_kind=c.get("kind", ""),
                      note=c.get("note", ""))
            for c in (deadline.data or {}).get("due_changes", [])]


def deadlines_of_member(member: Member, kinds: Iterable[str], *, limit: int = 20) -> QuerySet[Deadline]:
    """The member's deadlines of the given kinds, latest due first."""
    return Deadline.objects.filter(member=member, kind__in=list(kinds)).order_by("-due_date")[:limit]


def open_deadlines_of_sources(sources: Iterable[str]) -> QuerySet[Deadline]:
    """The open deadlines opened for these source objects ("admission:12", "member:40"…), by due date."""
    return Deadline.objects.filter(state__in=OPEN_STATES, source__in=list(sources)).order_by("due_date")


def open_deadline(*, source: str, kind: str) -> Deadline | None:
    return Deadline.objects.filter(source=source, kind=kind, state__in=OPEN_STATES).first()


def sources_of(kind: str, *, suffix: str = "") -> set[str]:
    """Sources of every deadline of ``kind`` (whatever its state) ending with ``suffix``."""
    qs = Deadline.objects.filter(kind=kind)
    if suffix:
        qs = qs.filter(source__endswith=suffix)
    return set(qs.values_list("source", flat=True))


def open_sources(kinds: Iterable[str]) -> set[str]:
    """The sources that have an open deadline of one of these kinds."""
    return set(Deadline.objects.filter(kind__in=list(kinds), state__in=OPEN_STATES).values_list("source", flat=True))
