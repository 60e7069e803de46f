"""Writes of discipline (docs/domain.md §8): opening a case (form allowed for the member's status, limitation,
competence, no second open case for the same facts; the member's hold against transfers and letters), each step,
the decision's consequences through the owning services (cách chức ends the committee posts, khai trừ the
membership), the appeal within its window and its outcome. Every refusal names its rule; a refused step writes
nothing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.rulebook import ratio_needed, rule
from chibo.core.said import said
from chibo.core.text import clean, clean_lines
from chibo.deadlines.services import deadline_close_for, deadline_open
from chibo.discipline import timeline_events as ev
from chibo.discipline.enums import OPEN_STATES, Area, CaseState, Form, NoticeState, Outcome, StateForm
from chibo.discipline.lifecycle import CASE, NOTICE
from chibo.discipline.models import Appeal, Case, Notice
from chibo.discipline.rules import (
    LIMITATION_RULE,
    appeal_ends,
    competence_form_problem,
    form_problem,
    limitation_problem,
    notice_due,
)
from chibo.discipline.selectors import notices_visible
from chibo.members import timeline
from chibo.members.enums import Status
from chibo.members.selectors import unit_committee
from chibo.members.services import member_change_status, member_lock, member_posts_end, member_restore
from chibo.transfers.selectors import cell_voters_on
from chibo.transfers.services import hold_end_for_case, hold_for_case
from chibo.units.enums import UnitKind
from chibo.units.selectors import unit_ancestors

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_day(errors: dict, name: str, value: date | None, *, not_before: date | None = None,
               label: str = "") -> None:
    if value is None:
        errors[name] = _("Nhập ngày.")
    elif value > clock.today():
        errors[name] = _("Ngày không thể ở tương lai.")
    elif not_before is not None and value < not_before:
        errors[name] = _("Ngày không thể trước %(step)s (%(day)s).") % {
            "step": label, "day": format(not_before, "%d/%m/%Y")}


def cell_of(member: Member) -> Unit:
    """The member's cell (the cell above a party group): where the case is voted on."""
    unit = member.unit
    return unit.parent if unit.kind == UnitKind.PARTY_GROUP and unit.parent is not None else unit


def competent_units(member: Member) -> list[Unit]:
    """The member's cell and the committees above it, nearest first: where a case may be decided."""
    cell = cell_of(member)
    return [cell, *reversed(list(unit_ancestors(cell)))]


def competence_problem(member: Member, deciding: Unit) -> str:
    """A member who sits on a committee above their own unit is disciplined by that committee or a higher one
    (296-QĐ/TW): a lower organization only proposes."""
    for unit in competent_units(member)[1:]:
        sits = unit_committee(unit).filter(member=member).exists()
        if sits and not unit.path.startswith(deciding.path):
            return _("Đồng chí là cấp ủy viên của %(unit)s: %(deciding)s không có thẩm quyền quyết định kỷ luật, chỉ "
                     "đề nghị lên cấp có thẩm quyền (296-QĐ/TW).") % {"unit": unit.name, "deciding": deciding.name}
    return ""


