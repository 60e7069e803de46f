"""Writes of work programs and proposals (docs/domain.md §14): a unit's program for a year or a quarter and its
items (started, completed with evidence, dropped with a reason, handed down to the units directly below, reminded
by the committee above), and the proposals a unit raises to the committee directly above it (received, answered
within ``programs.proposal_answer_within``, or withdrawn). Every refusal names the field it concerns; a refused
write writes nothing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.accounts.selectors import role_holders
from chibo.core import clock
from chibo.core.access import Actor, Role
from chibo.core.audit import audit
from chibo.core.clock import check_day
from chibo.core.said import Said, said
from chibo.core.text import as_id, clean, clean_lines
from chibo.deadlines.services import deadline_close_for, deadline_open
from chibo.library.selectors import document_get
from chibo.members.selectors import member_get
from chibo.notifications.enums import Channel
from chibo.notifications.services import notify
from chibo.programs import selectors
from chibo.programs.enums import DEADLINE_KIND, EDIT, ItemState, ProposalState
from chibo.programs.lifecycle import ITEM, PROPOSAL, raising_units
from chibo.programs.models import Item, Program, Proposal, period_label, period_label_vi
from chibo.units.selectors import unit_get

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

NO_UNIT = gettext_lazy("Không tìm thấy tổ chức này trong phạm vi của đồng chí.")
NOT_OWN = gettext_lazy("Chỉ cấp ủy, bí thư của chính tổ chức này ghi chương trình công tác của tổ chức.")
# Who hears of an item handed down, a reminder or an answer: the unit's secretary and committee members.
UNIT_LEADERS = (Role.SECRETARY, Role.COMMITTEE)
# Who hears of a proposal: whoever answers for the committee it is addressed to.
ANSWERERS = (Role.SECRETARY, Role.ORG_OFFICER)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _unit(actor: Actor, unit: Unit | int, field: str = "unit") -> Unit:
    if not isinstance(unit, int):
        return unit
    try:
        return unit_get(actor, as_id(unit) or 0)
    except Http404:
        raise ValidationError({field: NO_UNIT}) from None


def _tell(actor: Actor, unit: Unit, roles: tuple[str, ...], *, kind: str, title: Said, url: str, key: str = "") -> None:
    notify(actor=actor, users=role_holders([unit.path], roles=list(roles)), kind=kind, title=title, url=url,
           unit=unit, key=key, ref=url[:80], channels=(Channel.IN_APP, Channel.EMAIL))


# -- programs ----------------------------------------------------------------------------------------------------
def _check_period(year: int, quarter: int, errors: dict) -> None:
    if not 2000 <= year <= 2100:
        errors["year"] = _("Năm không hợp lệ.")
    if quarter not in (0, 1, 2, 3, 4):
        errors["quarter"] = _("Chọn cả năm hoặc một quý.")


@transaction.atomic
def program_create(*, actor: Actor, unit: Unit | int, year: int, quarter: int | None = 0, title: str) -> Program:
    """A unit's work program for a year (quarter 0) or a quarter, kept by the unit's own committee (``meetings.manage``
    held on the unit itself); one per unit and period."""
    unit = _unit(actor, unit)
    if unit.pk not in actor.units_holding(EDIT):
        raise ValidationError({"unit": NOT_OWN})
    quarter = quarter or 0
    errors: dict[str, str] = {}
    _check_period(year, quarter, errors)
    title = clean(title)[:200]
    if not title:
        errors["title"] = _("Ghi tên chương trình.")
    if unit.closed_on is not None:
        errors["unit"] = _("Tổ chức này đã giải thể.")
    taken = _("%(unit)s đã có chương trình công tác %(period)s; mở chương trình đó.") % {
        "unit": unit.name, "period": period_label(year, quarter).lower()}
    if not errors and Program.objects.filter(unit=unit, year=year, quarter=quarter).exists():
        errors["quarter"] = taken
    _raise(errors)
    try:
        with transaction.atomic():  # two creating at once: the second is told, as above
            program = Program.objects.create(unit=unit, year=year, quarter=quarter, title=title,
                                             created_by=actor.label)
    except IntegrityError:
        raise ValidationError({"quarter": taken}) from None
    audit(actor=actor, action="programs.program_created", obj=program, unit=unit,
          data={"year": year, "quarter": quarter})
    return program


def _program_lock(program: Program) -> Program:
    return Program.objects.select_for_update(of=("self",)).select_related("unit").get(pk=program.pk)


def _owner(actor: Actor, program: Program, owner_member: Member | int | None, owner_role: str,
           errors: dict) -> tuple[Member | None, str]:
    """A member on the rolls of the program's unit or below, or a post or role: exactly one."""
    role = clean(owner_role)[:120]
    if (owner_member is None) == (not role):
        message = _("Chọn một đảng viên phụ trách hoặc ghi chức danh, bộ phận phụ trách (chỉ một trong hai).")
        errors["owner_member"] = errors["owner_role"] = message
        return None, ""
    if owner_member is None:
        return None, role
    try:
        member = (member_get(actor, as_id(owner_member) or 0) if isinstance(owner_member, int) else owner_member)
    except Http404:
        member = None
    if member is None or not member.unit.path.startswith(program.unit.path):
        errors["owner_member"] = _("Chọn một đảng viên sinh hoạt trong %(unit)s.") % {"unit": program.unit.name}
        return None, ""
    return member, ""


