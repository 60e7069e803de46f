"""Reads of the study app, always scoped: certificates like the person's record, sessions to the cell's staff and
its members, a reflection to its author and the cell's own committee only (404 for anyone else). The app shows who
attended and who wrote a reflection, never a ranking of members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.access import Actor, subtree_q
from chibo.core.audit import audit
from chibo.core.calendar import add_months
from chibo.core.rulebook import integer, rule, rule_name
from chibo.library.selectors import documents_for_unit, documents_visible
from chibo.members.selectors import members_of_unit
from chibo.study.enums import CertificateKind
from chibo.study.models import Attendance, Certificate, Reflection, Session

if TYPE_CHECKING:
    from chibo.members.models import Member

AWARENESS_RULE = "study.awareness_course_validity_months"


# --------------------------------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------------------------------


def certificates_visible(actor: Actor) -> QuerySet[Certificate]:
    """Certificates of members the actor may read (members.view on their unit, or their own) and of applicants
    (admission.view on their cell, or the applicant themself)."""
    q = Q(pk__in=[])
    member_roots = actor.paths_for("members.view")
    if member_roots:
        q |= Q(member__isnull=False) & subtree_q(member_roots, "member__unit__path")
    applicant_roots = actor.paths_for("admission.view")
    if applicant_roots:
        q |= Q(applicant__isnull=False) & subtree_q(applicant_roots, "applicant__unit__path")
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    if actor.applicant_id:
        q |= Q(applicant_id=actor.applicant_id)
    return Certificate.objects.filter(q).select_related("member", "applicant")


def certificate_get(actor: Actor, pk: int | str) -> Certificate:
    try:
        return certificates_visible(actor).get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy giấy chứng nhận")) from exc


def certificates_of(*, member: Member | None = None, applicant: Any = None) -> QuerySet[Certificate]:
    """A person's certificates, newest first (the caller has checked it may read the person)."""
    if member is not None:
        return Certificate.objects.filter(member=member)
    return Certificate.objects.filter(applicant=applicant)


@dataclass(frozen=True)
class AwarenessCheck:
    certificate: Certificate | None
    months: int
    valid_until: date | None

    @property
    def ok(self) -> bool:
        return self.certificate is not None

    def problem(self, on: date) -> str:
        """What refuses a step on ``on``, naming the rule."""
        if self.valid_until is None:
            return _("Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng; ghi giấy chứng nhận trước "
                     "(sổ quy định: %(rule)s, %(months)s tháng).") % {
                "rule": rule_name(AWARENESS_RULE), "months": self.months}
        return _("Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng chỉ có giá trị %(months)s tháng, đến "
                 "%(until)s; vào ngày %(on)s đã hết giá trị (sổ quy định: %(rule)s).") % {
            "months": self.months, "until": format(self.valid_until, "%d/%m/%Y"), "on": format(on, "%d/%m/%Y"),
            "rule": rule_name(AWARENESS_RULE)}


def awareness_certificate_on(*, applicant: Any = None, member: Member | None = None, on: date) -> AwarenessCheck:
    """The newest party-awareness course certificate still valid on ``on`` under the rule in force that day
    (valid through the day ``months`` after the issue date)."""
    months = integer(rule(AWARENESS_RULE, on=on))
    certs = certificates_of(member=member, applicant=applicant).filter(kind=CertificateKind.AWARENESS,
                                                                        issued_on__lte=on)
    newest = None
    for cert in certs:
        until = add_months(cert.issued_on, months)
        if until >= on:
            return AwarenessCheck(cert, months, until)
        newest = newest or until
    return AwarenessCheck(None, months, newest)


def has_new_member_certificate(member: Member, on: date) -> bool:
    return Certificate.objects.filter(member=member, kind=CertificateKind.NEW_MEMBER, issued_on__lte=on).exists()


# --------------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------------


def sessions_visible(actor: Actor) -> QuerySet[Session]:
    """Sessions of the units where the actor holds meetings.view (and below), and of the actor's own cell."""
    q = Q(pk__in=[])
    roots = actor.paths_for("meetings.view")
    if roots:
        q |= subtree_q(roots, "unit__path")
    if actor.member_unit_id:
        q |= Q(unit_id=actor.member_unit_id)
    return Session.objects.filter(q).select_related("unit", "meeting").prefetch_related("documents")


