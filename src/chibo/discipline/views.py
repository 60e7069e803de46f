"""Discipline pages: the cases the user needs to know (with the year's decisions by form), opening a case on a
member, a case with its steps, and the decision as PDF/DOCX. Thin views over discipline.selectors and
discipline.services; a member sees their own case without the parts reserved to the committee."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.charts import PALETTE, stacked_columns_svg
from chibo.core.documents import document_response, download
from chibo.core.forms import submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.sheets import XLSX
from chibo.core.text import as_id
from chibo.discipline import documents, selectors, services
from chibo.discipline.enums import Form
from chibo.discipline.forms import CaseOpenForm, NoticeForm
from chibo.discipline.lifecycle import CASE, NOTICE
from chibo.members.selectors import member_get
from chibo.units.selectors import units_by_id


def _year(request) -> int:
    year = as_id(request.GET.get("year", ""))
    return year if year is not None and 2000 <= year <= 2100 else clock.today().year


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    if not (actor.can("discipline.open") or actor.can("discipline.decide") or actor.can("discipline.inspect")
            or actor.member_id):
        raise Http404
    year = _year(request)
    decided = list(selectors.register(actor, year))
    counts = selectors.counts_by_form(decided)
    can_register = actor.can("discipline.decide") or actor.can("discipline.inspect")
    context = {
        "cases": selectors.cases_visible(actor).select_related("member", "deciding_unit")[:200],
        "notices": selectors.notices_visible(actor).select_related("member", "unit")[:200],
        "year": year, "by_form": [(f, label, counts.get(f, 0)) for f, label in Form.choices],
        "forms": Form.choices, "can_open": actor.can("discipline.open"), "can_register": can_register}
    if can_register:
        by_year, by_level = selectors.statistics(actor, list(range(year - 4, year + 1)))
        order = [(f, gettext(label), PALETTE[i]) for i, (f, label) in enumerate(Form.choices)]
        context.update(by_year=by_year, by_level=by_level, chart=stacked_columns_svg(
            [(str(r.year), r.by_form) for r in by_year], order,
            aria=gettext("Quyết định kỷ luật theo năm và hình thức")))
    return render(request, "discipline/index.html", context)


def _register(request):
    actor = actor_for(request)
    if not (actor.can("discipline.decide") or actor.can("discipline.inspect")):
        raise Http404
    year = _year(request)
    return actor, year, list(selectors.register(actor, year).select_related("unit", "appeal"))


@login_required
@require_GET
def register_xlsx(request):
    """The register of the year's decisions (``?year=``), among the cases the user needs to know."""
    actor, year, cases = _register(request)
    return download(actor=actor, content=documents.register_xlsx(year, cases), filename=f"so-ky-luat-{year}.xlsx",
                    content_type=XLSX, action="discipline.register_downloaded", data={"year": year,
                                                                                      "rows": len(cases)})


@login_required
@require_GET
def register_pdf(request):
    """The same register as a paper of the user's highest organization with discipline grants."""
    actor, year, cases = _register(request)
    issuer_id = selectors.register_issuer(actor)
    issuer = units_by_id([issuer_id]).get(issuer_id) if issuer_id else None
    if issuer is None:
        raise Http404
    return document_response(documents.register_document(year, cases, issuer), "pdf", f"so-ky-luat-{year}",
                             actor=actor, action="discipline.register_downloaded",
                             data={"year": year, "rows": len(cases)})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """Open a case on a member (``?member=ID``, from the member's page)."""
    actor = actor_for(request)
    if not actor.can("discipline.open"):
        raise Http404
    member = _member_from_query(request, actor)
    units = services.competent_units(member)
    form = CaseOpenForm(request.POST or None, units=units,
                        initial={"member": member.pk, "notice": as_id(request.GET.get("notice"))})
    if request.method == "POST":
        def run():
            data = {k: v for k, v in form.cleaned_data.items() if k != "member"}  # the member is the page's own
            return services.case_open(actor=actor, member=member, **data)

        if done := submit(request, form, run):
            messages.success(request,
                             gettext("Đã mở hồ sơ; đảng viên bị hạn chế chuyển sinh hoạt cho đến khi có quyết định."))
            return redirect("discipline:case", pk=done.value.pk)
    return render(request, "discipline/new.html", {"form": form, "member": member},
                  status=400 if request.method == "POST" else 200)


