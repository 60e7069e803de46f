"""The dues rules as the rulebook holds them, and the amount a member owes for a month.

Fixed amounts abroad are rules the upper committee defines per category and currency
(``dues.abroad.<category>.<CUR>``, e.g. ``dues.abroad.spouse.EUR``); the share each kind of unit keeps
before sending the rest up is ``dues.kept.<unit kind>``. Both families are registered with the rulebook
(``core.rulebook.register_family``) so that they are versioned, dated and confirmed like every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core.calendar import add_months
from chibo.core.enums import RuleUnit
from chibo.core.money import format_amount, is_currency, quantize
from chibo.core.rulebook import Family, RuleNotInForce, UnknownRule, integer, number, register_family, rule
from chibo.core.said import Said, said, said_again, said_term, say
from chibo.dues.enums import Base, DecisionKind
from chibo.members.enums import Category
from chibo.units.enums import UnitKind

if TYPE_CHECKING:
    from chibo.dues.models import Decision, Profile

ABROAD = "dues.abroad."
KEPT = "dues.kept."
KEPT_NAME = gettext_noop("Tỷ lệ đảng phí giữ lại")  # "…: <kind>", each half translated by the rule pages
ABROAD_NAME = gettext_noop("Mức đảng phí ở nước ngoài")  # "…: <category>, <currency>"


def _abroad_key_problem(rest: str) -> str:
    category, _sep, currency = rest.partition(".")
    if category not in Category.values or category == Category.DOMESTIC:
        return _("Diện ở nước ngoài không hợp lệ: %(allowed)s") % {
            "allowed": ", ".join(v for v in Category.values if v != Category.DOMESTIC)}
    if not is_currency(currency):
        return _("«%(currency)s» không phải mã đồng tiền ISO 4217 (ví dụ EUR, USD, JPY).") % {"currency": currency}
    return ""


def _kept_key_problem(rest: str) -> str:
    if rest not in UnitKind.values or rest == UnitKind.UPPER_COMMITTEE:
        return _("Loại tổ chức không hợp lệ (đảng ủy cấp trên không nộp lên nữa).")
    return ""


def register() -> None:
    register_family(Family(ABROAD, RuleUnit.FOREIGN_MONEY, "",
                           gettext_noop("Mức đảng phí ở nước ngoài theo diện và đồng tiền"), _abroad_key_problem,
                           name=_abroad_name))
    register_family(Family(KEPT, RuleUnit.RATIO, "", gettext_noop("Tỷ lệ đảng phí trích giữ lại theo loại tổ chức"),
                           _kept_key_problem, name=lambda rest: f"{KEPT_NAME}: {UnitKind(rest).label}"))


def _abroad_name(rest: str) -> str:
    category, _sep, currency = rest.partition(".")
    return f"{ABROAD_NAME}: {Category(category).label}, {currency}"


def abroad_key(category: str, currency: str) -> str:
    return f"{ABROAD}{category}.{currency}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from ``first`` to ``last`` (inclusive)."""
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def party_years(party_from: date, month: date) -> int:
    """Whole years of party age at the end of ``month``, counted from ``party_from`` (the admission decision, or
    the day of admission on older records: ``Member.party_age_from``)."""
    end = add_months(month, 1)
    years = end.year - party_from.year - ((end.month, end.day) < (party_from.month, party_from.day))
    return max(years, 0)


@dataclass(frozen=True)
class Due:
    amount: Decimal
    currency: str
    basis: str                   # how it was computed, in Vietnamese (the row's column, the dues book)
    deferred: bool = False
    said: Mapping[str, Any] = field(default_factory=dict, hash=False)  # the same, as said (core.said): the pages

    @property
    def basis_shown(self) -> str:
        return basis_shown(self.said, self.basis)


def basis_shown(kept: Mapping[str, Any] | None, basis: str) -> str:
    """A month's basis in the reader's language: what was said, as long as it still says the row's Vietnamese
    ``basis`` (a row whose basis was rewritten without it is shown as written)."""
    again = said_again(kept)
    if again is None or again.in_source()[:200] != basis:
        return basis
    return say(kept, basis)


def due_of(amount: Decimal, currency: str, basis: Said, deferred: bool = False) -> Due:
    return Due(amount, currency, basis.in_source()[:200], deferred, basis.stored())


# What a month's basis says (kept with the obligation: ``Obligation.basis_said``); ``MonthRules.due`` in
# dues.generation says it with the same words.
def basis_exempt_by_age(years: int) -> Said:
    return said("Miễn: từ %(years)s năm tuổi Đảng", years=years)


def basis_exempt_by_decision(document: str) -> Said:
    return said("Miễn theo quyết định %(document)s", document=document)


