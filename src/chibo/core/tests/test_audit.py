"""The hash-chained audit log: tampering is detected and located, writes and logins are audited.

Tampering is done the way an attacker with database access would: raw SQL on the table, never
through the model layer. The CLI is checked in-process and once for real as the installed
``chibo`` console script against a file SQLite database.

Rows are sealed (given their seq and chain hash) right after their transaction commits. A test runs
inside a transaction that never commits, so a test that reads seq runs its writes in ``committed()``,
which runs the after-commit sealing as a commit would; ``verify_chain`` seals by itself.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from chibo.core.audit import GENESIS, row_digest, row_hash, verify_chain
from chibo.core.crypto import blind_index
from chibo.core.models import AuditEvent, AuditHead
from chibo.core.tests.cli_support import DEMO_PASSWORD, demo_db_copy, run_chibo

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def json_param(value) -> str:
    return json.dumps(value)


JSON = "%s::jsonb" if connection.vendor == "postgresql" else "%s"


def head() -> AuditHead:
    return AuditHead.objects.get(pk=1)


def last_seq() -> int:
    return head().seq


@pytest.fixture
def committed():
    """``with committed(): …`` runs, at the block's end, the after-commit callbacks pending on the connection
    (the sealing among them), as a commit there would."""

    @contextmanager
    def block():
        yield
        while connection.run_on_commit:
            pending, connection.run_on_commit = connection.run_on_commit, []
            for _, callback, _ in pending:
                callback()

    return block


# --- the chain as loaded -----------------------------------------------------------------------

def test_demo_chain_is_intact():
    result = verify_chain()
    assert result.ok, result.reason
    assert result.checked == AuditEvent.objects.count() == last_seq() > 500
    assert result.bad_seq is None
    first = AuditEvent.objects.get(seq=1)
    assert first.prev_hash == GENESIS
    assert head().last_hash == AuditEvent.objects.get(seq=last_seq()).hash


def test_verify_in_small_chunks_gives_the_same_answer():
    assert verify_chain(chunk_size=7).ok
    middle = last_seq() // 2
    sql("UPDATE core_auditevent SET actor_label = %s WHERE seq = %s", ["mallory", middle])
    small = verify_chain(chunk_size=7)
    assert not small.ok and small.bad_seq == middle


# --- tampering --------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_changed_data_is_detected_at_that_row(where):
    seq = {"first": 1, "middle": last_seq() // 2, "last": last_seq()}[where]
    assert sql(f"UPDATE core_auditevent SET data = {JSON} WHERE seq = %s",
               [json_param({"forged": True}), seq]) == 1
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq
    assert f"#{seq}" in result.reason and "changed" in result.reason
    assert result.checked == seq - 1


@pytest.mark.parametrize("column, value", [
    ("actor_label", "someone.else"), ("action", "member.viewed"), ("object_id", "999999"), ("ip", "10.6.6.6"),
])
def test_changed_columns_are_detected(column, value):
    seq = last_seq() // 3
    assert sql(f"UPDATE core_auditevent SET {column} = %s WHERE seq = %s", [value, seq]) == 1
    result = verify_chain()
    assert (result.ok, result.bad_seq) == (False, seq)


def test_changed_timestamp_is_detected():
    seq = last_seq() // 3
    row = AuditEvent.objects.get(seq=seq)
    AuditEvent.objects.filter(seq=seq).update(at=row.at.replace(year=row.at.year - 1))  # same as SQL
    result = verify_chain()
    assert (result.ok, result.bad_seq) == (False, seq)


def test_rehashed_row_breaks_the_link_to_the_next_row():
    """An attacker who recomputes the changed row's digest and hash is caught by the next row's link."""
    seq = last_seq() // 2
    _forge(seq, {"forged": True})
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq + 1
    assert f"#{seq + 1} does not follow row #{seq}" in result.reason


def _forge(seq: int, data: dict) -> None:
    """Change row ``seq``'s data and recompute its digest and hash, as someone who knows the algorithm would."""
    row = AuditEvent.objects.get(seq=seq)
    row.data = data
    row.digest = row_digest(row)
    sql(f"UPDATE core_auditevent SET data = {JSON}, digest = %s, hash = %s WHERE seq = %s",
        [json_param(row.data), row.digest, row_hash(row), seq])


def test_rehashed_last_row_is_detected_against_the_head():
    seq = last_seq()
    _forge(seq, {"forged": True})
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq
    assert f"#{seq}" in result.reason


def test_deleted_middle_row_is_detected():
    seq = last_seq() // 2
    assert sql("DELETE FROM core_auditevent WHERE seq = %s", [seq]) == 1
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq
    assert f"#{seq} is missing" in result.reason


