"""Admission pages: the pipeline board (a unit, or the whole tree for the upper committee), a case
with its checks, deadlines, votes and forms, the step forms, the papers, statistics, and the
applicant's own dossier. Thin views over admission.selectors and admission.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.accounts.selectors import account_state, user_of_applicant
from chibo.admission import documents, selectors, services
from chibo.admission.forms import ApplicantForm, ApplicantInviteForm
from chibo.admission.lifecycle import CASE
from chibo.admission.models import PIPELINE, Stage
from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import document_response
from chibo.core.forms import submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.text import name_warning
from chibo.members.selectors import committee_members_on
from chibo.units.selectors import unit_get


def _scope_unit(request, actor):
    raw = request.GET.get("unit")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    unit = unit_get(actor, int(raw))
    if not actor.can("admission.view", unit):
        raise Http404
    return unit


def _staff(actor):
    if not actor.can("admission.view"):
        raise Http404


@login_required
@require_GET
def board(request):
    actor = actor_for(request)
    _staff(actor)
    unit = _scope_unit(request, actor)
    columns = selectors.board(actor, unit)
    return render(request, "admission/board.html", {
        "units": selectors.board_by_unit(actor, unit, request.GET.get("page")),
        "columns": columns, "unit": unit, "whole_tree": unit is None and actor.sees_whole_tree("admission.view"),
        "total": sum(c.count for c in columns), "today": clock.today(), "can_open": actor.can("admission.edit")})


def _case_context(actor, case, bound=None, invite_form=None):
    preview = None
    if case.stage == Stage.VERIFIED:
        preview = services.cell_vote_preview(case, clock.today())
    deadline = selectors.next_deadlines([case]).get(case.pk)
    account = user_of_applicant(case.applicant_id)
    return {"case": case, "steps": action_forms(actor, CASE, case, bound), "preview": preview,
            "account": account, "account_state": account_state(account) if account else "",
            "invite_form": invite_form or ApplicantInviteForm(),
            "votes": selectors.case_votes(case), "papers": documents.forms_ready(case), "deadline": deadline,
            "today": clock.today(), "pipeline": _progress(case), "can_edit": actor.can("admission.edit", case.unit),
            "committee": committee_members_on(case.deciding_unit, clock.today()) if case.deciding_unit else None}


def _progress(case):
    reached = case.step_index if case.step_index >= 0 else PIPELINE.index(case.exit_stage) if case.exit_stage else 0
    return [{"label": Stage(s).label, "done": i < reached or case.stage == Stage.FULL,
             "current": i == reached and case.stage != Stage.FULL} for i, s in enumerate(PIPELINE)]


@login_required
@require_GET
def case_detail(request, pk):
    actor = actor_for(request)
    case = selectors.case_get(actor, pk)
    return render(request, "admission/case.html", _case_context(actor, case))


@login_required
@require_POST
def case_step(request, pk):
    actor = actor_for(request)
    case = selectors.case_get(actor, pk)
    return act(request, lc=CASE, obj=case, success_url=reverse("admission:case", kwargs={"pk": case.pk}),
               render_page=lambda bound: render(request, "admission/case.html", _case_context(actor, case, bound)))


@login_required
@require_POST
def case_invite(request, pk):
    """Invite the applicant to their dossier page (a one-time link by e-mail)."""
    actor = actor_for(request)
    case = selectors.case_get(actor, pk)
    form = ApplicantInviteForm(request.POST)
    if done := submit(request, form, lambda: services.applicant_invite(actor=actor, case=case, **form.cleaned_data)):
        messages.success(request, _("Đã gửi lời mời tới %(email)s; tên đăng nhập: %(username)s.")
                         % {"email": done.value.email, "username": done.value.user.username})
        return redirect("admission:case", pk=case.pk)
    return render(request, "admission/case.html", _case_context(actor, case, invite_form=form), status=400)


@login_required
@require_GET
def case_paper(request, pk):
    actor = actor_for(request)
    case = selectors.case_get(actor, pk)
    code, fmt = request.GET.get("form", ""), request.GET.get("format", "pdf")
    if fmt not in ("pdf", "docx"):
        raise Http404
    try:
        doc = documents.build(case, code)
    except ValidationError as exc:
        raise Http404 from exc
    return document_response(doc, fmt, f"ho-so-{case.pk}-{code}", actor=actor, action="admission.paper_downloaded",
                             obj=case, unit=case.unit, data={"form": code})


@login_required
@require_GET
def stats(request):
    actor = actor_for(request)
    _staff(actor)
    unit = _scope_unit(request, actor)
    s = selectors.statistics(actor, unit)
    top = max([1, *s.admitted.values(), *s.confirmed.values()])
    bars = []
    for i, year in enumerate(s.years):
        a, c = s.admitted[year], s.confirmed[year]
        x = 40 + i * 90
        bars.append({"year": year, "x": x, "a": a, "c": c, "ah": round(160 * a / top), "ch": round(160 * c / top),
                     "ay": 190 - round(160 * a / top), "cy": 190 - round(160 * c / top)})
    return render(request, "admission/stats.html", {"s": s, "bars": bars, "unit": unit,
                                                    "width": 60 + 90 * len(bars)})


@login_required
def dossier(request):
    """The applicant's own page: their record and where the case stands; nothing else."""
    actor = actor_for(request)
    applicant = selectors.my_dossier(actor)
    case = selectors.my_case(actor)
    deadline = selectors.next_deadlines([case]).get(case.pk) if case else None
    return render(request, "admission/dossier.html", {
        "a": applicant, "case": case, "expected": selectors.expected_of_applicant(case),
        "pipeline": _progress(case) if case else [], "deadline": deadline})


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """The cell records an outstanding person (quần chúng ưu tú) and opens the admission case."""
    actor = actor_for(request)
    if not actor.can("admission.edit"):
        raise Http404
    form = ApplicantForm(request.POST or None, actor=actor, unit=_scope_unit(request, actor))
    if done := submit(request, form, lambda: services.applicant_record(actor=actor, **form.cleaned_data)):
        text = _("Đã ghi nhận %(name)s và mở hồ sơ kết nạp.") % {"name": done.value.full_name}
        if form.cleaned_data["invite"]:
            text += " " + _("Đã gửi lời mời tới %(email)s.") % {"email": done.value.email}
        messages.success(request, text)
        if warning := name_warning(done.value.full_name):
            messages.warning(request, warning)
        return redirect("admission:case", pk=done.value.case.pk)
    return render(request, "admission/new.html", {"form": form})
