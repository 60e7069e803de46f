"""Writes of privacy (docs/domain.md §10): filing a request about one's own data (or an officer recording one for a
former member), answering or refusing it within its clock, the export archive, and the breach register with its
72-hour clock. Every refusal names its reason; a refused write writes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.selectors import user_of_applicant, user_of_member
from chibo.admission.selectors import applicant_of_member, my_dossier
from chibo.core import clock
from chibo.core.access import Actor, require, require_top
from chibo.core.audit import audit
from chibo.core.rulebook import integer, rule
from chibo.core.said import said
from chibo.core.text import clean_lines
from chibo.deadlines.services import deadline_close_for, deadline_open
from chibo.members.enums import ACTIVE_STATUSES
from chibo.members.selectors import member_get
from chibo.privacy import anonymise, export
from chibo.privacy.enums import BreachState, RequestKind, RequestState
from chibo.privacy.lifecycle import BREACH, REQUEST
from chibo.privacy.models import Anonymisation, Breach, DataRequest
from chibo.privacy.selectors import anonymisation_assess, can_handle, is_own, record_reads
from chibo.units.selectors import unit_fresh

if TYPE_CHECKING:
    from chibo.core.rulebook import Rule
    from chibo.members.models import Member

ANSWER_RULE = "privacy.request_answer_within"
BREACH_RULE = "privacy.breach_notify_within"
DEADLINE_KIND = "privacy.request"


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _source(request: DataRequest) -> str:
    return f"privacy:{request.pk}"


def _check_day(errors: dict, name: str, value: date | None, *, not_before: date | None = None) -> None:
    if value is None:
        errors[name] = _("Nhập ngày.")
    elif value > clock.today():
        errors[name] = _("Ngày không thể ở tương lai.")
    elif not_before is not None and value < not_before:
        errors[name] = _("Ngày không thể trước ngày nhận yêu cầu (%(not_before)s).") % {
            "not_before": format(not_before, "%d/%m/%Y")}


@transaction.atomic
def request_file(*, actor: Actor, kind: str, details: str = "", member: int | None = None,
                 filed_on: date | None = None) -> DataRequest:
    """A member or an applicant asks about their own data; an officer with ``privacy.handle`` over a former member's
    last unit records that person's request (``member``). A request about anyone else is refused."""
    errors: dict[str, str] = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Chọn một loại yêu cầu.")
    details = clean_lines(details, limit=5000)
    if kind == RequestKind.CORRECT and not details:
        errors["details"] = _("Ghi rõ dữ liệu nào sai và cần sửa thế nào.")
    today = clock.today()
    person: Member | None = None
    applicant = None
    officer = False
    if member is not None and member != actor.member_id:
        if not actor.can("privacy.handle"):
            raise PermissionDenied(_("Đồng chí chỉ được gửi yêu cầu về dữ liệu của chính mình."))
        person = member_get(actor, member)  # 404 outside the officer's scope
        if not actor.can("privacy.handle", person.unit):
            raise PermissionDenied("privacy.handle")
        if person.status in ACTIVE_STATUSES:
            errors["member"] = (_("Đảng viên đang sinh hoạt tự gửi yêu cầu của mình; cán bộ chỉ ghi yêu cầu của người "
                                  "đã ra khỏi Đảng."))
        officer = True
    elif actor.member_id:
        person = member_get(actor, actor.member_id)
    elif actor.applicant_id:
        applicant = my_dossier(actor)
    else:
        raise PermissionDenied(_("Chỉ đảng viên, quần chúng có hồ sơ mới gửi yêu cầu về dữ liệu của mình."))
    filed = filed_on if officer and filed_on is not None else today
    if officer:
        _check_day(errors, "filed_on", filed)
    _raise(errors)
    assert person is not None or applicant is not None
    unit = person.unit if person is not None else applicant.unit  # type: ignore[union-attr]
    request = DataRequest.objects.create(member=person, applicant=applicant, unit=unit, kind=kind, details=details,
                                         filed_on=filed, recorded_by_officer=officer, filed_by=actor.user,
                                         due_on=filed)
    deadline = deadline_open(actor=actor, kind=DEADLINE_KIND, unit=unit, start=filed, member=person,
                             title=said("Trả lời yêu cầu về dữ liệu cá nhân số %(no)s", no=request.pk),
                             source=_source(request))
    request.due_on = deadline.due_date
    request.save(update_fields=["due_on"])
    # The row says a request of this kind was filed, never its text.
    audit(actor=actor, action="privacy.request_filed", obj=request, unit=unit,
          data={"kind": kind, "due": request.due_on, "by_officer": officer})
    return request


