from __future__ import annotations

from datetime import date, time

from chibo.meetings import services
from chibo.members.models import Member, Status


def plan(actor, unit, *, kind="regular", day=date(2026, 12, 10), minutes=120, **extra):
    return services.meeting_plan(actor=actor, unit=unit, kind=kind, title="Sinh hoạt chi bộ tháng 12/2026",
                                 day=day, time=time(18, 30), planned_minutes=minutes, place="Phòng họp Đại sứ quán",
                                 agenda="1. Kiểm điểm công tác tháng\n2. Phương hướng tháng tới", **extra)


def full_members(unit):
    return list(Member.objects.filter(unit=unit, status=Status.FULL).order_by("pk"))
