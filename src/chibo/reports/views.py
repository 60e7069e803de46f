"""Reports pages: the user's units and their reports of a period, opening one, a report with its figures and its
narrative, its paper, the templates an upper committee defines, the "not yet filed" board with reminders and the
roll-up. Thin views over reports.selectors and reports.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import document_response
from chibo.core.errors import StaleEdit
from chibo.core.forms import apply_service_errors, submit
from chibo.core.lifecycle import TransitionRefused
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.paging import PagedInDatabase
from chibo.core.text import as_id
from chibo.reports import figures as figs
from chibo.reports import selectors, services
from chibo.reports.documents import report_document
from chibo.reports.enums import VIEW, PeriodKind, State
from chibo.reports.forms import OpenForm, TemplateForm, narrative_form
from chibo.reports.lifecycle import REPORT
from chibo.reports.periods import Period, last_ended, parse
from chibo.units.selectors import unit_get


def _period(request, kind: str = PeriodKind.QUARTER) -> Period:
    try:
        return parse(request.GET.get("period", ""))
    except ValueError:
        return last_ended(kind, clock.today())


def _periods(period: Period) -> list[Period]:
    """The period shown and a few before it, to choose from."""
    out = [period]
    for _i in range(5):
        out.append(out[-1].previous())
    return out


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    if not actor.can(VIEW):
        raise Http404
    period = _period(request)
    units = selectors.writing_units(actor)
    found = selectors.reports_of(actor, units, period)
    return render(request, "reports/index.html", {
        "period": period, "periods": _periods(period), "due": services.due_on(period),
        "rows": [(u, found.get(u.pk)) for u in units], "committees": selectors.committees(actor),
        "can_define": selectors.may_define(actor)})


@login_required
@require_POST
def open_report(request):
    """Open a unit's report of an ended period (its own officers only)."""
    actor = actor_for(request)
    form = OpenForm(request.POST)
    if form.is_valid():
        unit = unit_get(actor, form.cleaned_data["unit"])
        try:
            period = parse(form.cleaned_data["period"])
            report = services.report_open(actor=actor, unit=unit, period=period)
        except ValueError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Đã mở báo cáo: số liệu đã được tính sẵn; viết phần đánh giá rồi nộp."))
            return redirect("reports:report", pk=report.pk)
    else:
        messages.error(request, gettext("Chọn tổ chức và kỳ báo cáo."))
    return redirect(reverse("reports:index") + f"?period={request.POST.get('period', '')[:10]}")


def _context(actor, report, *, form=None, bound=None):
    values = report.figures if report.state != State.DRAFT else figs.compute(
        actor, report.unit, report.period_start, report.period_end, report.template.figures)
    writable = report.state == State.DRAFT and report.unit_id in actor.units_holding(services.WRITE)
    if writable and form is None:
        form = narrative_form(report.template.sections, initial=report.narrative)
    return {"report": report, "period": services.period_of(report), "steps": action_forms(actor, REPORT, report, bound),
            "figures": [(k, label, v, figs.definition_of(k, shown=True)) for k, label, v in figs.ordered(
                values, report.template.figures, shown=True)],
            "sections": list(zip(report.template.sections, report.narrative, strict=False)),
            "versions": selectors.versions_of(report), "form": form if writable else None,
            "action_url": reverse("reports:act", kwargs={"pk": report.pk})}


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """A report: its figures (live while drafted, frozen once submitted), its narrative (written here while it is
    a draft, by the unit's own officers), its versions and its steps."""
    actor = actor_for(request)
    r = selectors.report_get(actor, pk)
    if request.method == "POST":
        if r.unit_id not in actor.units_holding(services.WRITE):
            raise PermissionDenied
        form = narrative_form(r.template.sections, request.POST)
        if form.is_valid():
            texts = [form.cleaned_data[f"section_{i}"] for i in range(1, len(r.template.sections) + 1)]
            try:
                services.report_write(actor=actor, report=r, narrative=texts,
                                      version=as_id(request.POST.get("version", "")))
            except TransitionRefused as exc:
                messages.error(request, str(exc))
                return redirect("reports:report", pk=r.pk)
            except StaleEdit:
                form.add_error(None, gettext("Báo cáo vừa được người khác lưu; tải lại trang để xem bản mới."))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, gettext("Đã lưu phần đánh giá."))
                return redirect("reports:report", pk=r.pk)
        return render(request, "reports/report.html", _context(actor, r, form=form), status=400)
    return render(request, "reports/report.html", _context(actor, r))


