"""``chibo dues``: the ledger driven from the command line, as a user, through the services."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from chibo.dues.models import Entry
from chibo.members.models import Member, Status

pytestmark = [pytest.mark.django_db]


def run(*args: str) -> str:
    out = StringIO()
    call_command("dues", *args, stdout=out)
    return out.getvalue()


@override_settings(CHIBO_TODAY=date(2026, 6, 15))
def test_rate_profile_pay_reverse_and_position_from_the_command_line():
    member = Member.objects.filter(unit__code="PHAP-DSQ", status=Status.FULL,
                                   admission_date__gte=date(2000, 1, 1)).order_by("pk").first()
    assert "10,00 EUR" in run("--user", "ban.tochuc", "rate", "mission_staff", "EUR", "10", "--from", "01/03/2026",
                              "--basis", "Hướng dẫn thử")
    run("--user", "bithu.phap", "profile", str(member.pk), "--base", "abroad", "--currency", "EUR", "--from",
        "03/2026", "--category", "mission_staff")
    out = run("--user", "bithu.phap", "pay", "PHAP-DSQ", f"{member.pk}=20", "--on", "10/06/2026")
    assert "biên lai 1/2026" in out and "20,00 EUR" in out
    position = run("--user", "bithu.phap", "position", str(member.pk))
    assert "đã đóng đến hết tháng 04/2026" in position and "còn nợ 20,00 EUR" in position
    assert "tháng chưa đóng năm nay: 05/2026" in position
    entry = Entry.objects.get(member=member)
    run("--user", "bithu.phap", "reverse", str(entry.pk), "--reason", "Ghi nhầm")
    assert "chưa đóng tháng nào" in run("--user", "bithu.phap", "position", str(member.pk))
    # Germany's secretary cannot post in France; bad input is said, nothing written.
    with pytest.raises(CommandError, match="Not allowed"):
        run("--user", "bithu.duc", "pay", "PHAP-DSQ", f"{member.pk}=20")
    with pytest.raises(CommandError, match="lớn hơn 0"):
        run("--user", "bithu.phap", "pay", "PHAP-DSQ", f"{member.pk}=0")
    assert Entry.objects.filter(member=member).count() == 2
