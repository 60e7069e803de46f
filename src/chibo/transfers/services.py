"""Writes of the transfer process: every step checks the actor on the unit concerned, validates,
writes the transfer/letter rows, the member's timeline and the audit chain in one transaction.

Deadlines come from the rulebook: ``transfer.start_within`` (the member asks the cell to start the
transfer within N working days of the moving decision) and ``transfer.report_within`` (the member
presents the letter within N days of its date). A missed deadline sets a late flag and needs a reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core import clock
from chibo.core.access import Actor, require
from chibo.core.audit import audit
from chibo.core.calendar import add_months, due_date
from chibo.core.counters import take_numbers
from chibo.core.rulebook import integer, rule
from chibo.core.said import said
from chibo.core.text import clean
from chibo.deadlines.services import deadline_close_for, deadline_meet, deadline_open
from chibo.dues.selectors import paid_through_text
from chibo.members import timeline
from chibo.members.enums import ACTIVE_STATUSES, Status
from chibo.members.enums import Status as MemberStatus
from chibo.members.reviews import may_file, review_decide, review_file, review_opinion
from chibo.members.selectors import member_fresh, members_of_unit
from chibo.members.services import (
    member_change_status,
    member_lock,
    member_move,
    member_transfer_in,
    post_appoint,
    posts_end_on_unit_close,
)
from chibo.transfers import timeline_events as ev
from chibo.transfers import yearly
from chibo.transfers.lifecycle import DECLARATION, DELEGATION, EXEMPTION, TRANSFER, TRIP, next_box_or_refuse
from chibo.transfers.models import (
    INCOMING,
    OPEN_STATES,
    OUTGOING,
    Declaration,
    DeclarationKind,
    Delegation,
    DelegationMember,
    DelegationRole,
    DelegationTask,
    Exemption,
    Form,
    HoldKind,
    Kind,
    Letter,
    LetterCounter,
    OrgKind,
    OutsideOrganization,
    ReturnReview,
    State,
    Transfer,
    TransferHold,
    Trip,
    TripState,
)
from chibo.transfers.selectors import letter_sheet
from chibo.units.enums import UnitKind
from chibo.units.selectors import unit_fresh
from chibo.units.services import unit_close, unit_create, unit_lock

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.units.models import Unit

FAR_FUTURE_DAYS = 366


def _today() -> date:
    return clock.today()


def _event(actor: Actor, t: Transfer, kind: str, on: date, unit: Unit | None = None, **params: Any) -> None:
    """The member's timeline event of a step of the transfer (its parameters, never a sentence)."""
    timeline.record(actor=actor, member=t.member, kind=kind, occurred_on=on, unit=unit or t.unit,
                    data={"transfer": t.pk, "kind": t.kind, "to": t.destination, **params})


def _check_date(errors: dict, name: str, value: date | None, member: Member | None = None) -> None:
    if value is None:
        errors[name] = _("Cần ngày.")
    elif value > _today():
        errors[name] = _("Ngày không thể ở tương lai.")
    elif member is not None and value < member.admission_date:
        errors[name] = _("Ngày trước ngày vào Đảng của đảng viên.")


def member_blockers(member: Member) -> dict[str, str]:
    """Why a member cannot be transferred now (empty when nothing blocks)."""
    errors: dict[str, str] = {}
    hold = TransferHold.objects.filter(member=member, closed_on__isnull=True).first()
    if hold is not None:
        errors["member"] = (_("Đảng viên %(kind)s (%(reference)s); "
                              "không chuyển sinh hoạt đảng.") % {
                                "kind": _(hold.get_kind_display()).lower(), "reference": hold.reference})
    elif member.status not in ACTIVE_STATUSES:
        errors["member"] = _("Đảng viên không còn sinh hoạt Đảng.")
    elif Transfer.objects.filter(member=member, state__in=OPEN_STATES).exists():
        errors["member"] = _("Đảng viên đang có một việc chuyển sinh hoạt chưa xong.")
    return errors


# ------------------------------------------------------------------------------------------------
# Directory of outside organizations; holds
# ------------------------------------------------------------------------------------------------
def _org_name_taken(name: str, exclude: int | None = None) -> bool:
    """Whether another organization of the directory has this name, whatever the letter case
    (compared in Python: SQLite folds only ASCII letters; the directory is small)."""
    folded = name.casefold()
    return any(other.casefold() == folded for other in
               OutsideOrganization.objects.exclude(pk=exclude).values_list("name", flat=True))  # type: ignore[misc]  # pk=None is IS NULL (nothing excluded); the plugin refuses None


@transaction.atomic
def org_create(*, actor: Actor, name: str, kind: str = OrgKind.DOMESTIC_PARTY, upper_name: str = "",
               address: str = "") -> OutsideOrganization:
    require(actor, "transfers.orgs")
    name = clean(name)
    if not name:
        raise ValidationError({"name": _("Cần tên tổ chức.")})
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("Loại tổ chức không hợp lệ.")})
    if _org_name_taken(name):
        raise ValidationError({"name": _("Tổ chức này đã có trong danh mục.")})
    org = OutsideOrganization.objects.create(name=name, kind=kind, upper_name=clean(upper_name),
                                             address=clean(address))
    audit(actor=actor, action="transfers.org_created", obj=org, data={"name": name})
    return org


ORG_FIELDS = ("name", "kind", "upper_name", "address")


