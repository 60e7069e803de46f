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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import document_response, download
from chibo.core.forms import submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.discipline import documents, selectors, services
from chibo.discipline.enums import Form
from chibo.discipline.forms import CaseOpenForm
from chibo.discipline.lifecycle import CASE
from chibo.members.selectors import member_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    if not (actor.can("discipline.open") or actor.can("discipline.decide") or actor.can("discipline.inspect")
            or actor.member_id):
        raise Http404
    year = clock.today().year
    decided = list(selectors.register(actor, year))
    counts = selectors.counts_by_form(decided)
    return render(request, "discipline/index.html", {
        "cases": selectors.cases_visible(actor).select_related("member", "deciding_unit")[:200],
        "year": year, "by_form": [(f, label, counts.get(f, 0)) for f, label in Form.choices],
        "can_open": actor.can("discipline.open"),
        "can_register": actor.can("discipline.decide") or actor.can("discipline.inspect")})


@login_required
@require_GET
def register_xlsx(request):
    """The register of the year's decisions (``?year=``), among the cases the user needs to know."""
    actor = actor_for(request)
    if not (actor.can("discipline.decide") or actor.can("discipline.inspect")):
        raise Http404
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else clock.today().year
    cases = list(selectors.register(actor, year).select_related("unit", "appeal"))
    return download(actor=actor, content=documents.register_xlsx(year, cases), filename=f"so-ky-luat-{year}.xlsx",
                    content_type=XLSX, action="discipline.register_downloaded", data={"year": year,
                                                                                      "rows": len(cases)})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """Open a case on a member (``?member=ID``, from the member's page)."""
    actor = actor_for(request)
    if not actor.can("discipline.open"):
        raise Http404
    raw = request.GET.get("member") or request.POST.get("member", "")
    if not str(raw).isdigit():
        raise Http404
    member = member_get(actor, int(raw))
    if not actor.can("discipline.open", member.unit):
        raise PermissionDenied
    units = services.competent_units(member)
    form = CaseOpenForm(request.POST or None, units=units, initial={"member": member.pk})
    if request.method == "POST":
        def run():
            data = {k: v for k, v in form.cleaned_data.items() if k != "member"}  # the member is the page's own
            return services.case_open(actor=actor, member=member, **data)

        if done := submit(request, form, run):
            messages.success(request, "Đã mở hồ sơ; đảng viên bị hạn chế chuyển sinh hoạt cho đến khi có quyết định.")
            return redirect("discipline:case", pk=done.value.pk)
    return render(request, "discipline/new.html", {"form": form, "member": member},
                  status=400 if request.method == "POST" else 200)


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
