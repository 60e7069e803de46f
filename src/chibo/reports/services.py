"""Writes of the reports upward (docs/domain.md §14): an upper committee's templates (a new version once a unit has
submitted against one), a unit's report for an ended period (opened with its figures computed, its narrative
written, submitted with its figures frozen, corrected by a new version with a reason), and reminders to the units
below that have not filed. Every refusal says why; a refused write writes nothing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.accounts.selectors import role_holders
from chibo.core import clock, rulebook
from chibo.core.access import Actor, Role
from chibo.core.audit import audit
from chibo.core.errors import StaleEdit
from chibo.core.lifecycle import TransitionRefused
from chibo.core.said import said, said_term
from chibo.core.text import clean
from chibo.notifications.services import notify
from chibo.reports import figures as figs
from chibo.reports import totals as submitted_totals
from chibo.reports.enums import ACTIVE_STATES, WRITE, PeriodKind, State
from chibo.reports.lifecycle import REPORT
from chibo.reports.models import Report, Template
from chibo.reports.periods import Period, of_kind
from chibo.units.selectors import unit_ancestors
from chibo.units.services import unit_lock

if TYPE_CHECKING:
    from chibo.units.models import Unit

DUE_RULE = "reports.due_days"
MAX_SECTIONS = 12


def _require_own(actor: Actor, unit: Unit) -> None:
    """The unit's own officers (``members.edit`` on the unit itself): a level above never files in its name."""
    if unit.pk not in actor.units_holding(WRITE):
        raise PermissionDenied(WRITE)


def due_on(period: Period) -> date:
    """The day a report of ``period`` is due: the rulebook's number of days after the period ends."""
    days = rulebook.integer(rulebook.rule(DUE_RULE, on=period.end))
    return date.fromordinal(period.end.toordinal() + days)


# -- templates ---------------------------------------------------------------------------------------------------
def _sections(raw: str | list[str], errors: dict) -> list[str]:
    lines = raw if isinstance(raw, list) else str(raw or "").splitlines()
    found = [clean(x)[:200] for x in lines if clean(x)]
    if not found:
        errors["sections"] = _("Ghi ít nhất một phần của báo cáo (mỗi dòng một phần).")
    elif len(found) > MAX_SECTIONS:
        errors["sections"] = _("Nhiều nhất %(limit)s phần.") % {"limit": MAX_SECTIONS}
    elif len(set(found)) != len(found):
        errors["sections"] = _("Hai phần trùng tên.")
    return found


@transaction.atomic
def template_save(*, actor: Actor, unit: Unit, name: str, period_kind: str, sections: str | list[str],
                  figures: list[str], template: Template | None = None) -> Template:
    """Define a template of ``unit`` (an upper committee: a unit with units below it), or change ``template``: in
    place while no unit has submitted against it, else as a new version (the reports already submitted keep
    theirs; drafts move to the new one)."""
    _require_own(actor, unit)
    unit = unit_lock(unit)
    errors: dict[str, str] = {}
    if not unit.children.filter(closed_on__isnull=True).exists():
        errors["name"] = _("%(unit)s không có tổ chức trực thuộc: mẫu báo cáo do cấp ủy cấp trên ban hành.") % {
            "unit": unit.name}
    name = clean(name)[:200]
    if not name:
        errors["name"] = errors.get("name") or _("Ghi tên mẫu báo cáo.")
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = _("Chọn kỳ báo cáo.")
    found = _sections(sections, errors)
    chosen = [k for k in figs.KEYS if k in set(figures)]  # in the catalogue's order
    unknown = sorted(set(figures) - set(figs.KEYS))
    if unknown:
        errors["figures"] = _("Số liệu không có trong danh mục: %(keys)s") % {"keys": ", ".join(unknown)}
    if template is not None:
        template = Template.objects.select_for_update().get(pk=template.pk)
        if template.unit_id != unit.pk or not template.current:
            errors["name"] = _("Mẫu này đã có phiên bản mới hơn; mở phiên bản hiện hành để sửa.")
    if errors:
        raise ValidationError(errors)
    fields = {"name": name, "period_kind": period_kind, "sections": found, "figures": chosen}
    if template is None:
        template = Template.objects.create(unit=unit, created_by=actor.label, **fields)
        template.family = template.pk
        template.save(update_fields=["family"])
        audit(actor=actor, action="reports.template_created", obj=template, unit=unit, data={"name": name})
        return template
    if template.reports.exclude(state=State.DRAFT).exists():
        old = template
        old.current = False
        old.save(update_fields=["current"])
        template = Template.objects.create(unit=unit, family=old.family, number=old.number + 1,
                                           created_by=actor.label, **fields)
        for draft in old.reports.filter(state=State.DRAFT).select_for_update():
            draft.narrative = _realign(old.sections, draft.narrative, found)
            draft.template = template
            draft.version += 1
            draft.save(update_fields=["narrative", "template", "version"])
        audit(actor=actor, action="reports.template_versioned", obj=template, unit=unit,
              data={"family": old.family, "number": template.number})
        return template
    for key, value in fields.items():
        setattr(template, key, value)
    template.save()
    audit(actor=actor, action="reports.template_changed", obj=template, unit=unit, data={"name": name})
    return template