def _check_due(program: Program, due_on: date | None, errors: dict) -> None:
    first, last = program.bounds
    if due_on is None:
        errors["due_on"] = _("Nhập hạn hoàn thành.")
    elif not first <= due_on <= last:
        errors["due_on"] = (_("Hạn phải trong thời kỳ của chương trình (%(period)s: "
                              "%(first)s – %(last)s).") % {
                                "period": program.period_label.lower(), "first": format(first, "%d/%m/%Y"),
                                "last": format(last, "%d/%m/%Y")})


@transaction.atomic
def item_add(*, actor: Actor, program: Program, title: str, due_on: date | None,
             owner_member: Member | int | None = None, owner_role: str = "") -> Item:
    """An item of the program (``meetings.manage`` on the program's unit itself): its owner, its due date within
    the program's period."""
    if program.unit_id not in actor.units_holding(EDIT):
        raise PermissionDenied(EDIT)
    program = _program_lock(program)
    errors: dict[str, str] = {}
    title = clean(title)[:300]
    if not title:
        errors["title"] = _("Ghi nội dung công việc.")
    member, role = _owner(actor, program, owner_member, owner_role, errors)
    _check_due(program, due_on, errors)
    _raise(errors)
    assert due_on is not None
    item = Item.objects.create(program=program, title=title, owner_member=member, owner_role=role, due_on=due_on)
    program.version += 1
    program.save(update_fields=["version"])
    audit(actor=actor, action="programs.item_added", obj=item, unit=program.unit,
          data={"program": program.pk, "due": due_on, "owner_member": member.pk if member else None})
    return item


def _item_step(actor: Actor, item: Item, name: str) -> Item:
    item = (Item.objects.select_for_update(of=("self",))
            .select_related("program", "program__unit", "program__unit__parent").get(pk=item.pk))
    ITEM.check(actor, item, name)
    return item


def _item_save(item: Item) -> None:
    item.version += 1
    item.save()


@ITEM.runs("start")
@transaction.atomic
def item_start(*, actor: Actor, item: Item) -> Item:
    item = _item_step(actor, item, "start")
    item.state = ItemState.IN_PROGRESS
    _item_save(item)
    audit(actor=actor, action="programs.item_started", obj=item, unit=item.program.unit)
    return item


@ITEM.runs("complete")
@transaction.atomic
def item_complete(*, actor: Actor, item: Item, evidence: str, done_on: date | None,
                  document: int | None = None) -> Item:
    """Done, with what was done and its evidence: a note, and optionally a document of the library the actor
    sees."""
    item = _item_step(actor, item, "complete")
    errors: dict[str, str] = {}
    text = clean_lines(evidence, limit=5000)
    if len(text) < 10:
        errors["evidence"] = _("Ghi kết quả, minh chứng (ít nhất 10 ký tự).")
    check_day(errors, "done_on", done_on)
    doc = None
    if document is not None:
        try:
            doc = document_get(actor, document)
        except Http404:
            errors["document"] = _("Không tìm thấy tài liệu này trong mục Tài liệu của đồng chí.")
    _raise(errors)
    item.state, item.evidence, item.done_on, item.document = ItemState.DONE, text, done_on, doc
    _item_save(item)
    audit(actor=actor, action="programs.item_done", obj=item, unit=item.program.unit,
          data={"on": done_on, "document": doc.pk if doc else None, "late": bool(done_on and done_on > item.due_on)})
    return item


