"""The append-only, hash-chained audit log (design principle 5).

Writing and chaining are two steps, so that writers never queue behind each other (nor behind a long
import) on the chain's head:

- ``audit()`` inserts the row *unsealed* in the caller's transaction: no ``seq``, no chain hash, only its
  ``digest`` (the hash of its own fields);
- ``seal()`` runs right after that transaction commits, in short transactions of its own: it locks the
  head, gives the committed unsealed rows, in id order, their ``seq``, ``prev_hash`` and ``hash`` (of the
  seq, the digest and the previous hash), and moves the head. ``verify_chain()`` and ``anchor_now()`` seal
  first. With ``CHIBO_AUDIT_SEAL_MS`` (200 ms) a process's writes leave that step to the process's sealer
  thread, which seals at most once per that time everything committed, so under load one short transaction
  chains many rows;
- ``audit_many()`` / ``audit_each()`` (an import's thousands of rows) take the head in the caller's
  transaction when no one else holds it, and write the rows chained, once; the head stays taken until that
  transaction ends, while other writers go on inserting unsealed rows, chained after it commits. If another
  bulk writer holds the head they write unsealed too. ``audit_prepare()`` / ``audit_write()`` split
  ``audit_each()`` in two, so that a writer on another thread gets rows whose digests are made already;

A row rolled back with its transaction never reaches the chain; a row whose fields changed, before or
after sealing, no longer matches its digest; a sealed row changed, inserted or deleted breaks the chain.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chibo.core import pgcopy
from chibo.core.models import AuditEvent, AuditHead
from chibo.core.request_context import current_ip

GENESIS = "0" * 64
logger = logging.getLogger("chibo.audit")


def _plain(data: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy (dates as ISO strings) so the stored and the hashed data are identical."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _sha256(payload: list[Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fields(row: AuditEvent) -> list[Any]:
    return [
        row.at.astimezone(UTC).isoformat(timespec="microseconds"),
        row.actor_id,
        row.actor_label,
        row.action,
        row.object_type,
        row.object_id,
        row.unit_id,
        row.ip,
        row.data,
    ]


def row_digest(row: AuditEvent) -> str:
    """The hash of the row's own fields, stored by its writer with the row."""
    return _sha256(_fields(row))


def chain_hash(seq: int, digest: str, prev_hash: str) -> str:
    """The hash sealing gives a row: its place, its digest (so every field) and the previous row's hash."""
    return _sha256([seq, digest, prev_hash])


def row_hash(row: AuditEvent) -> str:
    """The row's chain hash as it should be stored. Rows chained before rows had a digest (``legacy_seq``)
    hashed their fields directly, as they still do here."""
    if row.digest:
        assert row.seq is not None, "only a sealed row has a chain hash"
        return chain_hash(row.seq, row.digest, row.prev_hash)
    return _sha256([row.seq, *_fields(row), row.prev_hash])


