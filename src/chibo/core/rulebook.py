"""The rulebook: every threshold, deadline and rate as versioned data (design principle 2).

    rule("admission.ceremony_within", on=date(2026, 3, 2))  → the Rule version in force that day

A case keeps the version that applied when its clock started: deadlines store the version they
used. A changed regulation is a new version (``rule_add_version``), never an edit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from chibo.core.access import Actor, require_top
from chibo.core.audit import audit
from chibo.core.models import Comparison, Confidence, Rule, RuleUnit
from chibo.core.money import format_amount, minor_digits
from chibo.core.text import clean

# Bounds beyond which a value is absurd for its unit (refused when a version is added).
LIMITS: dict[str, tuple[Fraction, Fraction]] = {
    RuleUnit.CALENDAR_DAYS: (Fraction(0), Fraction(3660)),
    RuleUnit.WORKING_DAYS: (Fraction(0), Fraction(2500)),
    RuleUnit.MONTHS: (Fraction(0), Fraction(600)),
    RuleUnit.YEARS: (Fraction(0), Fraction(120)),
    RuleUnit.MINUTES: (Fraction(0), Fraction(1440)),
    RuleUnit.COUNT: (Fraction(0), Fraction(10_000)),
    RuleUnit.POINTS: (Fraction(0), Fraction(100)),
    RuleUnit.RATIO: (Fraction(0), Fraction(1)),
    RuleUnit.MONEY: (Fraction(0), Fraction(1_000_000_000)),
    RuleUnit.FOREIGN_MONEY: (Fraction(0), Fraction(1_000_000)),
}


@dataclass(frozen=True)
class Family:
    """Rules whose keys the upper committee creates itself, under a prefix an app declares: the amounts of
    dues abroad by category and currency (``dues.abroad.<category>.<CUR>``), the share each kind of unit
    keeps. ``check`` returns what is wrong with the rest of a key ("" when it is fine)."""

    prefix: str
    unit: str
    comparison: str
    label: str
    check: Callable[[str], str]
    # The name of one rule of the family from the rest of its key ("student.EUR" → "… học sinh, sinh viên, EUR").
    name: Callable[[str], str] | None = None


FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> None:
    FAMILIES[family.prefix] = family


def family_of(key: str) -> Family | None:
    return next((f for prefix, f in FAMILIES.items() if key.startswith(prefix)), None)


def money_currency(version: Rule) -> str:
    """The currency of a money rule: VND, or the last part of a foreign-money rule's key."""
    return version.key.rsplit(".", 1)[-1] if version.unit == RuleUnit.FOREIGN_MONEY else "VND"


class UnknownRule(LookupError):
    """Code asked for a key the rulebook does not have: a programming error, caught by tests."""


class RuleNotInForce(LookupError):
    """The key exists but no version is in force on the date asked."""

    # What a user is told when a date they gave falls outside every version (pages and API alike).
    user_message = gettext_lazy("Ngày nằm ngoài thời gian có hiệu lực của quy định áp dụng; hãy kiểm tra lại ngày.")


def parse_value(value: str) -> Fraction:
    text = clean(value).replace(",", ".").replace(" ", "")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValidationError({"value": _("«%(value)s» không phải một số hoặc phân số (ví dụ 60, 0.5, 2/3).") % {
            "value": value}}) from exc


def number(version: Rule) -> Fraction:
    return parse_value(version.value)


def integer(version: Rule) -> int:
    value = number(version)
    if value.denominator != 1:
        raise ValueError(f"rule {version.key} is not a whole number: {version.value}")
    return int(value)


_READ: ContextVar[dict[tuple[str, date], Rule] | None] = ContextVar("rulebook_read", default=None)


@contextmanager
def rules_read_once() -> Iterator[None]:
    """Within the block, each (key, day) is read from the rulebook once (a request that computes many members'
    months asks the same few rules thousands of times). Nested blocks share the outer one's reads."""
    token = _READ.set({}) if _READ.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _READ.reset(token)


def rule(key: str, *, on: date) -> Rule:
    """The version of ``key`` in force on ``on``."""
    read = _READ.get()
    if read is None:
        return _rule(key, on)
    found = read.get((key, on))
    if found is None:
        found = read[(key, on)] = _rule(key, on)
    return found