@transaction.atomic
def case_open(*, actor: Actor, member: Member, deciding_unit: Unit | int, violation: str, violated_on: date | None,
              area: str, considered: str, reference: str, notice: int | None = None) -> Case:
    require(actor, "discipline.open", member.unit)
    member = member_lock(member)  # two openers at once: one case, one hold
    today = clock.today()
    errors: dict[str, str] = {}
    violation = clean_lines(violation, limit=10000)
    if not violation:
        errors["violation"] = _("Ghi nội dung vi phạm.")
    _check_day(errors, "violated_on", violated_on)
    if area not in Area.values:
        errors["area"] = _("Lĩnh vực không hợp lệ.")
    if problem := form_problem(considered, member.status, member.get_status_display()):
        errors["considered"] = problem
    reference = clean(reference)[:120]
    if not reference:
        errors["reference"] = _("Ghi văn bản mở hồ sơ.")
    wanted = deciding_unit if isinstance(deciding_unit, int) else deciding_unit.pk  # a unit or its id (page, API)
    chosen = next((u for u in competent_units(member) if u.pk == wanted), None)
    if chosen is None:
        errors["deciding_unit"] = _("Chọn chi bộ của đảng viên hoặc một cấp ủy cấp trên của chi bộ.")
    elif problem := competence_problem(member, chosen) or competence_form_problem(considered, chosen, today):
        errors["deciding_unit"] = problem
    if not errors and violated_on is not None and (
            problem := limitation_problem(violated_on, area, considered, today)):
        errors["violated_on"] = problem
    if not errors and violated_on is not None and Case.objects.filter(
            member=member, violated_on=violated_on, area=area, state__in=OPEN_STATES).exists():
        errors["violated_on"] = _("Đã có hồ sơ đang xem xét cho cùng vi phạm này của đảng viên.")
    from_notice = None
    if notice is not None:
        from_notice = (notices_visible(actor).select_for_update(of=("self",))
                       .filter(pk=notice, member=member, state=NoticeState.RECEIVED).first())
        if from_notice is None:
            errors["notice"] = _("Không có thông báo đang chờ xem xét này của đảng viên.")
    _raise(errors)
    assert violated_on is not None
    assert chosen is not None
    case = Case.objects.create(member=member, unit=cell_of(member), deciding_unit=chosen, violation=violation,
                               violated_on=violated_on, area=area, considered=considered, reference=reference,
                               opened_on=today, opened_by=actor.label, state_since=today)
    case.hold = hold_for_case(actor=actor, member=member, owner=f"discipline:{case.pk}", opened_on=today)
    case.save(update_fields=["hold"])
    if actor.user is not None:
        case.officers.add(actor.user)
    # The row says a case was opened, never on what: auditors of the levels above read the chain too.
    audit(actor=actor, action="discipline.opened", obj=case, unit=case.deciding_unit)
    if from_notice is not None:
        from_notice.case, from_notice.state = case, NoticeState.CASE
        from_notice.version += 1
        from_notice.save()
        audit(actor=actor, action="discipline.notice_considered", obj=from_notice, unit=from_notice.unit,
              data={"case": case.pk})
    return case


@transaction.atomic
def notice_record(*, actor: Actor, member: Member, unit: Unit | int, body: str, state_form: str, decision_no: str,
                  decided_on: date | None, received_on: date | None, summary: str = "") -> Notice:
    """A state body's notice that it disciplined ``member``, received by ``unit`` (the member's cell or a committee
    above it): its due day (``discipline.state_notice_within`` from the decision) is kept beside the day it came."""
    require(actor, "discipline.open", member.unit)
    errors: dict[str, str] = {}
    wanted = unit if isinstance(unit, int) else unit.pk
    chosen = next((u for u in competent_units(member) if u.pk == wanted), None)
    if chosen is None:
        errors["unit"] = _("Chọn chi bộ của đảng viên hoặc một cấp ủy cấp trên của chi bộ.")
    body = clean(body)[:200]
    if not body:
        errors["body"] = _("Ghi tên cơ quan nhà nước ra quyết định.")
    if state_form not in StateForm.values:
        errors["state_form"] = _("Chọn hình thức kỷ luật.")
    decision_no = clean(decision_no)[:60]
    if not decision_no:
        errors["decision_no"] = _("Ghi số quyết định.")
    _check_day(errors, "decided_on", decided_on)
    _check_day(errors, "received_on", received_on, not_before=decided_on, label=_("ngày quyết định"))
    if not errors and decided_on is not None and Notice.objects.filter(
            member=member, decision_no=decision_no, decided_on=decided_on).exists():
        errors["decision_no"] = _("Thông báo về quyết định này của đảng viên đã được ghi.")
    _raise(errors)
    assert chosen is not None and decided_on is not None and received_on is not None
    due_on, _basis = notice_due(decided_on, chosen)
    notice = Notice.objects.create(member=member, unit=chosen, body=body, state_form=state_form,
                                   decision_no=decision_no, decided_on=decided_on, received_on=received_on,
                                   due_on=due_on, summary=clean_lines(summary, limit=10000),
                                   recorded_by=actor.user if actor.user is not None and actor.user.pk else None,
                                   recorded_on=clock.today())
    audit(actor=actor, action="discipline.notice_recorded", obj=notice, unit=chosen,
          data={"late": notice.late})
    return notice


