"""The declassification reminder of the register of classified documents (run on SQLite and PostgreSQL): registering
an entry puts the end of its protection period on France's radar; ``chibo reminders`` tells France's committee 30
days before (bell and e-mail, once however often the sweep runs; the e-mail names no document), again on the day and
once it is late (with an escalation to the level above); a destroyed entry's deadline is closed and reminds no more."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings

from chibo.deadlines.models import Deadline
from chibo.deadlines.reminders import sweep
from chibo.library import services
from chibo.notifications.enums import Channel
from chibo.notifications.models import Message, Notification

pytestmark = [pytest.mark.django_db]
DAY = date(2026, 3, 10)


def _sweep(day: date) -> None:
    """The deadline step of the daily sweep (``chibo reminders`` runs it among the others)."""
    sweep(today=day)


def test_the_declassification_date_reminds_the_committee_once_per_step(personas, actor_of, unit):
    france, secretary = unit("PHAP"), personas["bithu.phap"]
    ends = DAY + timedelta(days=20)
    with override_settings(CHIBO_TODAY=DAY):
        entry = services.classified_register(
            actor=actor_of("bithu.phap"), unit=france, number="05-CV/M", issued_on=date(2016, 3, 1),
            issuer="Văn phòng Trung ương", level="mat", copies=1, custodian=secretary.member, received_on=DAY,
            protected_until=ends)
        other = services.classified_register(
            actor=actor_of("bithu.phap"), unit=france, number="06-CV/M", issued_on=date(2016, 3, 1),
            issuer="Văn phòng Trung ương", level="toi_mat", copies=1, custodian=secretary.member, received_on=DAY,
            protected_until=ends)
    deadline = Deadline.objects.get(kind="library.declassify", source=f"classified:{entry.pk}")
    assert deadline.due_date == ends and deadline.unit_id == france.pk
    assert deadline.rule.key == "library.declassify_review_within"
    ref = f"deadline:{deadline.pk}"
    bell = Notification.objects.filter(ref=ref, user=secretary)

    _sweep(DAY - timedelta(days=1))  # 21 days before: nothing yet (reminders 30 and 7 days before)
    call_command("reminders", "--today", f"{DAY:%d/%m/%Y}", stdout=io.StringIO())
    assert bell.count() == 1 and "05-CV/M" in bell.get().body
    mail = Message.objects.get(key=f"{ref}:before-30", channel=Channel.EMAIL, user=secretary)
    assert "05-CV/M" not in mail.title and "05-CV/M" not in mail.body  # no document named in e-mail
    assert "giải mật" in mail.title
    _sweep(DAY)
    _sweep(DAY + timedelta(days=1))
    assert bell.count() == 1  # once per step, however often the sweep runs
    _sweep(ends - timedelta(days=7))
    assert Message.objects.filter(key=f"{ref}:before-7", channel=Channel.IN_APP, user=secretary).count() == 1
    # The second entry is destroyed: its deadline closes and it reminds no one on the day.
    with override_settings(CHIBO_TODAY=ends - timedelta(days=1)):
        services.classified_destroy(actor=actor_of("bithu.phap"), entry=other, destroyed_on=ends - timedelta(days=1),
                                    record="Biên bản 4/BB, chứng kiến: hai đồng chí cấp ủy viên")
    gone = Deadline.objects.get(kind="library.declassify", source=f"classified:{other.pk}")
    assert gone.state == "waived"
    _sweep(ends)
    assert Message.objects.filter(key=f"{ref}:due", channel=Channel.IN_APP, user=secretary).count() == 1
    assert not Message.objects.filter(key=f"deadline:{gone.pk}:due").exists()
    # Late: flagged, the committee told again and the level above (the upper committee) told.
    _sweep(ends + timedelta(days=1))
    deadline.refresh_from_db()
    assert deadline.state == "late"
    assert Message.objects.filter(key=f"{ref}:overdue", user=secretary).exists()
    assert Message.objects.filter(key=f"{ref}:escalate", user=personas["ban.tochuc"]).exists()
    after = ("due", "overdue", "escalate")  # the destroyed entry: nothing after its destruction
    assert not Message.objects.filter(key__in=[f"deadline:{gone.pk}:{step}" for step in after]).exists()
