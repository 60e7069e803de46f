"""Writes of inspection and supervision (docs/domain.md §8, 296-QĐ/TW): a committee's yearly plans and their items
(each item started, concluded or cancelled), its notes of day-to-day supervision, and its inspections of a member or
an organization of its subtree showing signs of a violation (the team, the subject's explanation, the conclusion and
recommendations, or the inspection dropped). Every refusal names the field it concerns; a refused write writes
nothing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.accounts.selectors import role_holders, users_holding_near
from chibo.core import clock
from chibo.core.access import Actor, Role
from chibo.core.audit import audit
from chibo.core.clock import check_day
from chibo.core.text import as_id, clean, clean_lines
from chibo.inspection.enums import ITEM_OPEN_STATES, OPEN_STATES, CaseState, ItemState, Kind
from chibo.inspection.lifecycle import CASE, ITEM, subject_is
from chibo.inspection.models import Inspection, Plan, PlanItem, SupervisionNote
from chibo.members.selectors import member_get
from chibo.members.services import member_lock
from chibo.units.selectors import unit_get
from chibo.units.services import unit_lock

if TYPE_CHECKING:
    from chibo.accounts.models import User
    from chibo.members.models import Member
    from chibo.units.models import Unit

MIN_TEXT = 20
# Who may be on a case's team or in charge of a plan's item: inspection staff of the committee, above or below it.
IN_CHARGE = ("inspection.open", "discipline.inspect")
NO_UNIT = gettext_lazy("Không tìm thấy tổ chức này.")
NO_MEMBER = gettext_lazy("Không tìm thấy đảng viên này trong phạm vi của bạn.")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _require_own(actor: Actor, perm: str, unit: Unit) -> None:
    """The committee's own steps: ``perm`` held on ``unit`` itself (a level above acts in its own name only)."""
    if unit.pk not in actor.units_holding(perm):
        raise PermissionDenied(perm)


def _below(unit: Unit, other: Unit) -> bool:
    """Whether ``other`` lies in ``unit``'s subtree (``unit`` itself included), as ``Actor.can`` reads a path."""
    return bool(other.path.startswith(unit.path))


def _resolve(actor: Actor, subject_unit: Unit | int | None, subject_member: Member | int | None,
             errors: dict) -> tuple[Unit | None, Member | None]:
    """The subject as records, an id looked up within the actor's scope (an id outside it answers as an unknown
    one): exactly one of a member and an organization."""
    if (subject_unit is None) == (subject_member is None):
        message = _("Chọn một đảng viên hoặc một tổ chức đảng (chỉ một trong hai).")
        errors["subject_member"] = errors["subject_unit"] = message
        return None, None
    if subject_member is not None:
        if not isinstance(subject_member, int):
            return None, subject_member
        try:
            return None, member_get(actor, as_id(subject_member) or 0)
        except Http404:
            errors["subject_member"] = NO_MEMBER
            return None, None
    if not isinstance(subject_unit, int):
        return subject_unit, None
    try:
        return unit_get(actor, as_id(subject_unit) or 0), None
    except Http404:
        errors["subject_unit"] = NO_UNIT
        return None, None


def _check_subject(unit: Unit, subject_unit: Unit | None, member: Member | None, errors: dict) -> None:
    """A member of ``unit``'s subtree or an organization below ``unit``."""
    if member is not None and not _below(unit, member.unit):
        errors["subject_member"] = _("Đảng viên này không sinh hoạt trong %(unit)s hoặc tổ chức trực thuộc.") % {
            "unit": unit.name}
    if subject_unit is not None and (subject_unit.pk == unit.pk or not _below(unit, subject_unit)):
        errors["subject_unit"] = _("Chọn một tổ chức đảng trực thuộc %(unit)s.") % {"unit": unit.name}


def _subject(actor: Actor, unit: Unit, subject_unit: Unit | int | None, subject_member: Member | int | None,
             errors: dict) -> tuple[Unit | None, Member | None]:
    """The subject of an item, a note or a case: a member of ``unit``'s subtree or an organization below ``unit``,
    exactly one of the two, taken from the records (within the actor's scope)."""
    found_unit, member = _resolve(actor, subject_unit, subject_member, errors)
    _check_subject(unit, found_unit, member, errors)
    return found_unit, member