def test_deleted_first_row_is_detected():
    assert sql("DELETE FROM core_auditevent WHERE seq = 1") == 1
    result = verify_chain()
    assert (result.ok, result.bad_seq, result.checked) == (False, 1, 0)


def test_deleted_last_rows_are_detected():
    seq = last_seq()
    assert sql("DELETE FROM core_auditevent WHERE seq = %s", [seq]) == 1
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq
    assert "deleted" in result.reason
    assert result.checked == seq - 1

    assert sql("DELETE FROM core_auditevent WHERE seq >= %s", [seq - 5]) == 5
    result = verify_chain()
    assert (result.ok, result.bad_seq) == (False, seq - 5)


def _insert_copy_of(source_seq: int, *, seq: int, prev_hash: str, hash_: str) -> None:
    sql(
        "INSERT INTO core_auditevent (seq, at, actor_id, actor_label, action, object_type, object_id, unit_id,"
        " ip, data, digest, prev_hash, hash) SELECT %s, at, actor_id, actor_label, action, object_type, object_id,"
        " unit_id, ip, data, digest, %s, %s FROM core_auditevent WHERE seq = %s",
        [seq, prev_hash, hash_, source_seq],
    )


def test_forged_row_with_a_bad_hash_is_detected():
    seq = last_seq()
    _insert_copy_of(seq, seq=seq + 1, prev_hash="f" * 64, hash_="e" * 64)
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq + 1


def test_forged_row_with_a_valid_hash_is_detected_at_that_row():
    """A forger who knows the algorithm appends a perfectly linked row: the head gives it away."""
    seq = last_seq()
    last = AuditEvent.objects.get(seq=seq)
    forged = AuditEvent(seq=seq + 1, at=last.at, actor_id=last.actor_id, actor_label=last.actor_label,
                        action=last.action, object_type=last.object_type, object_id=last.object_id,
                        unit_id=last.unit_id, ip=last.ip, data=last.data, digest=last.digest, prev_hash=last.hash)
    _insert_copy_of(seq, seq=seq + 1, prev_hash=last.hash, hash_=row_hash(forged))
    assert AuditEvent.objects.get(seq=seq + 1).hash == row_hash(AuditEvent.objects.get(seq=seq + 1))
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq + 1
    assert f"#{seq + 1}" in result.reason and "inserted" in result.reason


def test_forged_row_with_a_gap_in_sequence_is_detected():
    seq = last_seq()
    _insert_copy_of(seq, seq=seq + 10, prev_hash=AuditEvent.objects.get(seq=seq).hash, hash_="e" * 64)
    result = verify_chain()
    assert (result.ok, result.bad_seq) == (False, seq + 1)