@login_required
@require_POST
def report_act(request, pk):
    actor = actor_for(request)
    r = selectors.report_get(actor, pk)
    url = reverse("reports:report", kwargs={"pk": r.pk})

    def page(bound):
        return render(request, "reports/report.html", _context(actor, r, bound=bound))

    if request.POST.get("do") == "correct" and REPORT.available(actor, r):
        response = act(request, lc=REPORT, obj=r, success_url=url, render_page=page)
        fresh = selectors.versions_of(r).last()
        if response.status_code == 302 and fresh is not None and fresh.pk != r.pk:
            return redirect("reports:report", pk=fresh.pk)
        return response
    return act(request, lc=REPORT, obj=r, success_url=url, render_page=page)


@login_required
@require_GET
def paper(request, pk, fmt):
    """The report as DOCX or PDF in the party layout."""
    if fmt not in ("docx", "pdf"):
        raise Http404
    actor = actor_for(request)
    r = selectors.report_get(actor, pk)
    values = r.figures if r.state != State.DRAFT else figs.compute(
        actor, r.unit, r.period_start, r.period_end, r.template.figures)
    period = services.period_of(r)
    stem = f"bao-cao-{r.unit.code.lower()}-{period.code.lower()}-lan-{r.number}"
    return document_response(report_document(r, values), fmt, stem, actor=actor, action="reports.paper_read",
                             obj=r, unit=r.unit)


# -- templates ---------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def templates(request):
    """The templates in the user's scope; POST defines one for a committee where the user writes."""
    actor = actor_for(request)
    if not actor.can(VIEW):
        raise Http404
    own = selectors.writing_units(actor)
    form = TemplateForm(request.POST or None, initial={"period_kind": PeriodKind.QUARTER,
                                                       "figures": list(figs.KEYS)})
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        unit = unit_get(actor, as_id(request.POST.get("unit", "")) or 0)
        if done := submit(request, form, lambda: services.template_save(actor=actor, unit=unit,
                                                                           **form.cleaned_data)):
            messages.success(request, gettext("Đã ban hành mẫu báo cáo."))
            return redirect("reports:template", pk=done.value.pk)
    return render(request, "reports/templates.html", {
        "templates": selectors.templates_visible(actor).filter(current=True)[:200], "form": form if own else None,
        "units": own}, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def template(request, pk):
    """A template and its versions; POST changes it (a new version once a unit has submitted against it)."""
    actor = actor_for(request)
    t = selectors.template_get(actor, pk)
    editable = t.current and selectors.may_define(actor, t)
    initial = {"name": t.name, "period_kind": t.period_kind, "sections": "\n".join(t.sections), "figures": t.figures}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if done := submit(request, form, lambda: services.template_save(actor=actor, unit=t.unit, template=t,
                                                                           **form.cleaned_data)):
            changed = done.value.pk != t.pk
            messages.success(request, gettext("Đã lưu thành phiên bản mới; các báo cáo đã nộp giữ phiên bản cũ.")
                             if changed else gettext("Đã lưu mẫu báo cáo."))
            return redirect("reports:template", pk=done.value.pk)
    return render(request, "reports/template.html", {
        "template": t, "versions": selectors.template_versions(t), "form": form if editable else None,
        "figures": [(k, figs.label_of(k, shown=True), figs.definition_of(k, shown=True)) for k in t.figures]},
        status=400 if request.method == "POST" else 200)


# -- the level above ---------------------------------------------------------------------------------------------
def _committee(request, actor):
    unit = unit_get(actor, as_id(request.GET.get("unit", "")) or 0)
    if not actor.can(VIEW, unit):
        raise Http404
    return unit


@login_required
@require_GET
def board(request):
    """The units right below a committee and whether they have filed their report of the period."""
    actor = actor_for(request)
    unit = _committee(request, actor)
    period = _period(request)
    board = selectors.board(actor, unit, period)
    page = PagedInDatabase(board.units, selectors.BOARD_PAGE).page_read(request.GET.get("page"), board.rows)
    return render(request, "reports/board.html", {"unit": unit, "board": board, "page": page,
                                                  "period": period, "periods": _periods(period)})


@login_required
@require_POST
def remind(request):
    """Remind a unit below that its report of the period is not filed (the outbox)."""
    actor = actor_for(request)
    unit = unit_get(actor, as_id(request.POST.get("unit", "")) or 0)
    code = request.POST.get("period", "")[:10]
    try:
        told = services.report_remind(actor=actor, unit=unit, period=parse(code))
    except ValueError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Đã gửi lời nhắc đến %(count)s người của %(unit)s.") % {
            "count": told, "unit": unit.name})
    parent = unit.parent_id or 0
    return redirect(reverse("reports:board") + f"?unit={parent}&period={code}")


@login_required
@require_GET
def rollup(request):
    """A level's figures as the sum of its units' submitted reports, beside the live figures of the subtree."""
    actor = actor_for(request)
    unit = _committee(request, actor)
    period = _period(request)
    return render(request, "reports/rollup.html", {"unit": unit, "rollup": selectors.rollup(actor, unit, period),
                                                   "period": period, "periods": _periods(period)})
