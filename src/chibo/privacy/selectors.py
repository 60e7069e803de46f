"""Scoped reads of privacy (docs/domain.md §10): a person sees their own requests and who opened their full record;
the officers in charge (``privacy.handle``) the requests of their units; the top organization's officers
(``privacy.breach``) the breach register. Anything else answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.selectors import grants_for_user
from chibo.admission.selectors import NOT_ADMITTED, case_of_applicant, cases_not_admitted
from chibo.core import clock
from chibo.core.access import Actor, Role, subtree_q
from chibo.core.calendar import due_date
from chibo.core.rulebook import rule
from chibo.core.selectors import audit_rows_about
from chibo.discipline.selectors import legal_holds
from chibo.members.selectors import former_members, member_exists
from chibo.privacy import anonymise
from chibo.privacy.models import Anonymisation, Breach, DataRequest
from chibo.units.selectors import units_by_id

if TYPE_CHECKING:
    from chibo.admission.models import AdmissionCase
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
        raise Http404(_("Không tìm thấy yêu cầu"))
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
        raise Http404(_("Không tìm thấy sự cố"))
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
            resolved.append((row.at, _("Hệ thống"), None))
            continue
        if getattr(user, "member_id", None) == member.pk:
            resolved.append((row.at, _("Chính đồng chí"), None))
            continue
        day = timezone.localtime(row.at).date()
        key = (user.pk, day)
        if key not in grants_memo:
            grants_memo[key] = grants_for_user(user, on=day)
        over = [g for g in grants_memo[key] if path.startswith(g.unit_path)]
        if not over:
            resolved.append((row.at, _("Người không còn giữ vai trò"), None))
            continue
        grant = max(over, key=lambda g: len(g.unit_path))  # the nearest unit above the member
        unit_ids.add(grant.unit_id)
        resolved.append((row.at, str(ROLE_LABELS.get(grant.role, grant.role)), grant.unit_id))
    units = units_by_id(unit_ids)
    return [RecordRead(at=at, role=role, unit=units[uid].name if uid in units else "")
            for at, role, uid in resolved]


# -- retention and anonymisation -----------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A former member or an applicant not admitted, as the dry run of an anonymisation shows them: whether their
    data may be anonymised today, and why (or why not)."""

    kind: str           # "member" or "applicant"
    pk: int
    name: str
    unit: str
    unit_id: int
    status: str         # the member's status or the admission case's stage, in words
    since: date         # the retention period counts from this day
    kept_until: date    # the last day of the retention period
    eligible: bool
    reason: str


def _kept_until(key: str, since: date) -> date:
    return due_date(rule(key, on=since), since)


def _member_candidate(member: Member, holds: dict[int, str], today: date) -> Candidate:
    since = getattr(member, "left_on", None) or timezone.localtime(member.updated_at).date()  # former_members()
    until = _kept_until(anonymise.MEMBER_RULE, since)
    status = member.get_status_display()
    if member.pk in holds:
        eligible, reason = False, _("Giữ dữ liệu: %(hold)s.") % {"hold": holds[member.pk]}
    elif today <= until:
        eligible, reason = False, _("Chưa hết thời hạn lưu giữ (đến hết ngày %(until)s).") % {
            "until": format(until, "%d/%m/%Y")}
    else:
        eligible, reason = True, (_("%(status)s từ %(since)s; thời hạn lưu giữ đã hết ngày %(until)s; "
                                    "không có hồ sơ kỷ luật, khiếu nại đang giải quyết.") % {
            "status": status, "since": format(since, "%d/%m/%Y"), "until": format(until, "%d/%m/%Y")})
    return Candidate(kind="member", pk=member.pk, name=member.full_name, unit=member.unit.name,
                     unit_id=member.unit_id, status=status, since=since, kept_until=until, eligible=eligible,
                     reason=reason)


def _applicant_candidate(case: AdmissionCase, today: date) -> Candidate:
    since = case.stage_since
    until = _kept_until(anonymise.APPLICANT_RULE, since)
    status = case.get_stage_display()
    if today <= until:
        eligible, reason = False, _("Chưa hết thời hạn lưu giữ (đến hết ngày %(until)s).") % {
            "until": format(until, "%d/%m/%Y")}
    else:
        eligible, reason = True, _("%(status)s từ %(since)s; thời hạn lưu giữ đã hết ngày %(until)s.") % {
            "status": status, "since": format(since, "%d/%m/%Y"), "until": format(until, "%d/%m/%Y")}
    return Candidate(kind="applicant", pk=case.applicant_id, name=case.applicant.full_name, unit=case.unit.name,
                     unit_id=case.unit_id, status=status, since=since, kept_until=until, eligible=eligible,
                     reason=reason)


def may_anonymise(actor: Actor) -> bool:
    return actor.top_grant("privacy.anonymise") is not None


def anonymisation_candidates(actor: Actor, *, today: date | None = None) -> list[Candidate]:
    """The dry run: every former member and every applicant not admitted who is not anonymised yet, eligible ones
    first (for the holders of ``privacy.anonymise`` at the top; nobody else sees anyone)."""
    if not may_anonymise(actor):
        return []
    today = today or clock.today()
    done = set(Anonymisation.objects.values_list("kind", "person_id"))
    members = [m for m in former_members() if ("member", m.pk) not in done]
    holds = legal_holds([m.pk for m in members])
    found = [_member_candidate(m, holds, today) for m in members]
    found += [_applicant_candidate(c, today) for c in cases_not_admitted()
              if ("applicant", c.applicant_id) not in done]
    return sorted(found, key=lambda c: (not c.eligible, c.kept_until, c.kind, c.pk))


def anonymisation_assess(kind: str, pk: int, *, today: date, lock: bool = False) -> tuple[Candidate, Any]:
    """One person's case for anonymisation and their record (locked if ``lock``); ValidationError names why a
    person cannot be (still a member, an admission case still open, already anonymised); 404 if there is none."""
    if Anonymisation.objects.filter(kind=kind, person_id=pk).exists():
        raise ValidationError({"person": _("Người này đã được ẩn danh.")})
    if kind == "member":
        rows = former_members()
        found = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=pk).first()
        if found is None:
            if member_exists(pk):
                raise ValidationError({"person": _("Người này vẫn là đảng viên đang sinh hoạt: không ẩn danh.")})
            raise Http404(_("Không tìm thấy đảng viên"))
        return _member_candidate(found, legal_holds([found.pk]), today), found
    case = case_of_applicant(pk)
    if case is None:
        raise Http404(_("Không tìm thấy quần chúng"))
    if case.stage not in NOT_ADMITTED:
        if case.member_id is not None:
            raise ValidationError({"person": _("Quần chúng này đã được kết nạp: ẩn danh theo hồ sơ đảng viên.")})
        raise ValidationError({"person": _("Hồ sơ kết nạp của quần chúng này đang mở: không ẩn danh.")})
    return _applicant_candidate(case, today), case.applicant


def anonymisations_done(actor: Actor) -> QuerySet[Anonymisation]:
    if not may_anonymise(actor):
        return Anonymisation.objects.none()
    return Anonymisation.objects.select_related("unit")