def _rewrite_from(seq: int, data: dict) -> None:
    """What an attacker with full database access does: change row ``seq``, then recompute every
    hash after it and the head, so the chain is consistent again."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    for row in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        if row.seq == seq:
            row.data = data
            row.digest = row_digest(row)
        row.prev_hash = prev
        row.hash = row_hash(row)
        sql(f"UPDATE core_auditevent SET data = {JSON}, digest = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json_param(row.data), row.digest, row.prev_hash, row.hash, row.seq])
        prev = row.hash
    sql("UPDATE core_audithead SET last_hash = %s WHERE id = 1", [prev])


def test_full_rewrite_passes_the_chain_but_not_an_anchor_kept_outside(tmp_path):
    from io import StringIO

    from chibo.core.audit import anchor_now, parse_anchors

    out = StringIO()
    anchors_file = tmp_path / "anchors.txt"
    call_command("audit", "anchor", "--append", str(anchors_file), stdout=out)
    assert out.getvalue().strip() == anchor_now() == anchors_file.read_text().strip()
    anchors = parse_anchors(anchors_file.read_text().splitlines())
    assert verify_chain(anchors=anchors).ok

    seq = last_seq() // 2
    _rewrite_from(seq, {"forged": True})
    assert verify_chain().ok  # consistent again: the chain alone cannot tell
    result = verify_chain(anchors=anchors)
    assert not result.ok and result.bad_seq == last_seq()
    assert "anchor" in result.reason
    with pytest.raises(CommandError, match="anchor"):
        call_command("audit", "verify", "--anchors", str(anchors_file), stdout=StringIO())


def test_anchor_beyond_the_end_and_bad_anchor_files_are_reported(tmp_path):
    from chibo.core.audit import parse_anchors

    seq = last_seq()
    assert not verify_chain(anchors={seq + 5: "a" * 64}).ok
    sql("DELETE FROM core_auditevent WHERE seq = %s", [seq])
    sql("UPDATE core_audithead SET seq = %s, last_hash = %s WHERE id = 1",
        [seq - 1, AuditEvent.objects.get(seq=seq - 1).hash])
    assert verify_chain().ok  # the last row and the head removed together
    result = verify_chain(anchors={seq: "b" * 64})
    assert not result.ok and f"#{seq}" in result.reason
    with pytest.raises(ValueError, match="line 2"):
        parse_anchors(["# kept by the inspection committee", "12:nothex"])
    bad = tmp_path / "bad.txt"
    bad.write_text("12:xyz\n")
    with pytest.raises(CommandError, match="anchors file"):
        call_command("audit", "verify", "--anchors", str(bad))


def test_cli_verify_names_the_row():
    out = _call_verify()
    assert "intact" in out and str(last_seq()) in out
    seq = last_seq() // 2
    sql(f"UPDATE core_auditevent SET data = {JSON} WHERE seq = %s", [json_param({"x": 1}), seq])
    with pytest.raises(CommandError, match=rf"row #{seq}\b"):
        _call_verify()


def _call_verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


# --- the real console script against a file database -------------------------------------------

@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    return demo_db_copy(tmp_path_factory, "audit-cli")


def test_console_script_verifies_and_reports_tampering(cli_db):
    path, env = cli_db
    proc = run_chibo("audit", "verify", env=env)
    assert proc.returncode == 0
    assert "Audit chain intact" in proc.stdout

    with sqlite3.connect(path) as db:
        (total,) = db.execute("SELECT MAX(seq) FROM core_auditevent").fetchone()
        seq = total // 2
        db.execute("UPDATE core_auditevent SET data = ? WHERE seq = ?", ['{"forged": true}', seq])
    db.close()
    proc = run_chibo("audit", "verify", env=env, check=False)
    assert proc.returncode != 0
    assert f"row #{seq}" in proc.stderr + proc.stdout
    assert "changed" in proc.stderr

    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM core_auditevent WHERE seq = ?", [seq - 3])
    db.close()
    proc = run_chibo("audit", "verify", env=env, check=False)
    assert proc.returncode != 0
    assert f"row #{seq - 3} is missing" in proc.stderr


# --- writes and authentication events are audited ---------------------------------------------

def _member_data(**extra):
    # A full member: creating one writes exactly one audit row (a probationary one also opens a deadline).
    data = dict(full_name="Nguyễn Thị Kiểm Tra", gender="F", birth_date=date(1990, 1, 2),
                admission_date=date(2015, 3, 4), confirmation_date=date(2016, 3, 4), status="full",
                category="mission_staff", card_number="77000001")
    data.update(extra)
    return data


def test_service_write_appends_one_event_in_the_chain(actor_of, unit, committed):
    from chibo.members.services import member_create, member_update

    before = last_seq()
    with committed():
        member = member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"), **_member_data())
    event = AuditEvent.objects.get(seq=before + 1)
    assert last_seq() == before + 1
    assert (event.action, event.object_type, event.object_id) == ("member.created", "member", str(member.pk))
    assert (event.actor_id, event.actor_label) == (actor_of("ban.tochuc").user.pk, "")  # named by id only
    assert event.actor_id == actor_of("ban.tochuc").user.pk
    assert event.unit_id == unit("PHAP-DSQ").pk
    assert event.ip == "127.0.0.1"

    with committed():
        member_update(actor=actor_of("bithu.phap"), member=member, expected_version=member.version,
                      changes={"job_title": "Tham tán"})
    event = AuditEvent.objects.get(seq=before + 2)
    assert (event.action, event.actor_id, event.actor_label) == ("member.updated", actor_of("bithu.phap").user.pk, "")
    assert last_seq() == before + 2
    assert verify_chain().ok


def test_failed_service_call_leaves_no_audit_row(actor_of, unit):
    from chibo.members.models import Member
    from chibo.members.services import member_create

    existing = Member.objects.exclude(card_number=None).first()
    before = (last_seq(), head().last_hash, AuditEvent.objects.count(), Member.objects.count())
    with pytest.raises(ValidationError) as info:
        member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"),
                      **_member_data(card_number=existing.card_number))
    assert "card_number" in info.value.message_dict
    assert (last_seq(), head().last_hash, AuditEvent.objects.count(), Member.objects.count()) == before
    assert verify_chain().ok


def test_refused_service_call_leaves_no_audit_row(actor_of, unit):
    from django.core.exceptions import PermissionDenied

    from chibo.members.services import member_create

    before = (last_seq(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        member_create(actor=actor_of("bithu.duc"), unit=unit("PHAP-DSQ"), **_member_data())
    assert (last_seq(), AuditEvent.objects.count()) == before


def test_rolled_back_write_takes_its_audit_row_with_it_and_never_reaches_the_chain(actor_of, unit, committed):
    from chibo.members.models import Member
    from chibo.members.services import member_create

    before = (last_seq(), head().last_hash, AuditEvent.objects.count())
    with pytest.raises(RuntimeError), committed():
        with transaction.atomic():
            member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"), **_member_data())
            assert AuditEvent.objects.count() == before[2] + 1  # written, not yet sealed
            assert (last_seq(), head().last_hash) == before[:2]
            raise RuntimeError("the caller's transaction fails after the service call")
    assert not Member.objects.filter(card_number="77000001").exists()
    assert (last_seq(), head().last_hash, AuditEvent.objects.count()) == before
    assert verify_chain().ok
    # The next write continues the chain from the surviving head.
    with committed():
        member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"), **_member_data())
    assert last_seq() == before[0] + 1
    assert verify_chain().ok


@pytest.fixture
def plain_user(db):
    from chibo.accounts.services import user_create
    from chibo.core.access import SYSTEM

    return user_create(actor=SYSTEM, username="dangnhap.thu", password="Mat-khau-dai-2026!")


def test_login_logout_and_failed_login_are_audited(plain_user, committed):
    client = Client(REMOTE_ADDR="203.0.113.7")
    with committed():
        pass  # the user's creation by the fixture
    start = last_seq()

    with committed():
        response = client.post("/accounts/login/", {"login": "dangnhap.thu", "password": "sai-mat-khau"})
    assert response.status_code == 200  # the form again, with an error
    failed = AuditEvent.objects.get(seq=start + 1)
    assert failed.action == "auth.login_failed"
    assert failed.actor_id is None
    # the account tried by id and a keyed hash of the name typed: no sign-in name in the chain
    assert failed.data == {"account": plain_user.pk, "typed": blind_index("dangnhap.thu")[:16]}
    assert failed.ip == "203.0.113.7"
    assert "sai-mat-khau" not in json.dumps(failed.data)

    with committed():
        response = client.post("/accounts/login/", {"login": "dangnhap.thu", "password": "Mat-khau-dai-2026!"})
    assert response.status_code == 302
    login = AuditEvent.objects.filter(seq__gt=start + 1, action="auth.login").get()
    assert (login.actor_id, login.actor_label, login.ip) == (plain_user.pk, "", "203.0.113.7")
    assert client.get("/")["Location"].startswith("/accounts/2fa/totp/activate/")  # signed in, enrols first

    with committed():
        response = client.post("/accounts/logout/")
    assert response.status_code == 302
    logout = AuditEvent.objects.filter(seq__gt=login.seq, action="auth.logout").get()
    assert logout.actor_id == plain_user.pk
    assert client.get("/").status_code == 302  # logged out for real
    assert verify_chain().ok


def test_demo_login_with_totp_is_audited(personas, committed):
    from django.core.cache import cache

    from chibo.accounts.services import totp_code, totp_secret

    cache.clear()  # TOTP codes are single-use: forget codes other tests may have spent
    client = Client(REMOTE_ADDR="198.51.100.4")
    start = last_seq()
    response = client.post("/accounts/login/", {"login": "dangvien.phap", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert not AuditEvent.objects.filter(seq__gt=start, action="auth.login").exists()  # not yet

    if time.time() % 30 > 29:  # a code is valid for its 30-second window only
        time.sleep(30 - time.time() % 30 + 0.05)
    code = totp_code(totp_secret(personas["dangvien.phap"]))
    with committed():
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    login = AuditEvent.objects.filter(seq__gt=start, action="auth.login").get()
    assert (login.actor_label, login.ip) == ("", "198.51.100.4")
    assert get_user_model().objects.get(pk=login.actor_id).username == "dangvien.phap"


# --- sealing: rows written unsealed, chained right after commit ---------------------------------------

def _write(actor_of, label: str = "ban.tochuc", **data) -> AuditEvent:
    from chibo.core.audit import audit

    return audit(actor=actor_of(label), action="test.written", data=data or {"n": 1})


def test_a_row_is_written_unsealed_and_sealed_after_commit(actor_of, committed):
    before = (last_seq(), head().last_hash)
    with committed():
        row = _write(actor_of)
        row.refresh_from_db()
        assert (row.seq, row.prev_hash, row.hash) == (None, "", "")
        assert row.digest == row_digest(row)
        assert (last_seq(), head().last_hash) == before  # the head is not touched by the writer
    row.refresh_from_db()
    assert (row.seq, row.prev_hash) == (before[0] + 1, before[1])
    assert row.hash == row_hash(row) == head().last_hash
    assert verify_chain().ok


def test_one_sealing_per_transaction_keeps_the_order_written(actor_of, committed):
    from chibo.core.audit import audit_many

    start = last_seq()
    with committed():
        with transaction.atomic():
            for n in range(3):
                _write(actor_of, n=n)
            audit_many(actor=actor_of("ban.tochuc"), events=[("test.many", None, None, {"n": n}) for n in (3, 4)])
            assert sum(callable(f) for _, f, _ in connection.run_on_commit) == 1
    rows = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    assert [r.data["n"] for r in rows] == [0, 1, 2, 3, 4]
    assert [r.seq for r in rows] == list(range(start + 1, start + 6))


def test_sealing_is_idempotent(actor_of):
    from chibo.core.audit import seal

    rows = [_write(actor_of, n=n) for n in range(3)]
    assert seal() == 3
    sealed = [(r.seq, r.prev_hash, r.hash) for r in AuditEvent.objects.filter(pk__in=[r.pk for r in rows])]
    state = (head().seq, head().last_hash)
    assert seal() == 0
    assert seal(wait=True) == 0
    assert [(r.seq, r.prev_hash, r.hash) for r in AuditEvent.objects.filter(pk__in=[r.pk for r in rows])] == sealed
    assert (head().seq, head().last_hash) == state
    assert verify_chain().ok


def test_sealing_in_small_batches_gives_the_same_chain(actor_of):
    from chibo.core.audit import seal

    start = last_seq()
    rows = [_write(actor_of, n=n) for n in range(7)]
    assert seal(batch=2) == 7
    assert [AuditEvent.objects.get(pk=r.pk).seq for r in rows] == list(range(start + 1, start + 8))
    assert verify_chain().ok


def test_rows_written_in_bulk_carry_the_digest_audit_gives_and_chain_in_order(actor_of, unit, committed):
    """audit_many and audit_each (COPY on PostgreSQL) store each row with the digest audit() would give it,
    whatever its data (dates, nested values, text needing escapes, a dict shared by many rows, one changed in
    between); one sealing chains them in the order written."""
    from chibo.core.audit import audit_each, audit_many
    from chibo.members.models import Member

    actor = actor_of("ban.tochuc")
    members = list(Member.objects.order_by("pk")[:6])
    shared = {"status": "full", "unit": "Chi bộ «Pháp»", "n": 1}
    changing = {"n": 0}

    def data_for(member):
        if member.pk % 2:
            return shared
        changing["n"] += 1  # the same dict, changed between rows: each row says what it said then
        return changing

    start = last_seq()
    with committed():
        with transaction.atomic():
            assert audit_many(actor=actor, events=[
                ("test.bulk", None, None, None),
                ("test.bulk", members[0], unit("PHAP-LHS"), {"on": date(2026, 1, 2), "list": [1, {"b": "\"x\"\n"}]}),
                ("test.bulk", members[1], unit("PHAP-LHS").pk, {"tên": "Đức", "ok": True, "x": 1.5}),
            ]) == 3
            assert audit_each(actor=actor, action="test.each", objects=members, data_for=data_for,
                              unit_for=lambda m: m.unit_id) == 6
            assert audit_many(actor=actor, events=[]) == 0
            assert sum(callable(f) for _, f, _ in connection.run_on_commit) == 1
    rows = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    assert [r.action for r in rows] == ["test.bulk"] * 3 + ["test.each"] * 6
    assert [r.seq for r in rows] == list(range(start + 1, start + 10))
    assert [r.object_id for r in rows] == ["", str(members[0].pk), str(members[1].pk), *(str(m.pk) for m in members)]
    assert rows[1].data == {"on": "2026-01-02", "list": [1, {"b": '"x"\n'}]} and rows[1].unit_id == unit("PHAP-LHS").pk
    assert rows[2].data == {"tên": "Đức", "ok": True, "x": 1.5}
    expected_n = iter(range(1, 7))
    for row, member in zip(rows[3:], members, strict=True):
        assert row.data == (shared if member.pk % 2 else {"n": next(expected_n)})
        assert (row.unit_id, row.object_type, row.actor_label, row.ip) == (member.unit_id, "member", "", "127.0.0.1")
    for row in rows:
        assert row.digest == row_digest(row)
    assert verify_chain().ok


@pytest.mark.parametrize("tamper", ["data", "actor_label", "at"])
def test_a_row_changed_before_sealing_is_detected_after_sealing(actor_of, tamper):
    from chibo.core.audit import seal

    row = _write(actor_of, amount=100)
    later = _write(actor_of, n=2)
    if tamper == "data":
        sql(f"UPDATE core_auditevent SET data = {JSON} WHERE id = %s", [json_param({"amount": 1}), row.pk])
    elif tamper == "actor_label":
        sql("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone.else", row.pk])
    else:
        AuditEvent.objects.filter(pk=row.pk).update(at=row.at.replace(year=row.at.year - 1))
    assert seal() == 2
    row.refresh_from_db()
    assert row.hash == row_hash(row)  # sealed as found: the chain alone holds together…
    result = verify_chain()
    assert not result.ok  # …but the row no longer matches what its writer stored
    assert result.bad_seq == row.seq and result.checked == row.seq - 1
    assert f"#{row.seq} was changed" in result.reason
    assert AuditEvent.objects.get(pk=later.pk).seq == row.seq + 1


def test_a_row_with_its_digest_removed_or_changed_is_detected(actor_of):
    from chibo.core.audit import seal

    row = _write(actor_of)
    sql("UPDATE core_auditevent SET digest = '' WHERE id = %s", [row.pk])  # as if inserted by hand, unsealed
    seal()
    row.refresh_from_db()
    assert not verify_chain().ok and verify_chain().bad_seq == row.seq
    sql("UPDATE core_auditevent SET digest = %s WHERE id = %s", ["a" * 64, row.pk])
    assert verify_chain().bad_seq == row.seq


def test_sealed_rows_changed_inserted_or_deleted_are_still_detected(actor_of, tmp_path):
    from chibo.core.audit import anchor_now, parse_anchors, seal

    for n in range(4):
        _write(actor_of, n=n)
    anchors = parse_anchors([anchor_now()])  # seals first
    seq = last_seq()
    assert list(anchors) == [seq] and verify_chain(anchors=anchors).ok

    sql(f"UPDATE core_auditevent SET data = {JSON} WHERE seq = %s", [json_param({"n": 9}), seq - 2])
    assert verify_chain().bad_seq == seq - 2
    _forge(seq - 2, {"n": 9})
    assert verify_chain().bad_seq == seq - 1  # rehashed: the next row's link breaks
    _rewrite_from(seq - 2, {"n": 9})
    assert verify_chain().ok and not verify_chain(anchors=anchors).ok  # a full rewrite: only the anchor tells

    sql("DELETE FROM core_auditevent WHERE seq = %s", [seq - 1])
    assert "missing" in verify_chain().reason
    _write(actor_of)  # sealing goes on after the gap; the gap stays reported
    seal()
    assert verify_chain().bad_seq == seq - 1


def test_a_forged_row_in_the_way_of_sealing_is_named_and_later_rows_wait(actor_of):
    """Someone inserts a sealed-looking row with the next seq: sealing cannot number the next rows (they
    wait, unsealed, nothing is lost) and verify names the inserted row."""
    from chibo.core.audit import seal

    seq = last_seq()
    last = AuditEvent.objects.get(seq=seq)
    forged = AuditEvent(seq=seq + 1, at=last.at, actor_id=last.actor_id, actor_label=last.actor_label,
                        action=last.action, object_type=last.object_type, object_id=last.object_id,
                        unit_id=last.unit_id, ip=last.ip, data=last.data, digest=last.digest, prev_hash=last.hash)
    _insert_copy_of(seq, seq=seq + 1, prev_hash=last.hash, hash_=row_hash(forged))
    row = _write(actor_of)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            seal()
    result = verify_chain()  # its own sealing fails the same way; the walk names the row
    assert (result.ok, result.bad_seq) == (False, seq + 1) and "inserted" in result.reason
    row.refresh_from_db()
    assert row.seq is None and row.digest == row_digest(row)


def _legacy_hash(row: AuditEvent) -> str:
    """The row hash as chibo computed it before rows were sealed (no digest)."""
    import hashlib
    from datetime import UTC

    payload = [row.seq, row.at.astimezone(UTC).isoformat(timespec="microseconds"), row.actor_id, row.actor_label,
               row.action, row.object_type, row.object_id, row.unit_id, row.ip, row.data, row.prev_hash]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_rows_chained_before_sealing_stay_valid_and_the_chain_goes_on(actor_of):
    """A database migrated from before sealing: its rows have no digest and their old hashes (and the anchors
    taken then) stay valid; new rows continue the chain from its head."""
    from django.utils import timezone

    from chibo.core.audit import anchor_now, parse_anchors

    AuditEvent.objects.all().delete()
    prev = GENESIS
    for seq in range(1, 6):
        row = AuditEvent(seq=seq, at=timezone.now(), actor_label="legacy", action="old.write", data={"n": seq},
                         prev_hash=prev)
        row.hash = _legacy_hash(row)
        row.save(force_insert=True)
        prev = row.hash
    AuditHead.objects.filter(pk=1).update(seq=5, last_hash=prev, legacy_seq=5)  # what migration 0005 records
    anchors = parse_anchors([f"5:{prev}"])
    assert verify_chain(anchors=anchors).ok

    _write(actor_of)
    assert parse_anchors([anchor_now()]) and last_seq() == 6
    assert verify_chain(anchors=anchors).ok
    new = AuditEvent.objects.get(seq=6)
    assert new.prev_hash == prev and new.digest and new.hash != _legacy_hash(new)

    sql("UPDATE core_auditevent SET digest = %s WHERE seq = 3", ["b" * 64])  # a digest on an old row
    assert verify_chain().bad_seq == 3
    sql("UPDATE core_auditevent SET digest = '' WHERE seq = 3")
    AuditHead.objects.filter(pk=1).update(legacy_seq=6)  # the new row passed off as an old one
    assert verify_chain().bad_seq == 6


def test_audit_log_page_lists_rows_not_yet_sealed_first(client_of, actor_of):
    client = client_of("ban.tochuc")
    row = _write(actor_of, n=1)
    response = client.get("/audit/")
    assert response.status_code == 200
    first = response.context["page"].object_list[0]
    assert first.pk == row.pk and first.seq is None
    assert response.context["entries"][0].event.pk == row.pk


# --- concurrent writers (real threads, each with its own connection and transaction) ------------------

THREADS, PER_THREAD = 8, 6


def _retrying(call):
    for attempt in range(500):
        try:
            return call()
        except Exception as exc:  # SQLite only: "database is locked" → try again
            if "locked" not in str(exc) or attempt == 499:
                raise
            time.sleep(0.01)


def _units_with_a_member_each(n: int):
    from chibo.core.access import SYSTEM, Actor, Grant, Role
    from chibo.members.models import Category, Status
    from chibo.members.services import member_create
    from chibo.units.services import unit_create

    root = unit_create(actor=SYSTEM, parent=None, kind="upper", name="Đảng ủy Bộ Ngoại giao", code="DU",
                       opened_on=date(2000, 1, 1))
    root.refresh_from_db()
    officer = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="officer")
    names = ["An", "Bình", "Chung", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khoa", "Lâm"]
    members = []
    for i in range(n):
        cell = unit_create(actor=officer, parent=root, kind="grassroots_cell", name=f"Chi bộ {names[i]}",
                           code=f"C{i}", opened_on=date(2001, 1, 1))
        members.append(member_create(actor=officer, unit=cell, status=Status.FULL, full_name=f"Nguyễn Văn {names[i]}",
                                     gender="M", birth_date=date(1980, 1, 1), admission_date=date(2005, 1, 1),
                                     confirmation_date=date(2006, 1, 1), category=Category.MISSION_STAFF))
    return officer, members


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_is_sealed_at_once(migrated_data):
    officer, members = _units_with_a_member_each(1)
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert AuditEvent.objects.count() == last_seq() > 0
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_gap_free_chain(migrated_data):
    """Threads, each on its own unit and connection, update their member at the same moment (the service
    write and its audit event in one transaction): every event lands in one chain, numbered without a gap."""
    from chibo.members.services import member_update

    officer, members = _units_with_a_member_each(THREADS)
    start = last_seq()
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(member):
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                member = _retrying(lambda m=member, n=n: member_update(
                    actor=officer, member=m, expected_version=m.version,
                    changes={"job_title": ("Tham tán", "Bí thư")[n % 2]}))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    pending = AuditEvent.objects.filter(seq__isnull=True).count()
    if connection.vendor == "postgresql":  # each writer sealed after its commit, or left it to the one sealing
        assert pending <= THREADS, pending
    result = verify_chain()  # seals whatever a sealer left
    total = start + THREADS * PER_THREAD
    assert result.ok, result.reason
    assert result.checked == total == last_seq() == AuditEvent.objects.count()
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert head().last_hash == AuditEvent.objects.get(seq=total).hash
    updates = AuditEvent.objects.filter(seq__gt=start, action="member.updated")
    assert sorted(updates.values_list("object_id", flat=True)) == sorted([str(m.pk) for m in members] * PER_THREAD)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every write transaction anyway")
@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_that_audits_does_not_block_other_writers(migrated_data):
    """An import holds its transaction open after auditing: another writer commits (and is sealed) meanwhile;
    the import's rows join the chain when it commits."""
    from chibo.core.access import SYSTEM
    from chibo.core.audit import audit

    audited, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def importer():
        try:
            with transaction.atomic():
                for n in range(50):
                    audit(actor=SYSTEM, action="test.imported", data={"n": n})
                audited.set()
                assert release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        assert audited.wait(30)
        sql("SET lock_timeout = '5s'")  # the old design waited here for the import's whole run
        row = audit(actor=SYSTEM, action="test.meanwhile")
        row.refresh_from_db()
        assert row.seq == last_seq() and not done.is_set()
        assert not AuditEvent.objects.filter(action="test.imported").exists()  # not committed yet
    finally:
        sql("RESET lock_timeout")
        release.set()
        thread.join()
    assert not errors, errors
    imported = AuditEvent.objects.filter(action="test.imported").order_by("seq")
    assert [e.data["n"] for e in imported] == list(range(50))
    assert imported.first().seq == row.seq + 1 and not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="column privileges are PostgreSQL's")