@NOTICE.runs("close")
@transaction.atomic
def notice_close(*, actor: Actor, notice: Notice, reason: str) -> Notice:
    notice = (Notice.objects.select_for_update(of=("self",)).select_related("member", "unit")
              .get(pk=notice.pk))
    NOTICE.check(actor, notice, "close")
    notice.closed_reason = clean(reason)[:500]
    if not notice.closed_reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    notice.state = NoticeState.CLOSED
    notice.version += 1
    notice.save()
    audit(actor=actor, action="discipline.notice_closed", obj=notice, unit=notice.unit)
    return notice


def _lock(case: Case) -> Case:
    return (Case.objects.select_for_update(of=("self",))
            .select_related("member", "member__unit", "unit", "deciding_unit", "deciding_unit__parent", "hold")
            .get(pk=case.pk))


def _step(actor: Actor, case: Case, name: str) -> Case:
    case = _lock(case)
    CASE.check(actor, case, name)
    return case


def _move(actor: Actor, case: Case, state: str | None, action: str, data: dict | None = None) -> None:
    if state is not None:
        case.state, case.state_since = state, clock.today()
    case.version += 1
    case.save()
    audit(actor=actor, action=f"discipline.{action}", obj=case, unit=case.deciding_unit, data=data or {})


@CASE.runs("assign")
@transaction.atomic
def case_assign(*, actor: Actor, case: Case, username: str) -> Case:
    case = _step(actor, case, "assign")
    user = get_user_model().objects.filter(username=clean(username)).first()
    if user is None:
        raise ValidationError({"username": _("Không có tài khoản này.")})
    if getattr(user, "member_id", None) == case.member_id:
        raise ValidationError({"username": _("Không phân công chính đảng viên có hồ sơ.")})
    case.officers.add(user)
    _move(actor, case, None, "assigned", {"user": user.pk})
    return case


@CASE.runs("explain")
@transaction.atomic
def case_explain(*, actor: Actor, case: Case, explanation: str, on: date | None) -> Case:
    case = _step(actor, case, "explain")
    errors: dict[str, str] = {}
    case.explanation = clean_lines(explanation)
    if len(case.explanation) < 20:
        errors["explanation"] = _("Bản tự kiểm điểm quá ngắn.")
    _check_day(errors, "on", on, not_before=case.opened_on, label=_("ngày mở hồ sơ"))
    _raise(errors)
    case.explained_on = on
    _move(actor, case, CaseState.EXPLAINED, "explained")
    return case


@CASE.runs("vote")
@transaction.atomic
def case_vote(*, actor: Actor, case: Case, proposed: str, voted_on: date | None, yes: int, no: int) -> Case:
    """The cell's vote on the form proposed: the denominator is its full members that day (less those away on
    temporary transfer); passed with ``discipline.vote_ratio`` of them."""
    case = _step(actor, case, "vote")
    errors: dict[str, str] = {}
    if problem := form_problem(proposed, case.member.status, case.member.get_status_display()):
        errors["proposed"] = problem
    _check_day(errors, "voted_on", voted_on, not_before=case.explained_on, label=_("ngày tự kiểm điểm"))
    _raise(errors)
    assert voted_on is not None
    eligible = len(cell_voters_on(case.unit, voted_on))
    if yes + no > eligible:
        raise ValidationError({"yes": _("Tổng số phiếu %(votes)s vượt số đảng viên chính thức của chi bộ "
                                        "(%(eligible)s).") % {"votes": yes + no, "eligible": eligible}})
    version = rule("discipline.vote_ratio", on=voted_on)
    needed = ratio_needed(version, eligible)
    passed = eligible > 0 and yes >= needed
    case.proposed, case.voted_on, case.eligible, case.yes, case.no, case.needed = (proposed, voted_on, eligible,
                                                                                   yes, no, needed)
    _move(actor, case, CaseState.VOTED if passed else None, "voted",
          {"proposed": proposed, "yes": yes, "eligible": eligible, "needed": needed, "passed": passed})
    return case


