"""Writes of the study app: course certificates of a person, study sessions of a cell, their attendance and the
members' reflections. Each checks the actor's permission where the person's or the session's record lives, refuses
bad input with every error at once, and writes the row and its audit event in one transaction (nothing on refusal).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.text import clean
from chibo.library.selectors import documents_for_unit, documents_visible
from chibo.members.selectors import members_of_unit
from chibo.study.enums import CertificateKind, Presence
from chibo.study.models import Attendance, Certificate, Reflection, Session
from chibo.study.selectors import on_rolls

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

REFLECTION_MAX = 5000
MATERIALS_MAX = 4000
DOCUMENTS_MAX = 50


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------------------------------
# Course certificates
# --------------------------------------------------------------------------------------------------


def person_unit(*, member: Member | None = None, applicant: Any = None) -> Unit:
    return member.unit if member is not None else applicant.unit


def require_person_write(actor: Actor, *, member: Member | None = None, applicant: Any = None) -> None:
    """Members' certificates are written by whoever edits the member's record; applicants' by whoever edits
    admission files of the applicant's cell."""
    if member is not None:
        require(actor, "members.edit", member.unit)
    else:
        require(actor, "admission.edit", applicant.unit)


@transaction.atomic
def certificate_record(*, actor: Actor, kind: str, issuer: str, number: str, issued_on: date | None,
                       member: Member | None = None, applicant: Any = None, title: str = "") -> Certificate:
    """Record a course certificate of a member or of an applicant (exactly one)."""
    if (member is None) == (applicant is None):
        raise ValidationError({"member": _("Chọn một đảng viên hoặc một quần chúng.")})
    require_person_write(actor, member=member, applicant=applicant)
    errors: dict[str, str] = {}
    if kind not in CertificateKind.values:
        errors["kind"] = _("Chọn loại lớp.")
    if not clean(issuer):
        errors["issuer"] = _("Nhập nơi cấp.")
    if not clean(number):
        errors["number"] = _("Nhập số giấy chứng nhận.")
    if kind == CertificateKind.OTHER and not clean(title):
        errors["title"] = _("Nhập tên lớp.")
    clock.check_day(errors, "issued_on", issued_on)
    _raise(errors)
    assert issued_on is not None
    cert = Certificate.objects.create(member=member, applicant=applicant, kind=kind, title=clean(title)[:200],
                                      issuer=clean(issuer)[:200], number=clean(number)[:60], issued_on=issued_on)
    audit(actor=actor, action="study.certificate_recorded", obj=cert,
          unit=person_unit(member=member, applicant=applicant),
          data={"kind": kind, "number": cert.number, "issued_on": issued_on,
                "person": f"member:{member.pk}" if member is not None else f"applicant:{applicant.pk}"})
    return cert


@transaction.atomic
def certificate_delete(*, actor: Actor, certificate: Certificate) -> None:
    """Remove a certificate recorded by mistake (audited with what it said)."""
    require_person_write(actor, member=certificate.member, applicant=certificate.applicant)
    audit(actor=actor, action="study.certificate_deleted", obj=certificate,
          unit=person_unit(member=certificate.member, applicant=certificate.applicant),
          data={"kind": certificate.kind, "number": certificate.number, "issued_on": certificate.issued_on})
    certificate.delete()


# --------------------------------------------------------------------------------------------------
# Study sessions
# --------------------------------------------------------------------------------------------------


def _meeting_of(unit: Unit, meeting_id: int | None, errors: dict) -> Any:
    """The cell's meeting the session is held in, or None (looked up through the relation: meetings sits above
    this app)."""
    if not meeting_id:
        return None
    model: Any = Session._meta.get_field("meeting").related_model
    meeting = model._default_manager.filter(pk=meeting_id, unit=unit).first()
    if meeting is None:
        errors["meeting"] = _("Không tìm thấy cuộc họp này của chi bộ.")
    return meeting


def _documents_of(actor: Actor, unit: Unit, ids: list[int] | None, errors: dict) -> list[Any]:
    """The library documents chosen for a session of ``unit``: each one the actor may see and every member of the
    cell may read (sent to the cell, a level above it, or to everyone from there). Anything else is refused."""
    wanted = sorted(set(ids or []))
    if not wanted:
        return []
    if len(wanted) > DOCUMENTS_MAX:
        errors["documents"] = _("Chọn tối đa %(limit)s tài liệu.") % {"limit": DOCUMENTS_MAX}
        return []
    found = {d.pk: d for d in documents_for_unit(actor, unit).filter(pk__in=wanted)}
    outside = [pk for pk in wanted if pk not in found]
    if outside:
        seen = documents_visible(actor).filter(pk__in=outside).order_by("number")
        names = ", ".join(d.number for d in seen)
        if names:
            errors["documents"] = (_("Tài liệu %(names)s không gửi tới %(unit)s nên đảng viên của chi bộ không đọc "
                                     "được trong tủ tài liệu; chọn tài liệu khác hoặc ghi vào mục tài liệu khác.") % {
                                       "names": names, "unit": unit.name})
        else:
            errors["documents"] = _("Không tìm thấy tài liệu đã chọn trong tủ tài liệu.")
    return [found[pk] for pk in wanted if pk in found]


