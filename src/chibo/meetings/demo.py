"""Demo data of the meetings: next month's regular meeting planned in two cells (France's embassy
cell and a German cell), with agenda and draft resolution. Deterministic; nothing sent, held or
voted, so no deadline or notification is created."""

from __future__ import annotations

from datetime import date, time

from chibo.meetings.services import meeting_plan
from chibo.units.selectors import unit_with_code

AGENDA = ("1. Thông báo thời sự, tình hình nhiệm vụ của cơ quan đại diện\n"
          "2. Kiểm điểm công tác tháng, phương hướng tháng tới\n"
          "3. Sinh hoạt chuyên đề: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
DRAFT = "Chi bộ thống nhất phương hướng công tác tháng tới; giao chi ủy tổ chức thực hiện."


def build_meetings_demo(builder) -> None:
    """Called once by DemoBuilder.build()."""
    for code, place in (("PHAP-DSQ", "Phòng họp Đại sứ quán, Paris"), ("DUC-FRA", "Tổng lãnh sự quán, Frankfurt")):
        unit = unit_with_code(code)
        if unit is None:
            continue
        meeting_plan(actor=builder.actor, unit=unit, kind="combined", title="Sinh hoạt chi bộ tháng 2/2026",
                     day=date(2026, 2, 5), time=time(18, 30), planned_minutes=120, place=place, agenda=AGENDA,
                     draft_resolution=DRAFT)