def basis_rate(ratio: Fraction, base_amount: Decimal | None, currency: str, *, pension: bool) -> Said:
    if pension:
        return said("%(percent)s × %(amount)s lương hưu", percent=_percent(ratio),
                    amount=format_amount(base_amount, currency))
    return said("%(percent)s × %(amount)s", percent=_percent(ratio), amount=format_amount(base_amount, currency))


def basis_student() -> Said:
    return said("Mức học sinh, sinh viên")


def basis_fixed(category: str) -> Said:
    return said("Mức cố định: %(category)s", category=said_term(Category(category).label))


def basis_reduced(basis: Said, percent: int, document: str) -> Said:
    return said("%(basis)s, giảm %(percent)s%% (QĐ %(document)s)", basis=said_term(basis), percent=percent,
                document=document)


def basis_voluntary(basis: Said, amount: Decimal, currency: str) -> Said:
    return said("%(basis)s, tự nguyện thêm %(amount)s", basis=said_term(basis),
                amount=format_amount(amount, currency))


def basis_deferred(basis: Said, document: str) -> Said:
    return said("%(basis)s, cho chậm đóng (QĐ %(document)s)", basis=said_term(basis), document=document)


def _fraction(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def base_amount(profile: Profile, month: date) -> tuple[Decimal, Said]:
    """The month's amount from the profile alone (before decisions), and how it was computed.
    Raises RuleNotInForce / UnknownRule when the rule it needs has no version that month."""
    cur = profile.currency
    if profile.base == Base.SALARY:
        ratio = number(rule("dues.rate_salary", on=month))
        amount = quantize(Decimal(profile.base_amount or 0) * _fraction(ratio), cur)
        return amount, basis_rate(ratio, profile.base_amount, cur, pension=False)
    if profile.base == Base.PENSION:
        ratio = number(rule("dues.rate_pension", on=month))
        amount = quantize(Decimal(profile.base_amount or 0) * _fraction(ratio), cur)
        return amount, basis_rate(ratio, profile.base_amount, cur, pension=True)
    if profile.base == Base.STUDENT:
        amount = quantize(_fraction(number(rule("dues.student_monthly", on=month))), "VND")
        return amount, basis_student()
    amount = quantize(_fraction(number(rule(abroad_key(profile.category, cur), on=month))), cur)
    return amount, basis_fixed(profile.category)


def _percent(ratio: Fraction) -> str:
    return (f"{float(ratio * 100):.2f}".rstrip("0").rstrip(".").replace(".", ",")) + "%"


def due_for(*, admission_date: date, profile: Profile, decisions: list[Decision], month: date) -> Due:
    """What a member owes for ``month`` under ``profile`` and the decisions covering that month."""
    cur = profile.currency
    exempt_years = integer(rule("dues.exempt_party_years", on=month))
    if party_years(admission_date, month) >= exempt_years:
        return due_of(Decimal(0), cur, basis_exempt_by_age(exempt_years))
    decision = next((d for d in decisions if d.revoked_at is None and d.month_from <= month <= d.month_to), None)
    if decision is not None and decision.kind == DecisionKind.EXEMPT:
        return due_of(Decimal(0), cur, basis_exempt_by_decision(decision.document))
    amount, basis = base_amount(profile, month)
    if decision is not None and decision.kind == DecisionKind.REDUCE:
        amount = quantize(amount * Decimal(100 - decision.percent) / 100, cur)
        basis = basis_reduced(basis, decision.percent, decision.document)
    if profile.voluntary:
        amount += Decimal(profile.voluntary)
        basis = basis_voluntary(basis, profile.voluntary, cur)
    deferred = decision is not None and decision.kind == DecisionKind.DEFER
    if deferred and decision is not None:
        basis = basis_deferred(basis, decision.document)
    return due_of(quantize(amount, cur), cur, basis, deferred)


def kept_share(unit_kind: str, on: date) -> Fraction:
    """The share of what a unit collects that it keeps (the rest goes up); the top keeps everything."""
    if unit_kind == UnitKind.UPPER_COMMITTEE:
        return Fraction(1)
    try:
        return number(rule(KEPT + unit_kind, on=on))
    except (UnknownRule, RuleNotInForce):
        return Fraction(0)


def prepay_limit(on: date) -> int:
    return integer(rule("dues.prepay_max_months", on=on))


def arrears_threshold(on: date) -> int:
    return integer(rule("strike_off.absence_or_dues_months", on=on))


def reductions_allowed(on: date) -> list[int]:
    return sorted(int(number(rule(f"dues.reduction_{k}", on=on)) * 100) for k in ("low", "mid", "high"))


def reduction_max_months(on: date) -> int:
    return integer(rule("dues.reduction_max_months", on=on))