def _usernames(raw: str | list[str]) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw or "").replace(";", ",").split(",")
    return [clean(x)[:150] for x in items if clean(x)]


def _in_charge(names: list[str], unit: Unit, errors: dict, field: str) -> list[User]:
    """The accounts of ``names`` that may be in charge of the committee ``unit``'s work: inspection staff of the
    committee, of a level above or of an organization below it. Any other name — unknown or not allowed — is refused
    with the same words."""
    users = list(users_holding_near(names, IN_CHARGE, unit))
    refused = sorted(set(names) - {u.username for u in users})
    if refused:
        errors[field] = _("Không giao được cho: %(refused)s (không có tài khoản cán bộ kiểm tra phù hợp).") % {
            "refused": ', '.join(refused)}
    return users


# -- plans -------------------------------------------------------------------------------------------------------
@transaction.atomic
def plan_create(*, actor: Actor, unit: Unit, year: int, kind: str, reference: str, adopted_on: date | None) -> Plan:
    """The committee's plan of inspection or of supervision for a year: one of each kind per committee and year,
    adopted within its year or the year before."""
    _require_own(actor, "inspection.plan", unit)
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Chọn loại kế hoạch.")
    if not 2000 <= year <= 2100:
        errors["year"] = _("Năm không hợp lệ.")
    reference = clean(reference)[:120]
    if not reference:
        errors["reference"] = _("Ghi văn bản ban hành kế hoạch.")
    check_day(errors, "adopted_on", adopted_on)
    if "adopted_on" not in errors and "year" not in errors and adopted_on and adopted_on.year not in (year - 1, year):
        errors["adopted_on"] = _("Kế hoạch năm %(year)s được ban hành trong năm %(previous)s hoặc năm %(year)s.") % {
            "year": year, "previous": year - 1}
    taken = (_("%(unit)s đã có kế hoạch %(kind)s năm %(year)s; mở kế hoạch đó để thêm nội dung.") % {
        "unit": unit.name, "kind": _(Kind(kind).label).lower(), "year": year} if kind in Kind.values else "")
    if not errors and Plan.objects.filter(unit=unit, year=year, kind=kind).exists():
        errors["kind"] = taken
    _raise(errors)
    assert adopted_on is not None
    try:
        with transaction.atomic():  # two adopting at once: the second is told, as above
            plan = Plan.objects.create(unit=unit, year=year, kind=kind, reference=reference, adopted_on=adopted_on,
                                       created_by=actor.label)
    except IntegrityError:
        raise ValidationError({"kind": taken}) from None
    audit(actor=actor, action="inspection.plan_created", obj=plan, unit=unit, data={"year": year, "kind": kind})
    return plan


def _plan_lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan.pk)


@transaction.atomic
def plan_item_add(*, actor: Actor, plan: Plan, topic: str, starts_on: date | None, ends_on: date | None,
                  subject_unit: Unit | int | None = None, subject_member: Member | int | None = None,
                  officers: str | list[str] = "") -> PlanItem:
    """An item of the plan: its subject in the committee's subtree, its topic, its window within the plan's year, the
    officers in charge (by their user names: inspection staff of the committee, above or below it)."""
    _require_own(actor, "inspection.plan", plan.unit)
    plan = _plan_lock(plan)
    errors: dict[str, str] = {}
    unit, member = _subject(actor, plan.unit, subject_unit, subject_member, errors)
    topic = clean(topic)[:300]
    if not topic:
        errors["topic"] = _("Ghi nội dung.")
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is None:
            errors[name] = _("Nhập ngày.")
        elif day.year != plan.year:
            errors[name] = _("Ngày phải trong năm %(year)s của kế hoạch.") % {"year": plan.year}
    if "starts_on" not in errors and "ends_on" not in errors and starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("Ngày kết thúc không thể trước ngày bắt đầu.")
    users = _in_charge(_usernames(officers), plan.unit, errors, "officers")
    _raise(errors)
    assert starts_on is not None and ends_on is not None
    item = PlanItem.objects.create(plan=plan, subject_unit=unit, subject_member=member, topic=topic,
                                   starts_on=starts_on, ends_on=ends_on)
    if users:
        item.officers.add(*users)
    plan.version += 1
    plan.save(update_fields=["version"])
    audit(actor=actor, action="inspection.item_added", obj=item, unit=plan.unit,
          data={"plan": plan.pk, "subject_unit": unit.pk if unit else None,
                "subject_member": member.pk if member else None})
    return item


