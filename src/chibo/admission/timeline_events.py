"""The timeline event types of admission (members.timeline): the ceremony opens a member's timeline, the cell's
confirmation votes follow it."""

from __future__ import annotations

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from chibo.members.timeline import day, event_type

ADMITTED = event_type(
    "admission.admitted", _("Lễ kết nạp vào Đảng"),
    lambda d: _t("QĐ %(no)s; đảng viên giúp đỡ: %(helper)s; dự bị đến %(end)s")
    % {"no": d["decision"], "helper": d["helper"], "end": day(d["probation_end"])},
    process="admission")
CONFIRMATION_VOTE = event_type(
    "admission.confirmation_vote", _("Chi bộ xét công nhận chính thức"),
    lambda d: _t("%(yes)s/%(eligible)s tán thành (cần %(needed)s): %(result)s")
    % {"yes": d["yes"], "eligible": d["eligible"], "needed": d["needed"],
       "result": _t("đạt") if d["passed"] else _t("không đạt")},
    process="admission")