def _rule(key: str, on: date) -> Rule:
    versions = Rule.objects.filter(key=key)
    found = versions.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on).first()
    if found is not None:
        return found
    if not versions.exists():
        raise UnknownRule(key)
    raise RuleNotInForce(f"{key} has no version in force on {on:%d/%m/%Y}")


MAX_PATTERN = 40  # the length of Rule.value


def pattern_problem(value: str) -> str:
    """What is wrong with the value of a format rule (a regular expression the whole identifier must match);
    "" when it is usable."""
    if not value or len(value) > MAX_PATTERN:
        return _("Mẫu định dạng gồm 1–%(limit)s ký tự.") % {"limit": MAX_PATTERN}
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError):
        return _("«%(value)s» không phải một biểu thức chính quy hợp lệ (ví dụ [0-9]{8}).") % {"value": value}
    return ""


MARKUP = re.compile(r"[<>{}\[\]\\|`$@#*_=~^]")


def name_problem(value: str) -> str:
    """What is wrong with the value of a name rule (what a kind of unit is called); "" when it is usable."""
    if not value or len(value) > MAX_PATTERN:
        return _("Tên gọi gồm 1–%(limit)s ký tự.") % {"limit": MAX_PATTERN}
    if MARKUP.search(value) or not any(ch.isalpha() for ch in value):
        return _("Tên gọi chỉ gồm chữ, số, dấu cách và dấu câu thông thường.")
    return ""


def pattern(version: Rule) -> re.Pattern[str]:
    """The compiled regular expression of a format rule (``RuleUnit.PATTERN``); use ``fullmatch``."""
    if version.unit != RuleUnit.PATTERN:
        raise ValueError(f"{version.key} is not a format rule")
    return _compiled(version.value)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(value: str) -> re.Pattern[str]:
    found = _PATTERNS.get(value)
    if found is None:
        found = _PATTERNS[value] = re.compile(value)
    return found


def ratio_needed(version: Rule, total: int) -> int:
    """The smallest number of votes out of ``total`` that satisfies a ratio rule."""
    if version.unit != RuleUnit.RATIO:
        raise ValueError(f"{version.key} is not a ratio")
    exact = number(version) * total
    if version.comparison == Comparison.MORE_THAN:
        return math.floor(exact) + 1
    return math.ceil(exact)


def rule_keys() -> list[str]:
    return list(Rule.objects.order_by().values_list("key", flat=True).distinct().order_by("key"))


def rule_history(key: str) -> list[Rule]:
    return list(Rule.objects.filter(key=key).order_by("effective_from"))


def describe_value(version: Rule) -> str:
    """The value as a reader says it: "60 ngày làm việc", "2/3 (66,67%)", "5.000 đồng (VND)"."""
    if version.unit in (RuleUnit.PATTERN, RuleUnit.NAME):
        return version.value
    try:
        value = number(version)
    except ValidationError:
        return version.value
    if version.unit == RuleUnit.RATIO:
        percent = f"{float(value * 100):.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{version.value} ({percent}%)"
    if version.unit == RuleUnit.MONEY and value.denominator == 1:
        return f"{int(value):,}".replace(",", ".") + f" {version.get_unit_display()}"
    if version.unit == RuleUnit.FOREIGN_MONEY:
        return format_amount(Decimal(value.numerator) / Decimal(value.denominator), money_currency(version))
    return f"{version.value} {version.get_unit_display()}"


def in_force(version: Rule, on: date) -> bool:
    return version.effective_from <= on and (version.effective_to is None or on <= version.effective_to)


def rules_in_force(*, on: date) -> list[tuple[str, Rule | None]]:
    """Every key of the rulebook with the version in force on ``on`` (None when none is), in one query."""
    found: dict[str, Rule | None] = {}
    for version in Rule.objects.order_by("key", "effective_from"):
        found.setdefault(version.key, None)
        if in_force(version, on):
            found[version.key] = version
    return sorted(found.items())