def _apply(actor: Actor, case: Case, form: str, effective_on: date, document: str) -> None:
    """The consequences of a form in force, through the owning services."""
    member = case.member
    if form == Form.REMOVAL:
        member_posts_end(actor=actor, member=member, to_date=effective_on,
                         reason=f"Kỷ luật cách chức ({document})")
    elif form == Form.EXPULSION and member.status != Status.EXPELLED:
        member_change_status(actor=actor, member=member, status=Status.EXPELLED,
                             reason="Kỷ luật khai trừ khỏi Đảng", document=document, effective_on=effective_on)


@CASE.runs("decide")
@transaction.atomic
def case_decide(*, actor: Actor, case: Case, form: str, decision_no: str, decided_on: date | None,
                effective_on: date | None = None, received_on: date | None = None) -> Case:
    case = _step(actor, case, "decide")
    errors: dict[str, str] = {}
    if problem := (form_problem(form, case.member.status, case.member.get_status_display())
                   or competence_form_problem(form, case.deciding_unit, decided_on or clock.today())):
        errors["form"] = problem
    decision_no = clean(decision_no)[:60]
    if not decision_no:
        errors["decision_no"] = _("Ghi số quyết định.")
    _check_day(errors, "decided_on", decided_on, not_before=case.voted_on, label=_("ngày biểu quyết"))
    if effective_on is not None and decided_on is not None and effective_on < decided_on:
        errors["effective_on"] = _("Ngày hiệu lực không thể trước ngày quyết định.")
    if received_on is not None:
        _check_day(errors, "received_on", received_on, not_before=decided_on, label=_("ngày quyết định"))
    if not errors and form in LIMITATION_RULE and (
            problem := limitation_problem(case.violated_on, case.area, form, decided_on or clock.today())):
        errors["form"] = problem  # the clock runs until the decision, for the form decided
    _raise(errors)
    assert decided_on is not None
    effective = effective_on or decided_on
    case.form, case.decision_no, case.decided_on, case.effective_on = form, decision_no, decided_on, effective
    case.received_on = received_on
    _move(actor, case, CaseState.DECIDED, "decided", {"form": form, "decision": decision_no})
    timeline.record(actor=actor, member=case.member, kind=ev.DECIDED, occurred_on=effective, unit=case.unit,
                    data={"form": form, "decision": decision_no, "by": case.deciding_unit.name})
    if case.hold is not None:
        hold_end_for_case(actor=actor, hold=case.hold, closed_on=decided_on)
    _apply(actor, case, form, effective, decision_no)
    return case


@CASE.runs("drop")
@transaction.atomic
def case_drop(*, actor: Actor, case: Case, reason: str) -> Case:
    case = _step(actor, case, "drop")
    case.dropped_reason = clean(reason)[:500]
    if not case.dropped_reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    _move(actor, case, CaseState.DROPPED, "dropped")
    if case.hold is not None:
        hold_end_for_case(actor=actor, hold=case.hold, closed_on=clock.today())
    return case