def _item_lock(item: PlanItem) -> PlanItem:
    return (PlanItem.objects.select_for_update(of=("self",))
            .select_related("plan", "plan__unit", "subject_unit", "subject_member").get(pk=item.pk))


def _item_step(actor: Actor, item: PlanItem, name: str) -> PlanItem:
    item = _item_lock(item)
    ITEM.check(actor, item, name)
    return item


def _item_move(actor: Actor, item: PlanItem, state: str, action: str, data: dict | None = None) -> None:
    item.state = state
    item.version += 1
    item.save()
    audit(actor=actor, action=f"inspection.item_{action}", obj=item, unit=item.plan.unit, data=data or {})


@ITEM.runs("start")
@transaction.atomic
def plan_item_progress(*, actor: Actor, item: PlanItem) -> PlanItem:
    item = _item_step(actor, item, "start")
    _item_move(actor, item, ItemState.IN_PROGRESS, "started")
    return item


@ITEM.runs("conclude")
@transaction.atomic
def plan_item_conclude(*, actor: Actor, item: PlanItem, conclusion: str, concluded_on: date | None) -> PlanItem:
    item = _item_step(actor, item, "conclude")
    errors: dict[str, str] = {}
    text = clean_lines(conclusion)
    if len(text) < MIN_TEXT:
        errors["conclusion"] = _("Kết luận quá ngắn (ít nhất %(minimum)s ký tự).") % {"minimum": MIN_TEXT}
    check_day(errors, "concluded_on", concluded_on, not_before=item.starts_on, label=_("ngày bắt đầu"))
    _raise(errors)
    item.conclusion, item.concluded_on = text, concluded_on
    _item_move(actor, item, ItemState.DONE, "concluded")
    return item


@ITEM.runs("cancel")
@transaction.atomic
def plan_item_cancel(*, actor: Actor, item: PlanItem, reason: str) -> PlanItem:
    item = _item_step(actor, item, "cancel")
    item.cancelled_reason = clean(reason)[:500]
    if not item.cancelled_reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    _item_move(actor, item, ItemState.CANCELLED, "cancelled")
    return item


# -- supervision notes -------------------------------------------------------------------------------------------
@transaction.atomic
def note_add(*, actor: Actor, plan: Plan, on: date | None, content: str, follow_up: str = "",
             subject_unit: Unit | int | None = None, subject_member: Member | int | None = None) -> SupervisionNote:
    """A note of day-to-day supervision by the committee of a supervision plan, dated within the plan's year."""
    _require_own(actor, "inspection.plan", plan.unit)
    if plan.kind != Kind.SUPERVISION:
        raise ValidationError({"plan": _("Nội dung giám sát thường xuyên được ghi trong kế hoạch giám sát.")})
    errors: dict[str, str] = {}
    subject_u, member = _subject(actor, plan.unit, subject_unit, subject_member, errors)
    check_day(errors, "on", on)
    if "on" not in errors and on is not None and on.year != plan.year:
        errors["on"] = _("Ngày phải trong năm %(year)s.") % {"year": plan.year}
    content = clean_lines(content, limit=10000)
    if not content:
        errors["content"] = _("Ghi nội dung giám sát.")
    _raise(errors)
    assert on is not None
    note = SupervisionNote.objects.create(unit=plan.unit, subject_unit=subject_u, subject_member=member, on=on,
                                          content=content, follow_up=clean(follow_up)[:300], created_by=actor.label)
    audit(actor=actor, action="inspection.note_added", obj=note, unit=plan.unit, data={"plan": plan.pk})
    return note


