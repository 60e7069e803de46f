"""The hash-chained audit log: tampering is detected and located, writes and logins are audited.

Tampering is done the way an attacker with database access would: raw SQL on the table, never
through the model layer. The CLI is checked in-process and once for real as the installed
``chibo`` console script against a file SQLite database.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from chibo.core.audit import GENESIS, row_hash, verify_chain
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
    """An attacker who recomputes the changed row's hash is caught by the next row's link."""
    seq = last_seq() // 2
    row = AuditEvent.objects.get(seq=seq)
    row.data = {"forged": True}
    sql(f"UPDATE core_auditevent SET data = {JSON}, hash = %s WHERE seq = %s",
        [json_param(row.data), row_hash(row), seq])
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq + 1
    assert f"#{seq + 1} does not follow row #{seq}" in result.reason


def test_rehashed_last_row_is_detected_against_the_head():
    seq = last_seq()
    row = AuditEvent.objects.get(seq=seq)
    row.data = {"forged": True}
    sql(f"UPDATE core_auditevent SET data = {JSON}, hash = %s WHERE seq = %s",
        [json_param(row.data), row_hash(row), seq])
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
        " ip, data, prev_hash, hash) SELECT %s, at, actor_id, actor_label, action, object_type, object_id,"
        " unit_id, ip, data, %s, %s FROM core_auditevent WHERE seq = %s",
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
                        unit_id=last.unit_id, ip=last.ip, data=last.data, prev_hash=last.hash)
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
        row.prev_hash = prev
        row.hash = row_hash(row)
        sql(f"UPDATE core_auditevent SET data = {JSON}, prev_hash = %s, hash = %s WHERE seq = %s",
            [json_param(row.data), row.prev_hash, row.hash, row.seq])
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


def test_service_write_appends_one_event_in_the_chain(actor_of, unit):
    from chibo.members.services import member_create, member_update

    before = last_seq()
    member = member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"), **_member_data())
    event = AuditEvent.objects.get(seq=before + 1)
    assert last_seq() == before + 1
    assert (event.action, event.object_type, event.object_id) == ("member.created", "member", str(member.pk))
    assert event.actor_label == "ban.tochuc"
    assert event.actor_id == actor_of("ban.tochuc").user.pk
    assert event.unit_id == unit("PHAP-DSQ").pk
    assert event.ip == "127.0.0.1"

    member_update(actor=actor_of("bithu.phap"), member=member, expected_version=member.version,
                  changes={"job_title": "Tham tán"})
    event = AuditEvent.objects.get(seq=before + 2)
    assert (event.action, event.actor_label) == ("member.updated", "bithu.phap")
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


def test_rolled_back_write_takes_its_audit_row_and_head_with_it(actor_of, unit):
    from chibo.members.models import Member
    from chibo.members.services import member_create

    before = (last_seq(), head().last_hash, AuditEvent.objects.count())
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"), **_member_data())
            assert last_seq() == before[0] + 1
            raise RuntimeError("the caller's transaction fails after the service call")
    assert not Member.objects.filter(card_number="77000001").exists()
    assert (last_seq(), head().last_hash, AuditEvent.objects.count()) == before
    assert verify_chain().ok
    # The next write continues the chain from the surviving head.
    member_create(actor=actor_of("ban.tochuc"), unit=unit("PHAP-DSQ"), **_member_data())
    assert last_seq() == before[0] + 1
    assert verify_chain().ok


@pytest.fixture
def plain_user(db):
    from chibo.accounts.services import user_create
    from chibo.core.access import SYSTEM

    return user_create(actor=SYSTEM, username="dangnhap.thu", password="Mat-khau-dai-2026!")


def test_login_logout_and_failed_login_are_audited(plain_user):
    client = Client(REMOTE_ADDR="203.0.113.7")
    start = last_seq()

    response = client.post("/accounts/login/", {"login": "dangnhap.thu", "password": "sai-mat-khau"})
    assert response.status_code == 200  # the form again, with an error
    failed = AuditEvent.objects.get(seq=start + 1)
    assert failed.action == "auth.login_failed"
    assert failed.actor_id is None
    assert failed.data == {"username": "dangnhap.thu"}
    assert failed.ip == "203.0.113.7"
    assert "sai-mat-khau" not in json.dumps(failed.data)

    response = client.post("/accounts/login/", {"login": "dangnhap.thu", "password": "Mat-khau-dai-2026!"})
    assert response.status_code == 302
    login = AuditEvent.objects.filter(seq__gt=start + 1, action="auth.login").get()
    assert (login.actor_id, login.actor_label, login.ip) == (plain_user.pk, "dangnhap.thu", "203.0.113.7")
    assert client.get("/").status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    logout = AuditEvent.objects.filter(seq__gt=login.seq, action="auth.logout").get()
    assert logout.actor_id == plain_user.pk
    assert client.get("/").status_code == 302  # logged out for real
    assert verify_chain().ok


def test_demo_login_with_totp_is_audited(personas):
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
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    login = AuditEvent.objects.filter(seq__gt=start, action="auth.login").get()
    assert (login.actor_label, login.ip) == ("dangvien.phap", "198.51.100.4")