@transaction.atomic
def org_update(*, actor: Actor, org: OutsideOrganization, name: str, kind: str, upper_name: str = "",
               address: str = "") -> OutsideOrganization:
    """Correct an organization of the directory; transfers keep pointing at the same row."""
    require(actor, "transfers.orgs")
    org = OutsideOrganization.objects.select_for_update().get(pk=org.pk)
    name = clean(name)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Cần tên tổ chức.")
    elif _org_name_taken(name, exclude=org.pk):
        errors["name"] = _("Đã có một tổ chức khác trùng tên trong danh mục.")
    if kind not in OrgKind.values:
        errors["kind"] = _("Loại tổ chức không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    before = {f: getattr(org, f) for f in ORG_FIELDS}
    org.name, org.kind, org.upper_name, org.address = name, kind, clean(upper_name), clean(address)
    after = {f: getattr(org, f) for f in ORG_FIELDS}
    changed = {f: [before[f], after[f]] for f in ORG_FIELDS if before[f] != after[f]}
    if not changed:
        return org
    org.save(update_fields=list(changed))
    audit(actor=actor, action="transfers.org_updated", obj=org, data={"changes": changed})
    return org


@transaction.atomic
def org_set_active(*, actor: Actor, org: OutsideOrganization, active: bool, reason: str = "") -> OutsideOrganization:
    """Deactivate an organization (no longer offered for new transfers; old transfers and the
    history keep it) or bring it back."""
    require(actor, "transfers.orgs")
    org = OutsideOrganization.objects.select_for_update().get(pk=org.pk)
    if org.active == active:
        raise ValidationError({"reason": _("Tổ chức đang hoạt động.") if active else _("Tổ chức đã ngừng hoạt động.")})
    if not active and not clean(reason):
        raise ValidationError({"reason": _("Cần lý do ngừng sử dụng (ví dụ: sáp nhập, giải thể).")})
    org.active = active
    org.save(update_fields=["active"])
    audit(actor=actor, action="transfers.org_activated" if active else "transfers.org_deactivated", obj=org,
          data={"name": org.name, "reason": clean(reason)[:300]})
    return org


CASE_HOLD_REFERENCE = "Đang xem xét theo hồ sơ của cấp có thẩm quyền"


@transaction.atomic
def hold_open(*, actor: Actor, member: Member, kind: str, reference: str, opened_on: date) -> TransferHold:
    """Flag a member as under inspection / with a pending complaint (the discipline process will
    call this too): no transfer or letter while the flag is open."""
    require(actor, "transfers.hold", member.unit)
    errors: dict[str, str] = {}
    if kind not in HoldKind.values:
        errors["kind"] = _("Loại không hợp lệ.")
    if not clean(reference):
        errors["reference"] = _("Cần số văn bản.")
    _check_date(errors, "opened_on", opened_on)
    if errors:
        raise ValidationError(errors)
    hold = TransferHold.objects.create(member=member, kind=kind, reference=clean(reference), opened_on=opened_on)
    audit(actor=actor, action="transfers.hold_opened", obj=member, unit=member.unit,
          data={"kind": kind, "reference": hold.reference})
    return hold


@transaction.atomic
def hold_close(*, actor: Actor, hold: TransferHold, closed_on: date) -> TransferHold:
    require(actor, "transfers.hold", hold.member.unit)
    hold = TransferHold.objects.select_for_update().get(pk=hold.pk)
    if hold.closed_on is not None:
        raise ValidationError({"closed_on": _("Đã kết thúc.")})
    if hold.owner:
        raise ValidationError({"closed_on": _("Hạn chế này do một hồ sơ đặt; được gỡ khi hồ sơ có quyết định.")})
    if closed_on < hold.opened_on or closed_on > _today():
        raise ValidationError({"closed_on": _("Ngày kết thúc không hợp lệ.")})
    hold.closed_on = closed_on
    hold.save(update_fields=["closed_on"])
    audit(actor=actor, action="transfers.hold_closed", obj=hold.member, unit=hold.member.unit_id,
          data={"reference": hold.reference})
    return hold


def hold_for_case(*, actor: Actor, member: Member, owner: str, opened_on: date) -> TransferHold:
    """The hold a discipline case puts on its member while it is open (the discipline process has checked the
    actor's right to open the case; the flag itself needs no ``transfers.hold``). Its reference says only that a
    case is being considered: the case's papers stay with those who need to know them. Only the owner lifts it."""
    hold = TransferHold.objects.create(member=member, kind=HoldKind.INSPECTION, reference=CASE_HOLD_REFERENCE,
                                       opened_on=opened_on, owner=owner)
    audit(actor=actor, action="transfers.hold_opened", obj=member, unit=member.unit,
          data={"kind": HoldKind.INSPECTION, "reference": hold.reference})
    return hold


def hold_end_for_case(*, actor: Actor, hold: TransferHold, closed_on: date) -> TransferHold:
    """Lift a discipline case's hold once the case is decided or dropped."""
    hold = TransferHold.objects.select_for_update().select_related("member").get(pk=hold.pk)
    if hold.closed_on is None:
        hold.closed_on = max(closed_on, hold.opened_on)
        hold.save(update_fields=["closed_on"])
        audit(actor=actor, action="transfers.hold_closed", obj=hold.member, unit=hold.member.unit_id,
              data={"reference": hold.reference})
    return hold


# ------------------------------------------------------------------------------------------------
# Starting a transfer
# ------------------------------------------------------------------------------------------------
def _start_deadline(actor: Actor, t: Transfer, late_reason: str) -> None:
    version = rule("transfer.start_within", on=t.decision_date)
    t.start_due = due_date(version, t.decision_date, unit=t.unit)
    if t.requested_on > t.start_due:
        if not clean(late_reason):
            raise ValidationError({"late_reason": (
                _("Đề nghị muộn: hạn là %(start_due)s (%(days)s ngày làm việc kể từ quyết định). "
                  "Cần báo cáo lý do chậm.") % {
                      "start_due": format(t.start_due, "%d/%m/%Y"), "days": integer(version)})})
        t.late_start, t.late_start_reason = True, clean(late_reason)[:300]


def _validate_period(errors: dict, kind: str, period_from: date | None, period_to: date | None, on: date) -> None:
    if kind == Kind.TEMPORARY:
        if not period_from or not period_to:
            errors["period_to"] = _("Chuyển tạm thời cần thời gian từ ngày … đến ngày …")
            return
        low = add_months(period_from, integer(rule("transfer.temporary_min_months", on=on)))
        high = add_months(period_from, integer(rule("transfer.temporary_max_months", on=on)))
        if not (low <= period_to < high):
            errors["period_to"] = (_("Chuyển tạm thời từ %(minimum)s "
                                     "đến dưới %(maximum)s tháng; "
                                     "thời gian dài hơn phải chuyển chính thức.") % {
                                       "minimum": integer(rule('transfer.temporary_min_months', on=on)),
                                       "maximum": integer(rule('transfer.temporary_max_months', on=on))})
    elif period_from and period_to and period_to < period_from:
        errors["period_to"] = _("Ngày kết thúc trước ngày bắt đầu.")


@transaction.atomic
def transfer_request(*, actor: Actor, member: Member, kind: str, decision_doc: str, decision_date: date,
                     reason: str, to_unit: Unit | None = None, to_org: OutsideOrganization | None = None,
                     period_from: date | None = None, period_to: date | None = None,
                     requested_on: date | None = None, late_reason: str = "") -> Transfer:
    """The member asks the cell to transfer them (out of the tree, temporarily, home, or inside the tree)."""
    member = member_lock(member)
    require(actor, "transfers.edit", member.unit)
    requested_on = requested_on or _today()
    errors: dict[str, str] = {}
    if kind not in Kind.values or kind in INCOMING:
        errors["kind"] = _("Loại chuyển sinh hoạt không hợp lệ ở đây.")
    errors.update(member_blockers(member))
    if kind in (Kind.INTERNAL, Kind.TEMPORARY) and to_unit is None and to_org is None:
        errors["to_unit"] = _("Cần nơi đến.")
    if kind == Kind.INTERNAL and to_unit is None:
        errors["to_unit"] = _("Cần chi bộ nơi đến trong Đảng bộ.")
    if kind in OUTGOING and to_org is None:
        errors["to_org"] = _("Cần tổ chức đảng nơi đến (trong danh mục).")
    if to_unit is not None:
        to_unit = unit_fresh(to_unit.pk)
        if to_unit.pk == member.unit_id:
            errors["to_unit"] = _("Đảng viên đang sinh hoạt tại tổ chức này.")
        elif not to_unit.is_open:
            errors["to_unit"] = _("«%(to_unit)s» đã giải thể; không thể chuyển đến.") % {"to_unit": to_unit.name}
    if to_org is not None:
        to_org = OutsideOrganization.objects.get(pk=to_org.pk)
        if not to_org.active:
            errors["to_org"] = _("Tổ chức này không còn hoạt động.")
    if not clean(decision_doc):
        errors["decision_doc"] = _("Cần số quyết định điều động.")
    if not clean(reason):
        errors["reason"] = _("Cần lý do.")
    _check_date(errors, "decision_date", decision_date, member)
    _check_date(errors, "requested_on", requested_on, member)
    if decision_date and requested_on and requested_on < decision_date:
        errors["requested_on"] = _("Ngày đề nghị trước ngày quyết định.")
    if kind == Kind.RETURN and not ReturnReview.objects.filter(member=member, certified_on__isnull=False).exists():
        errors["kind"] = _("Cần bản tự kiểm điểm thời gian ở nước ngoài đã được xác nhận trước khi giới thiệu về nước.")
    if not errors:
        _validate_period(errors, kind, period_from, period_to, requested_on)
    if errors:
        raise ValidationError(errors)
    t = Transfer(member=member, kind=kind, from_unit=member.unit, to_unit=to_unit, to_org=to_org, unit=member.unit,
                 decision_doc=clean(decision_doc), decision_date=decision_date, reason=clean(reason),
                 period_from=period_from, period_to=period_to, requested_on=requested_on)
    _start_deadline(actor, t, late_reason)
    try:
        with transaction.atomic():
            t.save()
    except IntegrityError as exc:
        raise ValidationError({"member": _("Đảng viên đang có một việc chuyển sinh hoạt chưa xong.")}) from exc
    dl = deadline_open(actor=actor, kind="transfer.start", unit=member.unit, start=decision_date, member=member,
                       title=said("Đề nghị chuyển sinh hoạt: %(name)s", name=member.full_name),
                       source=t.source)
    deadline_meet(actor=actor, deadline=dl, on=requested_on, reason=t.late_start_reason)
    _event(actor, t, ev.TRANSFER_REQUESTED, requested_on, decision_doc=t.decision_doc,
           late_reason=t.late_start_reason if t.late_start else "")
    return t


def _locked(transfer: Transfer) -> Transfer:
    return (Transfer.objects.select_for_update(of=("self",))
            .select_related("member", "unit", "from_unit", "to_unit", "to_org").get(pk=transfer.pk))


@TRANSFER.runs("approve")
@transaction.atomic
def transfer_approve(*, actor: Actor, transfer: Transfer, on: date) -> Transfer:
    t = _locked(transfer)
    TRANSFER.check(actor, t, "approve")
    errors: dict[str, str] = {}
    _check_date(errors, "on", on, t.member)
    if not errors and on < t.requested_on:
        errors["on"] = _("Ngày đồng ý trước ngày đề nghị.")
    if errors:
        raise ValidationError(errors)
    t.state, t.approved_on = State.APPROVED, on
    t.save(update_fields=["state", "approved_on"])
    _event(actor, t, ev.TRANSFER_APPROVED, on)
    return t


@transaction.atomic
def transfer_register_incoming(*, actor: Actor, member: Member, kind: str, from_org: OutsideOrganization,
                               incoming_letter: str, letter_date: date, decision_doc: str, decision_date: date,
                               to_unit: Unit, reason: str, at_unit: Unit | None = None,
                               late_reason: str = "") -> Transfer:
    """A letter from an outside organization arrives at the upper committee (``at_unit``): a member
    posted abroad (or transferred in) will be introduced on to ``to_unit``."""
    member = member_lock(member)
    at_unit = at_unit or member.unit
    require(actor, "transfers.edit", at_unit)
    require(actor, "transfers.edit", member.unit)
    errors: dict[str, str] = {}
    if kind not in INCOMING:
        errors["kind"] = _("Loại chuyển sinh hoạt không hợp lệ ở đây.")
    errors.update(member_blockers(member))
    to_unit = unit_fresh(to_unit.pk)
    if not to_unit.is_open:
        errors["to_unit"] = _("«%(to_unit)s» đã giải thể; không thể chuyển đến.") % {"to_unit": to_unit.name}
    elif to_unit.pk == member.unit_id:
        errors["to_unit"] = _("Đảng viên đang sinh hoạt tại tổ chức này.")
    elif not to_unit.path.startswith(at_unit.path):
        errors["to_unit"] = _("Nơi đến không thuộc tổ chức tiếp nhận.")
    from_org = OutsideOrganization.objects.get(pk=from_org.pk)
    if not from_org.active:
        errors["from_org"] = _("Tổ chức này không còn hoạt động.")
    if not clean(incoming_letter):
        errors["incoming_letter"] = _("Cần số giấy giới thiệu của nơi đi.")
    if not clean(decision_doc):
        errors["decision_doc"] = _("Cần số quyết định điều động.")
    if not clean(reason):
        errors["reason"] = _("Cần lý do.")
    _check_date(errors, "letter_date", letter_date, member)
    _check_date(errors, "decision_date", decision_date, member)
    if letter_date and decision_date and letter_date < decision_date:
        errors["letter_date"] = _("Ngày giấy giới thiệu trước ngày quyết định.")
    if errors:
        raise ValidationError(errors)
    t = Transfer(member=member, kind=kind, from_org=from_org, to_unit=to_unit, unit=at_unit,
                 decision_doc=clean(decision_doc), decision_date=decision_date, reason=clean(reason),
                 requested_on=letter_date, approved_on=letter_date, issued_on=letter_date,
                 incoming_letter=clean(incoming_letter), state=State.ISSUED)
    _start_deadline(actor, t, late_reason)
    try:
        with transaction.atomic():
            t.save()
    except IntegrityError as exc:
        raise ValidationError({"member": _("Đảng viên đang có một việc chuyển sinh hoạt chưa xong.")}) from exc
    _open_report_deadline(actor, t, letter_date)
    _event(actor, t, ev.TRANSFER_INCOMING, _today(), unit=at_unit, letter=t.incoming_letter, letter_date=letter_date,
           **{"from": from_org.name})
    return t


def _open_report_deadline(actor: Actor, t: Transfer, letter_date: date) -> None:
    deadline_close_for(actor=actor, source=t.source, kind="transfer.report", on=letter_date,
                       waived_reason="Giấy giới thiệu mới thay thế")
    version = rule("transfer.report_within", on=letter_date)
    t.report_due = due_date(version, letter_date, unit=t.to_unit)
    t.save(update_fields=["report_due"])
    deadline_open(actor=actor, kind="transfer.report", unit=t.to_unit or t.from_unit or t.unit, start=letter_date,
                  member=t.member, title=said("Xuất trình giấy giới thiệu: %(name)s", name=t.member.full_name),
                  source=t.source)


# ------------------------------------------------------------------------------------------------
# Letters: gap-free numbers per issuing unit per year
# ------------------------------------------------------------------------------------------------
def next_letter_number(unit: Unit, year: int) -> int:
    """Take the next letter number of ``unit`` in ``year`` (gap-free: ``core.counters``)."""
    return take_numbers(LetterCounter, unit, year)[0]


def _member_list_row(member: Member) -> int:
    return members_of_unit(member.unit).filter(name_sort__lt=member.name_sort).count() + 1


def _valid_dues_month(value: str) -> bool:
    try:
        month, year = value.split("/")
        return 1 <= int(month) <= 12 and 1950 <= int(year) <= 2100 and len(year) == 4
    except ValueError:
        return False


def _issue(actor: Actor, t: Transfer, *, issuer: Unit, form: str, box: int, on: date, addressee: str,
           signer_title: str, signer_name: str, dues_paid_through: str) -> Letter:
    errors: dict[str, str] = {}
    _check_date(errors, "on", on, t.member)
    if not clean(signer_name):
        errors["signer_name"] = _("Cần họ tên người ký.")
    if not clean(signer_title):
        errors["signer_title"] = _("Cần chức vụ người ký.")
    # The dues ledger fills the box when it knows the member; a typed month only where it does not.
    dues_paid_through = paid_through_text(t.member, today=on) or clean(dues_paid_through)
    if not _valid_dues_month(dues_paid_through):
        errors["dues_paid_through"] = (_("Đảng phí đã đóng đến hết tháng: sổ đảng phí chưa có số liệu của đảng viên "
                                         "này, hãy nhập theo dạng mm/yyyy."))
    blockers = member_blockers(t.member)
    if "member" in blockers and blockers["member"] != _("Đảng viên đang có một việc chuyển sinh hoạt chưa xong."):
        errors.update(blockers)
    if errors:
        raise ValidationError(errors)
    seq = next_letter_number(issuer, on.year)
    letter = Letter.objects.create(
        transfer=t, member=t.member, issuer=issuer, year=on.year, seq=seq, form=form, box=box, issued_on=on,
        addressee=clean(addressee)[:200], signer_title=clean(signer_title), signer_name=clean(signer_name),
        dues_paid_through=dues_paid_through, member_list_row=_member_list_row(t.member),
        valid_until=due_date(rule("transfer.report_within", on=on), on, unit=t.to_unit),
    )
    audit(actor=actor, action="transfers.letter_issued", obj=letter, unit=issuer,
          data={"number": letter.number, "year": letter.year, "form": form, "transfer": t.pk})
    return letter


@TRANSFER.runs("issue")
@transaction.atomic
def transfer_issue_letter(*, actor: Actor, transfer: Transfer, on: date, signer_title: str, signer_name: str,
                          dues_paid_through: str) -> Letter:
    """The sending cell issues the letter (box 1 of the 10-box letter, or 2-SHĐ for a temporary transfer)."""
    t = _locked(transfer)
    TRANSFER.check(actor, t, "issue")
    if on < (t.approved_on or t.requested_on):
        raise ValidationError({"on": _("Ngày cấp giấy trước ngày chi bộ đồng ý.")})
    form = Form.TEMPORARY if t.kind == Kind.TEMPORARY else Form.TEN_BOX
    letter = _issue(actor, t, issuer=t.from_unit or t.unit, form=form, box=1, on=on, addressee=t.destination,
                    signer_title=signer_title, signer_name=signer_name, dues_paid_through=dues_paid_through)
    t.state, t.issued_on = State.ISSUED, on
    t.save(update_fields=["state", "issued_on"])
    _open_report_deadline(actor, t, on)
    _event(actor, t, ev.TRANSFER_ISSUED, on, letter=letter.number)
    return letter


@TRANSFER.runs("forward")
@transaction.atomic
def transfer_forward(*, actor: Actor, transfer: Transfer, on: date, signer_title: str, signer_name: str,
                     dues_paid_through: str) -> Letter:
    """The next level up introduces the member on (``lifecycle.next_box_or_refuse``): the upper committee on to the
    destination of a letter from outside the tree, or the committee above the last box of a 10-box
    letter issued in the tree; the report clock restarts at the new letter's date."""
    t = _locked(transfer)
    issuer, box, last = next_box_or_refuse(t)  # the reason when no box can follow
    TRANSFER.check(actor, t, "forward")
    if t.issued_on and on < t.issued_on:
        raise ValidationError({"on": _("Ngày giới thiệu trước ngày của giấy nơi đi.")})
    if last is not None and on < last.issued_on:
        raise ValidationError({"on": _("Ngày giới thiệu trước ngày của ô số %(box)s (%(issued_on)s).") % {
            "box": last.box, "issued_on": format(last.issued_on, "%d/%m/%Y")}})
    form = Form.ABROAD if t.kind == Kind.ABROAD else Form.TEN_BOX
    letter = _issue(actor, t, issuer=issuer, form=form, box=box, on=on, addressee=t.destination,
                    signer_title=signer_title, signer_name=signer_name, dues_paid_through=dues_paid_through)
    t.state, t.forwarded_on = State.FORWARDED, on
    t.save(update_fields=["state", "forwarded_on"])
    _open_report_deadline(actor, t, on)
    _event(actor, t, ev.TRANSFER_FORWARDED, on, unit=issuer, issuer=issuer.name, letter=letter.number,
           box=box if form == Form.TEN_BOX else None)
    return letter


@TRANSFER.runs("receive")
@transaction.atomic
def transfer_receive(*, actor: Actor, transfer: Transfer, on: date) -> Transfer:
    """The destination received the letter; the receipt closes the loop with the sender."""
    t = _locked(transfer)
    TRANSFER.check(actor, t, "receive")
    errors: dict[str, str] = {}
    _check_date(errors, "on", on, t.member)
    letter_on = t.forwarded_on or t.issued_on
    assert letter_on is not None, "received and reported only once the letter is issued"
    if not errors and on < letter_on:
        errors["on"] = _("Ngày nhận trước ngày của giấy giới thiệu.")
    if errors:
        raise ValidationError(errors)
    t.state, t.received_on = State.RECEIVED, on
    t.save(update_fields=["state", "received_on"])
    _event(actor, t, ev.TRANSFER_RECEIVED, on)
    return t


@TRANSFER.runs("report")
@transaction.atomic
def transfer_report_in(*, actor: Actor, transfer: Transfer, on: date, late_reason: str = "") -> Transfer:
    """The member reported to the destination with the letter; late after ``transfer.report_within``."""
    t = _locked(transfer)
    TRANSFER.check(actor, t, "report")
    errors: dict[str, str] = {}
    _check_date(errors, "on", on, t.member)
    letter_on = t.forwarded_on or t.issued_on
    assert letter_on is not None, "received and reported only once the letter is issued"
    if not errors and on < letter_on:
        errors["on"] = _("Ngày đến sinh hoạt trước ngày của giấy giới thiệu.")
    if not errors and t.report_due and on > t.report_due:
        if not clean(late_reason):
            errors["late_reason"] = (_("Quá hạn xuất trình giấy giới thiệu (%(report_due)s); "
                                       "cần báo cáo lý do chậm.") % {"report_due": format(t.report_due, "%d/%m/%Y")})
        else:
            t.late_report, t.late_report_reason = True, clean(late_reason)[:300]
    if errors:
        raise ValidationError(errors)
    t.state, t.reported_on = State.REPORTED, on
    t.save(update_fields=["state", "reported_on", "late_report", "late_report_reason"])
    yearly.mark_transfer(t)  # the statistics' stored transfers per year
    deadline_close_for(actor=actor, source=t.source, kind="transfer.report", on=on, late_reason=t.late_report_reason)
    if t.kind == Kind.TEMPORARY:
        # Still on the home cell's rolls: the destination lists them as a temporary member for the period
        # (transfers.selectors.temporary_members_at), the home cell leaves them out while away.
        pass
    elif t.to_unit is not None and t.member.unit_id != t.to_unit_id:
        member_transfer_in(actor=actor, member=t.member, to_unit=t.to_unit, reason=t.reason,
                           document=t.decision_doc, effective_on=on)
        t.member.refresh_from_db()
    elif t.kind in OUTGOING and t.member.status != MemberStatus.TRANSFERRED_OUT:
        # Now on the rolls of the receiving organization outside the tree: a former member here.
        member_change_status(actor=actor, member=t.member, status=MemberStatus.TRANSFERRED_OUT,
                             reason=f"Đã đến sinh hoạt tại {t.destination}", document=t.decision_doc,
                             effective_on=on)
        t.member.refresh_from_db()
    _event(actor, t, ev.TRANSFER_REPORTED, on, unit=t.to_unit or t.unit, late=t.late_report,
           report_due=t.report_due, late_reason=t.late_report_reason)
    return t


@TRANSFER.runs("cancel")
@transaction.atomic
def transfer_cancel(*, actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    t = _locked(transfer)
    TRANSFER.check(actor, t, "cancel")
    if not clean(reason):
        raise ValidationError({"reason": _("Cần lý do hủy.")})
    t.state, t.cancel_reason = State.CANCELLED, clean(reason)[:300]
    t.save(update_fields=["state", "cancel_reason"])
    deadline_close_for(actor=actor, source=t.source, kind="transfer.report", on=_today(), waived_reason="Đã hủy")
    _event(actor, t, ev.TRANSFER_CANCELLED, _today(), reason=t.cancel_reason)
    return t


@transaction.atomic
def letter_void(*, actor: Actor, letter: Letter, reason: str) -> Letter:
    """Void a miswritten letter: it stays in the book with its number, marked void. Box 1 of the
    10-box letter voids the whole form: the boxes written after it on the same paper are voided with
    it (each stays in its issuer's book) and a new letter is issued from box 1; a later box voids only
    itself. The transfer steps back to the last box still valid (or to the cell's approval)."""

    letter = (Letter.objects.select_for_update(of=("self",)).select_related("transfer", "member", "issuer")
              .get(pk=letter.pk))
    require(actor, "transfers.edit", letter.issuer)
    if letter.is_void:
        raise ValidationError({"reason": _("Giấy này đã hủy.")})
    if not clean(reason):
        raise ValidationError({"reason": _("Cần lý do hủy giấy.")})
    t = Transfer.objects.select_for_update().get(pk=letter.transfer_id)
    list(Letter.objects.select_for_update().filter(transfer=t))
    latest = t.letters.filter(void_reason="").order_by("-pk").first()
    reason = clean(reason)[:300]
    voided = [letter]
    if letter.form == Form.TEN_BOX and letter.box == 1:
        voided += [x for x in letter_sheet(letter) if x.pk > letter.pk and not x.is_void]
    for x in voided:
        x.void_reason = reason if x.pk == letter.pk else f"Ô số 1 (giấy số {letter.number}) bị hủy: {reason}"[:300]
        x.voided_on = _today()
        x.save(update_fields=["void_reason", "voided_on"])
        audit(actor=actor, action="transfers.letter_voided", obj=x, unit=x.issuer,
              data={"number": x.number})  # the reason typed stays on the letter
    if latest is not None and latest.pk in {x.pk for x in voided} and t.state in (State.ISSUED, State.FORWARDED):
        remaining = t.letters.filter(void_reason="").order_by("-pk").first()
        if remaining is None:
            t.state = State.ISSUED if t.kind in INCOMING else State.APPROVED
        else:
            t.state = State.FORWARDED if remaining.box > 1 else State.ISSUED
        t.save(update_fields=["state"])
        if remaining is None:
            deadline_close_for(actor=actor, source=t.source, kind="transfer.report", on=_today(),
                               waived_reason="Giấy giới thiệu bị hủy")
        else:  # the member presents the last valid box: its clock again
            _open_report_deadline(actor, t, remaining.issued_on)
    _event(actor, t, ev.LETTER_VOIDED, _today(), letter=letter.number, reason=letter.void_reason,
           boxes=[x.box for x in voided[1:]])
    return letter


# ------------------------------------------------------------------------------------------------
# Return: certified self-review of the time abroad
# ------------------------------------------------------------------------------------------------
@transaction.atomic
def return_review_submit(*, actor: Actor, member: Member, period_from: date, period_to: date,
                         text: str) -> ReturnReview:
    """The member (or the cell on their behalf) files the self-review of the time abroad."""
    if actor.member_id != member.pk:
        require(actor, "transfers.edit", member.unit)
    errors: dict[str, str] = {}
    _check_date(errors, "period_from", period_from, member)
    _check_date(errors, "period_to", period_to)
    if not errors and period_to < period_from:
        errors["period_to"] = _("Ngày kết thúc trước ngày bắt đầu.")
    if len(clean(text)) < 20:
        errors["text"] = _("Bản tự kiểm điểm quá ngắn.")
    if errors:
        raise ValidationError(errors)
    review = ReturnReview.objects.create(member=member, unit=member.unit, period_from=period_from,
                                         period_to=period_to, text=clean(text)[:20000], submitted_on=_today())
    timeline.record(actor=actor, member=member, kind=ev.RETURN_REVIEW_FILED, occurred_on=_today(),
                    data={"review": review.pk, "from": period_from, "to": period_to})
    return review


@transaction.atomic
def return_review_certify(*, actor: Actor, review: ReturnReview, certified_by: str, certifier_label: str,
                          certified_on: date, certified_ref: str) -> ReturnReview:
    review = ReturnReview.objects.select_for_update(of=("self",)).select_related("member", "unit").get(pk=review.pk)
    require(actor, "transfers.edit", review.unit)
    errors: dict[str, str] = {}
    if review.is_certified:
        errors["certified_on"] = _("Bản tự kiểm điểm đã được xác nhận.")
    if certified_by not in ReturnReview.Certifier.values:
        errors["certified_by"] = _("Chọn chi ủy hoặc cơ quan đại diện.")
    if not clean(certifier_label):
        errors["certifier_label"] = _("Cần ghi ai (cơ quan nào) xác nhận.")
    if not clean(certified_ref):
        errors["certified_ref"] = _("Cần số văn bản xác nhận.")
    _check_date(errors, "certified_on", certified_on)
    if not errors and certified_on < review.submitted_on:
        errors["certified_on"] = _("Ngày xác nhận trước ngày nộp.")
    if errors:
        raise ValidationError(errors)
    review.certified_by, review.certifier_label = certified_by, clean(certifier_label)
    review.certified_on, review.certified_ref = certified_on, clean(certified_ref)
    review.save()
    timeline.record(actor=actor, member=review.member, kind=ev.RETURN_REVIEW_CERTIFIED, occurred_on=certified_on,
                    data={"review": review.pk, "by": review.certifier_label, "ref": review.certified_ref})
    return review


# ------------------------------------------------------------------------------------------------
# Delegations: temporary cells (members attached for the mission, closed on return)
# ------------------------------------------------------------------------------------------------
# Committee posts go to full members only: a probationary member has every right of a member except
# voting, standing for and electing the party's leading bodies (Điều lệ Đảng, Điều 5).
COMMITTEE_ROLES = (DelegationRole.SECRETARY, DelegationRole.DEPUTY_SECRETARY, DelegationRole.COMMITTEE_MEMBER)
MAX_DELEGATION_TASKS = 30


def _delegation_team_errors(errors: dict, team: list[tuple[Member, str]], on: date) -> list[tuple[Member, str]]:
    """Validate the picked members and their posts; returns the team with fresh member rows."""
    fresh: list[tuple[Member, str]] = []
    seen: set[int] = set()
    problems: list[str] = []
    for member, role in team:
        m = member_fresh(member.pk)
        if m.pk in seen:
            problems.append(_("%(member)s được chọn hai lần.") % {"member": m.full_name})
            continue
        seen.add(m.pk)
        if role not in DelegationRole.values:
            problems.append(_("%(member)s: chức vụ trong đoàn không hợp lệ.") % {"member": m.full_name})
            continue
        fresh.append((m, role))
        blockers = member_blockers(m)
        open_link = DelegationMember.objects.filter(member=m, detached_on__isnull=True) \
            .select_related("delegation__unit").first()
        if blockers:
            problems.append(f"{m.full_name}: {blockers['member']}")
        elif open_link is not None:
            problems.append(_("%(member)s đang là thành viên %(unit)s (chưa kết thúc).") % {
                "member": m.full_name, "unit": open_link.delegation.unit.name})
        elif m.status == Status.SUSPENDED:
            problems.append(_("%(member)s đang bị đình chỉ sinh hoạt; không cử vào chi bộ tạm thời.") % {
                "member": m.full_name})
        elif on and m.admission_date > on:
            problems.append(_("%(member)s vào Đảng sau ngày thành lập chi bộ tạm thời.") % {"member": m.full_name})
        if role in COMMITTEE_ROLES and m.status != Status.FULL:
            errors.setdefault("roles", (_("%(member)s là %(status)s, không được chỉ định "
                                          "%(role)s: cấp ủy chỉ gồm đảng viên chính thức.") % {
                                            "member": m.full_name, "status": _(m.get_status_display()).lower(),
                                            "role": _(DelegationRole(role).label).lower()}))
    if not team:
        errors["members"] = _("Cần chọn các đảng viên của đoàn.")
    elif problems:
        errors["members"] = " ".join(problems)
    secretaries = [m for m, role in fresh if role == DelegationRole.SECRETARY]
    if not secretaries:
        errors.setdefault("roles", _("Cần chỉ định bí thư chi bộ tạm thời."))
    elif len(secretaries) > 1:
        errors["roles"] = _("Chỉ chỉ định một bí thư; đang chọn %(members)s.") % {
            "members": ", ".join(m.full_name for m in secretaries)}
    return fresh


def _delegation_tasks(errors: dict, tasks: list[tuple[str, date | None]], opened_on: date | None,
                      return_on: date | None) -> list[tuple[str, date | None]]:
    items = [(clean(text), due) for text, due in tasks if clean(text) or due]
    problems = []
    for i, (text, due) in enumerate(items, 1):
        if not text:
            problems.append(_("Nhiệm vụ %(number)s: cần nội dung.") % {"number": i})
        elif len(text) > 500:
            problems.append(_("Nhiệm vụ %(number)s: tối đa 500 ký tự.") % {"number": i})
        if due and opened_on and due < opened_on:
            problems.append(_("Nhiệm vụ %(number)s: thời hạn trước ngày thành lập chi bộ.") % {"number": i})
        elif due and return_on and due > return_on:
            problems.append(_("Nhiệm vụ %(number)s: thời hạn sau ngày dự kiến về nước.") % {"number": i})
    if not items:
        errors["tasks"] = _("Cần giao ít nhất một nhiệm vụ cho chi bộ trong thời gian ở nước ngoài.")
    elif len(items) > MAX_DELEGATION_TASKS:
        errors["tasks"] = _("Tối đa %(limit)s nhiệm vụ.") % {"limit": MAX_DELEGATION_TASKS}
    elif problems:
        errors["tasks"] = " ".join(problems)
    return items


@transaction.atomic
def delegation_cell_create(*, actor: Actor, parent: Unit, name: str, code: str, country: str, opened_on: date,
                           document: str, return_on: date, team: list[tuple[Member, str]],
                           tasks: list[tuple[str, date | None]]) -> Delegation:
    """The upper committee sets up a temporary cell for a delegation with at least the rule's number
    of full members (``delegation.min_full_members_for_cell``): attaches the members for the mission,
    appoints the committee (one secretary, deputies, committee members) and gives it its tasks.

    ``team`` pairs each member with their post (``DelegationRole``); ``tasks`` pairs each task's text
    with its optional due date. Refused as a whole, nothing written, on any problem."""
    require(actor, "units.edit", parent)
    parent = unit_fresh(parent.pk)
    for member, _role in team:
        require(actor, "members.status", member_fresh(member.pk).unit)
    errors: dict[str, str] = {}
    if not parent.is_open:
        errors["parent"] = _("«%(parent)s» đã giải thể; không thể lập chi bộ tạm thời trực thuộc.") % {
            "parent": parent.name}
    if not clean(name):
        errors["name"] = _("Cần tên chi bộ tạm thời.")
    if not clean(document):
        errors["document"] = _("Cần số quyết định thành lập của Đảng ủy cấp trên.")
    if len(clean(country)) != 2 or not clean(country).isalpha():
        errors["country"] = _("Nước đến: mã ISO 3166 hai chữ cái, ví dụ JP.")
    if opened_on is None:
        errors["opened_on"] = _("Cần ngày thành lập.")
    elif opened_on > _today():
        errors["opened_on"] = _("Ngày thành lập không thể ở tương lai.")
    elif opened_on < parent.opened_on:
        errors["opened_on"] = _("Ngày thành lập trước ngày thành lập tổ chức cấp trên.")
    if return_on is None:
        errors["return_on"] = _("Cần ngày dự kiến về nước.")
    elif opened_on is not None and return_on <= opened_on:
        errors["return_on"] = _("Ngày dự kiến về nước phải sau ngày thành lập.")
    elif opened_on is not None:
        limit = integer(rule("transfer.official_abroad_min_months", on=opened_on))
        if return_on >= add_months(opened_on, limit):
            errors["return_on"] = (_("Đoàn ở nước ngoài từ %(limit)s tháng trở lên: đảng viên phải chuyển sinh hoạt "
                                     "chính thức, không lập chi bộ tạm thời.") % {"limit": limit})
    fresh = _delegation_team_errors(errors, team, opened_on)
    items = _delegation_tasks(errors, tasks, opened_on, return_on)
    need = integer(rule("delegation.min_full_members_for_cell", on=opened_on or _today()))
    full = [m for m, _role in fresh if m.status == Status.FULL]
    if team and len(full) < need:
        errors["members"] = (_("Đoàn cần ít nhất %(minimum)s đảng viên chính thức để lập chi bộ tạm thời "
                               "(đang chọn %(count)s).") % {"minimum": need, "count": len(full)}
                             + " " + errors.get("members", "")).strip()
    if errors:
        raise ValidationError(errors)
    unit = unit_create(actor=actor, parent=parent, kind=UnitKind.DELEGATION_CELL, name=name, code=code,
                       opened_on=opened_on, country=clean(country).upper(), mission_kind="delegation",
                       opened_by_doc=clean(document))
    delegation = Delegation.objects.create(unit=unit, return_on=return_on)
    DelegationTask.objects.bulk_create([DelegationTask(delegation=delegation, position=i, text=text, due_on=due)
                                        for i, (text, due) in enumerate(items, 1)])
    order = {role: i for i, role in enumerate(DelegationRole.values)}
    for m, role in sorted(fresh, key=lambda pair: order[pair[1]]):
        try:
            with transaction.atomic():
                DelegationMember.objects.create(delegation=delegation, member=m, from_unit=m.unit, role=role,
                                                attached_on=opened_on)
        except IntegrityError as exc:
            raise ValidationError({"members": _("%(member)s vừa được cử vào một đoàn khác.") % {
                "member": m.full_name}}) from exc
        member_move(actor=actor, member=m, to_unit=unit, reason=f"Thành viên đoàn công tác ({unit.name})",
                    document=clean(document), effective_on=opened_on)
        if role in COMMITTEE_ROLES:
            post_appoint(actor=actor, unit=unit, member=m, role=role, from_date=opened_on,
                         decision_no=clean(document), decision_date=opened_on)
    audit(actor=actor, action="transfers.delegation_created", obj=unit, unit=unit,
          data={"members": [m.pk for m, _r in fresh], "tasks": len(items), "return_on": return_on.isoformat(),
                "document": clean(document)})
    return delegation


@DELEGATION.runs("close")
@transaction.atomic
def delegation_cell_close(*, actor: Actor, delegation: Delegation, closed_on: date, document: str) -> Delegation:
    """The delegation returns: the committee posts end, the members go back to the units they came
    from, the cell closes. A member whose home unit has closed meanwhile must be moved first."""
    delegation = Delegation.objects.select_related("unit").get(pk=delegation.pk)
    unit = unit_lock(delegation.unit)
    delegation.unit = unit
    DELEGATION.check(actor, delegation, "close")
    errors: dict[str, str] = {}
    if not clean(document):
        errors["document"] = _("Cần số quyết định kết thúc chi bộ tạm thời.")
    if closed_on is None or closed_on < unit.opened_on or closed_on > _today():
        errors["closed_on"] = _("Ngày kết thúc phải từ ngày thành lập đến hôm nay.")
    links = list(delegation.attached.filter(detached_on__isnull=True).select_related("member", "from_unit"))
    stranded = [link for link in links if link.member.unit_id == unit.pk and link.member.status in ACTIVE_STATUSES
                and not link.from_unit.is_open]
    if stranded and not errors:
        errors["members"] = _("%(members)s. Hãy chuyển sinh hoạt các đảng viên này trước.") % {
            "members": "; ".join(_("%(member)s: «%(unit)s» đã giải thể") % {
                "member": link.member.full_name, "unit": link.from_unit.name} for link in stranded)}
    if errors:
        raise ValidationError(errors)
    posts_end_on_unit_close(actor=actor, unit=unit, closed_on=closed_on,
                            reason="Đoàn công tác về nước, chi bộ tạm thời kết thúc")
    for link in links:
        member = member_fresh(link.member_id)
        if member.unit_id == unit.pk and member.status in ACTIVE_STATUSES:
            member_move(actor=actor, member=member, to_unit=link.from_unit,
                        reason=f"Đoàn công tác về nước ({unit.name})",
                        document=clean(document), effective_on=closed_on)
        link.detached_on = closed_on
        link.save(update_fields=["detached_on"])
    unit_close(actor=actor, unit=unit, closed_on=closed_on, document=document)
    audit(actor=actor, action="transfers.delegation_closed", obj=unit, unit=unit,
          data={"closed_on": closed_on.isoformat(), "members": [link.member_id for link in links],
                "document": clean(document)})
    return delegation


# ------------------------------------------------------------------------------------------------
# Requests filed abroad, reviewed by the cell and the committee (members.reviews): trips, declarations,
# exemptions. The member files for themself, the cell for a member of its scope.
# ------------------------------------------------------------------------------------------------
def _country(errors: dict, value: str, *, required: bool) -> str:
    code = clean(value).upper()
    if (code or required) and (len(code) != 2 or not code.isalpha()):
        errors["country"] = (_("Nước đến: mã ISO 3166 hai chữ cái, ví dụ JP.") if required
                             else _("Mã nước ISO 3166 hai chữ cái."))
    return code


@transaction.atomic
def trip_apply(*, actor: Actor, member: Member, country: str, purpose: str, depart_on: date, return_on: date) -> Trip:
    today = _today()
    errors: dict[str, str] = {}
    code = _country(errors, country, required=True)
    if not clean(purpose):
        errors["purpose"] = _("Cần mục đích chuyến đi.")
    if depart_on is None or depart_on <= today:
        errors["depart_on"] = _("Phải nộp đơn trước ngày đi.")
    elif depart_on > today + timedelta(days=FAR_FUTURE_DAYS):
        errors["depart_on"] = _("Ngày đi quá xa.")
    if return_on is None or (depart_on and return_on < depart_on):
        errors["return_on"] = _("Ngày về phải sau ngày đi.")
    may_file(actor, member, "transfers.edit")
    if errors:
        raise ValidationError(errors)
    return review_file(actor=actor, model=Trip, member=member, perm="transfers.edit", event=ev.TRIP_FILED,
                       data={"country": code, "depart_on": depart_on, "return_on": return_on},
                       country=code, purpose=clean(purpose), depart_on=depart_on, return_on=return_on)


@TRIP.runs("opinion")
def trip_opinion(*, actor: Actor, trip: Trip, opinion: str) -> Trip:
    return review_opinion(actor=actor, lc=TRIP, obj=trip, opinion=opinion, event=ev.TRIP_OPINION)


@TRIP.runs("decide")
@transaction.atomic
def trip_decide(*, actor: Actor, trip: Trip, approve: bool, document: str) -> Trip:
    """The committee above the cell decides; when approved, the report deadline runs from the return date."""
    trip = review_decide(actor=actor, lc=TRIP, obj=trip, approve=approve, document=document, event=ev.TRIP_DECIDED)
    if approve:
        trip.report_due = due_date(rule("trip.report_within", on=trip.return_on), trip.return_on, unit=trip.unit)
        trip.save(update_fields=["report_due"])
        deadline_open(actor=actor, kind="trip.report", unit=trip.unit, start=trip.return_on, member=trip.member,
                      title=said("Báo cáo sau chuyến đi nước ngoài: %(name)s", name=trip.member.full_name),
                      source=trip.source)
    return trip


@TRIP.runs("report")
@transaction.atomic
def trip_report(*, actor: Actor, trip: Trip, text: str) -> Trip:
    trip = Trip.objects.select_for_update(of=("self",)).select_related("member", "unit").get(pk=trip.pk)
    TRIP.check(actor, trip, "report")
    today = _today()
    if len(clean(text)) < 10:
        raise ValidationError({"text": _("Cần nội dung báo cáo.")})
    trip.state, trip.report_text, trip.reported_on = TripState.REPORTED, clean(text)[:5000], today
    trip.late_report = bool(trip.report_due and today > trip.report_due)
    trip.save()
    deadline_close_for(actor=actor, source=trip.source, kind="trip.report", on=today)
    timeline.record(actor=actor, member=trip.member, kind=ev.TRIP_REPORTED, occurred_on=today, unit=trip.unit,
                    data={"id": trip.pk, "late": trip.late_report, "report_due": trip.report_due})
    return trip


# Kinds declared by structured fields only: the fact (the kind), the country and the day. A marriage to a
# foreigner records the spouse's nationality and nothing else about the spouse (no name, no birth year).
STRUCTURED_KINDS = {DeclarationKind.FOREIGN_MARRIAGE: gettext_lazy("ngày kết hôn (dự kiến)"),
                    DeclarationKind.FOREIGN_NATIONALITY: gettext_lazy("ngày nhập quốc tịch (dự kiến)")}


@transaction.atomic
def declaration_file(*, actor: Actor, member: Member, kind: str, subject: str = "", country: str = "",
                     event_on: date | None = None) -> Declaration:
    """A member's declaration about themself. Marriage to a foreigner and foreign nationality are declared by
    their fields only (country and day), never in free text: no details of another person are kept."""
    errors: dict[str, str] = {}
    if kind not in DeclarationKind.values:
        errors["kind"] = _("Loại khai báo không hợp lệ.")
    structured = kind in STRUCTURED_KINDS
    if structured and clean(subject):
        errors["subject"] = (_("Loại khai báo này chỉ gồm sự việc, quốc gia và ngày; không ghi tên, năm sinh hay "
                               "thông tin nào khác về người khác."))
    elif not structured and not clean(subject):
        errors["subject"] = _("Cần nội dung khai báo (về bản thân).")
    if structured and event_on is None:
        errors["event_on"] = _("Cần %(date)s.") % {"date": STRUCTURED_KINDS[DeclarationKind(kind)]}
    code = _country(errors, country, required=structured)
    may_file(actor, member, "transfers.edit")
    if errors:
        raise ValidationError(errors)
    return review_file(actor=actor, model=Declaration, member=member, perm="transfers.edit",
                       event=ev.DECLARATION_FILED, data={"kind": kind, "country": code},
                       kind=kind, subject="" if structured else clean(subject)[:300], country=code, event_on=event_on)


@DECLARATION.runs("opinion")
def declaration_opinion(*, actor: Actor, declaration: Declaration, opinion: str) -> Declaration:
    return review_opinion(actor=actor, lc=DECLARATION, obj=declaration, opinion=opinion, event=ev.DECLARATION_OPINION)


@DECLARATION.runs("decide")
@transaction.atomic
def declaration_decide(*, actor: Actor, declaration: Declaration, approve: bool, document: str) -> Declaration:
    return review_decide(actor=actor, lc=DECLARATION, obj=declaration, approve=approve, document=document,
                         event=ev.DECLARATION_DECIDED)


@transaction.atomic
def exemption_apply(*, actor: Actor, member: Member, period_from: date, period_to: date, reason: str) -> Exemption:
    """A member abroad alone for under ``transfer.official_abroad_min_months`` months asks to be exempted
    from party work and meetings for the period (or the cell records the application for them)."""
    errors: dict[str, str] = {}
    if period_from is None:
        errors["period_from"] = _("Cần ngày bắt đầu.")
    elif period_to is None or period_to < period_from:
        errors["period_to"] = _("Ngày kết thúc trước ngày bắt đầu.")
    else:
        limit = integer(rule("transfer.official_abroad_min_months", on=period_from))
        if period_to >= add_months(period_from, limit):
            errors["period_to"] = (_("Miễn sinh hoạt chỉ cho thời gian dưới %(limit)s tháng; dài hơn phải chuyển "
                                     "sinh hoạt chính thức.") % {"limit": limit})
    if not clean(reason):
        errors["reason"] = _("Cần lý do.")
    may_file(actor, member, "transfers.edit")
    if errors:
        raise ValidationError(errors)
    return review_file(actor=actor, model=Exemption, member=member, perm="transfers.edit", event=ev.EXEMPTION_FILED,
                       data={"from": period_from, "to": period_to},
                       period_from=period_from, period_to=period_to, reason=clean(reason)[:300])


@EXEMPTION.runs("opinion")
def exemption_opinion(*, actor: Actor, exemption: Exemption, opinion: str) -> Exemption:
    return review_opinion(actor=actor, lc=EXEMPTION, obj=exemption, opinion=opinion, event=ev.EXEMPTION_OPINION)


@EXEMPTION.runs("decide")
@transaction.atomic
def exemption_decide(*, actor: Actor, exemption: Exemption, approve: bool, document: str) -> Exemption:
    return review_decide(actor=actor, lc=EXEMPTION, obj=exemption, approve=approve, document=document,
                         event=ev.EXEMPTION_DECIDED)


# ------------------------------------------------------------------------------------------------
# Rotation in bulk: preview every member's transfer and deadline, then commit all or nothing
# ------------------------------------------------------------------------------------------------
def rotation_preview(*, actor: Actor, members: list[Member], kind: str, decision_doc: str, decision_date: date,
                     reason: str, to_unit: Unit | None = None, to_org: OutsideOrganization | None = None) -> list[dict]:
    """What ``rotation_commit`` would do, row by row, without writing anything (runs the same service
    in a transaction that is rolled back)."""
    rows = []
    for member in members:
        row = {"member": member, "errors": {}, "start_due": None, "report_due": None}
        try:
            with transaction.atomic():
                t = transfer_request(actor=actor, member=member, kind=kind, to_unit=to_unit, to_org=to_org,
                                     decision_doc=decision_doc, decision_date=decision_date, reason=reason)
                row["start_due"] = t.start_due
                row["report_due"] = due_date(rule("transfer.report_within", on=_today()), _today(), unit=to_unit)
                raise _Rollback
        except _Rollback:
            pass
        except ValidationError as exc:
            row["errors"] = exc.message_dict
        rows.append(row)
    return rows


class _Rollback(Exception):
    pass


@transaction.atomic
def rotation_commit(*, actor: Actor, members: list[Member], kind: str, decision_doc: str, decision_date: date,
                    reason: str, to_unit: Unit | None = None,
                    to_org: OutsideOrganization | None = None) -> list[Transfer]:
    """Start the transfer of every member, all or nothing: the first refusal rolls everything back
    and names the member."""
    done = []
    for member in members:
        try:
            done.append(transfer_request(actor=actor, member=member, kind=kind, to_unit=to_unit, to_org=to_org,
                                         decision_doc=decision_doc, decision_date=decision_date, reason=reason))
        except ValidationError as exc:
            raise ValidationError({"members": f"{member.full_name}: "
                                              + "; ".join(m for ms in exc.message_dict.values() for m in ms)}) from exc
    return done
