"""What the rules say about a discipline case (docs/domain.md §8): the forms a member's status allows, the
heaviest form each kind of organization may decide (``discipline.competence.<unit kind>``, a family of rules the
upper committee versions like any other), the limitation period of a violation, the window of an appeal, the
vote. Reads of the rulebook only."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core.calendar import due_date
from chibo.core.enums import RuleUnit
from chibo.core.rulebook import Family, RuleNotInForce, UnknownRule, integer, register_family, rule, rule_name
from chibo.discipline.enums import FORMS_FOR_STATUS, Area, Form
from chibo.units.enums import UnitKind

COMPETENCE = "discipline.competence."
# The forms from the lightest to the heaviest: a competence rule's value is how far down this list a kind of
# organization may go (0 none, 1 reprimand, 2 up to warning, 3 up to removal from post, 4 up to expulsion).
FORM_ORDER: tuple[str, ...] = tuple(Form.values)

# The limitation rule of each level considered; none for expulsion.
LIMITATION_RULE: dict[str, str] = {Form.REPRIMAND: "discipline.limitation_years_reprimand",
                   Form.WARNING: "discipline.limitation_years_warning",
                   Form.REMOVAL: "discipline.limitation_years_warning"}


def forms_allowed(status: str) -> tuple[str, ...]:
    return FORMS_FOR_STATUS.get(status, ())


def form_problem(form: str, status: str, status_label: str) -> str:
    if form not in Form.values:
        return _("Hình thức kỷ luật không hợp lệ.")
    if form not in forms_allowed(status):
        allowed = ", ".join(_(Form(f).label).lower() for f in forms_allowed(status)) or _("không có")
        return _("Đảng viên «%(status)s» chỉ có thể bị %(allowed)s (Điều lệ Đảng, Điều 39); không thể "
                 "«%(form)s».") % {"status": _(status_label), "allowed": allowed, "form": _(Form(form).label).lower()}
    return ""


def _competence_key_problem(rest: str) -> str:
    if rest not in UnitKind.values:
        return _("Loại tổ chức không hợp lệ: %(allowed)s") % {"allowed": ", ".join(UnitKind.values)}
    return ""


# The name of each kind's rule, whole, so that it is translated whole.
COMPETENCE_NAMES = {
    UnitKind.UPPER_COMMITTEE: gettext_noop("Thẩm quyền kỷ luật của đảng ủy cấp trên cơ sở"),
    UnitKind.GRASSROOTS_COMMITTEE: gettext_noop("Thẩm quyền kỷ luật của đảng bộ cơ sở"),
    UnitKind.GRASSROOTS_CELL: gettext_noop("Thẩm quyền kỷ luật của chi bộ cơ sở"),
    UnitKind.SUBORDINATE_CELL: gettext_noop("Thẩm quyền kỷ luật của chi bộ trực thuộc"),
    UnitKind.PARTY_GROUP: gettext_noop("Thẩm quyền kỷ luật của tổ đảng"),
    UnitKind.DELEGATION_CELL: gettext_noop("Thẩm quyền kỷ luật của chi bộ tạm thời (đoàn công tác)"),
}


def register() -> None:
    register_family(Family(COMPETENCE, RuleUnit.COUNT, "lte",
                           gettext_noop("Thẩm quyền quyết định kỷ luật đảng viên theo loại tổ chức (0 không; "
                                        "1 khiển trách; 2 đến cảnh cáo; 3 đến cách chức; 4 đến khai trừ)"),
                           _competence_key_problem, name=lambda rest: COMPETENCE_NAMES[UnitKind(rest)]))


def heaviest_form(unit, on: date) -> tuple[str, str]:
    """The heaviest form ``unit``'s kind may decide on ``on`` ("" for none) and the rule with its basis."""
    key = COMPETENCE + unit.kind
    try:
        version = rule(key, on=on)
    except (UnknownRule, RuleNotInForce):
        return "", rule_name(key)
    reach = max(0, min(integer(version), len(FORM_ORDER)))
    return (FORM_ORDER[reach - 1] if reach else ""), f"{rule_name(key)}, {version.basis}"


def competence_form_problem(form: str, unit, on: date) -> str:
    """What is wrong with ``unit`` deciding ``form`` ("" when it may): it may only propose to a level above."""
    if form not in Form.values:
        return ""
    heaviest, basis = heaviest_form(unit, on)
    if heaviest and FORM_ORDER.index(form) <= FORM_ORDER.index(heaviest):
        return ""
    if heaviest:
        reach = _("đến mức %(form)s") % {"form": _(Form(heaviest).label).lower()}
    else:
        reach = _("không quyết định kỷ luật đảng viên")
    return _("%(unit)s (%(kind)s) %(reach)s; mức «%(form)s» do cấp ủy cấp trên quyết định, tổ chức này chỉ đề "
             "nghị (%(basis)s).") % {"unit": unit.name, "kind": _(UnitKind(unit.kind).label).lower(), "reach": reach,
                                     "form": _(Form(form).label).lower(), "basis": basis}


def limitation_ends(violated_on: date, area: str, considered: str) -> tuple[date | None, str]:
    """The last day a case may be opened for this violation (None: no limitation), and the rule applied."""
    if area != Area.ORDINARY or considered not in LIMITATION_RULE:
        return None, ""
    key = LIMITATION_RULE[considered]
    return due_date(rule(key, on=violated_on), violated_on), key


def limitation_problem(violated_on: date, area: str, considered: str, on: date) -> str:
    ends, key = limitation_ends(violated_on, area, considered)
    if ends is not None and on > ends:
        version = rule(key, on=violated_on)
        return _("Đã hết thời hạn xử lý kỷ luật: vi phạm ngày %(violated_on)s, mức %(form)s, thời hiệu %(value)s "
                 "%(unit)s đến %(ends)s (%(rule)s, %(basis)s).") % {
                     "violated_on": format(violated_on, "%d/%m/%Y"), "form": _(Form(considered).label).lower(),
                     "value": version.value, "unit": _(version.get_unit_display()), "ends": format(ends, "%d/%m/%Y"),
                     "rule": rule_name(key), "basis": version.basis}
    return ""


def appeal_ends(received_on: date, unit) -> tuple[date, str]:
    """The last day to appeal a decision received on ``received_on`` (``discipline.appeal_within``, in months or in
    the member's unit's working days, whichever unit the rule is given in)."""
    version = rule("discipline.appeal_within", on=received_on)
    return due_date(version, received_on, unit=unit), f"{rule_name('discipline.appeal_within')}, {version.basis}"


def notice_due(decided_on: date, unit) -> tuple[date, str]:
    """The last day a state body's notice of a decision taken on ``decided_on`` is due at ``unit``
    (``discipline.state_notice_within``, in the unit's working days when the rule says so)."""
    version = rule("discipline.state_notice_within", on=decided_on)
    return (due_date(version, decided_on, unit=unit),
            f"{rule_name('discipline.state_notice_within')}, {version.basis}")
