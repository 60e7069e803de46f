"""Cells that never met still have their next meetings on the radar (opened by `chibo reminders`)."""

from datetime import date

from django.core.management import call_command
from django.test import override_settings

from chibo.deadlines.models import Deadline
from chibo.meetings.rules import CELL_KINDS
from chibo.meetings.services import meeting_deadlines_ensure
from chibo.units.models import Unit


def test_every_open_cell_gets_its_meeting_deadlines_once(db):
    cells = Unit.objects.filter(kind__in=CELL_KINDS, closed_on__isnull=True)
    assert cells.exists()
    opened = meeting_deadlines_ensure(today=date(2026, 11, 23))
    assert opened == 2 * cells.count()
    regular = Deadline.objects.get(kind="meeting.regular", unit=cells.first())
    assert regular.start_date == date(2026, 10, 31) and regular.due_date == date(2026, 11, 30)
    thematic = Deadline.objects.get(kind="meeting.thematic", unit=cells.first())
    assert thematic.start_date == date(2026, 9, 30) and thematic.due_date == date(2026, 12, 31)
    assert not Deadline.objects.filter(kind__startswith="meeting.", unit__closed_on__isnull=False).exists()
    assert not Deadline.objects.filter(kind__startswith="meeting.", unit__kind="grassroots_committee").exists()
    assert meeting_deadlines_ensure(today=date(2026, 11, 24)) == 0  # idempotent


def test_meeting_deadlines_run_to_the_last_day_of_the_month(db):
    """A clock started on 30/06 for "the next month" ends on 31/07, not 30/07."""
    meeting_deadlines_ensure(today=date(2026, 7, 10))
    regular = Deadline.objects.filter(kind="meeting.regular").first()
    assert (regular.start_date, regular.due_date) == (date(2026, 6, 30), date(2026, 7, 31))
    thematic = Deadline.objects.filter(kind="meeting.thematic").first()
    assert (thematic.start_date, thematic.due_date) == (date(2026, 6, 30), date(2026, 9, 30))


@override_settings(CHIBO_TODAY=date(2026, 11, 23))
def test_the_reminders_command_opens_them(db):
    call_command("reminders")
    assert Deadline.objects.filter(kind="meeting.regular").count() == \
        Unit.objects.filter(kind__in=CELL_KINDS, closed_on__isnull=True).count()
