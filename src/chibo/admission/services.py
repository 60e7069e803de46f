"""Writes on admission cases (kết nạp → dự bị → chính thức), docs/domain.md §4.

Every step is one service: it checks the actor's permission on the unit, refuses a step out of order,
a date in the future or before the previous step, validates against the rulebook (age in months,
introducers, vote ratio of ALL full members of the cell on the vote date), then writes the case, the
vote rows, the deadlines, the member's timeline (from the ceremony on) and the audit chain in one
transaction. A refused step writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts import services as account_services
from chibo.accounts.enums import AccountKind
from chibo.accounts.services import user_link_member
from chibo.admission import timeline_events as ev
from chibo.admission.lifecycle import CASE
from chibo.admission.models import OPEN_STAGES, AdmissionCase, Applicant, Stage, Vote
from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.calendar import add_months
from chibo.core.citizen_ids import citizen_id_problem
from chibo.core.crypto import blind_index
from chibo.core.rulebook import integer, ratio_needed, rule, rule_name
from chibo.core.said import said
from chibo.core.text import (
    clean,
    hidden_characters_problem,
    name_problem,
    name_sort_key,
    person_name,
    search_key,
)
from chibo.deadlines.selectors import open_deadline
from chibo.deadlines.services import deadline_close_for, deadline_extend, deadline_open, probation_source
from chibo.members import timeline
from chibo.members.enums import Status
from chibo.members.selectors import citizen_id_on_a_member_record, committee_members_on
from chibo.members.services import member_change_status, member_create
from chibo.study import selectors as study_selectors
from chibo.study import services as study_services
from chibo.study.enums import CertificateKind
from chibo.transfers.selectors import cell_voters_on

if TYPE_CHECKING:
    from chibo.accounts.models import Invitation
    from chibo.members.models import Member
    from chibo.units.models import Unit

# --------------------------------------------------------------------------------------------------
# Arithmetic the checks rest on (pure reads, also used by the views to show the denominators)
# --------------------------------------------------------------------------------------------------


def age_in_months(birth_date: date, on: date) -> int:
    """Completed months of age on ``on`` (a birthday on the 31st is reached on the month's last day)."""
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    if add_months(birth_date, months) > on:
        months -= 1
    return months


def deciding_unit_for(unit: Unit) -> Unit:
    """The committee that decides admissions of a cell: the grass-roots committee above a
    subordinate cell, otherwise the cell's own upper committee."""
    return unit.parent if unit.parent is not None else unit


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _source(case: AdmissionCase) -> str:
    return f"admission:{case.pk}"


def _lock(case: AdmissionCase) -> AdmissionCase:
    return (AdmissionCase.objects.select_for_update(of=("self",))
            .select_related("unit", "applicant", "member", "deciding_unit").get(pk=case.pk))


def _step(actor: Actor, case: AdmissionCase, name: str) -> AdmissionCase:
    """Start step ``name`` of the case: the row is locked and the declaration (admission.lifecycle) checks
    who may take it (403) and that the case is at a stage it starts from (TransitionRefused)."""
    case = _lock(case)
    CASE.check(actor, case, name)
    return case


def _check_date(errors: dict, name: str, value: date | None, *, not_before: date | None = None,
                before_label: str = "") -> None:
    if value is None:
        errors[name] = _("Nhập ngày.")
    elif value > clock.today():
        errors[name] = _("Ngày không thể ở tương lai.")
    elif not_before is not None and value < not_before:
        errors[name] = _("Ngày không thể trước %(step)s (%(day)s).") % {
            "step": before_label, "day": format(not_before, "%d/%m/%Y")}


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _move(actor: Actor, case: AdmissionCase, stage: str, on: date, action: str, data: dict | None = None) -> None:
    old = case.stage
    case.stage, case.stage_since = stage, on
    case.version += 1
    case.save()
    audit(actor=actor, action=f"admission.{action}", obj=case, unit=case.unit,
          data={"from": old, "to": stage, "on": on, **(data or {})})


def _count_votes(errors: dict, yes: int | None, no: int | None, eligible: int, who: str) -> None:
    if yes is None or no is None or yes < 0 or no < 0:
        errors["yes"] = _("Nhập số phiếu tán thành và không tán thành (số không âm).")
    elif yes + no > eligible:
        errors["yes"] = (_("Số phiếu (%(votes)s) nhiều hơn số %(who)s có quyền biểu quyết (%(eligible)s).") % {
            "votes": yes + no, "who": who, "eligible": eligible})
    if eligible == 0:
        errors["held_on"] = _("Không có %(who)s nào vào ngày này.") % {"who": who}


# --------------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------------




@transaction.atomic
def applicant_record(*, actor: Actor, unit: Unit, full_name: str, gender: str, birth_date: date,
                     recorded_on: date | None = None, citizen_id: str = "", email: str = "",
                     invite: bool = False) -> Applicant:
    """Record an outstanding person (quần chúng ưu tú) and open their admission case. Only the data the
    regulations need. Refused for someone already on a member's record or with an open case (by citizen ID),
    for someone under the minimum age in months on the day, and — unless the actor is the deciding committee —
    over the maximum (the higher committee decides on those). With ``invite``, the applicant is invited to
    their dossier page at ``email`` in the same step."""
    require(actor, "admission.edit", unit)
    if hidden := hidden_characters_problem(full_name):
        raise ValidationError({"full_name": hidden})
    full_name = person_name(full_name)
    recorded_on = recorded_on or clock.today()
    citizen_id = clean(citizen_id).replace(" ", "")
    email = clean(email).lower()
    errors: dict[str, str] = {}
    if len(full_name.split(" ")) < 2:
        errors["full_name"] = _("Nhập đầy đủ họ và tên.")
    elif problem := name_problem(full_name):
        errors["full_name"] = problem
    if gender not in ("M", "F"):
        errors["gender"] = _("Chọn giới tính.")
    if birth_date is None or birth_date > clock.today():
        errors["birth_date"] = _("Ngày sinh không hợp lệ.")
    if recorded_on > clock.today():
        errors["recorded_on"] = _("Ngày không thể ở tương lai.")
    elif birth_date is not None and birth_date <= clock.today():
        months = age_in_months(birth_date, recorded_on)
        low = 12 * integer(rule("admission.age_min", on=recorded_on))
        high = 12 * integer(rule("admission.age_max", on=recorded_on))
        if months < low:
            errors["birth_date"] = (_("Mới %(years)s tuổi %(months)s tháng vào ngày ghi nhận; "
                                      "người vào Đảng cần đủ %(minimum)s tuổi tính theo tháng "
                                      "(sổ quy định: %(rule_name)s).") % {
                                        "years": months // 12, "months": months % 12, "minimum": low // 12,
                                        "rule_name": rule_name('admission.age_min')})
        elif months > high and not actor.can("admission.decide", deciding_unit_for(unit)):
            errors["birth_date"] = (_("Đã %(age)s tuổi: trên %(maximum)s tuổi cần cấp ủy cấp trên xem xét; "
                                      "hồ sơ do cấp ủy có thẩm quyền mở.") % {
                                          "age": months // 12, "maximum": high // 12})
    if citizen_id and (problem := citizen_id_problem(
            citizen_id, birth_date=birth_date, female=None if gender not in ("M", "F") else gender == "F",
            today=clock.today())):
        errors["citizen_id"] = problem  # the structure, and the birth year and gender given (core.citizen_ids)
    elif citizen_id and citizen_id_on_a_member_record(citizen_id):
        errors["citizen_id"] = _("Số CCCD này đã có trong hồ sơ một đảng viên: người này đã là đảng viên.")
    elif citizen_id and AdmissionCase.objects.filter(applicant__citizen_id_hash=blind_index(citizen_id),
                                                     stage__in=OPEN_STAGES).exists():
        errors["citizen_id"] = _("Người này đang có một hồ sơ kết nạp chưa kết thúc.")
    if email and ("@" not in email or len(email) > 200 or " " in email):
        errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    elif invite and not email:
        errors["email"] = _("Cần địa chỉ thư điện tử để gửi lời mời vào hồ sơ.")
    if not unit.is_open:
        errors["unit"] = _("Tổ chức đã giải thể.")
    _raise(errors)
    applicant = Applicant.objects.create(
        full_name=full_name, name_search=search_key(full_name), name_sort=name_sort_key(full_name),
        gender=gender, birth_date=birth_date, unit=unit, recorded_on=recorded_on,
        citizen_id=citizen_id, citizen_id_hash=blind_index(citizen_id), email=email,
    )
    audit(actor=actor, action="applicant.recorded", obj=applicant, unit=unit)  # by id: the name is not chained
    case = AdmissionCase.objects.create(applicant=applicant, unit=unit, stage=Stage.RECORDED, stage_since=recorded_on,
                                        deciding_unit=deciding_unit_for(unit))
    audit(actor=actor, action="admission.opened", obj=case, unit=unit, data={"on": recorded_on})
    if invite:
        applicant_invite(actor=actor, case=case)
    return applicant


@transaction.atomic
def applicant_invite(*, actor: Actor, case: AdmissionCase, email: str = "") -> Invitation:
    """Invite the applicant of an open case to their own dossier page (a one-time link by e-mail, to
    ``email`` or the address recorded with them). Returns the invitation."""
    require(actor, "admission.edit", case.unit)
    case = AdmissionCase.objects.select_related("applicant", "unit").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError({"case": _("Hồ sơ kết nạp đã kết thúc; không mời vào hồ sơ nữa.")})
    applicant = case.applicant
    return account_services.account_invite(
        actor=actor, kind=AccountKind.APPLICANT, unit=case.unit, email=email or applicant.email,
        full_name=applicant.full_name, applicant_id=applicant.pk)


@CASE.runs("course")
@transaction.atomic
def case_course(*, actor: Actor, case: AdmissionCase, certificate_no: str, issuer: str, on: date) -> AdmissionCase:
    """The party-awareness course certificate (giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng): recorded among
    the applicant's course certificates (chibo.study) and on the case; refused when already expired today."""
    case = _step(actor, case, "course")
    errors: dict = {}
    if not clean(certificate_no):
        errors["certificate_no"] = _("Nhập số giấy chứng nhận.")
    if not clean(issuer):
        errors["issuer"] = _("Nhập nơi cấp.")
    _check_date(errors, "on", on)
    if not errors:
        months = integer(rule(study_selectors.AWARENESS_RULE, on=clock.today()))
        if add_months(on, months) < clock.today():
            errors["on"] = (_("Giấy chứng nhận đã quá %(months)s tháng, hết giá trị "
                              "(sổ quy định: %(rule_name)s).") % {
                                "months": months, "rule_name": rule_name(study_selectors.AWARENESS_RULE)})
    _raise(errors)
    if not study_selectors.certificates_of(applicant=case.applicant).filter(
            kind=CertificateKind.AWARENESS, number=clean(certificate_no)[:60], issued_on=on).exists():
        study_services.certificate_record(actor=actor, applicant=case.applicant, kind=CertificateKind.AWARENESS,
                                          issuer=issuer, number=certificate_no, issued_on=on)
    case.course_certificate_no, case.course_issuer, case.course_on = clean(certificate_no), clean(issuer), on
    _move(actor, case, Stage.COURSE, max(on, case.stage_since), "course", {"certificate": case.course_certificate_no})
    return case


@CASE.runs("application")
@transaction.atomic
def case_application(*, actor: Actor, case: AdmissionCase, application_on: date, cv_on: date) -> AdmissionCase:
    """Application (1-KNĐ) and CV (2-KNĐ) received: the file is submitted, so the applicant's party-awareness
    course certificate must be valid on the day (rule study.awareness_course_validity_months)."""
    case = _step(actor, case, "application")
    errors: dict = {}
    _check_date(errors, "application_on", application_on, not_before=case.course_on,
                before_label=_("ngày cấp giấy chứng nhận"))
    _check_date(errors, "cv_on", cv_on, not_before=case.course_on, before_label=_("ngày cấp giấy chứng nhận"))
    _raise(errors)
    submitted = max(application_on, cv_on)
    check = study_selectors.awareness_certificate_on(applicant=case.applicant, on=submitted)
    if not check.ok:
        errors["application_on"] = check.problem(submitted)
    _raise(errors)
    case.application_on, case.cv_on = application_on, cv_on
    _move(actor, case, Stage.APPLICATION, max(application_on, cv_on), "application")
    return case


def _check_introducer(errors: dict, name: str, actor: Actor, case: AdmissionCase, member: Member | None,
                      since: date | None, on: date, years: int) -> None:
    if member is None:
        errors[name] = _("Chọn đảng viên giới thiệu.")
        return
    if not actor.can("members.view", member.unit):
        errors[name] = _("Không tìm thấy đảng viên này trong phạm vi của bạn.")
        return
    applicant = case.applicant
    if case.member_id == member.pk or (member.full_name == applicant.full_name
                                       and member.birth_date == applicant.birth_date):
        errors[name] = _("Người giới thiệu không thể là chính người vào Đảng.")
    elif member.status != Status.FULL or not member.confirmation_date or member.confirmation_date > on:
        errors[name] = (_("%(member)s không phải đảng viên chính thức; "
                          "người giới thiệu phải là đảng viên chính thức.") % {"member": member.full_name})
    elif since is None:
        errors[f"{name}_since"] = _("Nhập ngày bắt đầu cùng công tác với người vào Đảng.")
    elif since > on or add_months(since, 12 * years) > on:
        errors[f"{name}_since"] = _("Người giới thiệu phải cùng công tác với người vào Đảng ít nhất %(years)s năm.") % {
            "years": years}


@CASE.runs("introducers")
@transaction.atomic
def case_introducers(*, actor: Actor, case: AdmissionCase, on: date, introducer1: Member | None,
                     introducer1_since: date | None, introducer2: Member | None = None,
                     introducer2_since: date | None = None, union_resolution: str = "") -> AdmissionCase:
    """Two full members (3-KNĐ), or the youth/trade-union resolution (4-KNĐ) and one full member."""
    case = _step(actor, case, "introducers")
    errors: dict = {}
    _check_date(errors, "on", on, not_before=case.stage_since, before_label=_("bước trước"))
    on_ok = on if "on" not in errors else clock.today()
    years = integer(rule("admission.introducer_min_years_together", on=on_ok))
    union_resolution = clean(union_resolution)
    _check_introducer(errors, "introducer1", actor, case, introducer1, introducer1_since, on_ok, years)
    if union_resolution:
        if introducer2 is not None:
            errors["introducer2"] = _("Theo nghị quyết giới thiệu của đoàn thể chỉ cần một đảng viên chính thức.")
    else:
        _check_introducer(errors, "introducer2", actor, case, introducer2, introducer2_since, on_ok, years)
        if introducer1 is not None and introducer2 is not None and introducer1.pk == introducer2.pk:
            errors["introducer2"] = _("Hai người giới thiệu phải là hai đảng viên khác nhau.")
    _raise(errors)
    case.introducer1, case.introducer1_since = introducer1, introducer1_since
    case.introducer2, case.introducer2_since = introducer2, (introducer2_since if introducer2 else None)
    case.union_resolution, case.introducers_on = union_resolution, on
    _move(actor, case, Stage.INTRODUCERS, on, "introducers",
          {"introducers": [m.pk for m in (introducer1, introducer2) if m], "union_resolution": union_resolution})
    return case


@CASE.runs("comments")
@transaction.atomic
def case_comments(*, actor: Actor, case: AdmissionCase, mass_org_on: date, residence_on: date) -> AdmissionCase:
    """Comments of the mass organization and of the place of residence (5-KNĐ): dates only."""
    case = _step(actor, case, "comments")
    errors: dict = {}
    _check_date(errors, "mass_org_on", mass_org_on, not_before=case.stage_since, before_label=_("bước trước"))
    _check_date(errors, "residence_on", residence_on, not_before=case.stage_since, before_label=_("bước trước"))
    _raise(errors)
    case.mass_org_comment_on, case.residence_comment_on = mass_org_on, residence_on
    _move(actor, case, Stage.COMMENTS, max(mass_org_on, residence_on), "comments")
    return case


@CASE.runs("verified")
@transaction.atomic
def case_verified(*, actor: Actor, case: AdmissionCase, by: str, on: date, reference: str) -> AdmissionCase:
    """CV verification done: only by which committee, when, and the reference (never its content)."""
    case = _step(actor, case, "verified")
    errors: dict = {}
    if not clean(by):
        errors["by"] = _("Nhập cấp ủy đã thẩm tra.")
    if not clean(reference):
        errors["reference"] = _("Nhập số văn bản kết luận thẩm tra.")
    _check_date(errors, "on", on, not_before=case.stage_since, before_label=_("bước trước"))
    _raise(errors)
    case.verified_by, case.verified_on, case.verification_ref = clean(by)[:200], on, clean(reference)[:100]
    _move(actor, case, Stage.VERIFIED, on, "verified", {"by": case.verified_by, "reference": case.verification_ref})
    return case


def cell_vote_preview(case: AdmissionCase, held_on: date) -> dict:
    """What the cell vote on ``held_on`` needs: denominator, votes needed, age in months."""
    eligible = len(cell_voters_on(case.unit, held_on))
    ratio = rule("admission.cell_vote_ratio", on=held_on)
    months = age_in_months(case.applicant.birth_date, held_on)
    return {"eligible": eligible, "needed": ratio_needed(ratio, eligible), "ratio": ratio.value,
            "age_months": months, "age_years": months // 12, "age_rest": months % 12,
            "age_min_months": 12 * integer(rule("admission.age_min", on=held_on)),
            "age_max_months": 12 * integer(rule("admission.age_max", on=held_on))}


@CASE.runs("cell_vote")
@transaction.atomic
def case_cell_vote(*, actor: Actor, case: AdmissionCase, held_on: date, yes: int, no: int,
                   resolution_no: str = "") -> AdmissionCase:
    """The cell's resolution proposing admission (6-KNĐ): ≥ the rule's ratio of ALL its full members."""
    case = _step(actor, case, "cell_vote")
    errors: dict = {}
    _check_date(errors, "held_on", held_on, not_before=case.stage_since, before_label=_("bước trước"))
    _raise(errors)
    p = cell_vote_preview(case, held_on)
    _count_votes(errors, yes, no, p["eligible"], _("đảng viên chính thức của chi bộ"))
    if p["age_months"] < p["age_min_months"]:
        errors["held_on"] = (_("Người vào Đảng mới %(years)s tuổi %(months)s tháng; "
                               "cần đủ %(minimum)s tuổi (tính theo tháng) vào ngày chi bộ xét.") % {
                                 "years": p['age_months'] // 12, "months": p['age_months'] % 12,
                                 "minimum": p['age_min_months'] // 12})
    check = study_selectors.awareness_certificate_on(applicant=case.applicant, on=held_on)
    if not check.ok:
        errors["held_on"] = check.problem(held_on)
    _raise(errors)
    passed = yes >= p["needed"]
    Vote.objects.create(case=case, kind=Vote.Kind.CELL, held_on=held_on, unit=case.unit, eligible=p["eligible"],
                        yes=yes, no=no, needed=p["needed"], passed=passed, resolution_no=clean(resolution_no))
    case.cell_vote_on, case.cell_yes, case.cell_eligible, case.cell_needed = held_on, yes, p["eligible"], p["needed"]
    case.cell_resolution_no = clean(resolution_no)[:60]
    case.age_months_at_vote, case.over_age = p["age_months"], p["age_months"] > p["age_max_months"]
    data = {"yes": yes, "no": no, "eligible": p["eligible"], "needed": p["needed"], "over_age": case.over_age}
    if not passed:
        case.exit_stage, case.exited_on = case.stage, held_on
        case.exit_reason = f"Chi bộ biểu quyết {yes}/{p['eligible']} tán thành, cần {p['needed']}."
        _move(actor, case, Stage.REJECTED, held_on, "cell_vote_failed", data)
        return case
    _move(actor, case, Stage.CELL_VOTED, held_on, "cell_voted", data)
    deadline_open(actor=actor, kind="admission.decision", unit=case.deciding_unit or case.unit, start=held_on,
                  title=said("Quyết định kết nạp: %(name)s", name=case.applicant.full_name), source=_source(case),
                  data={"case": case.pk})
    return case


@CASE.runs("extend")
@transaction.atomic
def case_extend_decision(*, actor: Actor, case: AdmissionCase, days: int, reason: str) -> AdmissionCase:
    """Extend the decision deadline (≤ the rule's maximum in working days), with a reason."""
    case = _step(actor, case, "extend")
    errors: dict = {}
    assert case.cell_vote_on is not None, "a decision deadline runs from the cell's vote"
    limit = integer(rule("admission.decide_extension_max", on=case.cell_vote_on))
    if days is None or days <= 0 or case.decision_extension_days + days > limit:
        errors["days"] = _("Gia hạn tối đa %(limit)s ngày làm việc (đã gia hạn %(decision_extension_days)s).") % {
            "limit": limit, "decision_extension_days": case.decision_extension_days}
    if len(clean(reason)) < 5:
        errors["reason"] = _("Cần ghi rõ lý do gia hạn.")
    current = open_deadline(source=_source(case), kind="admission.decision")
    if current is None:
        errors["__all__"] = _("Không còn hạn quyết định nào đang mở.")
    _raise(errors)
    assert current is not None
    old_due = current.due_date
    deadline = deadline_extend(actor=actor, source=_source(case), kind="admission.decision", working_days=days,
                               reason=reason, data={"extended_days": case.decision_extension_days + days})
    assert deadline is not None  # the open deadline found above
    case.decision_extension_days += days
    case.decision_extension_reason = clean(reason)[:300]
    case.version += 1
    case.save()
    audit(actor=actor, action="admission.decision_extended", obj=case, unit=case.unit,
          data={"days": days, "reason": case.decision_extension_reason, "old_due": old_due,
                "new_due": deadline.due_date})
    return case


@CASE.runs("committee_vote")
@transaction.atomic
def case_committee_vote(*, actor: Actor, case: AdmissionCase, held_on: date, yes: int, no: int,
                        resolution_no: str = "") -> AdmissionCase:
    """The deciding committee's resolution (8-KNĐ): ≥ the rule's ratio of its members on that date."""
    case = _step(actor, case, "committee_vote")
    deciding = case.deciding_unit or case.unit
    errors: dict = {}
    _check_date(errors, "held_on", held_on, not_before=case.stage_since, before_label=_("ngày chi bộ nghị quyết"))
    _raise(errors)
    eligible = committee_members_on(deciding, held_on)
    needed = ratio_needed(rule("admission.committee_vote_ratio", on=held_on), eligible)
    _count_votes(errors, yes, no, eligible, _("cấp ủy viên"))
    _raise(errors)
    passed = yes >= needed
    Vote.objects.create(case=case, kind=Vote.Kind.COMMITTEE, held_on=held_on, unit=deciding, eligible=eligible,
                        yes=yes, no=no, needed=needed, passed=passed, resolution_no=clean(resolution_no))
    case.committee_vote_on, case.committee_yes, case.committee_eligible = held_on, yes, eligible
    case.committee_needed, case.committee_resolution_no = needed, clean(resolution_no)[:60]
    data = {"yes": yes, "no": no, "eligible": eligible, "needed": needed}
    if not passed:
        case.exit_stage, case.exited_on = case.stage, held_on
        case.exit_reason = f"Cấp ủy biểu quyết {yes}/{eligible} tán thành, cần {needed}."
        deadline_close_for(actor=actor, source=_source(case), kind="admission.decision", on=held_on)
        _move(actor, case, Stage.REJECTED, held_on, "committee_vote_failed", data)
        return case
    _move(actor, case, Stage.COMMITTEE_VOTED, held_on, "committee_voted", data)
    return case


@CASE.runs("decision")
@transaction.atomic
def case_decision(*, actor: Actor, case: AdmissionCase, decision_no: str, decided_on: date,
                  received_on: date) -> AdmissionCase:
    """The admission decision (9-KNĐ); the ceremony clock starts when the cell receives it."""
    case = _step(actor, case, "decision")
    errors: dict = {}
    if not clean(decision_no):
        errors["decision_no"] = _("Nhập số quyết định.")
    _check_date(errors, "decided_on", decided_on, not_before=case.committee_vote_on,
                before_label=_("ngày cấp ủy nghị quyết"))
    _check_date(errors, "received_on", received_on, not_before=decided_on, before_label=_("ngày quyết định"))
    _raise(errors)
    case.decision_no, case.decision_on, case.decision_received_on = clean(decision_no)[:60], decided_on, received_on
    deadline_close_for(actor=actor, source=_source(case), kind="admission.decision", on=decided_on)
    _move(actor, case, Stage.DECIDED, received_on, "decided", {"decision": case.decision_no})
    deadline_open(actor=actor, kind="admission.ceremony", unit=case.unit, start=received_on,
                  title=said("Lễ kết nạp: %(name)s", name=case.applicant.full_name),
                  source=_source(case), data={"case": case.pk})
    return case


@CASE.runs("ceremony")
@transaction.atomic
def case_ceremony(*, actor: Actor, case: AdmissionCase, held_on: date, helper: Member | None, category: str,
                  card_number: str = "", dossier_number: str = "", **member_data: Any) -> AdmissionCase:
    """The admission ceremony: the member record is created (probationary, admission date = ceremony
    date, from which probation runs; party age runs from the decision's date, kept on the record too) through the
    members service, which opens the confirmation deadline; a helper is assigned."""
    case = _step(actor, case, "ceremony")
    errors: dict = {}
    _check_date(errors, "held_on", held_on, not_before=case.decision_received_on,
                before_label=_("ngày nhận quyết định"))
    if helper is None:
        errors["helper"] = _("Chọn đảng viên chính thức giúp đỡ đảng viên dự bị.")
    elif helper.unit_id != case.unit_id or helper.status != Status.FULL:
        errors["helper"] = _("Người giúp đỡ phải là đảng viên chính thức của chi bộ.")
    _raise(errors)
    assert helper is not None
    applicant = case.applicant
    member_data.pop("admission_decided_on", None)  # the case's own decision, below
    member = member_create(actor=actor, unit=case.unit, full_name=applicant.full_name, gender=applicant.gender,
                           birth_date=applicant.birth_date, admission_decided_on=case.decision_on,
                           admission_date=held_on, category=category, card_number=card_number,
                           dossier_number=dossier_number, **member_data)
    probation_end = add_months(held_on, integer(rule("probation.months", on=held_on)))
    case.ceremony_on, case.member, case.helper, case.probation_end = held_on, member, helper, probation_end
    timeline.record(actor=actor, member=member, kind=ev.ADMITTED, occurred_on=held_on, unit=case.unit,
                    data={"decision": case.decision_no, "helper": helper.full_name, "helper_id": helper.pk,
                          "probation_end": probation_end.isoformat()})
    deadline_close_for(actor=actor, source=_source(case), kind="admission.ceremony", on=held_on)
    # The applicant's own account now also opens the new member's record (self only, as for any member).
    linked = user_link_member(actor=actor, applicant_id=applicant.pk, member=member)
    _move(actor, case, Stage.PROBATION, held_on, "ceremony",
          {"member": member.pk, "helper": helper.pk, "account_linked": bool(linked)})
    return case


def confirmation_failures(case: AdmissionCase) -> int:
    return case.votes.filter(kind=Vote.Kind.CONFIRMATION, passed=False).count()


@CASE.runs("confirmation_vote")
@transaction.atomic
def case_confirmation_vote(*, actor: Actor, case: AdmissionCase, held_on: date, yes: int, no: int,
                           resolution_no: str = "") -> AdmissionCase:
    """The cell considers confirmation (13-KNĐ) after the probation end; after the rule's number of
    votes without the ratio the case goes to the upper committee."""
    case = _step(actor, case, "confirmation_vote")
    assert case.member is not None, "a case in probation has its member"
    errors: dict = {}
    _check_date(errors, "held_on", held_on, not_before=case.probation_end, before_label=_("ngày hết thời kỳ dự bị"))
    _raise(errors)
    eligible = len(cell_voters_on(case.unit, held_on, exclude_ids=(case.member.pk,)))
    needed = ratio_needed(rule("admission.cell_vote_ratio", on=held_on), eligible)
    _count_votes(errors, yes, no, eligible, _("đảng viên chính thức của chi bộ"))
    if not study_selectors.has_new_member_certificate(case.member, held_on):
        errors["held_on"] = (_("Chưa có giấy chứng nhận lớp bồi dưỡng đảng viên mới của đảng viên dự bị (cấp đến ngày "
                               "họp); ghi giấy chứng nhận ở trang Học tập trước khi chi bộ xét công nhận chính thức."))
    _raise(errors)
    passed = yes >= needed
    Vote.objects.create(case=case, kind=Vote.Kind.CONFIRMATION, held_on=held_on, unit=case.unit, eligible=eligible,
                        yes=yes, no=no, needed=needed, passed=passed, resolution_no=clean(resolution_no))
    data = {"yes": yes, "no": no, "eligible": eligible, "needed": needed, "passed": passed}
    timeline.record(actor=actor, member=case.member, kind=ev.CONFIRMATION_VOTE, occurred_on=held_on,
                    unit=case.unit, data=data)
    if passed:
        case.confirmation_voted_on, case.confirmation_resolution_no = held_on, clean(resolution_no)[:60]
        # The cell considered: the confirmation deadline opened by member_create is met on this date.
        deadline_close_for(actor=actor, source=probation_source(case.member), kind="probation.confirmation", on=held_on)
        case.version += 1
        case.save()
        audit(actor=actor, action="admission.confirmation_voted", obj=case, unit=case.unit, data=data)
        return case
    failures = confirmation_failures(case)
    limit = integer(rule("confirmation.max_failed_votes", on=held_on))
    if failures >= limit:
        case.exit_stage, case.exited_on = case.stage, held_on
        case.exit_reason = f"{failures} lần biểu quyết không đạt tỉ lệ; chuyển cấp ủy cấp trên xem xét."
        _move(actor, case, Stage.ESCALATED, held_on, "escalated", data)
    else:
        case.version += 1
        case.save()
        audit(actor=actor, action="admission.confirmation_vote_failed", obj=case, unit=case.unit, data=data)
    return case


@CASE.runs("confirm")
@transaction.atomic
def case_confirm(*, actor: Actor, case: AdmissionCase, held_on: date, yes: int, no: int, resolution_no: str,
                 decision_no: str) -> AdmissionCase:
    """The committee's resolution (15-KNĐ) and decision: the member becomes full, effective on the
    12-month date even when the cell considered late."""

    case = _step(actor, case, "confirm")
    assert case.member is not None and case.probation_end is not None, "a case in probation has its member"
    deciding = case.deciding_unit or case.unit
    errors: dict = {}
    if not clean(decision_no):
        errors["decision_no"] = _("Nhập số quyết định công nhận.")
    _check_date(errors, "held_on", held_on, not_before=case.confirmation_voted_on or case.probation_end,
                before_label=_("ngày chi bộ nghị quyết"))
    _raise(errors)
    eligible = committee_members_on(deciding, held_on)
    needed = ratio_needed(rule("admission.committee_vote_ratio", on=held_on), eligible)
    _count_votes(errors, yes, no, eligible, _("cấp ủy viên"))
    _raise(errors)
    passed = yes >= needed
    Vote.objects.create(case=case, kind=Vote.Kind.CONFIRMATION_COMMITTEE, held_on=held_on, unit=deciding,
                        eligible=eligible, yes=yes, no=no, needed=needed, passed=passed,
                        resolution_no=clean(resolution_no))
    data = {"yes": yes, "no": no, "eligible": eligible, "needed": needed}
    if not passed:
        raise ValidationError({"yes": _("Cấp ủy cần %(needed)s/%(eligible)s phiếu tán thành để công nhận; "
                                        "ghi đề nghị xóa tên nếu cấp ủy không công nhận.") % {
                                          "needed": needed, "eligible": eligible}})
    deadline_close_for(actor=actor, source=probation_source(case.member), kind="probation.confirmation", on=held_on)
    member_change_status(actor=actor, member=case.member, status=Status.FULL,
                         reason=f"Công nhận đảng viên chính thức (nghị quyết {clean(resolution_no)})",
                         document=clean(decision_no), effective_on=case.probation_end)
    case.confirmation_decision_no, case.confirmed_on = clean(decision_no)[:60], case.probation_end
    _move(actor, case, Stage.FULL, held_on, "confirmed", {**data, "effective_on": case.probation_end})
    return case


@CASE.runs("strike_off")
@transaction.atomic
def case_strike_off(*, actor: Actor, case: AdmissionCase, on: date, reason: str, document: str) -> AdmissionCase:
    """Struck off during probation (unfit): the member's status changes through the members service."""

    case = _step(actor, case, "strike_off")
    assert case.member is not None, "a case in probation has its member"
    errors: dict = {}
    if len(clean(reason)) < 5:
        errors["reason"] = _("Cần ghi rõ lý do.")
    _check_date(errors, "on", on, not_before=case.ceremony_on, before_label=_("ngày kết nạp"))
    _raise(errors)
    member_change_status(actor=actor, member=case.member, status=Status.STRUCK_OFF, reason=clean(reason),
                         document=document, effective_on=on)
    case.exit_stage, case.exit_reason, case.exited_on = case.stage, clean(reason)[:300], on
    _move(actor, case, Stage.STRUCK_OFF, on, "struck_off", {"reason": case.exit_reason})
    return case


@CASE.runs("close")
@transaction.atomic
def case_close(*, actor: Actor, case: AdmissionCase, outcome: str, on: date, reason: str) -> AdmissionCase:
    """Withdrawn by the applicant, or rejected at a step, with reasons (before the ceremony)."""
    case = _step(actor, case, "close")
    errors: dict = {}
    if outcome not in (Stage.WITHDRAWN, Stage.REJECTED):
        errors["outcome"] = _("Chọn rút hồ sơ hoặc không đề nghị kết nạp.")
    if len(clean(reason)) < 5:
        errors["reason"] = _("Cần ghi rõ lý do.")
    _check_date(errors, "on", on, not_before=case.stage_since, before_label=_("bước trước"))
    _raise(errors)
    for kind in ("admission.decision", "admission.ceremony"):
        deadline_close_for(actor=actor, source=_source(case), kind=kind, on=on,
                           waived_reason=f"Hồ sơ kết nạp kết thúc: {Stage(outcome).label}")
    case.exit_stage, case.exit_reason, case.exited_on = case.stage, clean(reason)[:300], on
    _move(actor, case, outcome, on, outcome, {"reason": case.exit_reason})
    return case
