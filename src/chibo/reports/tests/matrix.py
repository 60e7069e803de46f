"""Targets, payloads and the fingerprint of the reports routes for the permission matrix test
(src/chibo/core/tests/test_permission_matrix.py imports these)."""

from __future__ import annotations

from django.db.models import Count, Sum


def reports_targets(personas, units) -> dict[str, int]:
    """The upper committee's quarterly template; France's report of the last ended quarter, submitted, and its
    report of the quarter before, a draft."""
    from chibo.core import clock
    from chibo.core.access import actor_from_user
    from chibo.reports import services
    from chibo.reports.models import Report, Template
    from chibo.reports.periods import last_ended

    officer, phap = actor_from_user(personas["ban.tochuc"]), actor_from_user(personas["bithu.phap"])
    template = services.template_save(actor=officer, unit=units["unit_root"], name="Báo cáo quý",
                                      period_kind="quarter", sections="Giáo dục chính trị, tư tưởng\nQuản lý đảng viên",
                                      figures=["members.total", "members.full", "admission.admitted"])
    last = last_ended("quarter", clock.today())
    report = services.report_open(actor=phap, unit=units["unit_fr"], period=last)
    report = services.report_write(actor=phap, report=report, narrative=["Học tập nghị quyết.", "Quản lý tốt."])
    services.report_submit(actor=phap, report=report)
    draft = services.report_open(actor=phap, unit=units["unit_fr"], period=last.previous())
    default = Template.objects.filter(unit__isnull=True).order_by("pk").first()
    assert default is not None
    return {"template_root": template.pk, "template_default": default.pk, "report_fr": report.pk,
            "report_fr_draft": draft.pk,
            "template_missing": (Template.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
            "report_missing": (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000}


def reports_payload(kind: str, target, env):
    from chibo.core import clock
    from chibo.reports.periods import last_ended

    last = last_ended("quarter", clock.today())
    template = {"name": "Báo cáo sáu tháng", "period_kind": "half", "sections": "Giáo dục chính trị, tư tưởng",
                "figures": ["members.total"]}
    if kind in ("reports_open", "reports_api_open"):  # France's report of three quarters back
        return {"unit": env.targets["unit_fr"], "period": last.previous().previous().code}
    if kind == "reports_write":
        return {"section_1": "Học tập nghị quyết.", "section_2": "Quản lý đảng viên tốt."}
    if kind == "reports_api_write":
        return {"narrative": ["Học tập nghị quyết.", "Quản lý đảng viên tốt."]}
    if kind == "reports_correct":
        return {"do": "correct", "reason": "Bổ sung số liệu kết nạp trong kỳ."}
    if kind == "reports_api_correct":
        return {"action": "correct", "reason": "Bổ sung số liệu kết nạp trong kỳ."}
    if kind in ("reports_template", "reports_api_template"):
        return {"unit": env.targets["unit_root"], **template}
    if kind in ("reports_template_change", "reports_api_template_change"):
        return {**template, "name": "Báo cáo quý (sửa)"} if kind == "reports_template_change" else \
            {"name": "Báo cáo quý (sửa)"}
    if kind in ("reports_remind", "reports_api_remind"):
        return {"unit": env.targets["unit_de"], "period": last.code}
    raise KeyError(kind)


def reports_fingerprint() -> dict:
    from chibo.notifications.models import Message
    from chibo.reports.models import Report, Template

    return {
        "reports": Report.objects.aggregate(n=Count("pk"), versions=Sum("version")),
        "report_templates": sorted(Template.objects.values_list("pk", "name", "current", "number")),
        "report_reminders": Message.objects.filter(kind="reports.reminder").count(),
    }
