"""Writes on dues: profiles and decisions (timeline events), monthly obligations, the ledger (payments with
numbered receipts, reversals), exchange rates and the rates abroad. Remittances: ``dues.remit``.

Every write: lock, check, write, audit (see docs/architecture.md, "The write path"). The ledger is append-only:
a posted entry is never edited or deleted; a mistake is undone by a reversal entry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import SYSTEM, Actor, require, require_top
from chibo.core.audit import audit, audit_each
from chibo.core.calendar import add_months
from chibo.core.counters import take_numbers
from chibo.core.enums import Confidence
from chibo.core.money import format_amount, is_currency, parse_amount, quantize
from chibo.core.rulebook import RuleNotInForce, UnknownRule, rule_define, rule_name, rules_read_once
from chibo.core.said import said
from chibo.core.text import clean
from chibo.deadlines.selectors import open_sources, sources_of
from chibo.deadlines.services import deadline_close_for, deadline_open
from chibo.dues import rules as drules
from chibo.dues.compute import Computer
from chibo.dues.enums import Base, DecisionKind, DecisionReason, EntryKind, Method, RemittanceState
from chibo.dues.lifecycle import REMITTANCE
from chibo.dues.models import Decision, Entry, ExchangeRate, Obligation, Profile, ReceiptCounter, Remittance
from chibo.dues.selectors import (
    Position,
    member_position,
    members_owing,
    positions,
    rate_on,
    remit_figures,
    remits,
    units_to_remit,
)
from chibo.dues.timeline_events import DECISION_RECORDED, DECISION_REVOKED, PROFILE_SET
from chibo.members.enums import ACTIVE_STATUSES, Category
from chibo.members.selectors import member_fresh, members_by_id, members_on_rolls
from chibo.members.timeline import record
from chibo.units.selectors import unit_fresh

if TYPE_CHECKING:
    from chibo.core.models import Rule
    from chibo.members.models import Member
    from chibo.units.models import Unit


def _today() -> date:
    return clock.today()


def _errors(**found: str) -> None:
    errors = {k: v for k, v in found.items() if v}
    if errors:
        raise ValidationError(errors)


def _on_rolls(member: Member) -> None:
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError({"member": _("%(member)s không còn trong danh sách đảng viên của chi bộ "
                                           "(%(status)s): không thu đảng phí.") % {
                                             "member": member.full_name,
                                             "status": _(member.get_status_display()).lower()}})


# --------------------------------------------------------------------------------------------------
# Profiles and decisions
# --------------------------------------------------------------------------------------------------
@transaction.atomic
def profile_set(*, actor: Actor, member: Member, month: date, base: str, currency: str, category: str = "",
                base_amount: Decimal | str | None = None, voluntary: Decimal | str = Decimal(0),
                note: str = "") -> Profile:
    """How much ``member`` pays from ``month`` on: a new profile row (an earlier one for the same month is
    replaced, an earlier month's stays as history); obligations from that month are recomputed."""
    member = member_fresh(member.pk)
    require(actor, "dues.record", member.unit)
    _on_rolls(member)
    month = drules.month_start(month)
    currency = clean(currency).upper()
    category = category or member.category
    problems: dict[str, str] = {}
    if base not in Base.values:
        problems["base"] = _("Cách tính không hợp lệ.")
    if not is_currency(currency):
        problems["currency"] = _("«%(currency)s» không phải mã đồng tiền ISO 4217 (ví dụ EUR, USD, VND).") % {
            "currency": currency}
    if category not in Category.values:
        problems["category"] = _("Diện không hợp lệ.")
    amount = voluntary_amount = None
    if not problems:
        if base in (Base.SALARY, Base.PENSION):
            try:
                amount = parse_amount(base_amount if base_amount is not None and base_amount != "" else "0", currency)
            except ValueError as exc:
                problems["base_amount"] = str(exc)
            else:
                if amount <= 0:
                    problems["base_amount"] = _("Cần ghi tiền lương (hoặc lương hưu) lớn hơn 0.")
        elif base == Base.STUDENT and currency != "VND":
            problems["currency"] = _("Mức học sinh, sinh viên tính bằng đồng Việt Nam (VND).")
        try:
            voluntary_amount = parse_amount(voluntary if voluntary not in (None, "") else "0", currency)
        except ValueError as exc:
            problems["voluntary"] = str(exc)
        else:
            if voluntary_amount < 0:
                problems["voluntary"] = _("Số tiền tự nguyện đóng thêm không được âm.")
    if not problems and base == Base.ABROAD:
        if category == Category.DOMESTIC:
            problems["category"] = _("Mức cố định ở nước ngoài cần một diện ở nước ngoài.")
        else:
            try:
                drules.base_amount(Profile(category=category, base=base, currency=currency), month)
            except (UnknownRule, RuleNotInForce):
                problems["currency"] = (
                    _("Chưa có mức đảng phí cho diện «%(category)s» bằng %(currency)s áp dụng từ tháng "
                      "%(month)s: Đảng ủy cấp trên cần nhập mức này trước (Đảng phí → Mức đóng).") % {
                        "category": _(Category(category).label), "currency": currency, "month": format(month, "%m/%Y")})
    if problems:
        raise ValidationError(problems)
    Profile.objects.filter(member=member, month=month).delete()
    profile = Profile.objects.create(member=member, month=month, category=category, base=base, base_amount=amount,
                                     currency=currency, voluntary=voluntary_amount or 0, note=clean(note)[:200],
                                     created_by=actor.label)
    record(actor=actor, member=member, kind=PROFILE_SET, occurred_on=month, unit=member.unit,
           data={"month": month, "base": base, "currency": currency, "category": category})
    audit(actor=actor, action="dues.profile_set", obj=profile, unit=member.unit,
          data={"member": member.pk, "month": month, "base": base, "currency": currency, "category": category})
    _recompute(member, month)
    return profile


@transaction.atomic
def decision_record(*, actor: Actor, member: Member, kind: str, reason: str, month_from: date, month_to: date,
                    document: str, decided_on: date, percent: int | None = 0) -> Decision:
    """A decision to exempt, reduce or defer a member's dues for a period (the rules bound a reduction's
    percent and length); obligations of those months are recomputed."""
    member = member_fresh(member.pk)
    require(actor, "dues.record", member.unit)
    percent = percent or 0
    month_from, month_to = drules.month_start(month_from), drules.month_start(month_to)
    problems: dict[str, str] = {}
    if kind not in DecisionKind.values:
        problems["kind"] = _("Loại quyết định không hợp lệ.")
    if reason not in DecisionReason.values:
        problems["reason"] = _("Lý do không hợp lệ.")
    if month_to < month_from:
        problems["month_to"] = _("Tháng kết thúc phải từ tháng bắt đầu trở đi.")
    if not clean(document):
        problems["document"] = _("Cần số quyết định.")
    if decided_on > _today():
        problems["decided_on"] = _("Ngày quyết định không thể ở tương lai.")
    if kind == DecisionKind.REDUCE and "month_to" not in problems:
        try:
            allowed = drules.reductions_allowed(month_from)
            longest = drules.reduction_max_months(month_from)
        except (UnknownRule, RuleNotInForce) as exc:
            raise ValidationError({"month_from": _("Chưa có quy định về giảm đảng phí áp dụng cho tháng "
                                                   "%(month_from)s.") % {
                                                     "month_from": format(month_from, "%m/%Y")}}) from exc
        if percent not in allowed:
            problems["percent"] = _("Mức giảm chỉ có thể là %(allowed)s (sổ quy định: các mức giảm đảng phí).") % {
                "allowed": ", ".join(f"{p}%" for p in allowed)}
        if len(drules.months_between(month_from, month_to)) > longest:
            problems["month_to"] = (_("Mỗi lần giảm tối đa %(longest)s tháng (%(rule_name)s); "
                                      "hết hạn thì xét lại bằng quyết định mới.") % {
                                        "longest": longest, "rule_name": rule_name('dues.reduction_max_months')})
    elif kind in DecisionKind.values:
        percent = 100 if kind == DecisionKind.EXEMPT else 0
    if not problems and Decision.objects.filter(member=member, revoked_at__isnull=True, month_from__lte=month_to,
                                                month_to__gte=month_from).exists():
        problems["month_from"] = (_("Đã có một quyết định về đảng phí của đảng viên này trong khoảng thời gian đó; "
                                    "hãy thu hồi quyết định cũ trước."))
    if problems:
        raise ValidationError(problems)
    decision = Decision.objects.create(member=member, kind=kind, reason=reason, percent=percent,
                                       month_from=month_from, month_to=month_to, document=clean(document)[:100],
                                       decided_on=decided_on, created_by=actor.label)
    record(actor=actor, member=member, kind=DECISION_RECORDED, occurred_on=decided_on, unit=member.unit,
           data={"kind": kind, "percent": percent, "from": month_from, "to": month_to, "document": decision.document})
    audit(actor=actor, action="dues.decision_recorded", obj=decision, unit=member.unit,
          data={"member": member.pk, "kind": kind, "percent": percent, "from": month_from, "to": month_to})
    _recompute(member, month_from)
    return decision


@transaction.atomic
def decision_revoke(*, actor: Actor, decision: Decision, reason: str) -> Decision:
    decision = Decision.objects.select_for_update().select_related("member__unit").get(pk=decision.pk)
    require(actor, "dues.record", decision.member.unit)
    if decision.revoked_at is not None:
        raise ValidationError({"reason": _("Quyết định này đã được thu hồi.")})
    if not clean(reason):
        raise ValidationError({"reason": _("Cần ghi lý do thu hồi.")})
    decision.revoked_at, decision.revoked_reason = timezone.now(), clean(reason)[:200]
    decision.save(update_fields=["revoked_at", "revoked_reason"])
    record(actor=actor, member=decision.member, kind=DECISION_REVOKED, occurred_on=_today(),
           unit=decision.member.unit, data={"document": decision.document, "reason": decision.revoked_reason})
    audit(actor=actor, action="dues.decision_revoked", obj=decision, unit=decision.member.unit,
          data={"member": decision.member_id})  # the reason typed stays on the decision
    _recompute(decision.member, decision.month_from)
    return decision


# --------------------------------------------------------------------------------------------------
# Obligations
# --------------------------------------------------------------------------------------------------
def _recompute(member: Member, from_month: date) -> None:
    """Obligations of ``member`` from ``from_month`` to this month: recomputed, created where missing, removed
    where no profile applies any more (they are derived data; the ledger is not touched)."""
    current = drules.month_start(_today())
    computer = Computer.for_members([member.pk])
    existing = {o.month: o for o in Obligation.objects.select_for_update().filter(member=member,
                                                                                 month__gte=from_month)}
    for month in drules.months_between(from_month, current):
        due = computer.due(member.pk, member.party_age_from, month)
        old = existing.get(month)
        if due is None:
            if old is not None:
                old.delete()
            continue
        if old is None:
            Obligation.objects.create(member=member, unit=member.unit, month=month, currency=due.currency,
                                      amount=due.amount, basis=due.basis, basis_said=dict(due.said),
                                      deferred=due.deferred)
        elif ((old.amount, old.currency, old.basis, old.basis_said, old.deferred)
              != (due.amount, due.currency, due.basis, dict(due.said), due.deferred)):
            Obligation.objects.filter(pk=old.pk).update(amount=due.amount, currency=due.currency, basis=due.basis,
                                                        basis_said=dict(due.said), deferred=due.deferred)


def obligations_generate(*, actor: Actor, month: date, unit: Unit | None = None, batch: int = 5000,
                         today: date | None = None) -> int:
    """Create the month's obligation of every member on the rolls (of ``unit``'s subtree) who has a profile and
    none yet for that month; idempotent. Returns how many were created. The sweep calls it every day."""
    month = drules.month_start(month)
    if month > drules.month_start(today or _today()):
        raise ValidationError({"month": _("Chưa đến tháng này: nghĩa vụ đóng đảng phí được tính khi tháng bắt đầu.")})
    if unit is not None:
        require(actor, "dues.record", unit)
    from chibo.dues.generation import generate  # the fast path: rules read once per month, COPY on PostgreSQL

    created = generate(members_on_rolls(unit), month, batch=batch)
    if created:
        audit(actor=actor, action="dues.obligations_generated", unit=unit,
              data={"month": month, "created": created})
    return created


# --------------------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentLine:
    """One payment to post: a member, an amount in the member's currency, optionally the months it is for."""

    member: Member
    amount: Decimal | str
    month_from: date | None = None
    month_to: date | None = None
    reference: str = ""
    statement_key: str | None = None


@dataclass
class Posted:
    entries: list[Entry]
    notes: list[str]  # what the treasurer is told (a month already paid: the money became a credit)


@dataclass
class _Checked:
    member: Member
    amount: Decimal
    currency: str
    settles: tuple[date, date] | None  # the months it goes to, oldest unpaid first
    note: str


def _check_line(line: PaymentLine, unit: Unit, today: date, position: Position) -> _Checked:
    member = line.member
    if member.unit_id != unit.pk:
        raise ValidationError({"member": _("%(member)s không sinh hoạt tại %(unit)s.") % {
            "member": member.full_name, "unit": unit.name}})
    _on_rolls(member)
    currency = position.currency
    if currency is None:
        raise ValidationError({"member": _("%(member)s chưa có mức đóng đảng phí: hãy ghi mức đóng trước.") % {
            "member": member.full_name}})
    try:
        amount = parse_amount(line.amount, currency)
    except ValueError as exc:
        raise ValidationError({"amount": f"{member.full_name}: {exc}"}) from exc
    if amount <= 0:
        raise ValidationError({"amount": _("%(member)s: số tiền phải lớn hơn 0.") % {"member": member.full_name}})
    limit = drules.prepay_limit(today)
    horizon = add_months(drules.month_start(today), limit)
    if not position.covers_with(amount, through=horizon):
        raise ValidationError({"amount": (
            _("%(member)s: %(amount)s vượt quá số tiền đóng trước cho phép "
              "(đến hết tháng %(horizon)s, %(rule_name)s: %(limit)s tháng).") % {
                "member": member.full_name, "amount": format_amount(amount, currency),
                "horizon": format(horizon, "%m/%Y"), "rule_name": rule_name('dues.prepay_max_months'),
                "limit": limit})})
    note = ""
    if line.month_from is not None:
        asked_to = drules.month_start(line.month_to or line.month_from)
        if position.paid_through is not None and asked_to <= position.paid_through:
            first = drules.month_start(line.month_from)
            months = f"{first:%m/%Y}" + (f"–{asked_to:%m/%Y}" if asked_to != first else "")
            note = _("%(member)s: tháng %(months)s đã đóng đủ; %(amount)s được ghi là tiền đóng trước (số dư có).") % {
                "member": member.full_name, "months": months, "amount": format_amount(amount, currency)}
    return _Checked(member, amount, currency, position.months_settled(amount, through=horizon), note)


@transaction.atomic
def payments_post(*, actor: Actor, unit: Unit, lines: Sequence[PaymentLine], paid_on: date, method: str,
                  note: str = "") -> Posted:
    """Post payments of members of ``unit`` (one, or a whole cell's month in one request): each gets a receipt
    numbered per unit and year. All or nothing: one bad line refuses the whole request, saying which."""
    require(actor, "dues.record", unit)
    today = _today()
    _errors(method="" if method in Method.values else _("Hình thức nộp không hợp lệ."),
            paid_on=_("Ngày nộp không thể ở tương lai.") if paid_on > today else "",
            lines="" if lines else _("Chưa chọn đảng viên nào."))
    if len({line.member.pk for line in lines}) != len(lines):
        raise ValidationError({"lines": _("Một đảng viên xuất hiện hai lần trong cùng một lần ghi.")})
    # The unit's receipt counter first: it stays locked until the end, so two requests posting for the unit (a
    # member pays only where they belong) read and write the ledger one after the other. A refused line rolls
    # the numbers back with everything else.
    numbers = take_numbers(ReceiptCounter, unit, paid_on.year, len(lines))
    with rules_read_once():
        found = positions([line.member for line in lines], today=today)  # one read for the whole month
        checked = [_check_line(line, unit, today, found[line.member.pk]) for line in lines]
    collector = actor.user.display_name if actor.user is not None else actor.label
    entries: list[Entry] = []
    for line, c, number in zip(lines, checked, numbers, strict=True):
        month_from = drules.month_start(line.month_from) if line.month_from else None
        month_to = drules.month_start(line.month_to or line.month_from) if line.month_from else None
        settles_from, settles_to = c.settles or (None, None)
        entries.append(Entry(unit=unit, member=c.member, kind=EntryKind.PAYMENT, amount=c.amount,
                             currency=c.currency, method=method, paid_on=paid_on, month_from=month_from,
                             month_to=month_to, settles_from=settles_from, settles_to=settles_to,
                             reference=clean(line.reference)[:120], note=clean(note)[:200],
                             receipt_year=paid_on.year, receipt_number=number, statement_key=line.statement_key,
                             created_by=actor.label, collector=collector[:120]))
    entries = Entry.objects.bulk_create(entries)  # new rows only (Entry.save refuses to change a posted one)
    audit_each(actor=actor, action="dues.payment_posted", objects=entries, unit_for=lambda e: unit,
               data_for=lambda e: {"member": e.member_id, "amount": e.amount, "currency": e.currency,
                                   "receipt": e.receipt, "method": method, "paid_on": paid_on})
    return Posted(entries=entries, notes=[c.note for c in checked if c.note])


@transaction.atomic
def payment_reverse(*, actor: Actor, entry: Entry, reason: str) -> Entry:
    """Undo a posted payment by a reversal entry of the same amount, negative (the payment stays in the book,
    its receipt marked as reversed). A reversal is never reversed; a payment is reversed once."""
    entry = Entry.objects.select_for_update().select_related("unit", "member").get(pk=entry.pk)
    require(actor, "dues.record", entry.unit)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError({"entry": _("Không thể đảo một bút toán đảo: hãy ghi một khoản thu mới nếu cần.")})
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": _("Khoản thu (biên lai %(receipt)s) đã được đảo.") % {
            "receipt": entry.receipt}})
    if not clean(reason):
        raise ValidationError({"reason": _("Cần ghi lý do đảo bút toán.")})
    reversal = Entry(unit=entry.unit, member=entry.member, kind=EntryKind.REVERSAL, amount=-entry.amount,
                     currency=entry.currency, method=entry.method, paid_on=_today(), reverses=entry,
                     note=clean(reason)[:200], created_by=actor.label)
    reversal.save(force_insert=True)
    audit(actor=actor, action="dues.payment_reversed", obj=reversal, unit=entry.unit,
          data={"member": entry.member_id, "reverses": entry.pk, "receipt": entry.receipt, "amount": entry.amount,
                "currency": entry.currency, "reason": reversal.note})
    return reversal


