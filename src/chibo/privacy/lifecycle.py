"""The lifecycles of a personal data request and of a breach, declared once (docs/domain.md §10).

A request: filed by the person (or recorded by an officer for a former member) → answered or refused, with the
answer recorded, within ``privacy.request_answer_within`` (the deadline on the radar of the unit in charge). The
person never answers their own request. A breach: recorded with its detection time → the authority notified
within ``privacy.breach_notify_within``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chibo.core.lifecycle import Lifecycle, Transition
from chibo.privacy.enums import BreachState, RequestState
from chibo.privacy.forms import AnswerForm, NotifyForm, RefuseForm


def _own(actor, request) -> bool:
    return ((actor.member_id is not None and actor.member_id == request.member_id)
            or (actor.applicant_id is not None and actor.applicant_id == request.applicant_id))


REQUEST = Lifecycle(
    key="privacy_request",
    label=_("Yêu cầu về dữ liệu cá nhân"),
    states=RequestState,
    subject="request",
    start=_("Đảng viên, quần chúng tự gửi yêu cầu về dữ liệu của mình; cán bộ ghi yêu cầu của người đã ra khỏi "
            "Đảng."),
    final=(RequestState.ANSWERED, RequestState.REFUSED),
    help=_("Trả lời trong thời hạn privacy.request_answer_within (ngày làm việc) kể từ ngày nhận yêu cầu; "
           "thực hiện xong có thể lâu hơn."),
    transitions=(
        Transition("answer", _("Trả lời yêu cầu"), sources=(RequestState.FILED,), target=RequestState.ANSWERED,
                   perm="privacy.handle", deny=_own, form=AnswerForm, closes=("privacy.request",),
                   done=_("Đã ghi nội dung trả lời; người yêu cầu xem được trên trang này.")),
        Transition("refuse", _("Từ chối, ghi lý do"), sources=(RequestState.FILED,), target=RequestState.REFUSED,
                   perm="privacy.handle", deny=_own, form=RefuseForm, closes=("privacy.request",), secondary=True,
                   done=_("Đã ghi lý do từ chối.")),
    ),
)


BREACH = Lifecycle(
    key="privacy_breach",
    label=_("Sự cố lộ, mất dữ liệu cá nhân"),
    states=BreachState,
    subject="breach",
    start=_("Cán bộ tổ chức của Đảng ủy cấp trên ghi sự cố với thời điểm phát hiện."),
    final=(BreachState.NOTIFIED,),
    help=_("Thông báo cơ quan chức năng trong privacy.breach_notify_within kể từ thời điểm phát hiện (tính theo "
           "giờ liên tục, kể cả ngày nghỉ)."),
    transitions=(
        Transition("notify", _("Ghi đã thông báo cơ quan chức năng"), sources=(BreachState.OPEN,),
                   target=BreachState.NOTIFIED, perm="privacy.breach", form=NotifyForm,
                   done=_("Đã ghi việc thông báo.")),
    ),
)