def _value_errors(like: Rule, value: str, basis: str, confidence: str) -> dict[str, str]:
    """What is wrong with a new version's value (for the unit of ``like``), basis and confidence."""
    errors: dict[str, str] = {}
    parsed = None
    if like.unit == RuleUnit.PATTERN:
        if problem := pattern_problem(clean(value)):
            errors["value"] = problem
    elif like.unit == RuleUnit.NAME:
        if problem := name_problem(clean(value)):
            errors["value"] = problem
    else:
        try:
            parsed = parse_value(value)
        except ValidationError as exc:
            errors["value"] = exc.message_dict["value"][0]
    if parsed is not None:
        low, high = LIMITS[like.unit]
        if not (low <= parsed <= high) or (like.unit == RuleUnit.RATIO and parsed == 0):
            errors["value"] = _("Giá trị %(value)s %(unit)s không hợp lý (cho phép %(low)s–%(high)s).") % {
                "value": value, "unit": _(like.get_unit_display()), "low": low, "high": high}
        elif (like.unit == RuleUnit.FOREIGN_MONEY
              and (parsed * 10 ** minor_digits(money_currency(like))).denominator != 1):
            errors["value"] = _("%(currency)s chỉ có %(digits)s chữ số sau dấu phẩy.") % {
                "currency": money_currency(like), "digits": minor_digits(money_currency(like))}
        elif like.unit not in (RuleUnit.RATIO, RuleUnit.MONEY, RuleUnit.FOREIGN_MONEY) and parsed.denominator != 1:
            errors["value"] = _("Giá trị phải là số nguyên %(unit)s.") % {"unit": _(like.get_unit_display())}
    if not clean(basis):
        errors["basis"] = _("Cần ghi văn bản căn cứ (số hiệu, điều khoản).")
    if confidence not in Confidence.values:
        errors["confidence"] = _("Mức độ xác nhận không hợp lệ.")
    return errors


@transaction.atomic
def rule_define(*, actor: Actor, key: str, value: str, effective_from: date, basis: str,
                confidence: str = Confidence.TO_CONFIRM, note: str = "") -> Rule:
    """A rule of a registered family (``FAMILIES``): its first version when the key is new, else a new version
    (``rule_add_version``). Only keys of a family may be created; every other key comes with the product."""
    root = require_top(actor, "rules.edit")
    key = clean(key)
    family = family_of(key)
    problem = family.check(key[len(family.prefix):]) if family is not None else _("Không thể tạo quy định này.")
    if problem:
        raise ValidationError({"key": problem})
    assert family is not None
    if Rule.objects.select_for_update().filter(key=key).exists():
        return rule_add_version(actor=actor, key=key, value=value, effective_from=effective_from, basis=basis,
                                confidence=confidence, note=note)
    like = Rule(key=key, unit=family.unit)
    errors = _value_errors(like, value, basis, confidence)
    if errors:
        raise ValidationError(errors)
    version = Rule.objects.create(
        key=key, value=clean(value), unit=family.unit, comparison=family.comparison, basis=clean(basis),
        effective_from=effective_from, confidence=confidence, note=clean(note)[:300], created_by=actor.label)
    audit(actor=actor, action="rule.defined", obj=version, unit=root,
          data={"key": key, "value": version.value, "from": effective_from})
    return version


