"""The timeline event types of discipline (members.timeline): only what is announced — the decision and the
outcome of an appeal (the case itself stays with those who need to know it)."""

from __future__ import annotations

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from chibo.discipline.enums import Form, Outcome
from chibo.members.timeline import event_type


def _form(value: str) -> str:
    return str(Form(value).label) if value in Form.values else value


DECIDED = event_type(
    "discipline.decided", _("Quyết định kỷ luật"),
    lambda d: _t("%(form)s (quyết định %(decision)s của %(by)s)")
    % {"form": _form(d["form"]), "decision": d["decision"], "by": d["by"]},
    process="discipline")
APPEAL_DECIDED = event_type(
    "discipline.appeal_decided", _("Giải quyết khiếu nại kỷ luật"),
    lambda d: _t("%(outcome)s%(form)s (quyết định %(decision)s)")
    % {"outcome": Outcome(d["outcome"]).label, "form": f": {_form(d['form'])}" if d.get("form") else "",
       "decision": d["decision"]},
    process="discipline")