def audit(
    *,
    actor,
    action: str,
    obj: Any = None,
    unit: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction (or on its own if there is none). The row is
    inserted unsealed, so concurrent writers never wait for each other; it is chained right after commit."""
    row = _unsealed(actor, action, obj, unit, data)
    row.save(force_insert=True)
    _seal_after_commit(row.pk)
    return row


def audit_many(*, actor, events: Iterable[tuple[str, Any, Any, dict[str, Any] | None]]) -> int:
    """``audit(actor=actor, action=, obj=, unit=, data=)`` for each (action, obj, unit, data), in order, for a
    service writing many objects at once: the rows are inserted together (COPY on PostgreSQL), unsealed with
    their digests, and sealed in that order after commit. Returns how many rows were written."""
    return _insert_unsealed(actor, events)


def audit_each(*, actor, action: str, objects: Iterable[Any], data_for: Callable[[Any], dict[str, Any] | None],
               unit_for: Callable[[Any], Any] | None = None) -> int:
    """One ``action`` event per object (``audit(actor=actor, action=action, obj=obj, unit=unit_for(obj),
    data=data_for(obj))``), in order, inserted together like ``audit_many``: the bulk writers' form (an import
    audits each member it creates). A dict ``data_for`` returns for several objects is serialized once, as long
    as it stays unchanged. Returns how many rows were written."""
    return _insert_unsealed(actor, ((action, obj, unit_for(obj) if unit_for else None, data_for(obj))
                                    for obj in objects))


# What json.dumps(…, sort_keys=True, separators=(",", ":"), ensure_ascii=False) in ``_sha256`` uses, made once.
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _canonical_id(value: int | None) -> str:
    """``_canonical`` of an id or None, quicker."""
    if value is None:
        return "null"
    return str(value) if value.__class__ is int else _canonical(value)


_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Digests:
    """``row_digest`` for many rows by one actor at one instant, without building each row's field list: the
    JSON text of the shared fields (time, actor, action, object type) is made once per action and type, the
    data's once per distinct dict. The text hashed is the one ``_sha256(_fields(row))`` hashes, character for
    character (``json.dumps`` of a list joins the JSON of its items with the same separators)."""

    def __init__(self, actor, at) -> None:
        user = getattr(actor, "user", None)
        self.at = at
        self.actor_id = getattr(user, "pk", None)
        self.actor_label = actor_label(actor)
        self.ip = (getattr(actor, "ip", None) or current_ip() or "")[:45]
        self._at = at.astimezone(UTC).isoformat(timespec="microseconds")
        self._ip = _canonical(self.ip)
        self._heads: dict[tuple[str, str], str] = {}
        self._data: dict[int, tuple[Any, dict, dict, str]] = {}  # id(dict) → (dict, copy, plain, its JSON)

    def data(self, data: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
        """(the JSON-safe copy stored, its canonical JSON). Remembered for a dict of plain values given again
        unchanged (checked against a copy); any other dict is serialized each time."""
        if not data:
            return {}, "{}"
        found = self._data.get(id(data))
        if found is not None and found[0] is data and found[1] == data:
            return found[2], found[3]
        plain = _plain(data)
        text = _canonical(plain)
        if all(value.__class__ in _SCALARS for value in data.values()):
            self._data[id(data)] = (data, dict(data), plain, text)  # keeps ``data`` alive: its id is not reused
        return plain, text

    def digest(self, action: str, object_type: str, object_id: str, unit_id: int | None, data_text: str) -> str:
        head = self._heads.get((action, object_type))
        if head is None:
            head = self._heads[action, object_type] = _canonical(
                [self._at, self.actor_id, self.actor_label, action, object_type])[:-1] + ","
        text = f"{head}{_canonical(object_id)},{_canonical_id(unit_id)},{self._ip},{data_text}]"
        return hashlib.sha256(text.encode()).hexdigest()


def _insert_unsealed(actor, events: Iterable[tuple[str, Any, Any, dict[str, Any] | None]]) -> int:
    """Insert the events' rows unsealed (one timestamp for all), each with the digest ``audit()`` would give
    it; register their sealing after commit. PostgreSQL: one COPY, the newest id read from the sequence."""
    digests = _Digests(actor, timezone.now())
    return _write(digests, _values(digests, events))


class AuditRows:
    """Audit rows made ready before they are written: ``audit_prepare`` works out their digests (no database),
    ``audit_write`` inserts them. For a bulk writer whose writing runs on another thread (``core.writer``): the
    caller prepares the next batch's rows while the database stores the last one."""

    __slots__ = ("digests", "values")

    def __init__(self, digests: _Digests, values: list[tuple]) -> None:
        self.digests, self.values = digests, values

    def __len__(self) -> int:
        return len(self.values)


def audit_prepare(*, actor, action: str, objects: Iterable[Any], data_for: Callable[[Any], dict[str, Any] | None],
                  unit_for: Callable[[Any], Any] | None = None) -> AuditRows:
    """``audit_each``'s rows, made ready (the objects must have their ids): written by ``audit_write``, they are
    what ``audit_each`` writes, with the time of this call."""
    digests = _Digests(actor, timezone.now())
    events = ((action, obj, unit_for(obj) if unit_for else None, data_for(obj)) for obj in objects)
    return AuditRows(digests, list(_values(digests, events)))


