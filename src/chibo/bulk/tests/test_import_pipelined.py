"""The import writes the new members while it checks the next rows (PostgreSQL, ``chibo import``: core.writer): the
same records, events and audit rows as written after the check, in the same order; and a row refused late in
the file, or a failure on the writer's side, leaves nothing written."""

from __future__ import annotations

import pytest
from django.db import connection

from chibo.bulk import services
from chibo.bulk.services import ImportRefused, execute
from chibo.bulk.tests.test_import import NAMES, db_state, rows_for, run, xlsx
from chibo.core.models import AuditEvent
from chibo.members import bulk as member_bulk
from chibo.members.counters import counts_check
from chibo.members.models import Member, TimelineEvent, UnitMemberCount

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="written while checked on PostgreSQL only")


@pytest.fixture
def batches(monkeypatch):
    """Batches of 3 rows, and the sizes of those the writer wrote."""
    written: list[int] = []
    write = member_bulk.NewMembers.store

    def spy(self, chunk):
        written.append(len(chunk))
        return write(self, chunk)

    monkeypatch.setattr(services, "BATCH", 3)
    monkeypatch.setattr(member_bulk.NewMembers, "store", spy)
    return written


def counters():
    return sorted(UnitMemberCount.objects.values_list("unit_id", "status_probationary", "status_full"))


def late_refusal(tmp_path, card_base):
    """Eleven good rows, then one the member rules refuse (admitted at 10), found when the row is checked."""
    rows = rows_for((NAMES * 2)[:12], card_base=card_base)
    rows[11][3] = "01/01/2000"
    rows[11][6], rows[11][7] = "19/05/2010", "19/05/2011"
    return xlsx(tmp_path, rows)


@pg_only
def test_a_row_refused_late_rolls_back_what_was_written_while_checking(tmp_path, actor_of, batches):
    actor = actor_of("bithu.phap")
    path = late_refusal(tmp_path, 71_000_000)
    before, counts = db_state(), counters()
    with pytest.raises(ImportRefused, match="1 dòng lỗi"):
        run(actor, path, mode="all")
    assert batches == [3, 3, 3]  # written while the next rows were checked, before the bad row was reached …
    assert db_state() == before and counters() == counts  # … and rolled back with everything else
    assert not Member.objects.filter(card_number__startswith="71000").exists()


@pg_only
def test_valid_rows_only_writes_the_good_rows_while_checking(tmp_path, actor_of, batches):
    actor = actor_of("bithu.phap")
    plan, outcome = run(actor, late_refusal(tmp_path, 72_000_000), mode="valid")
    assert outcome.counts["new"] == 11 and outcome.counts["error"] == 1
    assert batches == [3, 3, 3, 2]
    assert Member.objects.filter(card_number__startswith="72000").count() == 11
    assert counts_check() == []


@pg_only
def test_a_failure_of_the_writer_reaches_the_import_and_nothing_is_written(tmp_path, actor_of, monkeypatch):
    actor = actor_of("bithu.phap")
    write = member_bulk.NewMembers.store
    calls = []

    def failing(self, chunk):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return write(self, chunk)

    monkeypatch.setattr(services, "BATCH", 3)
    monkeypatch.setattr(member_bulk.NewMembers, "store", failing)
    before, counts = db_state(), counters()
    with pytest.raises(RuntimeError, match="disk full"):
        run(actor, xlsx(tmp_path, rows_for((NAMES * 2)[:12], card_base=73_000_000)), mode="all")
    assert calls == [3, 3]  # nothing more written after the failure
    assert db_state() == before and counters() == counts


def written_by_import(card_base):
    """What an import of rows_for(...) wrote, with ids replaced by the row's place: (member fields, timeline
    events, audit rows in their order)."""
    members = list(Member.objects.filter(card_number__startswith=str(card_base)[:5]).order_by("pk"))
    place = {m.pk: n for n, m in enumerate(members)}
    fields = [(m.full_name, m.status, m.unit_id, m.name_search, m.name_sort, m.birth_date, m.admission_date,
               m.card_number[5:], m.version) for m in members]
    events = [(place[e.member_id], e.kind, e.occurred_on, e.unit_id, e.data)
              for e in TimelineEvent.objects.filter(member__in=members).order_by("pk")]
    first = AuditEvent.objects.filter(object_type="member", object_id=str(members[0].pk)).earliest("pk").pk
    last = AuditEvent.objects.filter(pk__gt=first, action="members.imported").earliest("pk").pk  # the import's own
    audits = []
    for row in AuditEvent.objects.filter(pk__gte=first, pk__lte=last).order_by("pk"):
        data = dict(row.data)
        if row.object_type == "member":
            target = place.get(int(row.object_id))
        elif "member" in data:  # a deadline opened for the member
            target = place.get(data.pop("member"))
        else:
            target = None
        data.pop("file", None), data.pop("sha256", None)
        audits.append((row.action, row.object_type, target, row.unit_id, sorted(data.items())))
    return fields, events, audits


@pg_only
def test_written_while_checking_is_what_was_written_after_checking(tmp_path, actor_of, monkeypatch):
    """The same file (other card numbers) imported both ways: the same records, events and audit rows, in the
    same order; then imported again: all unchanged; the chain verifies and the counters equal a recount."""
    from django.core.management import call_command

    actor = actor_of("bithu.phap")
    monkeypatch.setattr(services, "BATCH", 4)
    names = (NAMES * 3)[:22]
    first = xlsx(tmp_path, rows_for(names, card_base=74_000_000), name="a.xlsx")
    plan, _ = run(actor, first, dry_run=True)
    execute(actor=actor, plan=plan, mode="all", batch=4)  # checked, then written
    second = xlsx(tmp_path, rows_for(names, card_base=75_000_000), name="b.xlsx")
    run(actor, second, mode="all")  # written while checked
    streamed, serial = written_by_import(75_000_000), written_by_import(74_000_000)
    assert streamed[0] == serial[0]  # the records
    assert streamed[1] == serial[1]  # their timeline events
    assert len(streamed[2]) == len(serial[2]) == 22 + 11 + 1  # created, deadline.opened, the import's own
    for n, (a, b) in enumerate(zip(streamed[2], serial[2], strict=True)):  # the audit rows, in order
        assert a == b, n
    plan, outcome = run(actor, second, mode="all")
    assert plan.counts["unchanged"] == 22 and outcome.counts["new"] == 0
    call_command("audit", "verify")
    assert counts_check() == []

