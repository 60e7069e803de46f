"""The append-only, hash-chained audit log (design principle 5)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from chibo.core.models import AuditEvent, AuditHead
from chibo.core.request_context import current_ip

GENESIS = "0" * 64


def _plain(data: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy (dates as ISO strings) so the stored and the hashed data are identical."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def row_hash(row: AuditEvent) -> str:
    payload = [
        row.seq,
        row.at.astimezone(UTC).isoformat(timespec="microseconds"),
        row.actor_id,
        row.actor_label,
        row.action,
        row.object_type,
        row.object_id,
        row.unit_id,
        row.ip,
        row.data,
        row.prev_hash,
    ]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit(
    *,
    actor,
    action: str,
    obj: Any = None,
    unit: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction (opens one if there is none)."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first() or AuditHead.objects.create(pk=1)
        row = _chained(actor, action, obj, unit, data, seq=head.seq + 1, prev_hash=head.last_hash)
        row.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=row.seq, last_hash=row.hash)
    return row


def audit_many(*, actor, events: list[tuple[str, Any, Any, dict[str, Any] | None]]) -> None:
    """``audit(actor=actor, action=, obj=, unit=, data=)`` for each (action, obj, unit, data), in order, for a
    service writing many objects at once: the chain head is locked once and the rows inserted together."""
    if not events:
        return
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first() or AuditHead.objects.create(pk=1)
        seq, prev_hash = head.seq, head.last_hash
        rows = []
        for action, obj, unit, data in events:
            seq += 1
            row = _chained(actor, action, obj, unit, data, seq=seq, prev_hash=prev_hash)
            prev_hash = row.hash
            rows.append(row)
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
        AuditHead.objects.filter(pk=1).update(seq=seq, last_hash=prev_hash)


def _chained(actor, action: str, obj: Any, unit: Any, data: dict[str, Any] | None, *, seq: int,
             prev_hash: str) -> AuditEvent:
    user = getattr(actor, "user", None)
    row = AuditEvent(
        seq=seq,
        at=timezone.now(),
        actor_id=getattr(user, "pk", None),
        actor_label=getattr(actor, "label", "") or "",
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit_id=getattr(unit, "pk", unit) if unit is not None else None,
        ip=(getattr(actor, "ip", None) or current_ip() or "")[:45],
        data=_plain(data),
        prev_hash=prev_hash,
    )
    row.hash = row_hash(row)
    return row


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def _head() -> AuditHead:
    return AuditHead.objects.filter(pk=1).first() or AuditHead(seq=0, last_hash=GENESIS)


def anchor_now() -> str:
    """The chain head as ``SEQ:HASH``: kept outside the database (printed, mailed to the inspection
    committee, written to another host), it later proves that the rows up to SEQ were not rewritten,
    even by someone who rewrote the rows and the head together."""
    head = _head()
    return f"{head.seq}:{head.last_hash}"


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
    """Walk the chain from the first row; report the first row that breaks it.

    ``anchors`` ({seq: hash} recorded earlier with ``anchor_now``, kept outside the database) must
    match the rows they name: a chain recomputed after a rewrite does not.

    The head is read before the walk (every row up to it committed earlier, so must all be
    there and end on its hash) and after it (``audit()`` moves the head in the row's own
    transaction, so a row beyond it was inserted behind the application's back). Rows appended
    by the running application while the walk goes on are not mistaken for tampering.
    """
    start = _head()
    prev = GENESIS
    hash_at_start = GENESIS
    expected_seq = 1
    checked = 0
    for row in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if row.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"row #{expected_seq} is missing")
        if row.prev_hash != prev:
            return VerifyResult(False, checked, row.seq, f"row #{row.seq} does not follow row #{row.seq - 1}")
        if row_hash(row) != row.hash:
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