@transaction.atomic
def rule_add_version(*, actor: Actor, key: str, value: str, effective_from: date, basis: str,
                     confidence: str = Confidence.CONFIRMED, note: str = "") -> Rule:
    """Add a new version of an existing rule; the version before it ends the day before."""
    root = require_top(actor, "rules.edit")
    versions = list(Rule.objects.select_for_update().filter(key=key).order_by("effective_from"))
    if not versions:
        raise ValidationError({"key": _("Không có quy định «%(key)s» trong sổ quy định.") % {"key": key}})
    latest = versions[-1]
    errors = _value_errors(latest, value, basis, confidence)
    if effective_from <= latest.effective_from:
        errors["effective_from"] = (
            _("Phiên bản mới phải có hiệu lực sau %(effective_from)s (phiên bản hiện có); "
              "các phiên bản của một quy định không được chồng lấn và không sửa lịch sử.") % {
                "effective_from": format(latest.effective_from, "%d/%m/%Y")})
    elif latest.effective_to is not None and effective_from <= latest.effective_to:
        errors["effective_from"] = _("Chồng lấn với phiên bản có hiệu lực đến %(effective_to)s.") % {
            "effective_to": format(latest.effective_to, "%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    if latest.effective_to is None:
        Rule.objects.filter(pk=latest.pk).update(effective_to=effective_from - timedelta(days=1))
    version = Rule.objects.create(
        key=key, value=clean(value), unit=latest.unit, comparison=latest.comparison, basis=clean(basis),
        effective_from=effective_from, confidence=confidence, note=clean(note), created_by=actor.label,
    )
    audit(actor=actor, action="rule.version_added", obj=version, unit=root,
          data={"key": key, "value": version.value, "from": effective_from, "previous": latest.value})
    return version


def rules_to_confirm(*, on: date | None = None) -> list[Rule]:
    """The versions marked "to confirm": the regulation watch. With ``on``, only those in force that day or later;
    without, the earlier versions too (the cases before a regulation's date are still judged by them)."""
    versions = Rule.objects.filter(confidence=Confidence.TO_CONFIRM)
    if on is not None:
        versions = versions.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    return list(versions.order_by("key", "effective_from"))


def rule_version_or_404(pk: int | str) -> Rule:
    version = rule_version_get(pk) if str(pk).isdigit() else None
    if version is None:
        raise Http404(_("Không có phiên bản quy định này"))
    return version


@transaction.atomic
def rule_confirm(*, actor: Actor, version: Rule, basis: str, note: str = "") -> Rule:
    """The organization officer confirms a version marked "to confirm" against the published regulation: its
    basis is written as read there (value and dates stay: a different value is a new version). Audited."""
    root = require_top(actor, "rules.edit")
    version = Rule.objects.select_for_update().get(pk=version.pk)
    if version.confidence != Confidence.TO_CONFIRM:
        raise ValidationError({"basis": _("Phiên bản này đã được xác nhận.")})
    if not clean(basis):
        raise ValidationError({"basis": _("Cần ghi văn bản căn cứ đã đối chiếu (số hiệu, ngày, điều khoản).")})
    before = version.basis
    version.confidence, version.basis = Confidence.CONFIRMED, clean(basis)[:200]
    if clean(note):
        version.note = clean(note)[:300]
    version.save(update_fields=["confidence", "basis", "note"])
    audit(actor=actor, action="rule.confirmed", obj=version, unit=root,
          data={"key": version.key, "value": version.value, "from": version.effective_from, "basis": version.basis,
                "basis_before": before})
    return version


def rule_versions(*, key: str = "", prefix: str = "", on: date | None = None) -> QuerySet[Rule]:
    """Every version of every rule (of ``key`` only, or of the keys starting with ``prefix``: a family), by key then
    date; ``on``: the versions in force that day."""
    qs = Rule.objects.order_by("key", "effective_from")
    if key:
        qs = qs.filter(key=key)
    if prefix:
        qs = qs.filter(key__startswith=prefix)
    if on is not None:
        qs = qs.filter(effective_from__lte=on).exclude(effective_to__lt=on)
    return qs


def rule_version_get(pk) -> Rule | None:
    return Rule.objects.filter(pk=pk).first() if pk else None


# -- names ---------------------------------------------------------------------------------------------
# What each rule is called where people read it (the key stays for programs and, small, for officers).
NAMES: dict[str, str] = {
    "account.invitation_days": gettext_noop("Thời hạn hiệu lực của lời mời kích hoạt tài khoản"),
    "account.unused_days": gettext_noop("Tài khoản lâu không đăng nhập cần rà soát"),
    "admission.age_min": gettext_noop("Tuổi tối thiểu của người vào Đảng"),
    "admission.age_max": gettext_noop("Tuổi tối đa của người vào Đảng (trên mức này do cấp trên xem xét)"),
    "admission.cell_vote_ratio": gettext_noop("Tỷ lệ tán thành của chi bộ khi xét kết nạp"),
    "admission.ceremony_within": gettext_noop("Thời hạn tổ chức lễ kết nạp"),
    "admission.committee_vote_ratio": gettext_noop("Tỷ lệ tán thành của cấp ủy khi xét kết nạp"),
    "admission.course_validity_years": gettext_noop("Thời hạn giá trị của giấy chứng nhận lớp nhận thức về Đảng"),
    "admission.decide_extension_max": gettext_noop("Thời gian gia hạn tối đa để quyết định kết nạp"),
    "admission.decide_within": gettext_noop("Thời hạn cấp ủy quyết định kết nạp"),
    "admission.introducer_min_years_together": gettext_noop(
        "Thời gian tối thiểu người giới thiệu công tác cùng người vào Đảng"),
    "confirmation.consider_within": gettext_noop("Thời hạn xét công nhận đảng viên chính thức"),
    "confirmation.max_failed_votes": gettext_noop("Số lần biểu quyết không đạt tối đa khi xét công nhận chính thức"),
    "delegation.min_full_members_for_cell": gettext_noop(
        "Số đảng viên chính thức tối thiểu để lập chi bộ tạm thời của đoàn"),
    "discipline.appeal_decide_within": gettext_noop("Thời hạn giải quyết khiếu nại kỷ luật"),
    "discipline.appeal_within": gettext_noop("Thời hạn khiếu nại quyết định kỷ luật"),
    "discipline.limitation_years_reprimand": gettext_noop("Thời hiệu xử lý kỷ luật mức khiển trách"),
    "discipline.limitation_years_warning": gettext_noop("Thời hiệu xử lý kỷ luật mức cảnh cáo, cách chức"),
    "discipline.state_notice_within": gettext_noop("Thời hạn cơ quan nhà nước thông báo kỷ luật đảng viên"),
    "discipline.vote_ratio": gettext_noop("Tỷ lệ tán thành khi chi bộ biểu quyết kỷ luật"),
    "dues.arrears_consider_within": gettext_noop("Thời hạn chi bộ xem xét khi đảng viên không đóng đảng phí"),
    "dues.exempt_party_years": gettext_noop("Tuổi Đảng được miễn đóng đảng phí"),
    "dues.prepay_max_months": gettext_noop("Số tháng đóng đảng phí trước tối đa"),
    "dues.rate_pension": gettext_noop("Mức đóng đảng phí theo lương hưu"),
    "dues.rate_salary": gettext_noop("Mức đóng đảng phí theo tiền lương"),
    "dues.reduction_high": gettext_noop("Mức giảm đảng phí cao"),
    "dues.reduction_low": gettext_noop("Mức giảm đảng phí thấp"),
    "dues.reduction_max_months": gettext_noop("Thời gian tối đa của một lần giảm đảng phí"),
    "dues.reduction_mid": gettext_noop("Mức giảm đảng phí trung bình"),
    "dues.remit_within": gettext_noop("Thời hạn nộp đảng phí lên cấp trên"),
    "dues.student_monthly": gettext_noop("Mức đóng đảng phí của học sinh, sinh viên"),
    "dues.abroad_monthly": gettext_noop("Mức đóng đảng phí ở nước ngoài"),
    "grading.band_completed": gettext_noop("Khung điểm mức hoàn thành nhiệm vụ"),
    "grading.band_excellent": gettext_noop("Khung điểm mức hoàn thành xuất sắc nhiệm vụ"),
    "grading.band_good": gettext_noop("Khung điểm mức hoàn thành tốt nhiệm vụ"),
    "grading.cell_vote_majority": gettext_noop("Tỷ lệ tán thành khi chi bộ biểu quyết xếp loại"),
    "grading.cell_within": gettext_noop("Thời hạn chi bộ họp xếp loại"),
    "grading.decide_within": gettext_noop("Thời hạn cấp ủy quyết định xếp loại"),
    "grading.excellent_cap": gettext_noop("Tỷ lệ tối đa hoàn thành xuất sắc nhiệm vụ"),
    "grading.excellent_exceed_share": gettext_noop("Tỷ lệ nhiệm vụ vượt yêu cầu để hoàn thành xuất sắc"),
    "grading.general_points": gettext_noop("Điểm tối đa các tiêu chí chung"),
    "grading.org_late_share": gettext_noop("Tỷ lệ nhiệm vụ chậm tiến độ tối đa của tổ chức hoàn thành nhiệm vụ"),
    "grading.self_within": gettext_noop("Thời hạn nộp bản tự đánh giá"),
    "grading.task_points": gettext_noop("Điểm tối đa kết quả thực hiện nhiệm vụ"),
    "import.keep_days": gettext_noop("Thời gian giữ tệp danh sách đã tải lên"),
    "library.declassify_review_within": gettext_noop("Thời hạn xem xét giải mật khi hết thời hạn bảo vệ"),
    "meeting.ballot_min_voters": gettext_noop("Số người bỏ phiếu tối thiểu để mở bỏ phiếu kín"),
    "meeting.documents_before": gettext_noop("Thời gian gửi tài liệu trước cuộc họp"),
    "meeting.min_minutes": gettext_noop("Thời lượng tối thiểu của buổi sinh hoạt thường kỳ"),
    "meeting.min_minutes_combined": gettext_noop("Thời lượng tối thiểu khi kết hợp sinh hoạt thường kỳ và chuyên đề"),
    "meeting.min_minutes_refused": gettext_noop("Từ chối hay chỉ cảnh báo cuộc họp ngắn hơn thời lượng tối thiểu"),
    "meeting.regular_every": gettext_noop("Định kỳ sinh hoạt thường kỳ"),
    "meeting.thematic_every": gettext_noop("Định kỳ sinh hoạt chuyên đề"),
    "members.card_number_format": gettext_noop("Định dạng số thẻ đảng viên"),
    "members.dossier_number_format": gettext_noop("Định dạng số lý lịch đảng viên"),
    "privacy.breach_notify_within": gettext_noop("Thời hạn thông báo sự cố dữ liệu"),
    "privacy.keep_applicant_years": gettext_noop("Thời gian giữ dữ liệu của quần chúng không được kết nạp"),
    "privacy.keep_former_member_years": gettext_noop("Thời gian giữ dữ liệu của người đã ra khỏi Đảng"),
    "privacy.request_answer_within": gettext_noop("Thời hạn trả lời yêu cầu về dữ liệu cá nhân"),
    "probation.months": gettext_noop("Thời gian dự bị"),
    "programs.due_soon_days": gettext_noop("Số ngày trước hạn để việc trong chương trình công tác hiện là sắp đến hạn"),
    "programs.proposal_answer_within": gettext_noop("Thời hạn cấp ủy cấp trên trả lời kiến nghị, đề xuất của cấp dưới"),
    "resolution.pass_ratio": gettext_noop("Tỷ lệ tán thành để thông qua nghị quyết"),
    "units.national_code_format": gettext_noop("Định dạng mã tổ chức quốc gia"),
    "strike_off.absence_or_dues_months": gettext_noop(
        "Số tháng bỏ sinh hoạt hoặc không đóng đảng phí thì xem xét xóa tên"),
    "study.awareness_course_validity_months": gettext_noop(
        "Thời hạn giá trị của giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng"),
    "transfer.official_abroad_min_months": gettext_noop("Thời gian ở nước ngoài từ đó chuyển sinh hoạt chính thức"),
    "transfer.report_within": gettext_noop("Thời hạn xuất trình giấy giới thiệu sinh hoạt đảng"),
    "transfer.start_within": gettext_noop("Thời hạn đề nghị chuyển sinh hoạt đảng"),
    "transfer.temporary_domestic_study_max_months": gettext_noop(
        "Thời gian chuyển sinh hoạt tạm thời tối đa khi đi học trong nước"),
    "transfer.temporary_max_months": gettext_noop("Thời gian chuyển sinh hoạt tạm thời tối đa"),
    "transfer.temporary_min_months": gettext_noop("Thời gian chuyển sinh hoạt tạm thời tối thiểu"),
    "trip.report_within": gettext_noop("Thời hạn báo cáo sau chuyến đi nước ngoài"),
}


def rule_name(key: str, version: Rule | None = None) -> str:
    """The rule as people call it: its name, or for a rule of a family (a dues amount abroad, a criterion) the
    family's name with the version's note. "Quy định khác" for a key nobody named (never the key)."""
    if key in NAMES:
        return NAMES[key]
    family = family_of(key)
    if family is not None and family.name is not None and not family.check(key[len(family.prefix):]):
        return family.name(key[len(family.prefix):])
    if family is not None:
        note = version.note if version is not None and version.note else ""
        return f"{family.label}: {note}" if note else family.label
    return gettext_noop("Quy định khác")


_KEYS_IN_TEXT = re.compile(r"\b[a-z_]+(?:\.[A-Za-z0-9_]+)+(?:\.…)?")


def name_rules_in(text: str) -> str:
    """``text`` with every rule key it quotes ("trong thời hạn discipline.appeal_within") replaced by the rule's
    name in «»; a family's prefix ("dues.kept.…") by the family's name. Other dotted words stay as they are."""
    def named(match: re.Match[str]) -> str:
        found = match.group(0)
        key = found.removesuffix(".…")
        if key in NAMES:
            return f"«{NAMES[key]}»"
        family = family_of(key + ".") if found.endswith(".…") else family_of(key)
        if family is not None:
            whole = key.startswith(family.prefix) and not found.endswith(".…")
            return f"«{rule_name(key) if whole else family.label}»"
        return found

    return _KEYS_IN_TEXT.sub(named, str(text))
