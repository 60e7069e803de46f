"""The grading rules as the rulebook holds them (docs/domain.md §7).

The bands, the share beyond requirements, the share of late tasks an organization may have, the cell's vote
majority, the optional cap on "excellent" and the days each step has are plain rules (``grading.*``). The
criteria of each form and their maximum points are a rule family, ``grading.criterion.<form>.<group>.<code>``
(group ``general`` or ``tasks``; the rule's note is the criterion's wording), so the upper committee can reword,
split or re-weight them from a date like any rule. A period opens only when a form's general criteria add up to
``grading.general_points`` and its task criteria to ``grading.task_points``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core.enums import RuleUnit
from chibo.core.rulebook import Family, integer, number, register_family, rule, rule_name, rule_versions
from chibo.grading.compute import Bands
from chibo.grading.enums import Form

CRITERION = "grading.criterion."
GROUPS = {"general": gettext_noop("Tiêu chí chung"), "tasks": gettext_noop("Kết quả thực hiện nhiệm vụ")}


def _criterion_key_problem(rest: str) -> str:
    parts = rest.split(".")
    if len(parts) != 3 or parts[0] not in Form.values or parts[1] not in GROUPS or not parts[2].isidentifier():
        return _("Mã tiêu chí có dạng grading.criterion.<mẫu>.<nhóm>.<mã>: mẫu %(forms)s; nhóm general hoặc tasks; "
                 "mã là chữ không dấu, số, gạch dưới (ví dụ grading.criterion.2C.tasks.t1).") % {
                     "forms": ", ".join(Form.values)}
    return ""


def register() -> None:
    register_family(Family(CRITERION, RuleUnit.POINTS, "lte", gettext_noop("Tiêu chí chấm điểm kiểm điểm theo mẫu"),
                           _criterion_key_problem))


@dataclass(frozen=True)
class Criterion:
    code: str       # "general_g1" (group, then the code in the key)
    group: str      # general | tasks
    label: str
    max_points: int


def criteria_for(form: str, on: date) -> list[Criterion]:
    """The form's criteria in force on ``on``, general first, in key order."""
    out = []
    prefix = f"{CRITERION}{form}."
    for version in rule_versions(prefix=prefix, on=on).order_by("key"):
        group, code = version.key[len(prefix):].split(".", 1)
        out.append(Criterion(f"{group}_{code}", group, version.note or code, integer(version)))
    return sorted(out, key=lambda c: (c.group != "general", c.code))


def totals_on(on: date) -> tuple[int, int]:
    return integer(rule("grading.general_points", on=on)), integer(rule("grading.task_points", on=on))


def criteria_problem(form: str, on: date) -> str:
    """What keeps ``form`` from being used on ``on`` ("" when its criteria add up)."""
    general, tasks = totals_on(on)
    found = criteria_for(form, on)
    got = {g: sum(c.max_points for c in found if c.group == g) for g in GROUPS}
    if got["general"] != general or got["tasks"] != tasks:
        return _("Tiêu chí của %(form)s cộng lại %(got_general)s + %(got_tasks)s điểm, quy định %(general)s + "
                 "%(tasks)s (%(general_rule)s, %(tasks_rule)s): sửa các tiêu chí của mẫu %(form)s trong sổ quy định "
                 "trước.") % {"form": _(Form(form).label), "got_general": got["general"], "got_tasks": got["tasks"],
                              "general": general, "tasks": tasks, "general_rule": rule_name("grading.general_points"),
                              "tasks_rule": rule_name("grading.task_points")}
    return ""


def bands_on(on: date) -> Bands:
    return Bands(excellent=integer(rule("grading.band_excellent", on=on)),
                 good=integer(rule("grading.band_good", on=on)),
                 completed=integer(rule("grading.band_completed", on=on)),
                 exceed_share=number(rule("grading.excellent_exceed_share", on=on)),
                 org_late_share=number(rule("grading.org_late_share", on=on)))


def excellent_cap(on: date) -> Fraction:
    """The cap on "excellent" as a share of those graded good or better (0: no cap, the default)."""
    return number(rule("grading.excellent_cap", on=on))
