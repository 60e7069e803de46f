"""What the rules say about a discipline case (docs/domain.md §8): the forms a member's status allows, the
limitation period of a violation, the window of an appeal, the vote. Reads of the rulebook only."""

from __future__ import annotations

from datetime import date

from chibo.core.calendar import due_date
from chibo.core.rulebook import rule
from chibo.discipline.enums import FORMS_FOR_STATUS, Area, Form

# The limitation rule of each level considered; none for expulsion.
LIMITATION_RULE: dict[str, str] = {Form.REPRIMAND: "discipline.limitation_years_reprimand",
                   Form.WARNING: "discipline.limitation_years_warning",
                   Form.REMOVAL: "discipline.limitation_years_warning"}


def forms_allowed(status: str) -> tuple[str, ...]:
    return FORMS_FOR_STATUS.get(status, ())


def form_problem(form: str, status: str, status_label: str) -> str:
    if form not in Form.values:
        return "Hình thức kỷ luật không hợp lệ."
    if form not in forms_allowed(status):
        allowed = ", ".join(str(Form(f).label).lower() for f in forms_allowed(status)) or "không có"
        return (f"Đảng viên «{status_label}» chỉ có thể bị {allowed} (Điều lệ Đảng, Điều 39); không thể "
                f"«{Form(form).label.lower()}».")
    return ""


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
        return (f"Đã hết thời hạn xử lý kỷ luật: vi phạm ngày {violated_on:%d/%m/%Y}, mức "
                f"{Form(considered).label.lower()}, thời hiệu {version.value} {version.get_unit_display()} "
                f"đến {ends:%d/%m/%Y} ({key}, {version.basis}).")
    return ""


def appeal_ends(received_on: date, unit) -> tuple[date, str]:
    """The last day to appeal a decision received on ``received_on`` (``discipline.appeal_within``, in months or in
    the member's unit's working days, whichever unit the rule is given in)."""
    version = rule("discipline.appeal_within", on=received_on)
    return due_date(version, received_on, unit=unit), f"discipline.appeal_within, {version.basis}"
