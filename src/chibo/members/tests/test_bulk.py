"""The bulk path of the members app (members.bulk): records created and updated many at once by the rules of
member_create / member_update, each with its timeline event and its own audit row of the same data, counters
kept equal to a recount, the probation clock opened, and nothing written when a record is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from chibo.core.audit import row_digest
from chibo.core.errors import StaleEdit
from chibo.core.models import AuditEvent
from chibo.deadlines.models import Deadline
from chibo.members import bulk, services
from chibo.members.counters import counts_check
from chibo.members.models import Member, Status, TimelineEvent, TimelineKind
from chibo.members.selectors import member_keys, member_values

TRACKED = (Member, TimelineEvent, AuditEvent, Deadline)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TRACKED}


def data(n: int, **overrides) -> dict:
    out = dict(full_name=["Lê Thị Hồng Nhung", "Trần Văn Bình", "Phạm Ngọc Ánh"][n % 3], gender="F" if n % 2 else "M",
               birth_date=date(1985, 1 + n % 12, 10), admission_date=date(2012, 3, 2), category="self_student",
               card_number=f"4400{n:04d}", dossier_number=f"4400{n:04d}LL", home_town="Nam Định",
               citizen_id=f"00118501{n:04d}" if n % 2 else "", phone="")
    out.update(overrides)
    return services.normalize_data(out)


def created(officer, unit, n: int = 3, **kw) -> list[Member]:
    members = [bulk.new_member(unit, Status.FULL if i % 2 else Status.PROBATIONARY,
                               data(i, confirmation_date=date(2013, 3, 2)) if i % 2 else data(i))
               for i in range(n)]
    return bulk.members_create_many(actor=officer, members=members, **kw)


@pytest.fixture
def officer(actor_of):
    return actor_of("ban.tochuc")


def test_new_member_matches_the_model_constructor(unit):
    from django.db.models.signals import post_init

    lhs = unit("PHAP-LHS")
    fields = {"full_name": "Nguyễn Văn An", "gender": "M", "birth_date": date(1985, 3, 5), "card_number": "1"}
    fast = bulk.new_member(lhs, "full", fields)
    slow = Member(unit=lhs, status="full", **fields)
    assert {k: v for k, v in fast.__dict__.items() if k != "_state"} == \
        {k: v for k, v in slow.__dict__.items() if k != "_state"}
    assert fast.unit is lhs and fast._state.adding and fast.pk is None
    assert not post_init.has_listeners(Member)  # the shortcut skips Model.__init__ and its signal
    with pytest.raises(ValidationError, match="version"):
        bulk.new_member(lhs, "full", {**fields, "version": 3})


def test_create_many_writes_what_member_create_writes_with_one_audit_row_each(officer, unit):
    lhs = unit("PHAP-LHS")
    before = counts()
    members = created(officer, lhs, n=5)
    assert all(m.pk for m in members)
    after = counts()
    assert after["Member"] == before["Member"] + 5
    assert after["TimelineEvent"] == before["TimelineEvent"] + 5
    # one member.created row per member, and deadline.opened for each of the 3 probationary
    assert after["Deadline"] == before["Deadline"] + 3
    assert after["AuditEvent"] == before["AuditEvent"] + 5 + 3

    single = services.member_create(actor=officer, unit=lhs, status=Status.FULL,
                                     **data(9, confirmation_date=date(2013, 3, 2)))
    single_row = AuditEvent.objects.get(action="member.created", object_id=str(single.pk))
    for member in members:
        stored = Member.objects.get(pk=member.pk)
        made = Member.objects.get(pk=single.pk)
        assert stored.name_search == services.name_keys(stored.full_name)[0]
        assert stored.citizen_id == member.citizen_id and stored.version == 1 and stored.created_at
        if stored.citizen_id:
            assert stored.citizen_id_hash and stored.citizen_id_hash != made.citizen_id_hash
        event = TimelineEvent.objects.get(member=member)
        assert (event.kind, event.occurred_on, event.unit_id, event.actor_label) == (
            TimelineKind.CREATED, member.admission_date, lhs.pk, "ban.tochuc")
        row = AuditEvent.objects.get(action="member.created", object_type="member", object_id=str(member.pk))
        assert row.data == event.data == {"status": member.status, "unit": lhs.name, "unit_id": lhs.pk}
        assert set(row.data) == set(single_row.data)  # the shape member_create writes
        assert (row.unit_id, row.actor_id, row.actor_label) == (lhs.pk, officer.user.pk, "")
        assert row.digest == row_digest(row) and row.seq is not None  # chained as written: the head was free
    assert Deadline.objects.filter(member__in=[m for m in members if m.status == Status.PROBATIONARY],
                                   kind="probation.confirmation").count() == 3
    assert counts_check() == []
    call_command("audit", "verify")


def test_create_many_in_batches_marks_the_events_and_reports_progress(officer, unit):
    seen = []
    members = created(officer, unit("PHAP-DSQ"), n=5, batch=2, event_data={"import": True}, progress=seen.append)
    assert seen == [2, 4, 5]
    rows = AuditEvent.objects.filter(action="member.created", object_id__in=[str(m.pk) for m in members])
    assert rows.count() == 5 and all(row.data["import"] is True for row in rows)
    assert all(e.data["import"] is True for e in TimelineEvent.objects.filter(member__in=members))
    assert counts_check() == []


def test_create_many_checks_like_member_create_and_writes_nothing_when_refused(officer, unit):
    lhs = unit("PHAP-LHS")
    existing = Member.objects.exclude(card_number__isnull=True).first()
    young = bulk.new_member(lhs, Status.PROBATIONARY, data(1, birth_date=date(2000, 1, 1)))
    taken = bulk.new_member(lhs, Status.PROBATIONARY, data(2, card_number=existing.card_number))
    twin = bulk.new_member(lhs, Status.PROBATIONARY, data(3, dossier_number="44000002LL"))
    fine = bulk.new_member(lhs, Status.PROBATIONARY, data(4))
    before = counts()
    with pytest.raises(ValidationError) as info:
        bulk.members_create_many(actor=officer, members=[fine, young, taken, twin])
    messages = info.value.messages
    assert any(m.startswith("2 (") and "16 tuổi" in m for m in messages), messages
    assert any(m.startswith("3 (") and existing.card_number in m and "đã có" in m for m in messages), messages
    assert any(m.startswith("4 (") and "44000002LL" in m for m in messages), messages
    assert not any(m.startswith("1 (") for m in messages)
    assert counts() == before

    with pytest.raises(ValidationError) as info:
        bulk.check_new(bulk.new_member(lhs, Status.EXPELLED, data(5)))
    assert "status" in info.value.message_dict


def test_create_many_refuses_a_closed_unit_and_rolls_back(officer, unit):
    closed = unit("DOAN-APEC17")
    assert closed.closed_on is not None
    before = counts()
    with pytest.raises(ValidationError, match="đã giải thể"):
        created(officer, closed, n=2, checked=True)
    assert counts() == before


def test_create_many_is_refused_outside_the_actors_scope(actor_of, unit):
    from django.core.exceptions import PermissionDenied

    before = counts()
    with pytest.raises(PermissionDenied):
        created(actor_of("bithu.phap"), unit("DUC-DSQ"), n=1)
    assert counts() == before


def test_update_many_writes_what_member_update_writes_with_one_audit_row_each(officer, unit):
    members = created(officer, unit("PHAP-LHS"), n=3)
    before = counts()
    updates = [
        (members[0], 1, {"job_title": "Công sứ", "phone": "+33 6 12 34 56 78"}),
        (members[1], 1, {"category": "labourer"}),  # the counters move
        (members[2], 1, {"home_town": members[2].home_town}),  # no change: nothing written
    ]
    changed = bulk.members_update_many(actor=officer, updates=updates)
    assert [m.pk for m in changed] == [members[0].pk, members[1].pk]
    after = counts()
    assert after["TimelineEvent"] == before["TimelineEvent"] + 2 and after["AuditEvent"] == before["AuditEvent"] + 2
    first = Member.objects.get(pk=members[0].pk)
    assert (first.job_title, first.phone, first.version) == ("Công sứ", "+33 6 12 34 56 78", 2)
    assert Member.objects.get(pk=members[1].pk).category == "labourer"
    for member in changed:
        event = TimelineEvent.objects.get(member=member, kind=TimelineKind.UPDATED)
        row = AuditEvent.objects.get(action="member.updated", object_id=str(member.pk))
        assert row.data == {"changed": [c["field"] for c in event.data["changed"]], "version": 2}  # no values
        assert event.data["version"] == 2
        assert row.digest == row_digest(row)
    secret = {c["field"]: c
              for c in TimelineEvent.objects.get(member=members[0], kind="member.updated").data["changed"]}
    assert secret["phone"]["new"] == "(đã thay đổi)"
    assert "+33 6 12 34 56 78" not in str(AuditEvent.objects.get(action="member.updated",
                                                                   object_id=str(members[0].pk)).data)
    assert counts_check() == []
    call_command("audit", "verify")


def test_update_many_refuses_a_stale_version_and_invalid_changes(officer, unit):
    members = created(officer, unit("PHAP-LHS"), n=2)
    before = counts()
    with pytest.raises(StaleEdit):
        bulk.members_update_many(actor=officer, updates=[(members[0], 1, {"job_title": "A"}),
                                                         (members[1], 7, {"job_title": "B"})])
    with pytest.raises(ValidationError, match="16 tuổi"):
        bulk.members_update_many(actor=officer, updates=[(members[0], 1, {"birth_date": date(2000, 1, 1)})])
    with pytest.raises(ValidationError):
        bulk.check_changes(members[0], {"birth_date": date(2000, 1, 1)})
    assert Member.objects.get(pk=members[0].pk).birth_date == members[0].birth_date  # the check changes nothing
    assert counts() == before


def test_keys_and_values_of_many_records(officer, unit):
    members = created(officer, unit("PHAP-LHS"), n=3)
    keys = member_keys(cards=["44000000", "44000001"], dossiers=["44000002LL", "nobody"])
    assert sorted(k[0] for k in keys) == sorted(m.pk for m in members)
    values = member_values([m.pk for m in members], ["citizen_id", "full_name"])
    assert values[members[1].pk] == {"citizen_id": members[1].citizen_id, "full_name": members[1].full_name}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SET CONSTRAINTS: PostgreSQL's deferred checks")
def test_the_reference_checks_run_after_each_batch_and_leave_later_writes_deferred():
    """An import checks the references of each batch as the writer stores it (``_check_references``): a broken
    one fails there, not at the commit; afterwards the constraints are deferred again, as they were."""
    with connection.cursor() as cur:  # what "SET CONSTRAINTS ALL DEFERRED" restores: no constraint starts otherwise
        cur.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint "
                    "WHERE condeferrable AND NOT condeferred AND connamespace = 'public'::regnamespace")
        assert cur.fetchall() == []
    broken = ("INSERT INTO members_timelineevent (kind, occurred_on, recorded_at, actor_label, data, member_id) "
              "VALUES ('created', '2020-01-01', now(), '', '{}', -1)")
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(broken)  # deferred: nothing is checked yet
        with pytest.raises(IntegrityError), transaction.atomic():
            bulk._check_references()
        transaction.set_rollback(True)
    with transaction.atomic():
        bulk._check_references()
        with connection.cursor() as cur:
            cur.execute(broken)  # deferred again after the check
        transaction.set_rollback(True)
