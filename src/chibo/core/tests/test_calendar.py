"""The working-day calendar: properties of the arithmetic, real cases across Tết, year ends and
29 February, announced days (through the services, audited, refused when wrong) and host-country
holidays for a unit that asks for them.

Dates in the known cases were counted by hand on a paper calendar of 2026–2027; the ``holidays``
package gives Tết 2026 as 16–20/02 and Tết 2027 as 04–10/02.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from chibo.core.calendar import (
    Calendar,
    add_months,
    announced_days,
    calendar_for,
    due_date,
    holiday_name,
    holidays_in,
    non_working_reason,
)
from chibo.core.calendar_services import calendar_day_add, calendar_day_remove
from chibo.core.models import AuditEvent, CalendarDay, CalendarDayKind

VN = Calendar()
OFF, WORK = CalendarDayKind.DAY_OFF, CalendarDayKind.WORKING_DAY
starts = st.dates(min_value=date(1995, 1, 1), max_value=date(2095, 12, 31))
counts = st.integers(min_value=0, max_value=400)


def d(text: str) -> date:
    day, month, year = (int(x) for x in text.split("/"))
    return date(year, month, day)


# --- properties ----------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts)
@example(start=d("13/02/2026"), n=5)
@example(start=d("31/12/2026"), n=1)
@example(start=d("28/02/2024"), n=0)
def test_adding_then_counting_round_trips(start, n):
    end = VN.add_working_days(start, n)
    assert VN.working_days_between(start, end) == n
    assert VN.working_days_between(end, start) == -n
    if n == 0:
        assert end == start
    else:
        assert end > start and VN.is_working_day(end)
        # Nothing between the (n-1)-th and the n-th working day is a working day.
        previous = VN.add_working_days(start, n - 1)
        assert all(not VN.is_working_day(previous + timedelta(days=i)) for i in range(1, (end - previous).days))


@settings(max_examples=200, deadline=None)
@given(start=starts, a=counts, b=counts)
def test_adding_is_monotonic_in_n(start, a, b):
    assume(a != b)
    low, high = sorted((a, b))
    assert VN.add_working_days(start, low) < VN.add_working_days(start, high)
    # Adding in two steps is adding once.
    assert VN.add_working_days(VN.add_working_days(start, low), high - low) == VN.add_working_days(start, high)


@st.composite
def announced(draw):
    """A start date and a calendar with random announced days near it."""
    start = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2095, 6, 30)))
    offsets = st.integers(min_value=-10, max_value=200)
    days = {start + timedelta(days=o) for o in draw(st.lists(offsets, max_size=12))}
    off = frozenset(x for x in days if x.weekday() < 5 and draw(st.booleans()))
    work = frozenset(x for x in days if x.weekday() >= 5)
    return start, Calendar(host=draw(st.sampled_from(["", "FR", "DE", "US"])), extra_off=off, extra_work=work)


@settings(max_examples=150, deadline=None)
@given(case=announced(), n=st.integers(min_value=0, max_value=150))
def test_round_trip_holds_with_announced_days_and_host_holidays(case, n):
    start, calendar = case
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n
    if n:
        assert calendar.is_working_day(end)
    assert all(calendar.is_working_day(x) for x in calendar.extra_work)
    assert not any(calendar.is_working_day(x) for x in calendar.extra_off)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        VN.add_working_days(d("01/01/2026"), -1)


# --- known cases ---------------------------------------------------------------------------------

def test_across_tet_2026():
    tet = [d(f"{x}/02/2026") for x in range(16, 21)]
    assert all(not VN.is_working_day(x) for x in tet)
    assert [name for _day, name in holidays_in(2026) if _day in tet][1] == "Tết Nguyên Đán"
    assert VN.add_working_days(d("13/02/2026"), 1) == d("23/02/2026")
    assert VN.add_working_days(d("13/02/2026"), 5) == d("27/02/2026")
    assert VN.working_days_between(d("13/02/2026"), d("27/02/2026")) == 5
    # A trip report (7 working days) after returning on Thursday 12/02/2026: Friday 13/02, then
    # nothing until Monday 23/02 → due Monday 02/03/2026.
    assert VN.add_working_days(d("12/02/2026"), 7) == d("02/03/2026")


def test_across_tet_2027():
    assert all(not VN.is_working_day(d(f"{x:02d}/02/2027")) for x in range(4, 11))
    assert VN.is_working_day(d("03/02/2027")) and VN.is_working_day(d("11/02/2027"))
    assert VN.add_working_days(d("03/02/2027"), 1) == d("11/02/2027")
    assert VN.working_days_between(d("29/01/2027"), d("12/02/2027")) == 5  # 01–03/02 and 11–12/02
    assert VN.add_working_days(d("29/01/2027"), 5) == d("12/02/2027")


def test_year_end_and_new_year():
    assert VN.add_working_days(d("31/12/2026"), 1) == d("04/01/2027")  # 01/01 holiday, then a weekend
    assert VN.working_days_between(d("31/12/2026"), d("04/01/2027")) == 1
    assert VN.add_working_days(d("30/12/2026"), 2) == d("04/01/2027")


def test_hung_kings_and_national_day_2026():
    assert holiday_name(d("26/04/2026")) == "Ngày Giỗ Tổ Hùng Vương"
    assert not VN.is_working_day(d("27/04/2026"))  # the day in lieu (26/04 is a Sunday)
    assert not VN.is_working_day(d("01/09/2026")) and not VN.is_working_day(d("02/09/2026"))
    assert VN.add_working_days(d("28/08/2026"), 1) == d("03/09/2026")  # 31/08 is off too (substitute)


def test_29_february_and_month_ends():
    assert add_months(d("29/02/2024"), 12) == d("28/02/2025")
    assert add_months(d("29/02/2024"), 48) == d("29/02/2028")
    assert add_months(d("31/01/2028"), 1) == d("29/02/2028")
    assert add_months(d("31/01/2027"), 1) == d("28/02/2027")
    assert add_months(d("31/03/2026"), -1) == d("28/02/2026")
    assert add_months(d("15/11/2026"), 3) == d("15/02/2027")
    # Month-end anchoring: only a clock started on a month's last day moves to the last day.
    assert add_months(d("30/06/2026"), 1) == d("30/07/2026")
    assert add_months(d("30/06/2026"), 1, month_end=True) == d("31/07/2026")
    assert add_months(d("30/09/2026"), 3, month_end=True) == d("31/12/2026")
    assert add_months(d("28/02/2027"), 12, month_end=True) == d("29/02/2028")
    assert add_months(d("28/02/2028"), 12, month_end=True) == d("28/02/2029")  # not a month end in 2028
    assert add_months(d("30/07/2026"), 1, month_end=True) == d("30/08/2026")
    # Counting working days over 29 February.
    assert VN.is_working_day(d("29/02/2028"))  # a Tuesday
    assert VN.add_working_days(d("28/02/2028"), 1) == d("29/02/2028")


def test_due_date_of_a_probation_started_on_29_february(db):
    from chibo.core.rulebook import rule

    version = rule("probation.months", on=d("29/02/2024"))
    assert due_date(version, d("29/02/2024")) == d("28/02/2025")


def test_holidays_in_and_reasons():
    days = dict(holidays_in(2026))
    assert days[d("17/02/2026")] == "Tết Nguyên Đán"
    assert d("30/04/2026") in days and d("01/05/2026") in days
    assert d("14/07/2026") in dict(holidays_in(2026, "fr"))
    with pytest.raises(ValueError):
        holidays_in(1989)
    with pytest.raises(ValueError):
        holidays_in(2101)
    assert non_working_reason(VN, d("17/02/2026")) == "Ngày lễ: Tết Nguyên Đán"
    assert non_working_reason(VN, d("21/02/2026")) == "Thứ Bảy"
    assert non_working_reason(VN, d("23/02/2026")) == ""


# --- announced days ------------------------------------------------------------------------------

def _writes() -> tuple[int, int]:
    return CalendarDay.objects.count(), AuditEvent.objects.count()


def test_announced_make_up_saturday_and_extra_day_off(actor_of):
    officer = actor_of("ban.tochuc")
    # Without announcements: Friday 02/01/2027 → the next working day is Monday.
    assert calendar_for().add_working_days(d("31/12/2026"), 1) == d("04/01/2027")
    saturday = calendar_day_add(actor=officer, day=d("09/01/2027"), kind=WORK,
                                note="Làm bù cho ngày nghỉ 02/01/2027", document="CV 1234/BNV")
    bridge = calendar_day_add(actor=officer, day=d("04/01/2027"), kind=OFF, note="Nghỉ bù dịp Tết Dương lịch")
    cal = calendar_for()
    assert cal.is_working_day(d("09/01/2027")) and not cal.is_working_day(d("04/01/2027"))
    assert cal.add_working_days(d("31/12/2026"), 1) == d("05/01/2027")  # 04/01 now off
    assert cal.add_working_days(d("08/01/2027"), 1) == d("09/01/2027")  # the Saturday is worked
    assert cal.working_days_between(d("31/12/2026"), d("11/01/2027")) == 6  # 05–08, 09 (Sat), 11
    assert non_working_reason(cal, d("04/01/2027")) == "Ngày nghỉ được công bố thêm"
    assert [x.day for x in announced_days(2027)] == [d("04/01/2027"), d("09/01/2027")]
    calendar_events = AuditEvent.objects.filter(action__startswith="calendar.")  # open deadlines moved are audited too
    actions = list(calendar_events.order_by("-pk").values_list("action", "actor_id", "actor_label")[:2])
    assert actions == [("calendar.day_added", get_user_model().objects.get(username="ban.tochuc").pk, "")] * 2
    assert saturday.created_by == "ban.tochuc" and bridge.document == ""

    before = calendar_events.count()
    calendar_day_remove(actor=officer, day_obj=bridge, reason="Nhập nhầm")
    assert not CalendarDay.objects.filter(day=d("04/01/2027")).exists()
    assert calendar_for().add_working_days(d("31/12/2026"), 1) == d("04/01/2027")
    event = calendar_events.order_by("-pk").first()
    assert calendar_events.count() == before + 1
    assert event.action == "calendar.day_removed" and event.data["reason"] == "Nhập nhầm"
    assert event.data["day"] == "2027-01-04"


@pytest.mark.parametrize("day, kind, field, words", [
    (date(1989, 12, 29), OFF, "day", "1990–2100"),
    (date(2101, 1, 3), WORK, "day", "1990–2100"),
    (date(2026, 3, 4), WORK, "day", "thứ Bảy hoặc Chủ nhật"),      # a Wednesday cannot be a make-up day
    (date(2026, 3, 7), OFF, "day", "vốn đã là ngày nghỉ"),          # a Saturday is already off
    (date(2026, 9, 2), OFF, "day", "đã là ngày lễ (Quốc khánh)"),   # National Day
    (date(2026, 2, 17), OFF, "day", "Tết Nguyên Đán"),
    (date(2026, 3, 6), "holiday", "kind", "Loại ngày không hợp lệ"),
])
def test_wrong_announcements_are_refused_and_nothing_written(actor_of, day, kind, field, words):
    before = _writes()
    with pytest.raises(ValidationError) as exc:
        calendar_day_add(actor=actor_of("ban.tochuc"), day=day, kind=kind, note="Thử")
    assert field in exc.value.message_dict
    assert words in exc.value.message_dict[field][0]
    assert _writes() == before


def test_a_day_is_announced_once_and_needs_a_note(actor_of):
    officer = actor_of("ban.tochuc")
    calendar_day_add(actor=officer, day=d("10/01/2027"), kind=WORK, note="Làm bù")
    before = _writes()
    with pytest.raises(ValidationError) as exc:
        calendar_day_add(actor=officer, day=d("10/01/2027"), kind=WORK, note="Lần nữa")
    assert "đã được công bố" in exc.value.message_dict["day"][0]
    with pytest.raises(ValidationError) as exc:
        calendar_day_add(actor=officer, day=d("17/01/2027"), kind=WORK, note="   ", document="x" * 101)
    assert set(exc.value.message_dict) == {"note", "document"}
    with pytest.raises(ValidationError) as exc:
        calendar_day_remove(actor=officer, day_obj=CalendarDay.objects.get(day=d("10/01/2027")), reason=" ")
    assert "lý do" in exc.value.message_dict["reason"][0]
    assert _writes() == before


@pytest.mark.parametrize("persona", ["ub.kiemtra", "bithu.phap", "dangvien.phap", "ungvien.phap"])
def test_only_the_upper_committee_edits_the_calendar(actor_of, persona):
    day = calendar_day_add(actor=actor_of("ban.tochuc"), day=d("16/01/2027"), kind=WORK, note="Làm bù")
    before = _writes()
    with pytest.raises(PermissionDenied):
        calendar_day_add(actor=actor_of(persona), day=d("17/01/2027"), kind=WORK, note="Làm bù")
    with pytest.raises(PermissionDenied):
        calendar_day_remove(actor=actor_of(persona), day_obj=day, reason="Không cần")
    assert _writes() == before


# --- host-country holidays -----------------------------------------------------------------------

def test_host_holidays_only_when_the_unit_asks(actor_of, unit):
    from chibo.units.models import UnitChange
    from chibo.units.services import unit_update

    france = unit("PHAP")
    assert france.country == "FR" and not france.skip_host_holidays
    bastille = d("14/07/2026")  # a Tuesday; an ordinary working day in Việt Nam
    assert calendar_for(france).is_working_day(bastille)
    assert calendar_for(france).add_working_days(d("13/07/2026"), 1) == bastille

    with pytest.raises(PermissionDenied):  # a secretary does not change the unit's calendar
        unit_update(actor=actor_of("bithu.phap"), unit=france, expected_version=france.version,
                    changes={"skip_host_holidays": True})
    updated = unit_update(actor=actor_of("ban.tochuc"), unit=france, expected_version=france.version,
                          changes={"skip_host_holidays": True})
    assert updated.skip_host_holidays and updated.version == france.version + 1
    change = UnitChange.objects.filter(unit=france).first()
    assert change.before == {"skip_host_holidays": False} and change.after == {"skip_host_holidays": True}
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "unit.updated" and event.data["after"] == {"skip_host_holidays": True}

    cal = calendar_for(updated)
    assert cal.host == "FR" and not cal.is_working_day(bastille)
    assert cal.add_working_days(d("13/07/2026"), 1) == d("15/07/2026")
    assert non_working_reason(cal, bastille).startswith("Ngày lễ nước sở tại (Pháp)")
    # A cell below France keeps its own setting; Việt Nam's calendar is unchanged.
    assert calendar_for(unit("PHAP-DSQ")).is_working_day(bastille)
    assert calendar_for().is_working_day(bastille)
    # German Unity Day counts for a German unit only when it asks.
    assert calendar_for(unit("DUC")).is_working_day(d("03/10/2028"))


def test_host_holidays_need_a_host_country(actor_of, unit):
    from chibo.units.services import unit_update

    root = unit("DUBNG")
    with pytest.raises(ValidationError) as exc:
        unit_update(actor=actor_of("ban.tochuc"), unit=root, expected_version=root.version,
                    changes={"skip_host_holidays": True})
    assert "nước ngoài" in exc.value.message_dict["skip_host_holidays"][0]
    root.refresh_from_db()
    assert not root.skip_host_holidays