def audit_write(rows: AuditRows) -> int:
    """Insert rows made by ``audit_prepare`` (in the caller's transaction), as ``audit_each`` inserts them."""
    return _write(rows.digests, rows.values)


def _values(rows: _Digests, events: Iterable[tuple[str, Any, Any, dict[str, Any] | None]]) -> Iterator[tuple]:
    """Each event's (action, object type, object id, unit id, data stored, its JSON text, digest)."""
    model_names: dict[type, str] = {}
    for action, obj, unit, data in events:
        if obj is None:
            object_type = object_id = ""
        else:
            cls = obj.__class__
            object_type = model_names.get(cls) or model_names.setdefault(cls, obj._meta.model_name)
            object_id = str(obj.pk)
        unit_id = getattr(unit, "pk", unit) if unit is not None else None
        plain, text = rows.data(data)
        yield action, object_type, object_id, unit_id, plain, text, rows.digest(action, object_type, object_id,
                                                                                unit_id, text)


def _write(rows: _Digests, values: Iterable[tuple]) -> int:
    with transaction.atomic():  # the head, when taken, is held to the end of the caller's transaction
        chain = _take_head()
        if connection.vendor == "postgresql":
            count, last_id = _copy_rows(rows, values, chain)
        else:
            made = []
            for action, object_type, object_id, unit_id, plain, _, digest in values:
                row = AuditEvent(at=rows.at, actor_id=rows.actor_id, actor_label=rows.actor_label, action=action,
                                 object_type=object_type, object_id=object_id, unit_id=unit_id, ip=rows.ip,
                                 data=plain, digest=digest)
                if chain is not None:
                    row.seq, row.prev_hash, row.hash = chain.link(digest)
                made.append(row)
            AuditEvent.objects.bulk_create(made, batch_size=1000)
            count, last_id = len(made), max((row.pk or 0 for row in made), default=0)
        if chain is not None and count:
            chain.save()
    if count:
        _seal_after_commit(last_id, after_head=chain is not None)
    return count


class _Chain:
    """The chain head, locked by a bulk writer's transaction: the rows it inserts are chained as they are written
    (``link``), the head moved with them (``save``), so they are written once instead of inserted and then sealed.
    Other writers never wait for it: their rows are inserted unsealed as always, and sealed after the bulk
    writer commits (its sealing after commit takes them); sealers that find the head taken leave their rows."""

    def __init__(self, seq: int, last_hash: str) -> None:
        self.seq, self.last_hash = seq, last_hash

    def link(self, digest: str) -> tuple[int, str, str]:
        """The next row's (seq, prev_hash, hash): ``chain_hash`` (the JSON text of [seq, digest, prev_hash],
        made directly: both hashes are hex digits)."""
        prev = self.last_hash
        self.seq += 1
        self.last_hash = hashlib.sha256(f'[{self.seq},"{digest}","{prev}"]'.encode()).hexdigest()
        return self.seq, prev, self.last_hash

    def save(self) -> None:
        _, heads = _tables()
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {heads} SET seq = %s, last_hash = %s WHERE id = 1", [self.seq, self.last_hash])


COPY_ROWS = 250  # audit rows sent to COPY at a time
HEAD_TRIES = 20  # a bulk writer finding the head taken looks again this many times, 5 ms apart, then writes unsealed


def _take_head() -> _Chain | None:
    """In a transaction: lock the chain head, seal the committed rows not yet sealed (so the bulk writer's rows
    follow them), and return it; None (the rows are then written unsealed, as ``audit()`` writes them) if another
    holds the head longer than a sealing takes: another bulk writer's transaction, which is never waited for."""
    _, heads = _tables()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for _ in range(HEAD_TRIES):
                cursor.execute(f"SELECT 1 FROM {heads} WHERE id = 1 FOR UPDATE SKIP LOCKED")
                if cursor.fetchone():
                    break
                cursor.execute(f"SELECT 1 FROM {heads} WHERE id = 1")
                if cursor.fetchone() is None:  # no head yet (a flushed database): sealing makes it, in its own
                    return None  # short transaction; made here, others' sealing would wait for this one
                time.sleep(0.005)
            else:
                return None
    while (_seal_pass(SEAL_BATCH, wait=True) or 0) == SEAL_BATCH:
        pass
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, last_hash FROM {heads} WHERE id = 1")
        head = cursor.fetchone()
    return _Chain(*head) if head else None