@CASE.runs("appeal")
@transaction.atomic
def case_appeal(*, actor: Actor, case: Case, text: str, filed_on: date | None, received_on: date | None = None,
                late_reason: str = "") -> Case:
    """An appeal to the level above the deciding committee, within ``discipline.appeal_within`` of the day the
    member received the decision; a late one only when a committee member accepts it with a recorded reason (not
    the member themself). The decision stays in force meanwhile."""
    case = _step(actor, case, "appeal")
    errors: dict[str, str] = {}
    text = clean_lines(text)
    if len(text) < 20:
        errors["text"] = _("Nội dung khiếu nại quá ngắn.")
    own = actor.member_id == case.member_id
    if received_on is not None and (own or case.received_on is not None):
        errors["received_on"] = _("Ngày nhận quyết định do cán bộ ghi một lần, không sửa được.")
    received = case.received_on or received_on or case.decided_on
    assert received is not None and case.decided_on is not None
    if received < case.decided_on or received > clock.today():
        errors["received_on"] = _("Ngày nhận quyết định từ %(decided_on)s đến hôm nay.") % {
            "decided_on": format(case.decided_on, "%d/%m/%Y")}
    _check_day(errors, "filed_on", filed_on, not_before=received, label=_("ngày nhận quyết định"))
    late_reason = clean(late_reason)[:500]
    if late_reason and own:
        errors["late_reason"] = _("Chỉ cán bộ tiếp nhận đơn ghi lý do chấp nhận đơn quá hạn.")
    if case.deciding_unit.parent is None:
        errors["text"] = _("Quyết định của cấp cao nhất trong hệ thống: khiếu nại gửi lên cấp trên ngoài hệ thống.")
    if not errors and filed_on is not None:
        ends, basis = appeal_ends(received, case.member.unit)
        if filed_on > ends and not late_reason:
            errors["filed_on"] = (_("Quá thời hạn khiếu nại: nhận quyết định ngày %(received)s, hạn đến "
                                    "%(ends)s (%(basis)s).") % {
                                      "received": format(received, "%d/%m/%Y"), "ends": format(ends, "%d/%m/%Y"),
                                      "basis": basis})
    _raise(errors)
    assert filed_on is not None
    instance = case.deciding_unit.parent
    assert instance is not None
    Appeal.objects.create(case=case, instance=instance, filed_on=filed_on, late_reason=late_reason, text=text)
    case.received_on = received
    _move(actor, case, CaseState.APPEALED, "appealed", {"late": bool(late_reason)})
    deadline_open(actor=actor, kind="discipline.appeal", unit=instance, start=filed_on,
                  title=said("Giải quyết khiếu nại kỷ luật"), source=f"discipline:{case.pk}")
    return case


def _status_before(case: Case) -> tuple[str, str]:
    """The member's status the case was decided on: full when the expulsion under appeal removed it."""
    if case.form == Form.EXPULSION and case.member.status == Status.EXPELLED:
        return Status.FULL, str(Status.FULL.label)
    return case.member.status, case.member.get_status_display()


@CASE.runs("appeal_decide")
@transaction.atomic
def case_appeal_decide(*, actor: Actor, case: Case, outcome: str, decision_no: str, decided_on: date | None,
                       new_form: str = "") -> Case:
    case = _step(actor, case, "appeal_decide")
    appeal = Appeal.objects.select_for_update().get(case=case)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Chọn kết quả.")
    if outcome == Outcome.CHANGED:
        if not new_form or new_form == case.form:
            errors["new_form"] = _("Chọn hình thức kỷ luật mới.")
        elif problem := (form_problem(new_form, *_status_before(case))
                         or competence_form_problem(new_form, appeal.instance, decided_on or clock.today())):
            errors["new_form"] = problem
    decision_no = clean(decision_no)[:60]
    if not decision_no:
        errors["decision_no"] = _("Ghi số quyết định.")
    _check_day(errors, "decided_on", decided_on, not_before=appeal.filed_on, label=_("ngày nộp đơn"))
    _raise(errors)
    assert decided_on is not None
    appeal.outcome, appeal.decision_no, appeal.decided_on = outcome, decision_no, decided_on
    appeal.new_form = new_form if outcome == Outcome.CHANGED else ""
    appeal.save()
    if case.form == Form.EXPULSION and outcome != Outcome.UPHELD and case.member.status == Status.EXPELLED:
        member_restore(actor=actor, member=case.member, document=decision_no, effective_on=decided_on,
                       reason=f"Giải quyết khiếu nại: {Outcome(outcome).label.lower()} khai trừ số {case.decision_no}")
    if outcome == Outcome.CHANGED:
        case.form = new_form
        _apply(actor, case, new_form, decided_on, decision_no)
    _move(actor, case, CaseState.CLOSED, "appeal_decided", {"outcome": outcome, "new_form": appeal.new_form})
    timeline.record(actor=actor, member=case.member, kind=ev.APPEAL_DECIDED, occurred_on=decided_on, unit=case.unit,
                    data={"outcome": outcome, "form": case.form if outcome != Outcome.ANNULLED else "",
                          "decision": decision_no})
    deadline_close_for(actor=actor, source=f"discipline:{case.pk}", kind="discipline.appeal", on=decided_on)
    return case