@ITEM.runs("drop")
@transaction.atomic
def item_drop(*, actor: Actor, item: Item, reason: str) -> Item:
    item = _item_step(actor, item, "drop")
    item.dropped_reason = clean(reason)[:500]
    if not item.dropped_reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    item.state = ItemState.DROPPED
    _item_save(item)
    audit(actor=actor, action="programs.item_dropped", obj=item, unit=item.program.unit)
    return item


def _program_of(unit: Unit, year: int, quarter: int, actor: Actor) -> Program:
    """The unit's program of the period, opened for it when an item is handed down and it has none yet."""
    program = Program.objects.select_for_update().filter(unit=unit, year=year, quarter=quarter).first()
    if program is None:
        program = Program.objects.create(unit=unit, year=year, quarter=quarter, created_by=actor.label,
                                         title=f"Chương trình công tác {period_label_vi(year, quarter).lower()}")
        audit(actor=actor, action="programs.program_created", obj=program, unit=unit,
              data={"year": year, "quarter": quarter, "handed_down": True})
    return program


@ITEM.runs("hand_down")
@transaction.atomic
def item_hand_down(*, actor: Actor, item: Item, units: list[int | Unit]) -> list[Item]:
    """Hand the item to units directly below: each gets a linked item, due the same day, in its own program of the
    same period, which its committee carries out and reports on."""
    item = _item_step(actor, item, "hand_down")
    allowed = {u.pk: u for u in selectors.hand_down_choices(item)}
    wanted = [u if isinstance(u, int) else u.pk for u in units]
    if not wanted:
        raise ValidationError({"units": _("Chọn ít nhất một tổ chức trực thuộc.")})
    refused = [pk for pk in wanted if pk not in allowed]
    if refused:
        raise ValidationError({"units": _("Chỉ giao được cho tổ chức đảng trực thuộc trực tiếp, đang hoạt động, chưa "
                                          "nhận việc này.")})
    program = item.program
    created = []
    for pk in dict.fromkeys(wanted):
        child = allowed[pk]
        target = _program_of(child, program.year, program.quarter, actor)
        copy = Item.objects.create(program=target, parent=item, title=item.title, owner_role="Cấp ủy, bí thư",
                                   due_on=item.due_on)
        created.append(copy)
        audit(actor=actor, action="programs.item_handed_down", obj=copy, unit=child,
              data={"from_item": item.pk, "from_unit": program.unit_id})
        _tell(actor, child, UNIT_LEADERS, kind="programs.handed_down",
              title=said("%(unit)s giao việc: %(item)s", unit=program.unit.name, item=item.title[:120]),
              url=f"/programs/items/{copy.pk}/")
    _item_save(item)
    return created


@ITEM.runs("remind")
@transaction.atomic
def item_remind(*, actor: Actor, item: Item) -> Item:
    """The committee above reminds the unit's secretary and committee of an open item (once a day at most)."""
    item = _item_step(actor, item, "remind")
    today = clock.today()
    late = item.due_on < today
    about = {"due": f"{item.due_on:%d/%m/%Y}", "item": item.title[:120]}
    title = (said("Nhắc việc quá hạn (%(due)s): %(item)s", **about) if late
             else said("Nhắc việc sắp đến hạn (%(due)s): %(item)s", **about))
    _tell(actor, item.program.unit, UNIT_LEADERS, kind="programs.reminder", title=title,
          url=f"/programs/items/{item.pk}/", key=f"programs.remind:{item.pk}:{today.isoformat()}")
    item.reminded_on = today
    _item_save(item)
    audit(actor=actor, action="programs.item_reminded", obj=item, unit=item.program.unit, data={"late": late})
    return item


# -- proposals ---------------------------------------------------------------------------------------------------
def _source(proposal: Proposal) -> str:
    return f"programs.proposal:{proposal.pk}"