def _copy_rows(rows: _Digests, values, chain: _Chain | None) -> tuple[int, int]:
    """COPY the rows into the audit table (chained by ``chain``, or seq, prev_hash and hash left for sealing), in
    COPY's text format made here (the fields shared by every row are escaped once); (how many, newest id)."""
    quote = connection.ops.quote_name
    table = AuditEvent._meta.db_table
    names = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "unit_id", "ip", "data", "digest",
             "prev_hash", "hash", "seq")
    columns = pgcopy.columns(AuditEvent, names, quote)
    shared = "\t".join(map(pgcopy.field, (rows.at.isoformat(), rows.actor_id, rows.actor_label)))
    heads: dict[tuple[str, str], str] = {}
    texts: dict[str, str] = {}
    ip = pgcopy.field(rows.ip)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            lines: list[str] = []
            for action, object_type, object_id, unit_id, _, text, digest in values:
                head = heads.get((action, object_type))
                if head is None:
                    head = heads[action, object_type] = f"{shared}\t{pgcopy.field(action)}\t{pgcopy.field(object_type)}"
                data = texts.get(text)
                if data is None:
                    data = texts[text] = pgcopy.field(text)
                if chain is None:
                    sealed = f"\t\t{pgcopy.NULL}"
                else:
                    seq, prev, hash_ = chain.link(digest)
                    sealed = f"{prev}\t{hash_}\t{seq}"
                lines.append(f"{head}\t{pgcopy.field(object_id)}\t{pgcopy.field(unit_id)}\t{ip}\t{data}\t{digest}\t"
                             f"{sealed}\n")
                if len(lines) == COPY_ROWS:  # sent as made: the database stores them while the next are hashed
                    copy.write("".join(lines))
                    count += len(lines)
                    lines = []
            if lines:
                copy.write("".join(lines))
                count += len(lines)
        if not count:
            return 0, 0
        # this session's last id drawn from the table's sequence: the newest of these rows
        cursor.execute("SELECT currval(pg_get_serial_sequence(%s, %s))", [table, AuditEvent._meta.pk.column])
        return count, cursor.fetchone()[0]


def actor_label(actor) -> str:
    """What an audit row says of who acted besides ``actor_id``: the label of an actor with no account ("system",
    "cli", "anonymous"); empty for a signed-in user, who is named by id only. A sign-in name is personal data: kept
    out of the chain, which is never rewritten, it goes when the person is anonymised (the log shows the account's
    current name)."""
    if getattr(getattr(actor, "user", None), "pk", None) is not None:
        return ""
    return getattr(actor, "label", "") or ""


def _unsealed(actor, action: str, obj: Any, unit: Any, data: dict[str, Any] | None) -> AuditEvent:
    user = getattr(actor, "user", None)
    row = AuditEvent(
        at=timezone.now(),
        actor_id=getattr(user, "pk", None),
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit_id=getattr(unit, "pk", unit) if unit is not None else None,
        ip=(getattr(actor, "ip", None) or current_ip() or "")[:45],
        data=_plain(data),
    )
    row.digest = row_digest(row)
    return row


# -- sealing -------------------------------------------------------------------------------------------
SEAL_BATCH = 2000
SEAL_PASSES = 10


class _Sealing:
    """The sealing of one transaction's rows, registered to run after its commit."""

    done = False

    def __init__(self) -> None:
        self.last_id = 0  # the transaction's newest row
        self.after_head = False  # the transaction held the head: others' rows may wait, whatever its own say

    def __call__(self) -> None:
        """Seal, unless another sealer already took this transaction's rows; with ``CHIBO_AUDIT_SEAL_MS``, leave
        them to the process's sealer thread. Never fail a write that has committed: rows left unsealed are
        taken by the next sealing (the next audited write, ``verify_chain``, ``anchor_now``)."""
        self.done = True
        if _PACE.defer():
            return
        _seal_quietly(0 if self.after_head else self.last_id)


