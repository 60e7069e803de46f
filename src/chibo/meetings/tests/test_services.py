"""Meetings: planning in the unit's time zone, attendance and the headcount, open votes,
secret ballots (unlinkable), minutes locked after approval, compliance, repeated absence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from chibo.core.crypto import decrypt
from chibo.core.documents import docx_text, pdf_text, render_docx, render_pdf
from chibo.core.lifecycle import TransitionRefused
from chibo.core.rulebook import rule_add_version
from chibo.deadlines.models import Deadline
from chibo.meetings import rules, services
from chibo.meetings.minutes import minutes_document, resolution_document
from chibo.meetings.models import (
    Attendance,
    Ballot,
    BallotReceipt,
    BallotVoter,
    Meeting,
    MinutesState,
    Presence,
)
from chibo.meetings.tests.helpers import full_members, plan
from chibo.members.models import Member, Status
from chibo.notifications.models import Message, Notification

pytestmark = pytest.mark.django_db


def test_plan_stores_the_units_local_time_and_warns(actor_of, unit):
    secretary = actor_of("bithu.phap")
    # As seeded, a regular meeting planned shorter than 90 minutes is refused (meeting.min_minutes_refused = 1) …
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as refused:
        plan(secretary, unit("PHAP-DSQ"), minutes=60)
    assert "ít nhất 90 phút" in str(refused.value.error_dict["planned_minutes"])
    assert "meeting." not in str(refused.value)  # no rule key on the page
    assert Meeting.objects.count() == before
    with pytest.raises(ValidationError, match="ít nhất 120 phút"):
        plan(secretary, unit("PHAP-DSQ"), kind="combined", minutes=100)
    # … and only warned about once a version of the rule says 0 (warning).
    rule_add_version(actor=actor_of("ban.tochuc"), key="meeting.min_minutes_refused", value="0",
                     effective_from=date(2026, 1, 1), basis="Chỉ cảnh báo", confidence="confirmed")
    meeting = plan(secretary, unit("PHAP-DSQ"), minutes=60)
    assert meeting.time_zone == "Europe/Paris"
    assert meeting.starts_at == datetime(2026, 12, 10, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
    meeting.refresh_from_db()
    assert meeting.starts_at.astimezone(ZoneInfo("UTC")).hour == 17  # CET = UTC+1 in December
    warnings = rules.warnings(meeting)
    assert any("60 phút" in w and "90 phút" in w for w in warnings), warnings
    assert any("thông báo" in w for w in warnings)
    combined = plan(secretary, unit("PHAP-DSQ"), kind="combined", minutes=100)
    assert any("120 phút" in w for w in rules.warnings(combined))
    ok = plan(secretary, unit("PHAP-DSQ"), minutes=90)
    assert not any("phút" in w for w in rules.warnings(ok))


def test_plan_refuses_bad_input_and_other_scopes(actor_of, unit):
    with pytest.raises(ValidationError) as exc:
        plan(actor_of("bithu.phap"), unit("PHAP-DSQ"), minutes=0)
    assert "planned_minutes" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        plan(actor_of("bithu.duc"), unit("PHAP-DSQ"))
    with pytest.raises(PermissionDenied):
        plan(actor_of("dangvien.phap"), unit("PHAP-DSQ"))
    assert not Meeting.objects.filter(unit__code="PHAP-DSQ").exclude(pk__in=[]).filter(planned_minutes=0).exists()


def test_time_zone_setting_overrides_the_country(actor_of, unit):
    services.meeting_settings_set(actor=actor_of("bithu.phap"), unit=unit("PHAP-LHS"), time_zone="Europe/London",
                                  online_ballots=False)
    meeting = plan(actor_of("bithu.phap"), unit("PHAP-LHS"))
    assert meeting.time_zone == "Europe/London"
    with pytest.raises(ValidationError):
        services.meeting_settings_set(actor=actor_of("bithu.phap"), unit=unit("PHAP-LHS"), time_zone="Mars/Olympus",
                                      online_ballots=True)


def test_notice_reaches_members_and_the_unit_above(actor_of, unit, personas, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    meeting = plan(actor_of("bithu.phap"), unit("PHAP-DSQ"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        n = services.meeting_send_notice(actor=actor_of("bithu.phap"), meeting=meeting, url="/meetings/1/")
    users = set(Notification.objects.filter(title_vi__startswith="Thông báo sinh hoạt")
                .values_list("user__username", flat=True))
    assert {"dangvien.phap", "bithu.phap", "ban.tochuc"} <= users  # members, and the committee above
    assert "bithu.duc" not in users
    assert n == len(users)
    # The e-mails are queued in the outbox and handed to the worker on commit; none left from here.
    emails = Message.objects.filter(kind="meeting.notice", ref=f"meeting:{meeting.pk}", channel="email")
    assert emails.filter(address="dangvien.phap@example.org", state="queued").exists()
    assert len(callbacks) == 1 and not mailoutbox
    handed = DBTaskResult.objects.filter(task_path="chibo.notifications.tasks.deliver")
    assert sorted(r.args_kwargs["args"][0] for r in handed) == sorted(emails.values_list("pk", flat=True))


def test_documents_limited_by_type_size_and_classification(actor_of, unit):
    meeting = plan(actor_of("bithu.phap"), unit("PHAP-DSQ"))
    a = actor_of("bithu.phap")
    doc = services.meeting_add_document(actor=a, meeting=meeting, title="Dự thảo nghị quyết", filename="nq.pdf",
                                        data=b"%PDF-1.4 test", unclassified=True)
    assert doc.size == 13
    for filename, data, unclassified in [("x.exe", b"MZ", True), ("x.pdf", b"not a pdf", True),
                                         ("x.pdf", b"%PDF" + b"0" * services.MAX_UPLOAD, True),
                                         ("x.pdf", b"%PDF-1.4", False)]:
        with pytest.raises(ValidationError):
            services.meeting_add_document(actor=a, meeting=meeting, title="T", filename=filename, data=data,
                                          unclassified=unclassified)
    assert meeting.documents.count() == 1
    # Uploaded now for a meeting three hours from now in Paris: later than the rule's one day before.
    start = (timezone.now() + timedelta(hours=3)).astimezone(ZoneInfo("Europe/Paris"))
    soon = services.meeting_plan(actor=a, unit=unit("PHAP-DSQ"), kind="regular", title="Sinh hoạt đột xuất",
                                 day=start.date(), time=start.time().replace(second=0, microsecond=0),
                                 planned_minutes=120, place="Phòng họp", agenda="1. Công việc")
    services.meeting_add_document(actor=a, meeting=soon, title="Báo cáo", filename="bc.txt", data=b"x",
                                  unclassified=True)
    assert any("Tài liệu gửi muộn" in w for w in rules.warnings(soon))


def _held_meeting(actor_of, unit, **kw):
    a = actor_of("bithu.phap")
    meeting = plan(a, unit("PHAP-DSQ"), **kw)
    services.meeting_open(actor=a, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def test_headcount_follows_the_rule(actor_of, unit):
    a = actor_of("bithu.phap")
    cell = unit("PHAP-DSQ")
    meeting = _held_meeting(actor_of, unit)
    members = full_members(cell)
    assert len(members) >= 4
    # One member suspended, one exempt and absent, one excused with approved reason, one excused not approved.
    suspended, exempt, excused, not_approved, *rest = members
    Member.objects.filter(pk=suspended.pk).update(status=Status.SUSPENDED)
    Member.objects.filter(pk=exempt.pk).update(status=Status.EXEMPT)
    suspended.refresh_from_db()
    exempt.refresh_from_db()
    services.attendance_record(actor=a, meeting=meeting, member=excused, presence="excused", reason="Công tác",
                               reason_approved=True)
    services.attendance_record(actor=a, meeting=meeting, member=not_approved, presence="excused", reason="Bận việc")
    on_rolls = Member.objects.filter(unit=cell, status__in=[Status.FULL, Status.EXEMPT, Status.SUSPENDED])
    left_out = set(on_rolls.filter(status__in=[Status.SUSPENDED, Status.EXEMPT]).values_list("pk", flat=True))
    assert {suspended.pk, exempt.pk} <= left_out  # (the demo has others besides ours)
    head = rules.headcount(meeting)
    assert head.on_rolls == on_rolls.count()
    assert head.count == on_rolls.count() - len(left_out) - 1
    assert {m.pk for m, _ in head.excluded} == left_out | {excused.pk}
    assert not_approved.pk not in {m.pk for m, _ in head.excluded}
    # The exempt member who comes counts again; the suspended one never does.
    services.attendance_record(actor=a, meeting=meeting, member=exempt, presence="in_person")
    services.attendance_record(actor=a, meeting=meeting, member=suspended, presence="in_person")
    assert rules.headcount(meeting).count == on_rolls.count() - len(left_out)


def test_attendance_refuses_another_units_member_and_self_check_in_only_when_open(actor_of, unit, personas):
    a = actor_of("bithu.phap")
    meeting = plan(a, unit("PHAP-DSQ"))
    stranger = Member.objects.filter(unit__code="PHAP-LHS", status=Status.FULL).first()
    with pytest.raises(ValidationError):
        services.attendance_record(actor=a, meeting=meeting, member=stranger, presence="in_person")
    with pytest.raises(TransitionRefused):  # not open yet
        services.attendance_check_in(actor=actor_of("dangvien.phap"), meeting=meeting, online=True)
    services.meeting_open(actor=a, meeting=meeting)
    row = services.attendance_check_in(actor=actor_of("dangvien.phap"), meeting=meeting, online=True)
    assert row.presence == Presence.ONLINE and row.self_checked_in
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_open_vote_pass_fail_from_the_rule(actor_of, unit):
    a = actor_of("bithu.phap")
    meeting = _held_meeting(actor_of, unit)
    members = full_members(unit("PHAP-DSQ"))
    for m in members:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="in_person")
    head = rules.headcount(meeting).count
    needed = head // 2 + 1  # more than half
    item = services.resolution_add(actor=a, meeting=meeting, title="Thông qua nghị quyết tháng")
    item = services.resolution_record_open_vote(actor=a, resolution=item, votes_for=needed, votes_against=0,
                                                votes_abstain=0)
    assert (item.headcount, item.needed, item.passed) == (head, needed, True)
    other = services.resolution_add(actor=a, meeting=meeting, title="Nội dung khác")
    other = services.resolution_record_open_vote(actor=a, resolution=other, votes_for=needed - 1, votes_against=1,
                                                 votes_abstain=0)
    assert other.passed is False
    with pytest.raises(ValidationError):
        services.resolution_record_open_vote(actor=a, resolution=other, votes_for=len(members) + 1, votes_against=0,
                                             votes_abstain=0)


def test_secret_ballot_cannot_be_linked_to_a_voter(actor_of, unit, personas):
    a = actor_of("bithu.phap")
    meeting = _held_meeting(actor_of, unit)
    voters = [personas["bithu.phap"].member, personas["dangvien.phap"].member]
    others = [m for m in full_members(unit("PHAP-DSQ")) if m.pk not in {v.pk for v in voters}][:3]
    for m in voters:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="online")
    for m in others:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="in_person")
    item = services.resolution_add(actor=a, meeting=meeting, title="Bầu bí thư chi bộ", secret=True)
    box = services.ballot_open(actor=a, resolution=item)
    assert box.eligible_count == 5
    code1 = services.ballot_cast(actor=actor_of("bithu.phap"), box=box, choice="for")
    after_first = set(Ballot.objects.filter(box=box).values_list("id", flat=True))
    code2 = services.ballot_cast(actor=actor_of("dangvien.phap"), box=box, choice="against")
    # Each vote rewrites the box with fresh ids in a fresh order: no slip keeps an identity across votes.
    assert not after_first & set(Ballot.objects.filter(box=box).values_list("id", flat=True))
    # Double voting, a non-eligible voter, results before the close.
    with pytest.raises(ValidationError):
        services.ballot_cast(actor=actor_of("dangvien.phap"), box=box, choice="for")
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=actor_of("bithu.duc"), box=box, choice="for")
    assert services.ballot_receipt_counted(box=box, code=code1) is None

    # --- the database after the ballot ---------------------------------------------------------
    ballot_table, voter_table = Ballot._meta.db_table, BallotVoter._meta.db_table
    receipt_table = BallotReceipt._meta.db_table
    with connection.cursor() as cur:
        ballot_columns = [c.name for c in connection.introspection.get_table_description(cur, ballot_table)]
        voter_columns = [c.name for c in connection.introspection.get_table_description(cur, voter_table)]
        receipt_columns = [c.name for c in connection.introspection.get_table_description(cur, receipt_table)]
        relations = {**connection.introspection.get_relations(cur, ballot_table),
                     **connection.introspection.get_relations(cur, receipt_table)}
        cur.execute(f"SELECT id, sealed FROM {ballot_table} WHERE box_id = %s", [box.pk])
        slips = cur.fetchall()
        cur.execute(f"SELECT digest FROM {receipt_table} WHERE box_id = %s", [box.pk])
        digests = [d for (d,) in cur.fetchall()]
    # A slip has its random id, the box and its sealed content; a receipt its random id, the box and a digest:
    # no voter, no time, no sequence, and nothing joins a receipt to a slip.
    assert sorted(ballot_columns) == ["box_id", "id", "sealed"]
    assert sorted(receipt_columns) == ["box_id", "digest", "id"]
    targets = {part for pair in relations.values() for part in pair}
    assert "meetings_ballotbox" in targets
    assert not targets & {"members_member", "accounts_user", "meetings_ballotvoter", "meetings_attendance",
                          "meetings_ballot"}
    # Participation has the member and a flag: nothing that points at a slip.
    assert sorted(voter_columns) == ["box_id", "id", "member_id", "voted"]
    assert len(slips) == 5 and all(len(pk) == 32 for pk, _sealed in slips)
    # As stored, every slip is ciphertext of one length (blank, "for" and "against" alike) that names no choice;
    # unsealed, two say what was cast.
    assert len({len(sealed) for _pk, sealed in slips}) == 1
    assert not any(c in sealed for _pk, sealed in slips for c in ("|", "against", "abstain"))
    assert sorted(decrypt(sealed).partition("|")[2].strip() for _pk, sealed in slips) == ["", "", "", "against",
                                                                                          "for"]
    assert sorted(digests) == sorted([services.receipt_hash(code1), services.receipt_hash(code2)])
    ids = {pk for pk, _sealed in slips}
    # No value of a slip appears in participation, the audit chain or anywhere near the voter.
    from chibo.core.models import AuditEvent

    audit_text = " ".join(str(e.data) for e in AuditEvent.objects.filter(action__startswith="ballot."))
    for pk, sealed in slips:
        assert pk not in audit_text and sealed not in audit_text
    assert not any(d in audit_text for d in digests)
    assert code1 not in audit_text and code2 not in audit_text
    assert not any(str(v) in ids for row in BallotVoter.objects.filter(box=box).values_list() for v in row)
    voted = BallotVoter.objects.filter(box=box, voted=True).count()
    assert voted == 2

    # --- paper totals, close, result ------------------------------------------------------------
    with pytest.raises(ValidationError):  # 2 online + 4 paper > 5 on the list
        services.ballot_enter_paper(actor=a, box=box, votes_for=4, votes_against=0, votes_abstain=0)
    services.ballot_enter_paper(actor=a, box=box, votes_for=2, votes_against=1, votes_abstain=0)
    item = services.ballot_close(actor=a, box=box)
    assert (item.votes_for, item.votes_against, item.votes_abstain) == (3, 2, 0)
    head = rules.headcount(meeting).count
    assert item.headcount == head and item.needed == head // 2 + 1 and item.passed == (3 >= head // 2 + 1)
    with pytest.raises(TransitionRefused):  # counted once only
        services.ballot_close(actor=a, box=box)
    box.refresh_from_db()
    assert services.ballot_receipt_counted(box=box, code=code1) is True
    assert services.ballot_receipt_counted(box=box, code="0000-0000-0000-0000") is False
    assert Ballot.objects.filter(box=box).count() == 2  # the blank slips are gone
    assert (box.online_for, box.online_against, box.online_abstain) == (1, 1, 0)  # counted once, kept on the box


# Run in a separate process on a copy of the test database in a file (WAL mode, as deployed): one member votes,
# and the database file and its WAL are copied while the connection is still open, as someone copying the disk
# just after a vote would; then a second vote, the paper totals and the close.
VOTE_ON_A_FILE = """
import json, os, shutil, sys
import django
django.setup()
from django.db import connection
from chibo.accounts.models import User
from chibo.core.access import actor_from_user
from chibo.meetings import services
from chibo.meetings.models import Ballot, BallotBox

