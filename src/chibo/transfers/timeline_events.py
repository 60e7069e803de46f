"""The timeline event types of the transfers app: one per step, with structured parameters; the sentence
is made when the timeline is read, in the reader's language (members.timeline)."""

from __future__ import annotations

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from chibo.core.countries import country_name
from chibo.members.reviews import decided_text
from chibo.members.timeline import day, event_type
from chibo.transfers.models import DeclarationKind, Kind


def _kind(value: str) -> str:
    return _t(str(Kind(value).label)).lower() if value in Kind.values else value


def _late(d: dict) -> str:
    return (" — " + _t("chậm: %(reason)s") % {"reason": d["late_reason"]}) if d.get("late_reason") else ""


TRANSFER_REQUESTED = event_type(
    "transfer.requested", _("Đề nghị chuyển sinh hoạt"),
    lambda d: _t("%(kind)s đến %(to)s (QĐ %(doc)s)") % {"kind": _kind(d["kind"]).capitalize(), "to": d["to"],
                                                          "doc": d["decision_doc"]} + _late(d),
    process="transfers")
TRANSFER_INCOMING = event_type(
    "transfer.incoming", _("Tiếp nhận giấy giới thiệu"),
    lambda d: _t("Giấy số %(no)s ngày %(day)s của %(org)s") % {"no": d["letter"], "day": day(d["letter_date"]),
                                                               "org": d["from"]},
    process="transfers")
TRANSFER_APPROVED = event_type(
    "transfer.approved", _("Chi bộ đồng ý chuyển sinh hoạt"), lambda d: _t("Đến %(to)s") % {"to": d["to"]},
    process="transfers")
TRANSFER_ISSUED = event_type(
    "transfer.letter_issued", _("Cấp giấy giới thiệu"),
    lambda d: _t("Giấy số %(no)s đến %(to)s") % {"no": d["letter"], "to": d["to"]}, process="transfers")
TRANSFER_FORWARDED = event_type(
    "transfer.forwarded", _("Giới thiệu tiếp"),
    lambda d: (_t("%(issuer)s giới thiệu đến %(to)s (ô số %(box)s), giấy số %(no)s") if d.get("box")
               else _t("%(issuer)s giới thiệu đến %(to)s, giấy số %(no)s"))
    % {"issuer": d["issuer"], "to": d["to"], "box": d.get("box"), "no": d["letter"]},
    process="transfers")
TRANSFER_RECEIVED = event_type(
    "transfer.received", _("Nơi đến đã nhận giấy giới thiệu"),
    lambda d: _t("%(to)s đã nhận giấy (báo lại nơi gửi)") % {"to": d["to"]}, process="transfers")
TRANSFER_REPORTED = event_type(
    "transfer.reported", _("Đến sinh hoạt tại nơi mới"),
    lambda d: _t("Đến sinh hoạt tại %(to)s") % {"to": d["to"]}
    + ((" — " + _t("chậm so với hạn %(due)s: %(reason)s") % {"due": day(d["report_due"]), "reason": d["late_reason"]})
       if d.get("late") else ""),
    process="transfers")
TRANSFER_CANCELLED = event_type(
    "transfer.cancelled", _("Hủy việc chuyển sinh hoạt"), lambda d: d["reason"], process="transfers")
LETTER_VOIDED = event_type(
    "transfer.letter_voided", _("Hủy giấy giới thiệu viết sai"),
    lambda d: _t("Giấy số %(no)s: %(reason)s") % {"no": d["letter"], "reason": d["reason"]}
    + ((" — " + _t("cả giấy bị hủy, kể cả ô số %(boxes)s") % {"boxes": ", ".join(str(b) for b in d["boxes"])})
       if d.get("boxes") else ""),
    process="transfers")
RETURN_REVIEW_FILED = event_type(
    "transfer.return_review", _("Nộp bản tự kiểm điểm thời gian ở nước ngoài"),
    lambda d: f"{day(d['from'])} – {day(d['to'])}", process="transfers")
RETURN_REVIEW_CERTIFIED = event_type(
    "transfer.return_review_certified", _("Bản tự kiểm điểm được xác nhận"),
    lambda d: f"{d['by']} ({d['ref']})", process="transfers")

TRIP_FILED = event_type(
    "trip.filed", _("Đơn xin đi nước ngoài"),
    lambda d: f"{country_name(d['country'])}, {day(d['depart_on'])} – {day(d['return_on'])}", process="trips")
TRIP_OPINION = event_type("trip.opinion", _("Chi bộ cho ý kiến về chuyến đi"), lambda d: d["opinion"],
                          process="trips")
TRIP_DECIDED = event_type("trip.decided", _("Cấp ủy quyết định về chuyến đi"), decided_text, process="trips")
TRIP_REPORTED = event_type(
    "trip.reported", _("Báo cáo sau chuyến đi"),
    lambda d: (_t("chậm, hạn %(due)s") % {"due": day(d["report_due"])}) if d.get("late") else "", process="trips")

DECLARATION_FILED = event_type(
    "declaration.filed", _("Khai báo"),
    lambda d: _t(str(DeclarationKind(d["kind"]).label)) if d.get("kind") in DeclarationKind.values else "",
    process="declarations")
DECLARATION_OPINION = event_type("declaration.opinion", _("Chi bộ cho ý kiến về khai báo"), lambda d: d["opinion"],
                                 process="declarations")
DECLARATION_DECIDED = event_type("declaration.decided", _("Cấp ủy quyết định về khai báo"), decided_text,
                                 process="declarations")

EXEMPTION_FILED = event_type(
    "exemption.filed", _("Đơn xin miễn công tác và sinh hoạt"),
    lambda d: f"{day(d['from'])} – {day(d['to'])}", process="exemptions")
EXEMPTION_OPINION = event_type("exemption.opinion", _("Nghị quyết của chi bộ về miễn sinh hoạt"),
                               lambda d: d["opinion"], process="exemptions")
EXEMPTION_DECIDED = event_type("exemption.decided", _("Cấp ủy quyết định miễn công tác và sinh hoạt"), decided_text,
                               process="exemptions")