def _seal_quietly(unless_sealed: int = 0) -> None:
    try:
        seal(unless_sealed=unless_sealed)
    except DatabaseError:
        logger.warning("audit: sealing failed; the rows stay unsealed until the next sealing", exc_info=True)


class _Pace:
    """With ``CHIBO_AUDIT_SEAL_MS``, a process's writes leave their rows to the process's sealer thread, which
    seals at most once per that time: under a steady load one short transaction chains many rows, instead of
    one transaction (and the looks for rows committed meanwhile) after every commit. After sealing, the thread
    looks once whether rows are still unsealed (committed meanwhile, by anyone, or left because the head was
    taken) and if so seals again when the time is up; so a row waits at most that long (plus the sealing) while
    any process that writes runs. A process leaving normally seals what it left first (``atexit``). The thread
    has its own database connection, named ``chibo audit sealer <pid>`` (``application_name``), kept while
    there is work and closed after a second or more without any."""

    def __init__(self) -> None:
        self.wake = threading.Condition()
        self.last = float("-inf")  # when the thread last began a sealing (monotonic seconds)
        self.owed = False  # rows are left to the thread
        self.pid = 0  # the process whose thread runs (a forked child starts its own)

    def interval(self) -> float:
        return max(getattr(settings, "CHIBO_AUDIT_SEAL_MS", 0), 0) / 1000

    def defer(self) -> bool:
        """True if the caller's rows are left to the sealer thread (pacing on); else the caller seals now."""
        if not self.interval():
            return False
        with self.wake:
            self.owed = True
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self._run, name="chibo-audit-sealer", daemon=True).start()
                if not _PACE_EXIT:
                    atexit.register(self.flush)
                    _PACE_EXIT.append(True)
            self.wake.notify()
        return True

    def _run(self) -> None:
        named = False
        while True:
            with self.wake:
                while not self.owed:
                    if not self.wake.wait(timeout=max(1.0, 5 * self.interval())) and not self.owed:
                        connection.close()  # idle: the connection is not kept for nothing
                        named = False
                delay = self.last + self.interval() - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with self.wake:
                if not self.owed:  # flushed meanwhile
                    continue
                self.owed = False
                self.last = time.monotonic()
            try:
                if not named and connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT set_config('application_name', %s, false)",
                                       [f"chibo audit sealer {os.getpid()}"])
                    named = True
                seal(passes=1)
                if _any_unsealed():
                    with self.wake:
                        self.owed = True
            except DatabaseError:
                named = False
                connection.close()
                with self.wake:
                    self.owed = True  # tried again when the time is up
                logger.warning("audit: the sealer thread could not seal; it tries again", exc_info=True)

    def flush(self) -> None:
        """Seal now what this process's writes left to its thread (at exit, and before measuring)."""
        with self.wake:
            if not self.owed:
                return
            self.owed = False
        _seal_quietly()


_PACE_EXIT: list[bool] = []
_PACE = _Pace()


def seal_deferred() -> None:
    """Seal now the rows this process's writes left to its sealer thread (``CHIBO_AUDIT_SEAL_MS``), if any:
    for a process about to stop, or a measurement that must include them."""
    _PACE.flush()


def _seal_after_commit(row_id: int | None, *, after_head: bool = False) -> None:
    """Register one sealing per transaction, however many events it audits (an import audits thousands).
    A rolled-back savepoint takes its registration with it, so a later event registers again."""
    conn = transaction.get_connection()
    pending = [f for _, f, _ in conn.run_on_commit if isinstance(f, _Sealing) and not f.done]
    if conn.in_atomic_block and pending:
        pending[0].last_id = max(pending[0].last_id, row_id or 0)
        pending[0].after_head = pending[0].after_head or after_head
        return
    sealing = _Sealing()
    sealing.last_id = row_id or 0
    sealing.after_head = after_head
    transaction.on_commit(sealing)


