"""The kinds of deadline the processes open, each bound to the rule that sets its length.

``remind_days``: reminders go out that many days before the due date (then on the due day, then
an escalation to the unit above once overdue). Per-kind overrides come from the setting
``CHIBO_REMINDER_DAYS`` (e.g. ``{"probation.confirmation": [14, 3]}``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    rule_key: str
    remind_days: tuple[int, ...] = (7, 1)


KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("probation.confirmation", gettext_noop("Xét công nhận đảng viên chính thức"),
         "confirmation.consider_within", (14, 3)),
    Kind("transfer.start", gettext_noop("Đề nghị chuyển sinh hoạt đảng"), "transfer.start_within"),
    Kind("transfer.report", gettext_noop("Xuất trình giấy giới thiệu sinh hoạt đảng"), "transfer.report_within"),
    Kind("trip.report", gettext_noop("Báo cáo sau chuyến đi nước ngoài"), "trip.report_within", (3, 1)),
    Kind("admission.decision", gettext_noop("Quyết định kết nạp"), "admission.decide_within", (14, 3)),
    Kind("admission.ceremony", gettext_noop("Tổ chức lễ kết nạp"), "admission.ceremony_within", (7, 1)),
    Kind("meeting.regular", gettext_noop("Sinh hoạt chi bộ thường kỳ"), "meeting.regular_every", (7, 1)),
    Kind("meeting.thematic", gettext_noop("Sinh hoạt chuyên đề"), "meeting.thematic_every", (14, 3)),
    Kind("dues.arrears", gettext_noop("Xem xét đề nghị xóa tên vì không đóng đảng phí"),
         "dues.arrears_consider_within", (7, 1)),
    Kind("dues.remit", gettext_noop("Nộp đảng phí lên cấp trên"), "dues.remit_within", (3, 1)),
    Kind("discipline.appeal", gettext_noop("Giải quyết khiếu nại kỷ luật"), "discipline.appeal_decide_within", (14, 3)),
    Kind("privacy.request", gettext_noop("Trả lời yêu cầu về dữ liệu cá nhân"), "privacy.request_answer_within", (1,)),
    Kind("library.declassify", gettext_noop("Hết thời hạn bảo vệ bí mật nhà nước: xem xét giải mật, gia hạn"),
         "library.declassify_review_within", (30, 7)),
    Kind("programs.proposal", gettext_noop("Trả lời kiến nghị, đề xuất của cấp dưới"),
         "programs.proposal_answer_within", (7, 1)),
]}


def kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError as exc:
        raise LookupError(f"unknown deadline kind {key!r}") from exc


def remind_days(key: str) -> tuple[int, ...]:
    overrides = getattr(settings, "CHIBO_REMINDER_DAYS", {}) or {}
    return tuple(sorted(overrides.get(key, kind(key).remind_days), reverse=True))


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in KINDS.values()]


def label(key: str) -> str:
    """The kind's name for people (the key itself for a kind this installation does not know)."""
    found = KINDS.get(key)
    return str(found.label) if found else key