def _lock(request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update(of=("self",)).select_related("unit", "member", "applicant").get(
        pk=request.pk)


def _close(actor: Actor, request: DataRequest, state: str, text: str, on: date | None, action: str,
           field: str) -> DataRequest:
    request = _lock(request)
    REQUEST.check(actor, request, "answer" if state == RequestState.ANSWERED else "refuse")
    errors: dict[str, str] = {}
    text = clean_lines(text, limit=5000)
    if len(text) < 5:
        errors[field] = _("Ghi rõ nội dung trả lời.") if field == "answer" else _("Ghi rõ lý do từ chối.")
    _check_day(errors, "on", on, not_before=request.filed_on)
    _raise(errors)
    assert on is not None
    request.state, request.answer, request.answered_on = state, text, on
    request.version += 1
    request.save()
    deadline_close_for(actor=actor, source=_source(request), kind=DEADLINE_KIND, on=on,
                       late_reason="Trả lời sau hạn" if on > request.due_on else "")
    audit(actor=actor, action=action, obj=request, unit=request.unit,
          data={"on": on, "late": on > request.due_on})
    return request


@REQUEST.runs("answer")
@transaction.atomic
def request_answer(*, actor: Actor, request: DataRequest, answer: str, on: date | None = None) -> DataRequest:
    return _close(actor, request, RequestState.ANSWERED, answer, on, "privacy.request_answered", "answer")


@REQUEST.runs("refuse")
@transaction.atomic
def request_refuse(*, actor: Actor, request: DataRequest, reason: str, on: date | None = None) -> DataRequest:
    return _close(actor, request, RequestState.REFUSED, reason, on, "privacy.request_refused", "reason")


def export_archive(*, actor: Actor, request: DataRequest, password: str) -> bytes:
    """The complete export of the person the request is about, encrypted with ``password``: for the person
    themself or an officer in charge of the request (the caller loaded it through ``request_get``)."""
    if not (is_own(actor, request) or can_handle(actor, request)):
        raise PermissionDenied("privacy.handle")
    if request.kind not in (RequestKind.EXPORT, RequestKind.SEE):
        raise ValidationError({"password": _("Chỉ yêu cầu xem hoặc nhận bản sao dữ liệu mới có tệp xuất.")})
    if len(password) < 10:
        raise ValidationError({"password": _("Mật khẩu cần ít nhất 10 ký tự.")})
    if request.member is not None:
        user = user_of_member(request.member.pk)
        reads = [r.as_dict() for r in record_reads(request.member)]
        data = export.gather(member=request.member, user=user, reads=reads)
    else:
        assert request.applicant is not None
        data = export.gather(applicant=request.applicant, user=user_of_applicant(request.applicant.pk))
    content = export.archive(data, password=password, issuer=request.unit.name)
    audit(actor=actor, action="privacy.exported", obj=request, unit=request.unit,
          data={"sections": len(data.sections), "rows": sum(len(v) for v in data.sections.values())})
    return content


# -- breaches ------------------------------------------------------------------------------------------

def breach_due(detected_at: datetime) -> tuple[datetime, Rule]:
    """The notification deadline: the rule's days counted as calendar hours from the detection time."""
    version = rule(BREACH_RULE, on=timezone.localtime(detected_at).date())
    return detected_at + timedelta(days=integer(version)), version


def _check_time(errors: dict, name: str, value: datetime | None, *, not_before: datetime | None = None,
                missing: str = "") -> None:
    if value is None:
        errors[name] = missing or _("Nhập thời điểm (dd/mm/yyyy hh:mm).")
    elif value > timezone.now() + timedelta(minutes=5):
        errors[name] = _("Thời điểm không thể ở tương lai.")
    elif not_before is not None and value < not_before:
        errors[name] = _("Không thể trước thời điểm phát hiện.")


@transaction.atomic
def breach_record(*, actor: Actor, detected_at: datetime | None, summary: str, data_affected: str,
                  actions: str = "") -> Breach:
    """Record a personal data breach in the register (the top organization's officers)."""
    top = require_top(actor, "privacy.breach")
    errors: dict[str, str] = {}
    _check_time(errors, "detected_at", detected_at,
                missing=_("Phải ghi thời điểm phát hiện: thời hạn thông báo tính từ thời điểm này."))
    summary, data_affected = clean_lines(summary, limit=5000), clean_lines(data_affected, limit=5000)
    if not summary:
        errors["summary"] = _("Mô tả sự cố.")
    if not data_affected:
        errors["data_affected"] = _("Ghi dữ liệu nào và bao nhiêu người bị ảnh hưởng.")
    _raise(errors)
    assert detected_at is not None
    due_at, version = breach_due(detected_at)
    breach = Breach.objects.create(unit=unit_fresh(top), detected_at=detected_at, due_at=due_at, summary=summary,
                                   data_affected=data_affected, actions=clean_lines(actions, limit=5000),
                                   rule=version, recorded_by=actor.user)
    audit(actor=actor, action="privacy.breach_recorded", obj=breach, unit=top,
          data={"detected_at": detected_at, "due_at": due_at})
    return breach


@BREACH.runs("notify")
@transaction.atomic
def breach_notify(*, actor: Actor, breach: Breach, notified_at: datetime | None, notified_to: str,
                  actions: str = "") -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    BREACH.check(actor, breach, "notify")
    require(actor, "privacy.breach", breach.unit)
    errors: dict[str, str] = {}
    _check_time(errors, "notified_at", notified_at, not_before=breach.detected_at)
    notified_to = clean_lines(notified_to, limit=200)
    if not notified_to:
        errors["notified_to"] = _("Ghi cơ quan được thông báo.")
    _raise(errors)
    assert notified_at is not None
    breach.state, breach.notified_at, breach.notified_to = BreachState.NOTIFIED, notified_at, notified_to
    if actions.strip():
        breach.actions = clean_lines(actions, limit=5000)
    breach.version += 1
    breach.save()
    audit(actor=actor, action="privacy.breach_notified", obj=breach, unit=breach.unit_id,
          data={"notified_at": notified_at, "late": notified_at > breach.due_at})
    return breach


# -- retention and anonymisation -----------------------------------------------------------------------

ANONYMISE_KINDS = ("member", "applicant")


@transaction.atomic
def anonymise_person(*, actor: Actor, kind: str, person: int | None, today: date | None = None) -> Anonymisation:
    """Anonymise a former member, or an applicant not admitted, whose retention period has run out (the holders of
    ``privacy.anonymise`` at the top). Refused, writing nothing: a member still on the rolls, an admission case
    still open, a discipline case or appeal still open (a legal hold), a retention period not yet over, a person
    already anonymised. The audit row says who and why, never the values removed."""
    top = require_top(actor, "privacy.anonymise")
    errors: dict[str, str] = {}
    if kind not in ANONYMISE_KINDS:
        errors["kind"] = _("Chọn đảng viên hoặc quần chúng.")
    if person is None:
        errors["person"] = _("Nhập mã hồ sơ của người cần ẩn danh.")
    _raise(errors)
    assert person is not None
    today = today or clock.today()
    candidate, record = anonymisation_assess(kind, person, today=today, lock=True)
    if not candidate.eligible:
        raise ValidationError({"person": candidate.reason})
    if kind == "member":
        applicant = applicant_of_member(record.pk)
        users = [user_of_member(record.pk)]
        if applicant is not None:
            users.append(user_of_applicant(applicant.pk))
        unique = list({u.pk: u for u in users if u is not None}.values())
        rows = anonymise.anonymise_member(record, applicant=applicant, users=unique)
    else:
        rows = anonymise.anonymise_applicant(record, user=user_of_applicant(record.pk))
    done = Anonymisation.objects.create(kind=kind, person_id=person, unit=unit_fresh(candidate.unit_id),
                                        since=candidate.since, kept_until=candidate.kept_until, done_by=actor.user,
                                        rows=rows)
    audit(actor=actor, action="privacy.anonymised", obj=done, unit=top,
          data={"kind": kind, "person": person, "since": candidate.since, "kept_until": candidate.kept_until,
                "rows": rows})
    return done