@transaction.atomic
def proposal_raise(*, actor: Actor, unit: Unit | int, title: str, body: str) -> Proposal:
    """A unit (its secretary or a committee member, on the unit itself) raises a proposal or a question to the
    committee directly above it; the answer is due within ``programs.proposal_answer_within``, on that committee's
    deadline radar until then."""
    unit = _unit(actor, unit)
    if unit.pk not in raising_units(actor):
        raise PermissionDenied("programs.raise")
    errors: dict[str, str] = {}
    title, body = clean(title)[:200], clean_lines(body, limit=10000)
    if not title:
        errors["title"] = _("Ghi vấn đề kiến nghị, đề xuất.")
    if len(body) < 10:
        errors["body"] = _("Ghi nội dung (ít nhất 10 ký tự).")
    if unit.parent_id is None:
        errors["unit"] = _("Tổ chức này không có cấp ủy cấp trên trong hệ thống.")
    _raise(errors)
    to_unit = unit.parent
    assert to_unit is not None
    today = clock.today()
    proposal = Proposal.objects.create(unit=unit, to_unit=to_unit, title=title, body=body, raised_on=today,
                                       raised_by=actor.label)
    deadline = deadline_open(actor=actor, kind=DEADLINE_KIND, unit=to_unit, start=today, source=_source(proposal),
                             title=said("Trả lời kiến nghị số %(no)s của %(unit)s", no=proposal.pk, unit=unit.name))
    proposal.due_on = deadline.due_date
    proposal.save(update_fields=["due_on"])
    audit(actor=actor, action="programs.proposal_raised", obj=proposal, unit=unit,
          data={"to_unit": to_unit.pk, "due": proposal.due_on})
    _tell(actor, to_unit, ANSWERERS, kind="programs.proposal", url=f"/programs/proposals/{proposal.pk}/",
          title=said("Kiến nghị của %(unit)s: %(title)s (trả lời trước %(due)s)", unit=unit.name, title=title[:120],
                     due=f"{proposal.due_on:%d/%m/%Y}"))
    return proposal


def _proposal_step(actor: Actor, proposal: Proposal, name: str) -> Proposal:
    proposal = (Proposal.objects.select_for_update(of=("self",)).select_related("unit", "to_unit")
                .get(pk=proposal.pk))
    PROPOSAL.check(actor, proposal, name)
    return proposal


def _proposal_save(proposal: Proposal) -> None:
    proposal.version += 1
    proposal.save()


@PROPOSAL.runs("receive")
@transaction.atomic
def proposal_receive(*, actor: Actor, proposal: Proposal, on: date | None) -> Proposal:
    proposal = _proposal_step(actor, proposal, "receive")
    errors: dict[str, str] = {}
    check_day(errors, "on", on, not_before=proposal.raised_on, label=_("ngày gửi"))
    _raise(errors)
    proposal.state, proposal.received_on = ProposalState.RECEIVED, on
    _proposal_save(proposal)
    audit(actor=actor, action="programs.proposal_received", obj=proposal, unit=proposal.to_unit)
    return proposal


@PROPOSAL.runs("answer")
@transaction.atomic
def proposal_answer(*, actor: Actor, proposal: Proposal, answer: str, on: date | None) -> Proposal:
    """The committee the proposal is addressed to answers it; the deadline closes (late answers stay marked)."""
    proposal = _proposal_step(actor, proposal, "answer")
    errors: dict[str, str] = {}
    text = clean_lines(answer, limit=10000)
    if len(text) < 10:
        errors["answer"] = _("Ghi nội dung trả lời (ít nhất 10 ký tự).")
    check_day(errors, "on", on, not_before=proposal.raised_on, label=_("ngày gửi"))
    _raise(errors)
    assert on is not None
    proposal.state, proposal.answer, proposal.answered_on = ProposalState.ANSWERED, text, on
    proposal.answered_by = actor.label
    _proposal_save(proposal)
    late = proposal.due_on is not None and on > proposal.due_on
    deadline_close_for(actor=actor, source=_source(proposal), kind=DEADLINE_KIND, on=on,
                       late_reason="Trả lời sau hạn" if late else "")
    audit(actor=actor, action="programs.proposal_answered", obj=proposal, unit=proposal.to_unit,
          data={"on": on, "late": late})
    _tell(actor, proposal.unit, UNIT_LEADERS, kind="programs.answered", url=f"/programs/proposals/{proposal.pk}/",
          title=said("%(unit)s đã trả lời kiến nghị: %(title)s", unit=proposal.to_unit.name,
                     title=proposal.title[:120]))
    return proposal


@PROPOSAL.runs("withdraw")
@transaction.atomic
def proposal_withdraw(*, actor: Actor, proposal: Proposal, reason: str) -> Proposal:
    proposal = _proposal_step(actor, proposal, "withdraw")
    proposal.withdrawn_reason = clean(reason)[:500]
    if not proposal.withdrawn_reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    proposal.state = ProposalState.WITHDRAWN
    _proposal_save(proposal)
    deadline_close_for(actor=actor, source=_source(proposal), kind=DEADLINE_KIND, on=clock.today(),
                       waived_reason="Tổ chức gửi đã rút kiến nghị.")
    audit(actor=actor, action="programs.proposal_withdrawn", obj=proposal, unit=proposal.unit)
    return proposal