def session_get(actor: Actor, pk: int | str) -> Session:
    try:
        return sessions_visible(actor).get(pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy buổi học tập")) from exc


@dataclass(frozen=True)
class SessionDocuments:
    """The library documents of a session as the actor sees them: those they may open in the library (with
    ``is_read`` for their own receipt) and how many others the session has."""

    shown: list[Any]
    hidden: int


def session_documents(actor: Actor, session: Session) -> SessionDocuments:
    ids = [d.pk for d in session.documents.all()]
    shown = list(documents_visible(actor).filter(pk__in=ids).order_by("-issued_on", "number")) if ids else []
    return SessionDocuments(shown, len(ids) - len(shown))


def document_choices(actor: Actor, unit: Any) -> list[tuple[int, str]]:
    """The library's documents a session of ``unit`` may use (the actor sees them; every member of the cell may read
    them), newest first."""
    return [(d.pk, f"{d.number} — {d.title} ({d.issued_on:%d/%m/%Y})") for d in documents_for_unit(actor, unit)[:200]]


def is_cell_committee(actor: Actor, session: Session) -> bool:
    """The cell's own committee (grants on the cell itself, not on a level above)."""
    return session.unit_id in actor.units_holding("meetings.view")


def on_rolls(actor: Actor, session: Session) -> bool:
    """Whether the actor is a member on the rolls of the session's cell (who may write a reflection)."""
    if actor.member_id is None:
        return False
    return members_of_unit(session.unit).filter(pk=actor.member_id).exists()


def session_roll(session: Session) -> list[tuple[Member, Attendance | None]]:
    """The cell's members in name order with their attendance row (None while not recorded)."""
    rows = {a.member_id: a for a in Attendance.objects.filter(session=session)}
    return [(m, rows.get(m.pk)) for m in members_of_unit(session.unit)]


def reflections_readable(actor: Actor, session: Session) -> QuerySet[Reflection]:
    """The reflections the actor may read on this session: all of them for the cell's committee, otherwise only
    the actor's own. The committee's read is audited."""
    qs = Reflection.objects.filter(session=session).select_related("member")
    if is_cell_committee(actor, session):
        audit(actor=actor, action="study.reflections_viewed", obj=session, unit=session.unit,
              data={"count": qs.count()})
        return qs.order_by("member__name_sort", "pk")
    return qs.filter(member_id=actor.member_id) if actor.member_id else qs.none()


def own_reflection(actor: Actor, session: Session) -> Reflection | None:
    """The actor's own reflection on the session, if they wrote one."""
    if not actor.member_id:
        return None
    return Reflection.objects.filter(session=session, member_id=actor.member_id).select_related("member").first()


def reflection_get(actor: Actor, pk: int | str) -> Reflection:
    """One reflection: its author or the cell's committee; 404 for anyone else (a fellow member, another cell)."""
    try:
        reflection = Reflection.objects.select_related("session__unit", "member").get(pk=pk)
    except (Reflection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy bài thu hoạch")) from exc
    if reflection.member_id == actor.member_id and actor.member_id:
        return reflection
    if is_cell_committee(actor, reflection.session):
        audit(actor=actor, action="study.reflection_viewed", obj=reflection, unit=reflection.session.unit,
              data={"session": reflection.session_id})
        return reflection
    audit(actor=actor, action="study.reflection_denied", obj=reflection, unit=reflection.session.unit, data={})
    raise Http404(_("Không tìm thấy bài thu hoạch"))


def meeting_choices(unit: Any) -> list[tuple[int, str]]:
    """The cell's meetings a session may be held in, newest first (looked up through the relation: the meetings
    app sits above this one)."""
    model: Any = Session._meta.get_field("meeting").related_model
    rows = model._default_manager.filter(unit=unit).order_by("-starts_at")[:30]
    return [(m.pk, f"{m.title} ({m.starts_at:%d/%m/%Y})") for m in rows]


def applicant_get(actor: Actor, pk: int | str) -> Any:
    """An applicant within the actor's scope (admission.view on their cell, or the applicant themself), or 404.
    Looked up through the relation: the admission app sits above this one."""
    model: Any = Certificate._meta.get_field("applicant").related_model
    try:
        applicant = model._default_manager.select_related("unit").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy quần chúng")) from exc
    if applicant.pk == actor.applicant_id or actor.can("admission.view", applicant.unit):
        return applicant
    raise Http404(_("Không tìm thấy quần chúng"))