def seal(*, wait: bool = False, batch: int = SEAL_BATCH, passes: int = SEAL_PASSES, unless_sealed: int = 0) -> int:
    """Chain the committed unsealed rows, oldest id first, each batch in a short transaction of its own
    holding the chain head; return how many were sealed.

    If another sealer holds the head, leave the rows to it (``wait=True``: wait for it, then seal what is
    left): after each pass it looks again, so it also takes rows committed while it held the head. Those
    looks are capped (``passes``) so that one writer does not seal for everybody under a steady load; what
    is left goes to the next sealer. ``unless_sealed``: a row id; if it is sealed already (rows are sealed
    in id order, so a writer's newest row tells), there is nothing to do.
    """
    total = looks = 0
    while True:
        sealed = _seal_pass(batch, wait=wait, unless_sealed=unless_sealed)
        unless_sealed = 0
        if sealed is None:
            return total
        total += sealed
        if sealed == batch:
            continue
        looks += 1
        if looks >= passes or not _any_unsealed():
            return total


def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(AuditEvent._meta.db_table), quote(AuditHead._meta.db_table)


def _any_unsealed() -> bool:
    events, _ = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {events} WHERE seq IS NULL LIMIT 1")
        return cursor.fetchone() is not None


def _seal_pass(batch: int, *, wait: bool, unless_sealed: int = 0) -> int | None:
    """One short transaction: lock the head and chain up to ``batch`` rows. None, without taking the head,
    if another sealer has it or row ``unless_sealed`` is sealed already.

    Every audited write runs this once after its commit, so it is cheap: one statement on PostgreSQL (the
    function ``chibo_audit_seal``, migration 0005), plain SQL reading only ids and digests on SQLite. On
    PostgreSQL a writer's sealing (outside any transaction) commits without waiting for the disk: lost in a
    crash, it is redone from the rows, which committed with their writes; ``wait=True`` (verify, anchor)
    commits durably, and with it every sealing before.
    """
    if connection.vendor == "postgresql":
        asynchronous = not wait and not connection.in_atomic_block
        call = "chibo_audit_seal(%s, %s, %s)"
        if unless_sealed:
            events, _ = _tables()
            call = (f"CASE WHEN EXISTS (SELECT 1 FROM {events} WHERE id = %s AND seq IS NOT NULL) "
                    f"THEN NULL ELSE {call} END")
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {call}", [unless_sealed] * bool(unless_sealed) + [batch, wait, asynchronous])
            return cursor.fetchone()[0]
    events, heads = _tables()
    if unless_sealed:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {events} WHERE id = %s AND seq IS NOT NULL", [unless_sealed])
            if cursor.fetchone():
                return None
    with transaction.atomic(), connection.cursor() as cursor:  # IMMEDIATE: the database's write lock
        cursor.execute(f"SELECT seq, last_hash FROM {heads} WHERE id = 1")
        head = cursor.fetchone()
        if head is None:
            AuditHead.objects.create(pk=1)  # a database flushed by a test
            head = (0, GENESIS)
        cursor.execute(f"SELECT id, digest FROM {events} WHERE seq IS NULL ORDER BY id LIMIT %s", [batch])
        rows = cursor.fetchall()
        if not rows:
            return 0
        seq, prev = head
        params = []
        for pk, digest in rows:
            seq += 1
            hash_ = chain_hash(seq, digest, prev)
            params.append((seq, prev, hash_, pk))
            prev = hash_
        cursor.executemany(f"UPDATE {events} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",
                           params)
        cursor.execute(f"UPDATE {heads} SET seq = %s, last_hash = %s WHERE id = 1", [seq, prev])
        return len(rows)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def _head() -> AuditHead:
    return AuditHead.objects.filter(pk=1).first() or AuditHead(seq=0, last_hash=GENESIS)


def _seal_before_reading() -> None:
    """Seal every committed row before reading the chain. A failure (a forged row holding the next
    sequence number) is left for the walk to name."""
    try:
        seal(wait=True)
    except DatabaseError:
        logger.warning("audit: sealing before reading the chain failed", exc_info=True)