def _realign(old_sections: list[str], narrative: list[str], new_sections: list[str]) -> list[str]:
    """A draft's narrative laid on a template's new sections: each text kept under the section of the same name."""
    by_title = dict(zip(old_sections, narrative, strict=False))
    return [by_title.get(title, "") for title in new_sections]


# -- reports -----------------------------------------------------------------------------------------------------
def template_for(unit: Unit, period_kind: str) -> Template | None:
    """The current template of ``period_kind`` defined by the nearest committee above ``unit``, else the
    installation's default."""
    chain = list(unit_ancestors(unit))
    found = {t.unit_id: t for t in Template.objects.filter(current=True, period_kind=period_kind,
                                                           unit__in=[u.pk for u in chain]).order_by("pk")}
    for above in reversed(chain):  # the nearest first
        if above.pk in found:
            return found[above.pk]
    return Template.objects.filter(current=True, period_kind=period_kind, unit__isnull=True).order_by("pk").first()


def _active(unit: Unit, period: Period) -> QuerySet[Report]:
    return Report.objects.filter(unit=unit, period_kind=period.kind, period_start=period.start,
                                 state__in=ACTIVE_STATES)


def _taken(unit: Unit, period: Period) -> str:
    return _("%(unit)s đã có báo cáo %(period)s; mở báo cáo đó (nếu đã nộp, lập bản điều chỉnh để sửa).") % {
        "unit": unit.name, "period": period.label.lower()}


@transaction.atomic
def report_open(*, actor: Actor, unit: Unit, period: Period) -> Report:
    """Open the unit's report of an ended period: the template of the committee above, the figures computed from
    live data. One report per unit and period (a change after submitting is a correction)."""
    _require_own(actor, unit)
    unit = unit_lock(unit)
    today = clock.today()
    errors: dict[str, str] = {}
    if period.start > today:
        errors["period"] = _("%(period)s chưa bắt đầu: chỉ báo cáo kỳ đã kết thúc.") % {"period": period.label}
    elif period.end >= today:
        errors["period"] = _("%(period)s chưa kết thúc (đến hết %(end)s): báo cáo sau khi hết kỳ.") % {
            "period": period.label, "end": format(period.end, "%d/%m/%Y")}
    elif period.end < unit.opened_on:
        errors["period"] = _("%(unit)s thành lập ngày %(opened_on)s, sau %(period)s.") % {
            "unit": unit.name, "opened_on": format(unit.opened_on, "%d/%m/%Y"), "period": period.label.lower()}
    template = template_for(unit, period.kind)
    if template is None and "period" not in errors:
        errors["period"] = _("Cấp trên chưa ban hành mẫu báo cáo cho loại kỳ này.")
    if not errors and _active(unit, period).exists():
        errors["period"] = _taken(unit, period)
    if errors:
        raise ValidationError(errors)
    assert template is not None
    number = (Report.objects.filter(unit=unit, period_kind=period.kind, period_start=period.start)
              .order_by("-number").values_list("number", flat=True).first() or 0) + 1
    try:
        with transaction.atomic():
            report = Report.objects.create(
                unit=unit, template=template, period_kind=period.kind, period_start=period.start,
                period_end=period.end, number=number, narrative=[""] * len(template.sections),
                figures=figs.compute(actor, unit, period.start, period.end, template.figures),
                opened_by=actor.label, opened_on=today)
    except IntegrityError:
        raise ValidationError({"period": _taken(unit, period)}) from None
    audit(actor=actor, action="reports.opened", obj=report, unit=unit, data={"period": period.code})
    return report


def report_lock(report: Report) -> Report:
    return Report.objects.select_for_update(of=("self",)).select_related("unit", "template").get(pk=report.pk)


def period_of(report: Report) -> Period:
    return of_kind(report.period_kind, report.period_start)


@transaction.atomic
def report_write(*, actor: Actor, report: Report, narrative: list[str], version: int | None = None) -> Report:
    """Write the narrative of a draft (one text per section of its template). The figures are the system's: they
    are computed again, never taken from the writer."""
    _require_own(actor, report.unit)
    report = report_lock(report)
    if report.state != State.DRAFT:
        raise TransitionRefused(_("Báo cáo đã nộp: số liệu và nội dung đã được chốt; lập bản điều chỉnh để sửa."),
                                lifecycle=REPORT.key, transition="write", state=report.state)
    if version is not None and version != report.version:
        raise StaleEdit(current_version=report.version)
    sections = report.template.sections
    if len(narrative) != len(sections):
        raise ValidationError({"narrative": _("Cần %(count)s đoạn, mỗi phần của mẫu báo cáo một đoạn.") % {
            "count": len(sections)}})
    texts = [str(t or "").strip()[:20000] for t in narrative]
    report.narrative = texts
    report.figures = figs.compute(actor, report.unit, report.period_start, report.period_end, report.template.figures)
    report.version += 1
    report.save(update_fields=["narrative", "figures", "version"])
    audit(actor=actor, action="reports.written", obj=report, unit=report.unit)
    return report