# --------------------------------------------------------------------------------------------------
# Rates abroad and exchange rates (the upper committee)
# --------------------------------------------------------------------------------------------------
def rate_define(*, actor: Actor, category: str, currency: str, amount: str, effective_from: date, basis: str,
                confirmed: bool = False, note: str = "") -> Rule:
    """The monthly amount members of ``category`` pay in ``currency`` from ``effective_from``: a rule of the
    rulebook (``dues.abroad.<category>.<CUR>``), "to confirm" unless the basis was checked."""
    currency = clean(currency).upper()
    return rule_define(actor=actor, key=drules.abroad_key(category, currency), value=str(amount).replace(",", "."),
                       effective_from=drules.month_start(effective_from), basis=basis,
                       confidence=Confidence.CONFIRMED if confirmed else Confidence.TO_CONFIRM, note=note)


def share_define(*, actor: Actor, unit_kind: str, share: str, effective_from: date, basis: str,
                 confirmed: bool = False) -> Rule:
    """The share of collected dues a kind of unit keeps (``dues.kept.<kind>``), the rest going up."""
    return rule_define(actor=actor, key=drules.KEPT + unit_kind, value=share, effective_from=effective_from,
                       basis=basis, confidence=Confidence.CONFIRMED if confirmed else Confidence.TO_CONFIRM)