def anchor_now() -> str:
    """The chain head as ``SEQ:HASH`` (every committed row sealed first): kept outside the database (printed,
    mailed to the inspection committee, written to another host), it later proves that the rows up to SEQ were
    not rewritten, even by someone who rewrote the rows and the head together."""
    _seal_before_reading()
    head = _head()
    return f"{head.seq}:{head.last_hash}"


def anchor_append(path: str | Path) -> str | None:
    """Append the chain head to the deployment's anchors file (``CHIBO_AUDIT_ANCHORS``, on another mount or
    host) unless it is already the last line there; returns the line written, or None."""
    line = anchor_now()
    target = Path(path)
    try:
        with target.open("rb") as existing:
            existing.seek(0, os.SEEK_END)
            existing.seek(max(0, existing.tell() - 200))
            tail = existing.read().decode("ascii", "replace").strip().splitlines()
    except FileNotFoundError:
        tail = []
    if tail and tail[-1].split("#", 1)[0].strip() == line:
        return None
    with target.open("a", encoding="ascii") as out:
        out.write(f"{line}  # {timezone.now().astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
    return line


def anchors_step(today) -> int:
    """A step of the sweep: anchor the head where the deployment said (nothing when no place is named)."""
    path = getattr(settings, "CHIBO_AUDIT_ANCHORS", "")
    return 1 if path and anchor_append(path) else 0


def parse_anchors(lines) -> dict[int, str]:
    """``SEQ:HASH`` lines (blank lines and ``#`` comments ignored) as {seq: hash}; ValueError on junk."""
    anchors: dict[int, str] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        seq, _, digest = line.partition(":")
        digest = digest.strip().lower()
        if not seq.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"line {number}: expected SEQ:HASH (64 hex digits), got {raw.strip()[:80]!r}")
        anchors[int(seq)] = digest
    return anchors


def verify_chain(*, chunk_size: int = 5000, anchors: dict[int, str] | None = None) -> VerifyResult:
    """Seal what has committed, then walk the chain from the first row; report the first row that breaks it.

    Each row must follow the previous one, match its hash and (rows after ``legacy_seq``) the digest its
    writer stored, which a row changed even before it was sealed does not. ``anchors`` ({seq: hash}
    recorded earlier with ``anchor_now``, kept outside the database) must match the rows they name: a
    chain recomputed after a rewrite does not.

    The head is read before the walk (every row up to it was sealed earlier, so must all be there and
    end on its hash) and after it (sealing moves the head in the same transaction as it numbers the
    rows, so a sealed row beyond it was inserted behind the application's back). Rows sealed by the
    running application while the walk goes on are not mistaken for tampering.
    """
    _seal_before_reading()
    start = _head()
    prev = GENESIS
    hash_at_start = GENESIS
    expected_seq = 1
    checked = 0
    for row in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=chunk_size):
        if row.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"row #{expected_seq} is missing")
        if row.prev_hash != prev:
            return VerifyResult(False, checked, row.seq, f"row #{row.seq} does not follow row #{row.seq - 1}")
        legacy = row.seq <= start.legacy_seq
        if row_hash(row) != row.hash or row.digest != ("" if legacy else row_digest(row)):
            return VerifyResult(False, checked, row.seq, f"row #{row.seq} was changed")
        if anchors and row.seq in anchors and anchors[row.seq] != row.hash:
            return VerifyResult(False, checked, row.seq,
                                f"row #{row.seq} differs from the anchor kept outside the database (rewritten)")
        prev = row.hash
        if row.seq == start.seq:
            hash_at_start = row.hash
        expected_seq += 1
        checked += 1
    if checked < start.seq:
        return VerifyResult(False, checked, checked + 1, f"rows after #{checked} were deleted")
    beyond = [seq for seq in (anchors or {}) if seq > checked]
    if beyond:
        return VerifyResult(False, checked, min(beyond), f"row #{min(beyond)} named by an anchor is missing")
    end = _head()
    if checked > end.seq:
        return VerifyResult(False, end.seq, end.seq + 1, f"row #{end.seq + 1} was inserted")
    if hash_at_start != start.last_hash:
        return VerifyResult(False, start.seq - 1, start.seq, f"row #{start.seq} was changed")
    return VerifyResult(True, checked)