# -- inspections when there are signs of a violation -------------------------------------------------------------
def decision_key(decision_no: str) -> str:
    """A decision's number as compared for duplicates: case and spaces ignored ("3-QĐ/ĐU" = "3 - qđ/đu")."""
    return "".join(clean(decision_no).casefold().split())


def _plan_item(item: PlanItem | int, committee: Unit, subject_unit: Unit | None, member: Member | None,
               errors: dict) -> PlanItem | None:
    """The item of the committee's inspection plan, not yet concluded, about the same subject, that the case
    carries out."""
    found = PlanItem.objects.select_related("plan").filter(pk=as_id(item if isinstance(item, int) else item.pk) or 0,
                                                           plan__unit=committee).first()
    same = found is not None and (found.subject_unit_id, found.subject_member_id) == (
        subject_unit.pk if subject_unit else None, member.pk if member else None)
    if found is None or not same or found.plan.kind != Kind.INSPECTION or found.state not in ITEM_OPEN_STATES:
        errors["plan_item"] = (_("Chọn một nội dung chưa kết luận trong kế hoạch kiểm tra của cấp ủy này về cùng đối "
                                 "tượng."))
        return None
    return found


@transaction.atomic
def inspection_open(*, actor: Actor, unit: Unit | int, signs: str, decision_no: str, opened_on: date | None,
                    subject_member: Member | int | None = None, subject_unit: Unit | int | None = None,
                    plan_item: PlanItem | int | None = None) -> Inspection:
    """The committee ``unit`` decides to inspect a member or an organization of its subtree showing signs of a
    violation (``inspection.open`` on the committee itself; never on oneself). No second open inspection of the
    same subject under the same decision. The opener joins the team."""
    if isinstance(unit, int):
        try:
            unit = unit_get(actor, as_id(unit) or 0)  # unknown or out of scope: the same answer
        except Http404:
            raise ValidationError({"unit": NO_UNIT}) from None
    _require_own(actor, "inspection.open", unit)
    errors: dict[str, str] = {}
    subject_u, member = _resolve(actor, subject_unit, subject_member, errors)
    if subject_is(actor, member.pk if member else None, subject_u.pk if subject_u else None):
        raise PermissionDenied("inspection.open: the subject")
    # Two openers at once: one inspection (the subject's row held until the end of the transaction).
    if member is not None:
        member = member_lock(member)
    if subject_u is not None:
        subject_u = unit_lock(subject_u)
    _check_subject(unit, subject_u, member, errors)
    signs = clean_lines(signs, limit=10000)
    if len(signs) < MIN_TEXT:
        errors["signs"] = _("Ghi rõ dấu hiệu vi phạm (ít nhất %(minimum)s ký tự).") % {"minimum": MIN_TEXT}
    decision_no = clean(decision_no)[:60]
    if not decision_no:
        errors["decision_no"] = _("Ghi số quyết định kiểm tra.")
    check_day(errors, "opened_on", opened_on)
    item = _plan_item(plan_item, unit, subject_u, member, errors) if plan_item is not None else None
    if not errors:
        key = decision_key(decision_no)
        numbers = Inspection.objects.filter(subject_member=member, subject_unit=subject_u,
                                            state__in=OPEN_STATES).values_list("decision_no", flat=True)
        if any(decision_key(n) == key for n in numbers):
            errors["decision_no"] = _("Đã có cuộc kiểm tra đang tiến hành đối với đối tượng này theo quyết định này.")
    _raise(errors)
    assert opened_on is not None
    case = Inspection.objects.create(unit=unit, subject_unit=subject_u, subject_member=member, signs=signs,
                                     decision_no=decision_no, opened_on=opened_on, opened_by=actor.label,
                                     plan_item=item, state_since=clock.today())
    if actor.user is not None:
        case.team.add(actor.user)
    audit(actor=actor, action="inspection.opened", obj=case, unit=unit,
          data={"subject_member": member.pk if member else None, "subject_unit": subject_u.pk if subject_u else None,
                "decision": decision_no})
    return case


