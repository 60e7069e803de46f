"""The timeline event types of the dues app (members.timeline): a new dues profile, a decision, its revocation."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from chibo.dues.enums import Base, DecisionKind
from chibo.members.timeline import event_type


def _month(value) -> str:
    parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{parsed.month:02d}/{parsed.year}"


PROFILE_SET = event_type(
    "dues.profile_set", _("Mức đóng đảng phí"),
    lambda d: _t("Từ tháng %(month)s: %(base)s, bằng %(currency)s") % {
        "month": _month(d["month"]), "base": _t(str(Base(d["base"]).label)).lower(), "currency": d["currency"]},
    process="dues")
DECISION_RECORDED = event_type(
    "dues.decision", _("Quyết định về đảng phí"),
    lambda d: (_t("%(kind)s %(percent)s%% từ tháng %(from)s đến hết tháng %(to)s (QĐ %(doc)s)")
               if d["kind"] == DecisionKind.REDUCE
               else _t("%(kind)s từ tháng %(from)s đến hết tháng %(to)s (QĐ %(doc)s)"))
    % {"kind": _t(str(DecisionKind(d["kind"]).label)), "percent": d.get("percent", 0), "from": _month(d["from"]),
       "to": _month(d["to"]), "doc": d["document"]},
    process="dues")
DECISION_REVOKED = event_type(
    "dues.decision_revoked", _("Thu hồi quyết định về đảng phí"),
    lambda d: _t("QĐ %(doc)s: %(reason)s") % {"doc": d["document"], "reason": d["reason"]}, process="dues")