@REPORT.runs("submit")
@transaction.atomic
def report_submit(*, actor: Actor, report: Report) -> Report:
    """Submit the draft: its figures computed once more and frozen, the period locked for the unit."""
    report = report_lock(report)
    REPORT.check(actor, report, "submit")
    empty = [t for t, text in zip(report.template.sections, report.narrative, strict=False) if not text.strip()]
    if empty:
        raise ValidationError({"narrative": _("Chưa viết phần: %(sections)s.") % {"sections": "; ".join(empty)}})
    report.figures = figs.compute(actor, report.unit, report.period_start, report.period_end, report.template.figures)
    report.state = State.SUBMITTED
    report.submitted_by = actor.label
    report.submitted_on = clock.today()
    report.version += 1
    report.save(update_fields=["figures", "state", "submitted_by", "submitted_on", "version"])
    submitted_totals.changed(report, added=True)
    audit(actor=actor, action="reports.submitted", obj=report, unit=report.unit,
          data={"period": period_of(report).code, "number": report.number})
    parent = report.unit.parent
    if parent is not None:
        notify(actor=actor, users=role_holders([parent.path], roles=[Role.SECRETARY, Role.ORG_OFFICER]),
               kind="reports.submitted", unit=report.unit, ref=f"report:{report.pk}",
               title=said("%(unit)s đã nộp báo cáo %(period)s", unit=report.unit.name,
                          period=said_term(period_of(report).said, lower=True)),
               url=reverse("reports:report", kwargs={"pk": report.pk}))
    return report


@REPORT.runs("correct")
@transaction.atomic
def report_correct(*, actor: Actor, report: Report, reason: str) -> Report:
    """A correction of a submitted report: the submitted version is kept (superseded), a new draft opens with the
    same narrative, the current template and the reason."""
    report = report_lock(report)
    REPORT.check(actor, report, "correct")
    reason = clean(reason)[:500]
    if len(reason) < 10:
        raise ValidationError({"reason": _("Ghi rõ lý do điều chỉnh (ít nhất 10 ký tự).")})
    report.state = State.SUPERSEDED
    report.version += 1
    report.save(update_fields=["state", "version"])
    submitted_totals.changed(report, added=False)
    template = template_for(report.unit, report.period_kind) or report.template
    fresh = Report.objects.create(
        unit=report.unit, template=template, period_kind=report.period_kind, period_start=report.period_start,
        period_end=report.period_end, number=report.number + 1,
        narrative=_realign(report.template.sections, report.narrative, template.sections),
        figures=figs.compute(actor, report.unit, report.period_start, report.period_end, template.figures),
        opened_by=actor.label, opened_on=clock.today(), correction_reason=reason, previous=report)
    audit(actor=actor, action="reports.corrected", obj=fresh, unit=report.unit,
          data={"previous": report.pk, "reason": reason})
    return fresh


@transaction.atomic
def report_remind(*, actor: Actor, unit: Unit, period: Period) -> int:
    """Remind the secretaries of ``unit`` (a unit right below one where the actor writes) that its report of an
    ended ``period`` is not filed; at most once a day. Returns how many were told."""
    parent = unit.parent
    if parent is None or parent.pk not in actor.units_holding(WRITE):
        raise PermissionDenied(WRITE)
    today = clock.today()
    if period.end >= today:
        raise ValidationError({"period": _("%(period)s chưa kết thúc: chưa đến lúc nhắc.") % {"period": period.label}})
    if _active(unit, period).filter(state=State.SUBMITTED).exists():
        raise ValidationError({"unit": _("%(unit)s đã nộp báo cáo %(period)s.") % {
            "unit": unit.name, "period": period.label.lower()}})
    due = due_on(period)
    about = {"period": said_term(period.said, lower=True), "due": f"{due:%d/%m/%Y}", "upper": parent.name,
             "unit": unit.name}
    users = list(role_holders([unit.path], roles=[Role.SECRETARY]))
    if not users:
        raise ValidationError({"unit": _("%(unit)s chưa có bí thư có tài khoản để nhận lời nhắc.") % {
            "unit": unit.name}})
    sent = notify(actor=actor, users=users, kind="reports.reminder", unit=unit, ref=f"unit:{unit.pk}",
                  key=f"report-reminder:{unit.pk}:{period.code}:{today:%Y%m%d}",
                  title=(said("Nhắc nộp báo cáo %(period)s (quá hạn từ %(due)s)", **about) if today > due
                         else said("Nhắc nộp báo cáo %(period)s (hạn %(due)s)", **about)),
                  body=said("%(upper)s nhắc %(unit)s nộp báo cáo %(period)s.", **about),
                  url=reverse("reports:index") + f"?period={period.code}")
    audit(actor=actor, action="reports.reminded", obj=unit, unit=unit,
          data={"period": period.code, "late": today > due, "messages": len(sent)})
    return len(users)
