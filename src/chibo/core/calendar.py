"""Working-day arithmetic: weekends, Vietnamese public holidays (lunar Tết and Hùng Kings' day
included, from the ``holidays`` package), and the days the government announces each year
(``CalendarDay``: extra days off, make-up working Saturdays). A unit abroad may also skip its host
country's public holidays (``Unit.skip_host_holidays``).

    add_working_days(d, n)       → the n-th working day after d (d itself not counted)
    working_days_between(a, b)   → working days in (a, b]; so working_days_between(d, add_working_days(d, n)) == n
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _

from chibo.core.countries import country_name
from chibo.core.models import CalendarDay, CalendarDayKind, Rule, RuleUnit
from chibo.core.rulebook import integer

MIN_YEAR, MAX_YEAR = 1990, 2100


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()


@lru_cache(maxsize=256)
def _holiday_names(country: str, year: int) -> tuple[tuple[date, str], ...]:
    """(day, name) of a country's public holidays in a year; names in Vietnamese when the package has them."""
    try:
        known = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return ()
    if "vi" in (getattr(known, "supported_languages", ()) or ()):
        known = holidays.country_holidays(country, years=year, language="vi")
    return tuple(sorted(known.items()))


def check_year(year: int) -> None:
    """Refuse a year the calendar does not cover (a holiday outside any year)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")


def holidays_in(year: int, country: str = "VN") -> list[tuple[date, str]]:
    """The public holidays of ``country`` in ``year`` as (day, name), in date order.

    Vietnamese names for Việt Nam (lunar Tết and Hùng Kings' day included); an empty list for a
    country the ``holidays`` package does not know. Raises ValueError outside 1990–2100.
    """
    check_year(year)
    return list(_holiday_names(country.upper(), year))


def holiday_name(day: date, country: str = "VN") -> str:
    """The name of the public holiday on ``day`` in ``country``, or '' on an ordinary day."""
    return dict(_holiday_names(country.upper(), day.year)).get(day, "")


def announced_day(day: date) -> CalendarDay | None:
    """The announcement of ``day``, if the government announced it (a day off or a make-up working day)."""
    return CalendarDay.objects.filter(day=day).first()


def announced_days(year: int) -> list[CalendarDay]:
    """The days announced for ``year`` (extra days off, make-up working days), in date order."""
    return list(CalendarDay.objects.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)).order_by("day"))


@dataclass(frozen=True)
class Calendar:
    """The working calendar of one unit (or of the home country when ``host`` is empty)."""

    host: str = ""
    extra_off: frozenset[date] = frozenset()
    extra_work: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_work:
            return True
        if day in self.extra_off or day.weekday() >= 5:
            return False
        if day in _public_holidays("VN", day.year):
            return False
        return not (self.host and day in _public_holidays(self.host, day.year))

    def add_working_days(self, start: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))


def non_working_reason(cal: Calendar, day: date) -> str:
    """Why ``day`` is not a working day under ``cal`` (in the reader's language), or '' when it is one."""
    if cal.is_working_day(day):
        return ""
    if day in cal.extra_off:
        return _("Ngày nghỉ được công bố thêm")
    name = holiday_name(day, "VN")
    if name:
        return _("Ngày lễ: %(name)s") % {"name": name}
    if cal.host and holiday_name(day, cal.host):
        return _("Ngày lễ nước sở tại (%(country)s): %(name)s") % {"country": country_name(cal.host),
                                                                   "name": holiday_name(day, cal.host)}
    return _("Thứ Bảy") if day.weekday() == 5 else _("Chủ nhật")


def is_plain_weekend(cal: Calendar, day: date) -> bool:
    """``day`` is a Saturday or a Sunday off for no other reason (no holiday, no day off announced)."""
    return (not cal.is_working_day(day) and day not in cal.extra_off and not holiday_name(day, "VN")
            and not (cal.host and holiday_name(day, cal.host)))


def calendar_for(unit=None) -> Calendar:
    """The calendar that applies to ``unit`` (announced days included)."""
    days = CalendarDay.objects.values_list("day", "kind")
    off = frozenset(d for d, k in days if k == CalendarDayKind.DAY_OFF)
    work = frozenset(d for d, k in days if k == CalendarDayKind.WORKING_DAY)
    host = unit.country if unit is not None and unit.skip_host_holidays and unit.country != "VN" else ""
    return Calendar(host=host, extra_off=off, extra_work=work)


def add_months(day: date, months: int, *, month_end: bool = False) -> date:
    """Same day ``months`` later, clamped to the month's end (31/01 + 1 → 28/02 or 29/02).

    With ``month_end``, a clock that starts on the last day of a month runs to the last day of the
    target month (30/06 + 1 → 31/07): "by the end of the next month" for periodic obligations."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    if month_end and day.day == _calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def due_date(version: Rule, start: date, *, unit=None, cal: Calendar | None = None, month_end: bool = False) -> date:
    """When a clock that starts on ``start`` runs out under a rule version (``month_end``: see add_months)."""

    n = integer(version)
    if version.unit == RuleUnit.WORKING_DAYS:
        return (cal or calendar_for(unit)).add_working_days(start, n)
    if version.unit == RuleUnit.CALENDAR_DAYS:
        return start + timedelta(days=n)
    if version.unit == RuleUnit.MONTHS:
        return add_months(start, n, month_end=month_end)
    if version.unit == RuleUnit.YEARS:
        return add_months(start, 12 * n, month_end=month_end)
    raise ValueError(f"{version.key} ({version.unit}) is not a duration")
