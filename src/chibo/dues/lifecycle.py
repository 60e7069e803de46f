"""The lifecycle of a remittance, declared once (docs/domain.md §6): a unit sends its month's dues up (the share
it keeps by rule stays); the level above confirms it received the amount, or returns it when the figures are
wrong (the unit sends again). The services in ``chibo.dues.services`` run each step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.lifecycle import Lifecycle, Transition
from chibo.dues.enums import RemittanceState as S
from chibo.dues.forms import ConfirmForm, ReasonForm

REMITTANCE = Lifecycle(
    key="remittance",
    label=_("Nộp đảng phí lên cấp trên"),
    states=S,
    subject="remittance",
    start=_("Chi bộ (đảng bộ) ghi phần đảng phí của một tháng nộp lên cấp trên: số đã thu, phần trích giữ lại "
            "theo quy định (dues.kept.…), số phải nộp."),
    final=(S.CONFIRMED, S.RETURNED),
    transitions=(
        Transition("confirm", _("Xác nhận đã nhận đủ"), sources=(S.SENT,), target=S.CONFIRMED, perm="dues.confirm",
                   unit=lambda r: r.to_unit, form=ConfirmForm, closes=("dues.remit",),
                   help=_("Cấp trên xác nhận đã nhận đủ số tiền; số này được cộng vào số cấp trên phải nộp tiếp."),
                   done=_("Đã xác nhận nhận đủ.")),
        Transition("return", _("Trả lại (sai số liệu)"), sources=(S.SENT,), target=S.RETURNED, perm="dues.confirm",
                   unit=lambda r: r.to_unit, form=ReasonForm, secondary=True,
                   help=_("Cấp trên trả lại khi số liệu không khớp; cấp dưới ghi lại lần nộp mới."),
                   done=_("Đã trả lại; cấp dưới sẽ nộp lại.")),
    ),
)