box = BallotBox.objects.get(pk=int(sys.argv[1]))
actor = lambda name: actor_from_user(User.objects.get(username=name))
code = services.ballot_cast(actor=actor("dangvien.phap"), box=box, choice="abstain")
path = connection.settings_dict["NAME"]
shutil.copyfile(path, sys.argv[2])
shutil.copyfile(path + "-wal", sys.argv[2] + "-wal")
slips = list(Ballot.objects.filter(box=box).values_list("id", flat=True))
services.ballot_cast(actor=actor("bithu.phap"), box=box, choice="for")
services.ballot_enter_paper(actor=actor("bithu.phap"), box=box, votes_for=1, votes_against=1, votes_abstain=0)
item = services.ballot_close(actor=actor("bithu.phap"), box=box)
with connection.cursor() as cursor:
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({"code": code, "slips": slips, "mode": mode,
                  "result": [item.votes_for, item.votes_against, item.votes_abstain],
                  "counted": services.ballot_receipt_counted(box=BallotBox.objects.get(pk=box.pk), code=code)}))
"""


def test_a_copy_of_the_database_and_its_wal_after_a_vote_shows_no_choice(actor_of, unit, personas, tmp_path):
    import json
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    if connection.vendor != "sqlite":
        pytest.skip("the WAL is SQLite's; on PostgreSQL the same sealed rows are what dead row versions keep")
    a = actor_of("bithu.phap")
    meeting = _held_meeting(actor_of, unit)
    voters = [personas["bithu.phap"].member, personas["dangvien.phap"].member]
    for m in voters:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="online")
    for m in [m for m in full_members(unit("PHAP-DSQ")) if m.pk not in {v.pk for v in voters}][:2]:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="in_person")
    item = services.resolution_add(actor=a, meeting=meeting, title="Bầu bí thư chi bộ", secret=True)
    box = services.ballot_open(actor=a, resolution=item)
    database = tmp_path / "chibo.sqlite3"
    connection.ensure_connection()
    database.write_bytes(connection.connection.serialize())  # the test's database as this test sees it
    snapshot = tmp_path / "snapshot.sqlite3"
    src = Path(__file__).resolve().parents[3]
    env = {**os.environ, "CHIBO_ENV": "test", "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(src),
           "DJANGO_SETTINGS_MODULE": "chibo.settings", "CHIBO_VAR_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", VOTE_ON_A_FILE, str(box.pk), str(snapshot)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["mode"] == "wal"
    wal = (tmp_path / "snapshot.sqlite3-wal").read_bytes()
    disk = snapshot.read_bytes() + wal
    # The vote is in the WAL beside the participation: the rewritten box (every fresh slip id) is there …
    assert wal and all(pk.encode() in wal for pk in answer["slips"])
    # … but no choice, in clear, anywhere in the file or its WAL (as a value: the schema's column names such as
    # votes_abstain do not count); nor the receipt.
    assert not re.findall(rb"(?<![_a-z])(abstain|against)(?![_a-z])", disk)
    assert b"|for" not in disk
    assert answer["code"].encode() not in disk and answer["code"].replace("-", "").encode() not in disk
    # The tally at the close is still right, and the receipt checks out.
    assert answer["result"] == [2, 1, 1] and answer["counted"] is True


def test_online_ballot_can_be_switched_off_per_unit(actor_of, unit, personas):
    a = actor_of("bithu.phap")
    services.meeting_settings_set(actor=a, unit=unit("PHAP-DSQ"), time_zone="", online_ballots=False)
    meeting = _held_meeting(actor_of, unit)
    services.attendance_record(actor=a, meeting=meeting, member=personas["dangvien.phap"].member, presence="online")
    item = services.resolution_add(actor=a, meeting=meeting, title="Kết nạp đảng viên", secret=True)
    # One eligible voter present: the ballot is refused (its result would be that person's vote), nothing written.
    with pytest.raises(ValidationError, match="cần ít nhất 3"):
        services.ballot_open(actor=a, resolution=item)
    assert not Ballot.objects.filter(box__resolution=item).exists()
    others = [m for m in full_members(unit("PHAP-DSQ")) if m.pk != personas["dangvien.phap"].member.pk]
    for m in others[:2]:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="in_person")
    box = services.ballot_open(actor=a, resolution=item)
    assert box.eligible_count == 3
    # A member marked present after the ballot opened is added to its roll, with one more blank slip.
    late = others[2]
    services.attendance_record(actor=a, meeting=meeting, member=late, presence="in_person")
    box.refresh_from_db()
    assert box.eligible_count == 4 and BallotVoter.objects.filter(box=box, member=late).exists()
    assert Ballot.objects.filter(box=box).count() == 4
    services.attendance_record(actor=a, meeting=meeting, member=late, presence="in_person")  # marked twice: once
    box.refresh_from_db()
    assert box.eligible_count == 4
    with pytest.raises(ValidationError):
        services.ballot_cast(actor=actor_of("dangvien.phap"), box=box, choice="for")


def test_close_meeting_meets_and_opens_the_regular_deadline_and_minutes_lock(actor_of, unit):
    a = actor_of("bithu.phap")
    meeting = _held_meeting(actor_of, unit)
    present = full_members(unit("PHAP-DSQ"))
    for m in present:
        services.attendance_record(actor=a, meeting=meeting, member=m, presence="in_person")
    item = services.resolution_add(actor=a, meeting=meeting, title="Thông qua nghị quyết", text="Chi bộ quyết nghị.")
    item = services.resolution_record_open_vote(actor=a, resolution=item, votes_for=len(present), votes_against=0,
                                                votes_abstain=0)
    assert item.passed
    with pytest.raises(ValidationError):  # a meeting ending before it starts
        services.meeting_close(actor=a, meeting=meeting, ended_at=meeting.opened_at - timedelta(minutes=1))
    services.meeting_close(actor=a, meeting=meeting)
    nxt = Deadline.objects.get(kind="meeting.regular", unit=unit("PHAP-DSQ"), state="open")
    assert (nxt.start_date, nxt.due_date) == (date(2026, 12, 31), date(2027, 1, 31))
    meeting = services.minutes_draft(actor=a, meeting=meeting)
    assert "I. ĐIỂM DANH" in meeting.minutes_text and "Thông qua nghị quyết" in meeting.minutes_text
    services.minutes_edit(actor=a, meeting=meeting, text=meeting.minutes_text + "\nÝ kiến bổ sung của thư ký.")
    with pytest.raises(ValidationError, match="diễn biến, ý kiến thảo luận, kết luận của chủ trì"):
        services.minutes_approve(actor=a, meeting=meeting)  # minutes without their discussion or conclusion
    services.meeting_update(actor=a, meeting=meeting, discussion="Các đồng chí thống nhất phương hướng tháng tới.",
                            conclusion="Chi bộ thống nhất nhiệm vụ tháng tới.")
    with pytest.raises(ValidationError, match="còn chỗ chưa ghi"):  # the text drafted before still says so
        services.minutes_approve(actor=a, meeting=meeting)
    meeting = services.minutes_draft(actor=a, meeting=meeting)
    services.minutes_edit(actor=a, meeting=meeting, text=meeting.minutes_text + "\nÝ kiến bổ sung của thư ký.")
    services.minutes_approve(actor=a, meeting=meeting)
    with pytest.raises(TransitionRefused):  # approved minutes are locked
        services.minutes_edit(actor=a, meeting=meeting, text="sửa")
    meeting.refresh_from_db()
    assert meeting.minutes_state == MinutesState.APPROVED
    pdf = pdf_text(render_pdf(minutes_document(meeting)))
    assert "BIÊN BẢN" in pdf and "Ý kiến bổ sung của thư ký" in pdf
    docx = docx_text(render_docx(resolution_document(meeting)))
    assert "NGHỊ QUYẾT" in docx and "Chi bộ quyết nghị." in docx


@override_settings(CHIBO_TODAY=date(2026, 12, 20))
def test_compliance_and_repeated_absence(actor_of, unit):
    a = actor_of("bithu.phap")
    cell = unit("PHAP-DSQ")
    absentee = full_members(cell)[0]
    for month in (9, 10, 11):
        m = plan(a, cell, day=date(2026, month, 10), kind="combined" if month == 10 else "regular")
        services.meeting_open(actor=a, meeting=m)
        services.attendance_record(actor=a, meeting=m, member=absentee, presence="absent")
        services.meeting_close(actor=a, meeting=m)
    [row] = rules.compliance([cell], 2026)
    assert row.missing_months == [1, 2, 3, 4, 5, 6, 7, 8, 12]
    assert row.missing_quarters == [1, 2, 3]
    flags = rules.repeated_absences(cell, 2026)
    assert [(f.member.pk, f.months) for f in flags] == [(absentee.pk, [9, 10, 11])]
    # The third month raised the flag to France's secretary, once.
    notes = Notification.objects.filter(title_vi=f"Đề nghị xem xét xóa tên: {absentee.full_name}")
    assert list(notes.values_list("user__username", flat=True)) == ["bithu.phap"]
    assert "tháng 9, 10, 11" in notes.get().body


def test_the_minutes_read_right_as_a_whole(actor_of, unit):
    """The locked PDF as its reader sees it (converted to text): actual times that agree, a number per cell and
    year (not the database id), the attendance listed once, figures that add up with those not required to attend
    named apart, two signatures (chair and recorder)."""
    import re
    from datetime import datetime as dt

    from chibo.meetings.models import MinutesCounter

    a = actor_of("bithu.phap")
    cell = unit("PHAP-DSQ")
    paris = ZoneInfo("Europe/Paris")
    members = full_members(cell)
    exempt, excused, absent, *present = members
    Member.objects.filter(pk=exempt.pk).update(status=Status.EXEMPT)
    probationary = list(Member.objects.filter(unit=cell, status=Status.PROBATIONARY))
    numbers = []
    for month_day in (date(2026, 10, 10), date(2026, 11, 10)):
        meeting = plan(a, cell, day=month_day, minutes=120)  # scheduled 18:30
        services.meeting_open(actor=a, meeting=meeting)
        opened = dt(month_day.year, month_day.month, month_day.day, 16, 5, tzinfo=paris)  # opened before 18:30
        Meeting.objects.filter(pk=meeting.pk).update(opened_at=opened)
        meeting.refresh_from_db()
        with pytest.raises(ValidationError, match="trước khi bắt đầu"):  # a close before the opening is refused
            services.meeting_close(actor=a, meeting=meeting, ended_at=opened - timedelta(minutes=5))
        for m in present + probationary:
            services.attendance_record(actor=a, meeting=meeting, member=m, presence="in_person")
        services.attendance_record(actor=a, meeting=meeting, member=excused, presence="excused",
                                   reason="Đi công tác", reason_approved=True)
        services.attendance_record(actor=a, meeting=meeting, member=absent, presence="absent")
        services.meeting_close(actor=a, meeting=meeting, ended_at=opened + timedelta(minutes=125))  # 18:10
        meeting = services.minutes_draft(actor=a, meeting=meeting)
        with pytest.raises(ValidationError, match="diễn biến, ý kiến thảo luận"):  # required parts first
            services.minutes_approve(actor=a, meeting=meeting)
        services.meeting_update(actor=a, meeting=meeting, discussion="Các đồng chí phát biểu ý kiến.",
                                conclusion="Đồng chí chủ trì kết luận: chi bộ thống nhất nhiệm vụ tháng tới.")
        meeting = services.minutes_draft(actor=a, meeting=meeting)
        services.minutes_approve(actor=a, meeting=meeting)
        meeting.refresh_from_db()
        numbers.append(meeting.minutes_number)
        lines = pdf_text(render_pdf(minutes_document(meeting)))
        text = " ".join(lines.split())
        # Times: both actual, in order; the schedule (18:30) is not printed beside them.
        assert "Thời gian bắt đầu: 16 giờ 05" in text and "Thời gian kết thúc: 18 giờ 10" in text, text[:600]
        assert "18 giờ 30" not in text and "kéo dài 125 phút" in text
        assert f"ngày {month_day.day:02d} tháng {month_day.month:02d} năm {month_day.year}" in text
        # The register number of the cell's year, not the database id.
        assert f"Số {meeting.minutes_number}-BB/CB" in text
        assert meeting.minutes_number != meeting.pk or meeting.minutes_number == 1
        # The attendance once: every member required appears once before the signatures; the exempt member once,
        # among those not required.
        body = text.split("THƯ KÝ")[0]
        for m in [excused, absent, *present, *probationary]:
            assert body.count(m.full_name) == 1, m.full_name
        assert body.count(exempt.full_name) == 1 and f"{exempt.full_name} (được miễn công tác" in body
        assert body.count("Danh sách điểm danh") == 2  # the sentence pointing to it, and its caption
        # Figures that add up.
        total = re.search(r"Tổng số đảng viên của chi bộ: (\d+) \((\d+) đảng viên chính thức, (\d+) đảng viên dự bị\); "
                          r"không phải dự họp: (\d+); phải dự họp: (\d+) = (\d+) − (\d+)\.", text)
        assert total, text[:1500]
        members_n, full_n, prob_n, apart_n, required_n, *_ = map(int, total.groups())
        assert members_n == full_n + prob_n and required_n == members_n - apart_n and apart_n >= 1
        parts = re.search(r"có mặt (\d+); vắng có lý do (\d+); vắng không có lý do (\d+) \((\d+) \+ (\d+) \+ (\d+) = "
                          r"(\d+)\)\. Có mặt gồm (\d+) đảng viên chính thức và (\d+) đảng viên dự bị", text)
        assert parts, text[:1500]
        came, exc, abs_, *_, required_again, came_full, came_prob = map(int, parts.groups())
        assert came + exc + abs_ == required_n == required_again and came == came_full + came_prob
        assert (came, exc, abs_) == (len(present) + len(probationary), 1, 1)
        assert came_prob == len(probationary)
        table = re.search(r"Danh sách điểm danh \((\d+) đồng chí phải dự họp\)", text)
        assert table and int(table.group(1)) == required_n
        head = re.search(r"để tính biểu quyết: (\d+) = (\d+) đảng viên chính thức − (\d+) không tính", text)
        assert head and int(head.group(1)) == int(head.group(2)) - int(head.group(3))
        assert int(head.group(1)) == came_full + abs_  # counted: full members present, and the one absent unexcused
        # Two signatures: the recorder on the left, the chair on the right.
        assert "THƯ KÝ" in text and "CHỦ TRÌ" in text and "T/M CHI BỘ" not in text
        # Words keep their spaces in the header and body whatever line they fall on.
        assert "SỨ QUÁN" in text.upper() and "SỨQUÁN" not in text.upper()
    assert numbers == [numbers[0], numbers[0] + 1]
    assert MinutesCounter.objects.get(unit=cell, year=2026).last == numbers[1]
    # Another cell's register starts at its own 1.
    sec_de = actor_of("bithu.duc")
    meeting = plan(sec_de, unit("DUC-DSQ"), day=date(2026, 10, 12))
    services.meeting_open(actor=sec_de, meeting=meeting)
    services.meeting_close(actor=sec_de, meeting=meeting,
                           ended_at=Meeting.objects.get(pk=meeting.pk).opened_at + timedelta(minutes=95))
    services.meeting_update(actor=sec_de, meeting=meeting, discussion="Thống nhất.", conclusion="Thống nhất.")
    services.minutes_draft(actor=sec_de, meeting=meeting)
    assert services.minutes_approve(actor=sec_de, meeting=meeting).minutes_number == 1


@pytest.mark.parametrize("family", ["Times New Roman", "Liberation Serif", "DejaVu Serif", "Liberation Sans",
                                    "DejaVu Sans"])
def test_the_minutes_header_keeps_its_words_apart_in_every_font(family):
    """'SỨ QUÁN' never reads 'SỨQUÁN': the issuer in the header and the body keep their spaces, whatever font
    the machine gives (precomposed Vietnamese capitals beside a space), on one line or across a wrap."""
    from weasyprint import HTML

    from chibo.core.documents import OfficialDocument, Paragraph, render_html

    doc = OfficialDocument(title="BIÊN BẢN", issuer="CHI BỘ CƠ QUAN ĐẠI SỨ QUÁN VIỆT NAM TẠI CỘNG HÒA PHÁP",
                           upper_issuer="ĐẢNG ỦY BỘ NGOẠI GIAO", number="Số 4-BB/CB", place="Paris",
                           blocks=[Paragraph("ĐẠI SỨ QUÁN, Đại sứ quán, SỨ QUÁN ĐẶC MỆNH TOÀN QUYỀN.", bold=True)],
                           signer_title="CHỦ TRÌ", second_signer_title="THƯ KÝ")
    html = render_html(doc)
    stack = '"Times New Roman", "Liberation Serif", "DejaVu Serif", serif'
    assert stack in html  # the document's own font stack, replaced here by one family at a time
    text = pdf_text(HTML(string=html.replace(stack, f'"{family}"')).write_pdf())
    words = " ".join(text.split())
    assert "SỨQUÁN" not in words.upper()
    assert words.count("SỨ QUÁN") >= 3, words
