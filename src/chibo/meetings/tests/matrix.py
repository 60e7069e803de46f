"""The meetings' part of the permission matrix (core/tests/test_permission_matrix.py): the demo
objects the URLs point at, the payloads of the write routes, and what a write could change."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace


def meeting_targets(units: dict) -> dict:
    """A planned meeting in PHAP-DSQ (dangvien.phap's cell) and in DUC-FRA; an open one in PHAP-DSQ
    with a secret ballot running whose eligible list holds none of the personas; one held with its
    minutes approved; a document."""
    from chibo.core.access import Actor, Grant, Role
    from chibo.meetings import services
    from chibo.meetings.models import Meeting
    from chibo.members.models import Member, Status

    root = units["unit_root"]
    officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="matrix")
    fr, de = units["unit_fr_dsq"], units["unit_de_cell"]

    def plan(unit, title, day=date(2026, 12, 10)):
        return services.meeting_plan(actor=officer, unit=unit, kind="regular", title=title, day=day,
                                     time=time(18, 30), planned_minutes=120, place="Phòng họp")

    planned = plan(fr, "Sinh hoạt chi bộ tháng 12")
    doc = services.meeting_add_document(actor=officer, meeting=planned, title="Dự thảo nghị quyết",
                                        filename="du-thao.pdf", data=b"%PDF-1.4 du thao", unclassified=True)
    german = plan(de, "Sinh hoạt chi bộ tháng 12 (Đức)")
    running = plan(fr, "Sinh hoạt chi bộ tháng 11", day=date(2026, 11, 10))
    services.meeting_open(actor=officer, meeting=running)
    from chibo.accounts.models import User

    with_accounts = User.objects.exclude(member__isnull=True).values("member_id")
    # A secret ballot needs meeting.ballot_min_voters (3) eligible voters present: three members without accounts.
    for plain in Member.objects.filter(unit=fr, status=Status.FULL).exclude(pk__in=with_accounts).order_by("pk")[:3]:
        services.attendance_record(actor=officer, meeting=running, member=plain, presence="in_person")
    item = services.resolution_add(actor=officer, meeting=running, title="Bầu đại biểu", secret=True)
    box = services.ballot_open(actor=officer, resolution=item)
    held = plan(fr, "Sinh hoạt chi bộ tháng 10", day=date(2026, 10, 8))
    services.meeting_open(actor=officer, meeting=held)
    services.meeting_close(actor=officer, meeting=Meeting.objects.get(pk=held.pk))
    services.meeting_update(actor=officer, meeting=Meeting.objects.get(pk=held.pk), agenda="Công tác tháng 10",
                            discussion="Chi bộ thống nhất.", conclusion="Chi bộ thống nhất.")
    services.minutes_draft(actor=officer, meeting=held)
    services.minutes_approve(actor=officer, meeting=held)
    top = Meeting.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {"meeting_fr_dsq": planned, "meeting_de": german, "meeting_fr_dsq_open": running,
            "meeting_fr_dsq_minutes": held, "doc_fr_dsq": doc, "box_fr_dsq": box,
            "meeting_missing": SimpleNamespace(pk=top + 1000)}


def meeting_payload(kind: str, target: str | None, env) -> dict:
    from chibo.members.models import Member, Status

    t = env.targets
    if kind == "meeting_form":
        return {"unit": str(t["unit_fr_dsq"]), "kind": "regular", "title": "Sinh hoạt chi bộ tháng 1/2027",
                "day": "14/01/2027", "time": "18:30", "planned_minutes": "120", "place": "Phòng họp Đại sứ quán"}
    if kind == "meeting_notice":
        return {"action": "notice"}
    if kind == "meeting_check_in":
        return {"online": "1"}
    if kind == "meeting_vote":
        return {"choice": "for"}
    if kind == "meeting_settings_form":
        return {"time_zone": "Europe/Paris", "online_ballots": "on"}
    if kind == "meeting_api_new":
        return {"unit": t["unit_fr_dsq"], "kind": "thematic", "title": "Sinh hoạt chuyên đề quý I/2027",
                "day": (date.today() + timedelta(days=40)).isoformat(), "time": "18:00", "planned_minutes": 120,
                "place": "Phòng họp"}
    if kind == "meeting_api_attendance":
        member = Member.objects.filter(unit_id=t["unit_fr_dsq"], status=Status.FULL).order_by("pk").first()
        return {"action": "attendance", "member": member.pk, "presence": "excused", "reason": "Đi công tác",
                "reason_approved": True}
    if kind == "meeting_api_resolution":
        return {"action": "resolution", "title": "Thông qua nghị quyết tháng 12"}
    if kind == "ballot_api_paper":
        return {"action": "paper", "votes_for": 0, "votes_against": 0, "votes_abstain": 0, "invalid": 0}
    raise AssertionError(f"unknown payload {kind!r}")


def meetings_fingerprint() -> dict:
    from chibo.meetings.models import (
        Attendance,
        Ballot,
        BallotBox,
        BallotReceipt,
        BallotVoter,
        Meeting,
        MeetingDocument,
        MeetingSettings,
        Resolution,
    )

    return {
        "meetings": list(Meeting.objects.order_by("pk").values_list("pk", "state", "version", "notice_sent_at",
                                                                    "minutes_state", "minutes_text")),
        "meeting_settings": list(MeetingSettings.objects.order_by("pk").values_list("unit_id", "time_zone",
                                                                                    "online_ballots")),
        "attendance": list(Attendance.objects.order_by("pk").values_list("pk", "presence", "reason_approved")),
        "resolutions": list(Resolution.objects.order_by("pk").values_list("pk", "votes_for", "passed")),
        # Every vote rewrites its box with fresh ids: the ids change with any slip written.
        "ballots": sorted(Ballot.objects.values_list("id", flat=True)),
        "receipts": BallotReceipt.objects.count(),
        "ballot_boxes": list(BallotBox.objects.order_by("pk").values_list("pk", "state", "paper_entered",
                                                                           "online_for")),
        "voted": BallotVoter.objects.filter(voted=True).count(),
        "meeting_documents": MeetingDocument.objects.count(),
    }
