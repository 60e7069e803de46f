"""Reads of deadlines through the actor's scope: the radar, the API and the feeds share these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import holidays
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.calendar import calendar_for
from chibo.core.enums import CalendarDayKind, RuleUnit
from chibo.core.rulebook import rule_version_get
from chibo.deadlines.models import OPEN_STATES, Deadline
from chibo.units.selectors import subtree_units, units_by_id, units_with

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
    extra: dict = field(default_factory=dict)


def deadline_search(actor: Actor, filters: DeadlineFilters) -> QuerySet[Deadline]:
    today = filters.today or clock.today()
    qs = deadlines_visible(actor).select_related("unit", "member", "rule")
    if filters.mine:
        qs = qs.filter(member_id=actor.member_id) if actor.member_id else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.unit is not None:
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
        raise Http404("Không tìm thấy hạn") from exc


@dataclass
class RadarRow:
    unit: Unit
    kind: str
    overdue: int
    soon: int
    open: int


def radar_groups(actor: Actor, filters: DeadlineFilters) -> list[RadarRow]:
    """Open deadlines grouped by unit and kind, with overdue / due-soon / open counts (one query)."""
    today = filters.today or clock.today()
    base = deadline_search(actor, DeadlineFilters(state="active", kind=filters.kind, unit=filters.unit,
                                                  today=today, mine=filters.mine))
    grouped = (base.order_by().values("unit", "kind").annotate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + timedelta(days=filters.soon_days))),
        open=Count("pk"),
    ))
    rows = list(grouped)
    units = units_by_id(r["unit"] for r in rows)
    result = [RadarRow(units[r["unit"]], r["kind"], r["overdue"], r["soon"], r["open"]) for r in rows]
    return sorted(result, key=lambda r: (-r.overdue, -r.soon, r.unit.path, r.kind))


def radar_totals(actor: Actor, filters: DeadlineFilters) -> dict[str, int]:
    """Overdue / due within ``soon_days`` / all open deadlines of the filtered scope, in one query.

    Counted on its own (not through ``deadline_search(state=…)``) so that the radar and the API,
    which counts with the state filters, check each other.
    """
    today = filters.today or clock.today()
    base = deadline_search(actor, DeadlineFilters(state="active", kind=filters.kind, unit=filters.unit,
                                                  today=today, mine=filters.mine))
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
    for country, prefix in (("VN", ""), (host, f"Ngày lễ nước sở tại ({host}): ")):
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
    return "Ngày nghỉ được công bố thêm"


def due_date_explained(deadline: Deadline) -> DueExplanation:
    version, start = deadline.rule, deadline.start_date
    unit_label = version.get_unit_display()
    when = f"{start:%d/%m/%Y}"
    if version.unit == RuleUnit.WORKING_DAYS:
        cal = calendar_for(deadline.unit)
        host = f" và ngày lễ của nước sở tại ({cal.host})" if cal.host else ""
        text = f"{version.value} {unit_label} kể từ {when}, bỏ qua thứ Bảy, Chủ nhật và ngày nghỉ lễ{host}"
        explained = DueExplanation(text=text)
        day = start
        while day < deadline.due_date:
            day += timedelta(days=1)
            if cal.is_working_day(day):
                if day.weekday() >= 5:
                    explained.skipped.append((day, "Ngày làm việc bù (được tính)"))
                continue
            if day.weekday() >= 5 and day not in cal.extra_off:
                explained.weekend_days += 1
            else:
                explained.skipped.append((day, _holiday_label(day, cal.host)))
    else:
        text = f"{version.value} {unit_label} kể từ {when}"
        if (deadline.data or {}).get("month_end"):
            text += ", tính đến ngày cuối tháng"
        explained = DueExplanation(text=text)
    start_rule_id = (deadline.data or {}).get("probation_rule_id")
    if start_rule_id:
        explained.start_rule = rule_version_get(start_rule_id)
        if explained.start_rule is not None:
            admitted = getattr(deadline.member, "admission_date", None) if deadline.member_id else None
            explained.start_note = (f"Ngày bắt đầu tính là ngày hết thời gian dự bị: "
                                    f"{explained.start_rule.value} {explained.start_rule.get_unit_display()} "
                                    f"kể từ ngày vào Đảng" + (f" {admitted:%d/%m/%Y}" if admitted else ""))
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
        return f"{'Công bố' if self.added else 'Bỏ'} {what} {self.day:%d/%m/%Y}"


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