@transaction.atomic
def session_plan(*, actor: Actor, unit: Unit, topic: str, held_on: date | None, materials: str = "",
                 meeting_id: int | None = None, document_ids: list[int] | None = None) -> Session:
    """Plan a study session of a cell (``meetings.manage`` on it), standalone or inside one of its meetings, with
    the library's documents its members will study (``document_ids``) and other materials as free text."""
    require(actor, "meetings.manage", unit)
    errors: dict[str, str] = {}
    if not clean(topic):
        errors["topic"] = _("Nhập chủ đề học tập.")
    if len(materials or "") > MATERIALS_MAX:
        errors["materials"] = _("Danh sách tài liệu dài quá %(limit)s ký tự.") % {"limit": MATERIALS_MAX}
    if held_on is None:
        errors["held_on"] = _("Nhập ngày học tập.")
    if not unit.is_open:
        errors["unit"] = _("Tổ chức đã giải thể.")
    meeting = _meeting_of(unit, meeting_id, errors)
    documents = _documents_of(actor, unit, document_ids, errors)
    _raise(errors)
    assert held_on is not None
    session = Session.objects.create(unit=unit, meeting=meeting, topic=clean(topic)[:300],
                                     materials="\n".join(line.strip() for line in (materials or "").splitlines()
                                                         if line.strip()), held_on=held_on)
    session.documents.set(documents)
    audit(actor=actor, action="study.session_planned", obj=session, unit=unit,
          data={"topic": session.topic, "held_on": held_on, "meeting": meeting.pk if meeting else None,
                "documents": [d.pk for d in documents]})
    return session


@transaction.atomic
def attendance_record(*, actor: Actor, session: Session, rows: dict[int, tuple[str, str]]) -> int:
    """Record who attended (member id → (presence, reason)), for members on the cell's rolls; a session held
    today or earlier only. An absence with a reason is "excused"; every listed member must be on the rolls."""
    require(actor, "meetings.manage", session.unit)
    errors: dict[str, str] = {}
    if session.held_on > clock.today():
        errors["held_on"] = _("Buổi học tập chưa diễn ra; ghi điểm danh sau ngày học.")
    roll = {m.pk: m for m in members_of_unit(session.unit)}
    if not rows:
        errors["attendance"] = _("Ghi điểm danh cho ít nhất một đảng viên.")
    for member_id, (presence, reason) in rows.items():
        if member_id not in roll:
            errors["attendance"] = _("Có người không thuộc danh sách đảng viên của chi bộ.")
        elif presence not in Presence.values:
            errors["attendance"] = _("Chọn có mặt hoặc vắng.")
        elif presence == Presence.EXCUSED and not clean(reason):
            errors[f"reason_{member_id}"] = _("Nhập lý do vắng của %(member)s.") % {
                "member": roll[member_id].full_name}
    _raise(errors)
    for member_id, (presence, reason) in rows.items():
        Attendance.objects.update_or_create(
            session=session, member_id=member_id,
            defaults={"presence": presence, "reason": clean(reason)[:300] if presence != Presence.PRESENT else ""})
    Session.objects.filter(pk=session.pk).update(attendance_recorded=True)
    present = sum(1 for p, _r in rows.values() if p == Presence.PRESENT)
    audit(actor=actor, action="study.attendance_recorded", obj=session, unit=session.unit,
          data={"present": present, "listed": len(rows)})
    return len(rows)


@transaction.atomic
def reflection_write(*, actor: Actor, session: Session, text: str) -> Reflection:
    """The member writes (or rewrites) their own reflection on a session of their cell."""
    if not on_rolls(actor, session):
        raise Http404(_("Không tìm thấy buổi học tập"))
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Viết nội dung bài thu hoạch.")
    elif len(text) > REFLECTION_MAX:
        errors["text"] = _("Bài thu hoạch dài quá %(limit)s ký tự; hãy viết ngắn gọn.") % {"limit": REFLECTION_MAX}
    if session.held_on > clock.today():
        errors["text"] = _("Buổi học tập chưa diễn ra.")
    _raise(errors)
    reflection, created = Reflection.objects.update_or_create(session=session, member_id=actor.member_id,
                                                              defaults={"text": text})
    audit(actor=actor, action="study.reflection_written", obj=reflection, unit=session.unit,
          data={"session": session.pk, "new": created})  # never the text
    return reflection
