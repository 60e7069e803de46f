"""Scoped reads of privacy (docs/domain.md §10): a person sees their own requests and who opened their full record;
the officers in charge (``privacy.handle``) the requests of their units; the top organization's officers
(``privacy.breach``) the breach register. Anything else answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chibo.accounts.selectors import grants_for_user
from chibo.core.access import Actor, Role, subtree_q
from chibo.core.selectors import audit_rows_about
from chibo.privacy.models import Breach, DataRequest
from chibo.units.selectors import units_by_id

if TYPE_CHECKING:
    from chibo.members.models import Member

READ_ACTIONS = ("member.viewed",)
ROLE_LABELS = dict(Role.CHOICES)


def requests_visible(actor: Actor) -> QuerySet[DataRequest]:
    own = Q(pk__in=[])
    if actor.member_id:
        own |= Q(member_id=actor.member_id)
    if actor.applicant_id:
        own |= Q(applicant_id=actor.applicant_id)
    return (DataRequest.objects.filter(own | subtree_q(actor.paths_for("privacy.handle"), "unit__path"))
            .select_related("member", "applicant", "unit"))


def request_get(actor: Actor, pk: int | str) -> DataRequest:
    found = requests_visible(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("Không tìm thấy yêu cầu")
    return found


def is_own(actor: Actor, request: DataRequest) -> bool:
    return ((actor.member_id is not None and actor.member_id == request.member_id)
            or (actor.applicant_id is not None and actor.applicant_id == request.applicant_id))


def can_handle(actor: Actor, request: DataRequest) -> bool:
    return not is_own(actor, request) and actor.can("privacy.handle", request.unit)


def breaches_visible(actor: Actor) -> QuerySet[Breach]:
    if actor.top_grant("privacy.breach") is None:
        return Breach.objects.none()
    return Breach.objects.select_related("unit")


def breach_get(actor: Actor, pk: int | str) -> Breach:
    found = breaches_visible(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("Không tìm thấy sự cố")
    return found


@dataclass(frozen=True)
class RecordRead:
    """One opening of a member's full record: when, and by which role of which unit (never the reader's name)."""

    at: datetime
    role: str
    unit: str

    def as_dict(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "role": self.role, "unit": self.unit}


def record_reads(member: Member, *, limit: int = 500) -> list[RecordRead]:
    """Who opened the member's full record, newest first. The reader is named by the role they held that day over
    the member's unit, and that unit; the member's own look at their record says so. The caller has checked that
    ``member`` is the person asking (or their officer answering their request)."""
    rows = list(audit_rows_about(object_type="member", object_id=str(member.pk), actions=READ_ACTIONS)[:limit])
    users = get_user_model().objects.in_bulk({r.actor_id for r in rows if r.actor_id})
    path = member.unit.path
    grants_memo: dict[tuple[int, object], list] = {}
    unit_ids: set[int] = set()
    resolved: list[tuple[datetime, str, int | None]] = []
    for row in rows:
        user = users.get(row.actor_id) if row.actor_id else None
        if user is None:
            resolved.append((row.at, "Hệ thống", None))
            continue
        if getattr(user, "member_id", None) == member.pk:
            resolved.append((row.at, "Chính đồng chí", None))
            continue
        day = timezone.localtime(row.at).date()
        key = (user.pk, day)
        if key not in grants_memo:
            grants_memo[key] = grants_for_user(user, on=day)
        over = [g for g in grants_memo[key] if path.startswith(g.unit_path)]
        if not over:
            resolved.append((row.at, "Người không còn giữ vai trò", None))
            continue
        grant = max(over, key=lambda g: len(g.unit_path))  # the nearest unit above the member
        unit_ids.add(grant.unit_id)
        resolved.append((row.at, str(ROLE_LABELS.get(grant.role, grant.role)), grant.unit_id))
    units = units_by_id(unit_ids)
    return [RecordRead(at=at, role=role, unit=units[uid].name if uid in units else "")
            for at, role, uid in resolved]
