"""The timeline event types of grading (members.timeline): the self-assessment, the cell's vote, the grade
decided and each correction."""

from __future__ import annotations

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from chibo.grading.enums import Grade
from chibo.members.timeline import event_type


def _grade(value: str) -> str:
    return str(Grade(value).label) if value in Grade.values else value


SUBMITTED = event_type(
    "grading.submitted", _("Nộp bản tự đánh giá, xếp loại"),
    lambda d: _t("%(period)s: mẫu %(form)s, %(score)s điểm, tự nhận «%(grade)s»")
    % {"period": d["period"], "form": d["form"], "score": d["score"], "grade": _grade(d["grade"])},
    process="grading")
CELL_VOTE = event_type(
    "grading.cell_vote", _("Chi bộ biểu quyết mức xếp loại"),
    lambda d: _t("«%(grade)s»: %(yes)s/%(convened)s tán thành (cần %(needed)s): %(result)s")
    % {"grade": _grade(d["grade"]), "yes": d["yes"], "convened": d["convened"], "needed": d["needed"],
       "result": _t("đạt") if d["passed"] else _t("không đạt")},
    process="grading")
DECIDED = event_type(
    "grading.decided", _("Quyết định xếp loại"),
    lambda d: _t("%(period)s: «%(grade)s», %(score)s điểm (%(decision)s)")
    % {"period": d["period"], "grade": _grade(d["grade"]), "score": d["score"], "decision": d["decision"]},
    process="grading")
CORRECTED = event_type(
    "grading.corrected", _("Điều chỉnh xếp loại"),
    lambda d: _t("%(period)s: «%(grade)s», %(score)s điểm (%(decision)s); lý do: %(reason)s")
    % {"period": d["period"], "grade": _grade(d["grade"]), "score": d["score"], "decision": d["decision"],
       "reason": d.get("reason", "")},
    process="grading")