def _lock(case: Inspection) -> Inspection:
    return (Inspection.objects.select_for_update(of=("self",))
            .select_related("unit", "subject_unit", "subject_member", "subject_member__unit").get(pk=case.pk))


def _step(actor: Actor, case: Inspection, name: str) -> Inspection:
    case = _lock(case)
    CASE.check(actor, case, name)
    return case


def _move(actor: Actor, case: Inspection, state: str | None, action: str, data: dict | None = None) -> None:
    if state is not None:
        case.state, case.state_since = state, clock.today()
    case.version += 1
    case.save()
    audit(actor=actor, action=f"inspection.{action}", obj=case, unit=case.unit, data=data or {})


@CASE.runs("assign")
@transaction.atomic
def inspection_assign(*, actor: Actor, case: Inspection, username: str) -> Inspection:
    """Put an officer on the case's team: inspection staff of the committee, above or below it (never the subject:
    the member themself, or the secretary of the organization inspected)."""
    case = _step(actor, case, "assign")
    name = clean(username)[:150]
    errors: dict[str, str] = {}
    users = _in_charge([name] if name else [], case.unit, errors, "username")
    user = users[0] if users else None
    if user is None:
        raise ValidationError({"username": errors.get("username") or _("Ghi tên đăng nhập.")})
    if case.subject_unit is not None:  # the organization's secretary speaks for it
        is_subject = role_holders([case.subject_unit.path], roles=[Role.SECRETARY]).filter(pk=user.pk).exists()
    else:
        is_subject = user.member_id == case.subject_member_id
    if is_subject:
        raise ValidationError({"username": _("Không đưa đối tượng được kiểm tra vào đoàn kiểm tra.")})
    case.team.add(user)
    _move(actor, case, None, "assigned", {"user": user.pk})
    return case


@CASE.runs("explain")
@transaction.atomic
def inspection_explain(*, actor: Actor, case: Inspection, explanation: str, on: date | None) -> Inspection:
    case = _step(actor, case, "explain")
    errors: dict[str, str] = {}
    case.explanation = clean_lines(explanation)
    if len(case.explanation) < MIN_TEXT:
        errors["explanation"] = _("Bản giải trình quá ngắn (ít nhất %(minimum)s ký tự).") % {"minimum": MIN_TEXT}
    check_day(errors, "on", on, not_before=case.opened_on, label=_("ngày quyết định kiểm tra"))
    _raise(errors)
    case.explained_on = on
    _move(actor, case, CaseState.EXPLAINED, "explained")
    return case


@CASE.runs("conclude")
@transaction.atomic
def inspection_conclude(*, actor: Actor, case: Inspection, conclusion: str, conclusion_no: str,
                        concluded_on: date | None, recommendations: str = "") -> Inspection:
    case = _step(actor, case, "conclude")
    errors: dict[str, str] = {}
    text = clean_lines(conclusion)
    if len(text) < MIN_TEXT:
        errors["conclusion"] = _("Kết luận quá ngắn (ít nhất %(minimum)s ký tự).") % {"minimum": MIN_TEXT}
    conclusion_no = clean(conclusion_no)[:60]
    if not conclusion_no:
        errors["conclusion_no"] = _("Ghi số thông báo kết luận.")
    if case.explained_on is not None:
        check_day(errors, "concluded_on", concluded_on, not_before=case.explained_on, label=_("ngày giải trình"))
    else:
        check_day(errors, "concluded_on", concluded_on, not_before=case.opened_on, label=_("ngày quyết định kiểm tra"))
    _raise(errors)
    case.conclusion, case.recommendations = text, clean_lines(recommendations)
    case.conclusion_no, case.concluded_on = conclusion_no, concluded_on
    _move(actor, case, CaseState.CONCLUDED, "concluded", {"conclusion": conclusion_no})
    return case


@CASE.runs("drop")
@transaction.atomic
def inspection_drop(*, actor: Actor, case: Inspection, reason: str) -> Inspection:
    case = _step(actor, case, "drop")
    case.dropped_reason = clean(reason)[:500]
    if not case.dropped_reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    _move(actor, case, CaseState.DROPPED, "dropped")
    return case