def _rate_value(text: str) -> Decimal:
    try:
        value = Decimal(clean(text).replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError({"vnd": _("«%(text)s» không phải một tỷ giá.") % {"text": text}}) from exc
    if not value.is_finite() or value <= 0 or value > Decimal(10) ** 9:
        raise ValidationError({"vnd": _("Tỷ giá phải lớn hơn 0 (số đồng cho một đơn vị ngoại tệ).")})
    return quantize(value, "KWD").quantize(Decimal("0.000001"))


@transaction.atomic
def exchange_rate_set(*, actor: Actor, currency: str, day: date, vnd: str, source: str) -> ExchangeRate:
    """The rate of ``currency`` on ``day`` (đồng per unit); a second rate for the same day replaces the first."""
    root = require_top(actor, "dues.rates")
    currency = clean(currency).upper()
    _errors(currency="" if is_currency(currency) and currency != "VND" else
            _("«%(currency)s» không phải một ngoại tệ.") % {"currency": currency},
            source="" if clean(source) else _("Cần ghi nguồn tỷ giá (ví dụ: Ngân hàng Nhà nước, Vietcombank)."),
            day=_("Ngày của tỷ giá không thể ở tương lai.") if day > _today() else "")
    value = _rate_value(vnd)
    rate, created = ExchangeRate.objects.update_or_create(
        currency=currency, day=day, defaults={"vnd": value, "source": clean(source)[:120], "created_by": actor.label})
    audit(actor=actor, action="dues.exchange_rate_set", obj=rate, unit=root,
          data={"currency": currency, "day": day, "vnd": value, "replaced": not created})
    return rate


MAX_RATE_ROWS = 5000


@transaction.atomic
def exchange_rates_import(*, actor: Actor, data: bytes, source: str) -> int:
    """Rates from a CSV with the columns currency, day (dd/mm/yyyy or yyyy-mm-dd), vnd: all lines or none."""
    require_top(actor, "dues.rates")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": _("Tệp phải là CSV mã UTF-8.")}) from exc
    rows = list(csv.reader(io.StringIO(text)))
    if rows and [c.strip().lower() for c in rows[0]][:3] == ["currency", "day", "vnd"]:
        rows = rows[1:]
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ValidationError({"file": _("Tệp không có dòng tỷ giá nào (cột: currency, day, vnd).")})
    if len(rows) > MAX_RATE_ROWS:
        raise ValidationError({"file": _("Tối đa %(limit)s dòng mỗi lần.") % {"limit": MAX_RATE_ROWS}})
    problems: list[str] = []
    parsed: list[tuple[str, date, str]] = []
    seen: set[tuple[str, date]] = set()
    for n, row in enumerate(rows, start=1):
        if len(row) != 3:
            problems.append(_("dòng %(line)s: cần đúng 3 cột (currency, day, vnd)") % {"line": n})
            continue
        day = _parse_day(row[1])
        if day is None:
            problems.append(_("dòng %(line)s: ngày «%(value)s» không hợp lệ") % {"line": n, "value": row[1][:20]})
            continue
        key = (row[0].strip().upper(), day)
        if key in seen:
            problems.append(_("dòng %(line)s: trùng tỷ giá %(currency)s ngày %(day)s") % {
                "line": n, "currency": key[0], "day": format(day, "%d/%m/%Y")})
            continue
        seen.add(key)
        parsed.append((key[0], day, row[2]))
    if problems:
        raise ValidationError({"file": "; ".join(problems[:10]) + (" …" if len(problems) > 10 else "")})
    for n, (currency, day, vnd) in enumerate(parsed, start=1):
        try:
            exchange_rate_set(actor=actor, currency=currency, day=day, vnd=vnd, source=source)
        except ValidationError as exc:
            messages = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            raise ValidationError({"file": _("dòng %(line)s: %(messages)s") % {
                "line": n, "messages": messages}}) from exc
    return len(parsed)


def _parse_day(text: str) -> date | None:
    text = text.strip()
    try:
        if "/" in text:
            d, m, y = (int(p) for p in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# The daily sweep: this month's obligations, and members in arrears on the radar
# --------------------------------------------------------------------------------------------------
ARREARS = "dues.arrears"


def arrears_source(member_id: int, year: int) -> str:
    return f"dues.arrears:{member_id}:{year}"


def dues_sweep(today: date) -> dict[str, int]:
    """Generate this month's obligations (idempotent), then: a member with at least
    ``strike_off.absence_or_dues_months`` unpaid months this year gets a deadline on the cell's radar (the cell
    considers proposing to strike them off; it never strikes off by itself); a member who has since paid up has
    that deadline met."""
    created = obligations_generate(actor=SYSTEM, month=today, today=today)
    threshold = drules.arrears_threshold(today)
    year = today.year
    flagged: dict[int, list[date]] = {}
    owing = members_by_id(members_owing(year))
    for member in owing.values():
        unpaid = member_position(member, today=today).unpaid_months(year)
        if len(unpaid) >= threshold:
            flagged[member.pk] = unpaid
    already = open_sources([ARREARS])
    opened = met = 0
    with transaction.atomic():
        for member_id, months in flagged.items():
            source = arrears_source(member_id, year)
            if source in already:
                continue
            member = owing[member_id]
            deadline_open(actor=SYSTEM, kind=ARREARS, unit=member.unit, member=member, start=today, source=source,
                          title=said("Xem xét đề nghị xóa tên: %(name)s chưa đóng đảng phí %(n)s tháng năm %(year)s",
                                     name=member.full_name, n=len(months), year=year),
                          data={"months": [m.month for m in months], "threshold": threshold})
            opened += 1
        prefix = "dues.arrears:"
        for source in already:
            member_id_text, _sep, source_year = source.removeprefix(prefix).partition(":")
            if source_year == str(year) and int(member_id_text) not in flagged:
                met += deadline_close_for(actor=SYSTEM, source=source, kind=ARREARS, on=today)
    return {"obligations": created, "arrears_opened": opened, "arrears_met": met, "remit_opened": remit_sweep(today)}


# --------------------------------------------------------------------------------------------------
# Remittances up the tree (lifecycle: chibo.dues.lifecycle.REMITTANCE)
# --------------------------------------------------------------------------------------------------
def remit_source(unit_id: int, month: date) -> str:
    return f"dues.remit:{unit_id}:{month:%Y-%m}"


@transaction.atomic
def remittance_send(*, actor: Actor, unit: Unit, month: date, currency: str, sent_on: date,
                    reference: str = "") -> Remittance:
    """Record that ``unit`` sent up its share of ``month``'s dues in ``currency``: the figures are computed
    (collected, confirmed remittances from below, the share kept by rule, the rest), never typed; the amount
    in đồng at the rate of the day sent is kept beside it."""
    unit = unit_fresh(unit.pk)
    require(actor, "dues.remit", unit)
    month = drules.month_start(month)
    currency = clean(currency).upper()
    today = _today()
    _errors(month=_("Chưa đến tháng này.") if month > drules.month_start(today) else "",
            sent_on=_("Ngày nộp không thể ở tương lai.") if sent_on > today else "",
            unit="" if remits(unit) else _("Đảng ủy cấp trên cùng không nộp lên nữa."))
    figures = next((f for f in remit_figures(unit, month) if f.currency == currency), None)
    if figures is None or figures.due_up <= 0:
        raise ValidationError({"currency": _("Tháng %(month)s không có khoản %(currency)s nào phải nộp lên.") % {
            "month": format(month, "%m/%Y"), "currency": currency}})
    if figures.remittance is not None:
        raise ValidationError({"month": _("Đã ghi nộp %(amount)s tháng "
                                          "%(month)s ngày %(sent_on)s.") % {
                                            "amount": format_amount(figures.remittance.due_up, currency),
                                            "month": format(month, "%m/%Y"),
                                            "sent_on": format(figures.remittance.sent_on, "%d/%m/%Y")}})
    rate = Decimal(1) if currency == "VND" else getattr(rate_on(currency, sent_on), "vnd", None)
    remittance = Remittance(
        unit=unit, to_unit=unit.parent, period_from=month, period_to=month, currency=currency,
        collected=figures.collected, received=figures.received, kept_share=figures.share_text, kept=figures.kept,
        due_up=figures.due_up, vnd_rate=rate,
        due_up_vnd=quantize(figures.due_up * rate, "VND") if rate is not None else None,
        sent_on=sent_on, reference=clean(reference)[:120], created_by=actor.label)
    try:
        with transaction.atomic():
            remittance.save(force_insert=True)
    except IntegrityError as exc:  # another treasurer recorded it meanwhile
        raise ValidationError({"month": _("Tháng %(month)s đã được ghi nộp.") % {
            "month": format(month, "%m/%Y")}}) from exc
    deadline_close_for(actor=actor, source=remit_source(unit.pk, month), kind=REMIT, on=sent_on)
    audit(actor=actor, action="dues.remitted", obj=remittance, unit=unit,
          data={"month": month, "currency": currency, "collected": figures.collected, "received": figures.received,
                "kept": figures.kept, "due_up": figures.due_up, "to_unit": unit.parent_id})
    return remittance


def _remittance_locked(remittance: Remittance) -> Remittance:
    return Remittance.objects.select_for_update().select_related("unit", "to_unit").get(pk=remittance.pk)


@REMITTANCE.runs("confirm")
@transaction.atomic
def remittance_confirm(*, actor: Actor, remittance: Remittance, on: date | None = None, note: str = "") -> Remittance:
    remittance = _remittance_locked(remittance)
    REMITTANCE.check(actor, remittance, "confirm")
    on = on or _today()
    _errors(on=_("Ngày nhận không thể trước ngày nộp.") if on < remittance.sent_on else
            (_("Ngày nhận không thể ở tương lai.") if on > _today() else ""))
    remittance.state, remittance.answered_on = RemittanceState.CONFIRMED, on
    remittance.answer_note, remittance.answered_by = clean(note)[:200], actor.label
    remittance.save(update_fields=["state", "answered_on", "answer_note", "answered_by"])
    audit(actor=actor, action="dues.remittance_confirmed", obj=remittance, unit=remittance.to_unit,
          data={"from_unit": remittance.unit_id, "month": remittance.period_from, "due_up": remittance.due_up,
                "currency": remittance.currency})
    return remittance


@REMITTANCE.runs("return")
@transaction.atomic
def remittance_return(*, actor: Actor, remittance: Remittance, reason: str) -> Remittance:
    remittance = _remittance_locked(remittance)
    REMITTANCE.check(actor, remittance, "return")
    _errors(reason="" if clean(reason) else _("Cần ghi lý do trả lại."))
    remittance.state, remittance.answered_on = RemittanceState.RETURNED, _today()
    remittance.answer_note, remittance.answered_by = clean(reason)[:200], actor.label
    remittance.save(update_fields=["state", "answered_on", "answer_note", "answered_by"])
    audit(actor=actor, action="dues.remittance_returned", obj=remittance, unit=remittance.to_unit,
          data={"from_unit": remittance.unit_id, "month": remittance.period_from, "reason": remittance.answer_note})
    return remittance


REMIT = "dues.remit"


def remit_sweep(today: date) -> int:
    """From the first day of a month: each unit with last month's dues still to send up gets a deadline on its
    radar (dues.remit_within days); it is met when the remittance is recorded."""
    month = add_months(drules.month_start(today), -1)
    already = open_sources([REMIT])
    seen = sources_of(REMIT, suffix=f":{month:%Y-%m}")  # met or waived: not opened again
    opened = 0
    for unit in units_to_remit(month):
        source = remit_source(unit.pk, month)
        if source in already or source in seen:
            continue
        deadline_open(actor=SYSTEM, kind=REMIT, unit=unit, start=drules.month_start(today), source=source,
                      title=said("Nộp đảng phí tháng %(month)s lên %(upper)s", month=f"{month:%m/%Y}",
                                 upper=unit.parent.name if unit.parent else ""),
                      data={"month": f"{month:%m/%Y}"})
        opened += 1
    return opened