def _member_from_query(request, actor):
    """The member named by ``?member=`` (or the posted ``member``), within the actor's scope; 404 otherwise."""
    found = as_id(request.GET.get("member") or request.POST.get("member", ""))
    if found is None:
        raise Http404
    member = member_get(actor, found)
    if not actor.can("discipline.open", member.unit):
        raise PermissionDenied
    return member


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request):
    """Record a state body's notice that it disciplined a member (``?member=ID``, from the member's page)."""
    actor = actor_for(request)
    if not actor.can("discipline.open"):
        raise Http404
    member = _member_from_query(request, actor)
    form = NoticeForm(request.POST or None, units=services.competent_units(member), initial={"member": member.pk})
    if request.method == "POST":
        def run():
            data = {k: v for k, v in form.cleaned_data.items() if k != "member"}
            return services.notice_record(actor=actor, member=member, **data)

        if done := submit(request, form, run):
            messages.success(request, gettext("Đã ghi thông báo."))
            return redirect("discipline:notice", pk=done.value.pk)
    return render(request, "discipline/notice_new.html", {"form": form, "member": member},
                  status=400 if request.method == "POST" else 200)


def _notice_context(actor, notice, bound=None):
    return {"notice": notice, "steps": action_forms(actor, NOTICE, notice, bound),
            "subject_only": actor.member_id == notice.member_id,
            "can_open": notice.state == "received" and actor.member_id != notice.member_id
            and actor.can("discipline.open", notice.member.unit),
            "action_url": reverse("discipline:notice_act", kwargs={"pk": notice.pk})}


@login_required
@require_GET
def notice(request, pk):
    actor = actor_for(request)
    n = selectors.notice_get(actor, pk)
    return render(request, "discipline/notice.html", _notice_context(actor, n))


@login_required
@require_POST
def notice_act(request, pk):
    actor = actor_for(request)
    n = selectors.notice_get(actor, pk)
    return act(request, lc=NOTICE, obj=n, success_url=reverse("discipline:notice", kwargs={"pk": n.pk}),
               render_page=lambda bound: render(request, "discipline/notice.html", _notice_context(actor, n, bound)))


def _context(actor, case, bound=None):
    return {"case": case, "steps": action_forms(actor, CASE, case, bound),
            "subject_only": selectors.is_subject_only(actor, case), "appeal": getattr(case, "appeal", None),
            "officers": case.officers.all(), "action_url": reverse("discipline:act", kwargs={"pk": case.pk})}


@login_required
@require_GET
def case(request, pk):
    actor = actor_for(request)
    c = selectors.case_get(actor, pk)
    return render(request, "discipline/case.html", _context(actor, c))


@login_required
@require_POST
def case_act(request, pk):
    actor = actor_for(request)
    c = selectors.case_get(actor, pk)
    return act(request, lc=CASE, obj=c, success_url=reverse("discipline:case", kwargs={"pk": c.pk}),
               render_page=lambda bound: render(request, "discipline/case.html", _context(actor, c, bound)))


@login_required
@require_GET
def decision(request, pk):
    actor = actor_for(request)
    c = selectors.case_get(actor, pk)
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "docx") or not c.decided_on:
        raise Http404
    return document_response(documents.decision_document(c), fmt, f"quyet-dinh-ky-luat-{c.pk}", actor=actor,
                             action="discipline.decision_downloaded", obj=c, unit=c.deciding_unit)
