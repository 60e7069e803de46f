"""What keeps the chain cheap, with every tamper check as it is.

Sealing paced per process (``CHIBO_AUDIT_SEAL_MS``): a write that commits soon after the process's last
sealing leaves its row to the process's sealer thread, which chains it when the time is up. The suite runs
with 0 (sealing after every commit); these tests turn the pacing on, with real commits and the thread's own
database connection.

A bulk writer (an import) takes the head and chains its rows as it writes them, once, instead of inserting them
and sealing them after: nobody waits for it meanwhile."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from chibo.core.access import SYSTEM
from chibo.core.audit import audit, audit_many, row_digest, row_hash, seal_deferred, verify_chain
from chibo.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db(transaction=True)

INTERVAL_MS = 400


def settled(read, seconds: float = 10):
    """``read()``, tried again while the test database answers "locked": on SQLite the tests' in-memory database
    is shared between connections with table locks and no busy wait (a file database, as installed, waits), so a
    read can meet the sealer thread's write."""
    began = time.monotonic()
    while True:
        try:
            return read()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() - began > seconds:
                raise
            time.sleep(0.02)


def sealed(row: AuditEvent) -> bool:
    settled(row.refresh_from_db)
    return row.seq is not None


def wait_until(condition, seconds: float) -> float:
    """Seconds until ``condition()`` held; fails after ``seconds``."""
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < seconds, "not within the time allowed"
        time.sleep(0.02)
    return time.monotonic() - began


def sealer_connections() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'chibo audit sealer %%'")
        return cursor.fetchone()[0]


def test_paced_rows_are_sealed_by_the_process_thread_within_the_interval(migrated_data, settings):
    settings.CHIBO_AUDIT_SEAL_MS = INTERVAL_MS
    rows = [settled(lambda n=n: audit(actor=SYSTEM, action="test.paced", data={"n": n})) for n in range(5)]  # commits
    waited = wait_until(lambda: all(sealed(row) for row in rows), 10)
    assert waited < 5  # the interval, the sealing, and room for a busy machine
    seqs = [row.seq for row in rows]
    assert seqs == list(range(seqs[0], seqs[0] + 5))  # in the order written
    assert not settled(AuditEvent.objects.filter(seq__isnull=True).exists)
    assert settled(verify_chain).ok
    # idle, the thread gives its connection back (PostgreSQL names it, so it can be seen)
    wait_until(lambda: sealer_connections() == 0, 10)


def test_a_paced_row_changed_before_its_sealing_is_still_detected(migrated_data, settings):
    settings.CHIBO_AUDIT_SEAL_MS = 60_000  # the thread seals at most once a minute: the test seals by itself
    for n in range(5):  # the thread's first sealing comes at once; the rows after it wait for the minute
        row = settled(lambda n=n: audit(actor=SYSTEM, action="test.paced", data={"n": n}))
        time.sleep(0.3)
        if not sealed(row):
            break
    assert not sealed(row), "left to the sealer thread, not sealed at its commit"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["mallory", row.pk])
    seal_deferred()  # what a process about to stop does (and atexit)
    assert sealed(row)
    result = verify_chain()
    assert not result.ok and result.bad_seq == row.seq and "changed" in result.reason


def test_without_pacing_every_commit_is_sealed_at_once(migrated_data, settings):
    settings.CHIBO_AUDIT_SEAL_MS = 0
    rows = [audit(actor=SYSTEM, action="test.unpaced", data={"n": n}) for n in range(3)]
    assert all(sealed(row) for row in rows)


# --- a bulk writer chains its rows as it writes them ---------------------------------------------------------

def bulk(n: int, action: str = "test.bulk") -> int:
    return audit_many(actor=SYSTEM, events=[(action, None, None, {"n": k}) for k in range(n)])


def test_bulk_rows_are_chained_as_written_and_checked_like_any_other(migrated_data):
    audit(actor=SYSTEM, action="test.before")  # committed, sealed
    with transaction.atomic():
        audit(actor=SYSTEM, action="test.single")  # unsealed until the bulk writer takes the head
        assert bulk(2500) == 2500
        rows = list(AuditEvent.objects.filter(action="test.bulk").order_by("id"))
        assert all(row.seq is not None for row in rows), "chained in the writer's own transaction"
        single = AuditEvent.objects.get(action="test.single")
        assert single.seq is not None and rows[0].seq == single.seq + 1 and rows[0].prev_hash == single.hash
        assert [row.seq for row in rows] == list(range(rows[0].seq, rows[0].seq + 2500))
        assert all(row.hash == row_hash(row) and row.digest == row_digest(row) for row in rows)
        assert AuditHead.objects.get(pk=1).seq == rows[-1].seq
    assert verify_chain().ok
    middle = rows[1200]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET object_id = %s WHERE id = %s", ["999", middle.pk])
    result = verify_chain()
    assert (result.ok, result.bad_seq) == (False, middle.seq) and "changed" in result.reason


def test_a_rolled_back_bulk_write_leaves_the_chain_and_its_head_as_they_were(migrated_data):
    audit(actor=SYSTEM, action="test.before")
    head = AuditHead.objects.get(pk=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        bulk(300)
        raise RuntimeError("the import failed")
    assert not AuditEvent.objects.filter(action="test.bulk").exists()
    assert (AuditHead.objects.get(pk=1).seq, AuditHead.objects.get(pk=1).last_hash) == (head.seq, head.last_hash)
    bulk(10)
    assert verify_chain().ok


def test_others_never_wait_for_a_bulk_writer_holding_the_head(migrated_data):
    """A long import holds the head from its audit rows to its commit: another writer commits meanwhile (its row
    waits unsealed), and a second bulk writer writes its rows unsealed rather than wait; after the import commits,
    its sealing takes the rows left."""
    audit(actor=SYSTEM, action="test.before")  # the head exists (migrate makes it; a flushed test database not)
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def importer():
        try:
            with transaction.atomic():
                bulk(200, "test.import")
                holding.set()
                assert release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        assert holding.wait(30)
        if connection.vendor == "postgresql":  # SQLite lets one writer in at a time: the others wait for it there
            began = time.monotonic()
            row = audit(actor=SYSTEM, action="test.meanwhile")
            assert bulk(50, "test.second") == 50
            assert time.monotonic() - began < 5 and not done.is_set()
            assert not sealed(row)
            assert not AuditEvent.objects.filter(action="test.second", seq__isnull=False).exists()
    finally:
        release.set()
        thread.join()
    assert not errors, errors
    assert not AuditEvent.objects.filter(seq__isnull=True).exists(), "the importer's sealing took the rows left"
    imported = list(AuditEvent.objects.filter(action="test.import").order_by("seq").values_list("seq", flat=True))
    assert imported == list(range(imported[0], imported[0] + 200))
    assert verify_chain().ok
