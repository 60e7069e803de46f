"""The lifecycle of a unit's periodic report (docs/domain.md §14): drafted (figures live, the narrative written) →
submitted (figures frozen, the period locked) → superseded by a correction, a new version with its reason. Only the
unit itself (its secretary or organization officers, ``members.edit`` on the unit itself) takes the steps: a level
above reads the report, never files it in the unit's name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.lifecycle import Lifecycle, Transition
from chibo.reports.enums import WRITE, State
from chibo.reports.forms import CorrectForm


def not_the_unit(actor, report) -> bool:
    return report.unit_id not in actor.units_holding(WRITE)


REPORT = Lifecycle(
    key="report",
    label=_("Báo cáo định kỳ lên cấp trên"),
    states=State,
    subject="report",
    start=_("Chi bộ mở báo cáo của một kỳ đã kết thúc: số liệu được tính sẵn từ dữ liệu, chi bộ viết phần đánh giá."),
    final=(State.SUPERSEDED,),
    help=_("Nộp báo cáo (số liệu được chốt, kỳ được khóa); cần sửa thì nộp bản điều chỉnh, ghi lý do."),
    transitions=(
        Transition("submit", _("Nộp báo cáo"), sources=(State.DRAFT,), target=State.SUBMITTED, perm=WRITE,
                   deny=not_the_unit, done=_("Đã nộp báo cáo; số liệu đã được chốt.")),
        Transition("correct", _("Lập bản điều chỉnh"), sources=(State.SUBMITTED,), target=State.SUPERSEDED,
                   perm=WRITE, deny=not_the_unit, form=CorrectForm, secondary=True,
                   help=_("Bản đã nộp được giữ lại; bản điều chỉnh mở ra để sửa và nộp lại."),
                   done=_("Đã lập bản điều chỉnh: sửa phần đánh giá rồi nộp lại.")),
    ),
)