def test_app_role_with_update_only_on_the_seal_columns_can_audit_but_not_rewrite(actor_of):
    """README, "Operations": the application role keeps INSERT and may UPDATE only seq, prev_hash and hash;
    writing and sealing work, changing what a row says does not."""
    from django.db.utils import ProgrammingError

    from chibo.core.audit import audit, audit_many, seal

    actor = actor_of("ban.tochuc")
    role = f"chibo_app_{connection.settings_dict['NAME']}"[:60]
    sql(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test's transaction
    sql(f'GRANT SELECT, INSERT ON core_auditevent TO "{role}"')
    sql(f'GRANT UPDATE (seq, prev_hash, hash) ON core_auditevent TO "{role}"')
    sql(f'GRANT SELECT, INSERT, UPDATE ON core_audithead TO "{role}"')
    sql(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    sql(f'SET LOCAL ROLE "{role}"')
    row = audit(actor=actor, action="test.written")
    assert audit_many(actor=actor, events=[("test.written", None, None, {"n": n}) for n in range(3)]) == 3
    # The bulk writer took the free head: it sealed the row before (UPDATE of the seal columns) and wrote its
    # three rows chained (INSERT); nothing is left to seal.
    assert seal() == 0
    written = AuditEvent.objects.filter(action="test.written")
    assert written.count() == 4 and not written.filter(seq__isnull=True).exists()
    for statement in (f"UPDATE core_auditevent SET data = {JSON} WHERE id = %s",
                      "UPDATE core_auditevent SET digest = %s WHERE id = %s",
                      "DELETE FROM core_auditevent WHERE id = %s"):
        params = [json_param({"x": 1}), row.pk] if "data" in statement else (
            ["a" * 64, row.pk] if "digest" in statement else [row.pk])
        with pytest.raises(ProgrammingError, match="permission denied"):
            with transaction.atomic():
                sql(statement, params)
    sql("RESET ROLE")
    assert verify_chain().ok


def test_the_sweep_keeps_anchors_and_verify_uses_them_by_default(tmp_path, settings, actor_of):
    from io import StringIO

    from chibo.core.audit import audit

    anchors_file = tmp_path / "anchors" / "chibo-anchors.txt"
    anchors_file.parent.mkdir()
    settings.CHIBO_AUDIT_ANCHORS = str(anchors_file)
    call_command("reminders", stdout=StringIO())
    call_command("reminders", stdout=StringIO())  # nothing new: no second line
    assert len(anchors_file.read_text().splitlines()) == 1
    audit(actor=actor_of("ban.tochuc"), action="test.event", obj=None, data={"n": 1})
    call_command("reminders", stdout=StringIO())
    lines = anchors_file.read_text().splitlines()
    assert len(lines) == 2 and lines[1].split("#")[0].strip() == f"{last_seq()}:{head().last_hash}"
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    assert "2 anchors matched" in out.getvalue()

    # The newest row deleted and the head moved back: the chain alone is consistent, the anchors are not.
    seq = last_seq()
    sql("DELETE FROM core_auditevent WHERE seq = %s", [seq])
    sql("UPDATE core_audithead SET seq = %s, last_hash = %s WHERE id = 1",
        [seq - 1, AuditEvent.objects.get(seq=seq - 1).hash])
    assert verify_chain().ok
    with pytest.raises(CommandError, match=f"#{seq}"):
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())


def test_verify_warns_when_no_anchors_are_kept(settings):
    from io import StringIO

    settings.CHIBO_AUDIT_ANCHORS = ""
    err = StringIO()
    call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert "No anchors" in err.getvalue()
