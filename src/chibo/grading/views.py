"""Grading pages: the periods (open one), a period's board, summary, chart and organizations, a member's review
(the self-assessment form on a phone, the cell's vote, the committee's appraisal and decision, the papers), an
organization's review, and the member's own reviews. Thin views over grading.selectors and grading.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import document_response, download
from chibo.core.forms import submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.sheets import XLSX
from chibo.grading import charts, documents, selectors, services
from chibo.grading.enums import GRADE_ORDER, Grade, ReviewState
from chibo.grading.forms import PeriodOpenForm, SelfForm
from chibo.grading.lifecycle import PERIOD, REVIEW, UNIT_REVIEW, deciding
from chibo.grading.rules import criteria_for
from chibo.units.selectors import unit_get

SELF_STEPS = ("save", "submit")
REVIEW_LIST_MAX = 500


def _staff(actor) -> None:
    if not actor.can("grading.view"):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    """The periods in the actor's scope; a committee with ``grading.open`` opens a new one here. A member without
    a role sees their own reviews here."""
    actor = actor_for(request)
    if not actor.can("grading.view") and not actor.member_id:
        raise Http404
    form = PeriodOpenForm(request.POST or None, actor=actor)
    can_open = actor.can("grading.open")
    if request.method != "POST" and not actor.can("grading.view"):  # a member without a role: their own reviews
        return mine(request)
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied
        if done := submit(request, form, lambda: services.period_open(actor=actor, **form.cleaned_data)):
            messages.success(request, _("Đã mở «%(title)s»: %(members)s đảng viên, %(units)s tổ chức.")
                             % {"title": done.value.title, "members": done.value.reviews.count(),
                                "units": done.value.unit_reviews.count()})
            return redirect("grading:period", pk=done.value.pk)
    periods = selectors.periods_visible(actor)[:100]
    return render(request, "grading/index.html", {"periods": periods, "form": form, "can_open": can_open},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def mine(request):
    actor = actor_for(request)
    if not actor.member_id:
        raise Http404
    return render(request, "grading/mine.html", {"reviews": selectors.my_reviews(actor)})


def _level(request, actor, period):
    raw = request.GET.get("unit", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    unit = unit_get(actor, int(raw))
    if not actor.can("grading.view", unit):
        raise Http404
    return unit


def _period_context(request, actor, period, bound=None):
    focus = _level(request, actor, period)
    level = focus or (period.unit if actor.can("grading.view", period.unit) else None)
    rows = selectors.summary(actor, period, level) if level is not None else []
    board = selectors.board(actor, period)
    reviews = None
    if focus is not None or len(board) == 1:
        unit = focus or board[0].unit
        reviews = list(selectors.period_reviews(actor, period, unit=unit)[:REVIEW_LIST_MAX])
    year_rows = selectors.years(actor, level) if level is not None else []
    return {"period": period, "board": board, "rows": rows, "level": level, "focus": focus, "reviews": reviews,
            "unit_reviews": selectors.period_unit_reviews(actor, period)[:REVIEW_LIST_MAX],
            "states": ReviewState.choices, "grades": [(g, Grade(g).label) for g in GRADE_ORDER],
            "chart": charts.grades_chart_svg(rows[1:] or rows) if rows else "",
            "years_chart": charts.years_chart_svg(year_rows) if len(year_rows) > 0 else "", "years": year_rows,
            "steps": action_forms(actor, PERIOD, period, bound), "today": clock.today(),
            "action_url": reverse("grading:period_act", kwargs={"pk": period.pk})}


@login_required
@require_GET
def period(request, pk):
    actor = actor_for(request)
    _staff(actor)
    p = selectors.period_get(actor, pk)
    return render(request, "grading/period.html", _period_context(request, actor, p))


@login_required
@require_POST
def period_act(request, pk):
    actor = actor_for(request)
    _staff(actor)
    p = selectors.period_get(actor, pk)
    return act(request, lc=PERIOD, obj=p, success_url=reverse("grading:period", kwargs={"pk": p.pk}),
               render_page=lambda bound: render(request, "grading/period.html",
                                                _period_context(request, actor, p, bound)))


@login_required
@require_GET
def summary_xlsx(request, pk):
    actor = actor_for(request)
    _staff(actor)
    p = selectors.period_get(actor, pk)
    level = _level(request, actor, p) or p.unit
    if not actor.can("grading.view", level):
        raise Http404
    content = documents.summary_xlsx(p, level.name, selectors.summary(actor, p, level))
    return download(actor=actor, content=content, filename=f"xep-loai-{p.year}-{level.code}.xlsx",
                    content_type=XLSX, action="grading.summary_downloaded", obj=p, unit=level)


def _initial(review):
    """The cell's and the committee's forms start from what the step before them recorded."""
    score = review.current_score
    on_time = {True: "yes", False: "no"}.get(review.all_on_time, "")
    computed = selectors.computed_grade(review)

    def initial(t):
        base = {"score": score, "all_on_time": on_time, "exceeded_percent": review.exceeded_percent,
                "grade": computed.grade if computed else "",
                "disciplined": review.disciplined or services.disciplined_by_decision(review)}
        if t.name == "cell_vote":
            base["grade"] = review.proposed_grade or base["grade"]
        if t.name == "decide":
            base = {"grade": review.appraised_grade}
        return base

    return initial


def _review_context(actor, review, bound=None):
    bound = bound or {}
    steps = [a for a in action_forms(actor, REVIEW, review, bound, initial=_initial(review))
             if a.name not in SELF_STEPS]
    may_self = any(REVIEW.permitted(actor, review, REVIEW.get(s)) and REVIEW.in_state(review, REVIEW.get(s))
                   for s in SELF_STEPS)
    self_form = bound.get("submit") or bound.get("save")
    if may_self and self_form is None:
        self_form = SelfForm(review=review, criteria=criteria_for(review.form, review.period.rules_on),
                             auto_id="id_self_%s")
    computed = selectors.computed_grade(review)
    return {"review": review, "steps": steps, "self_form": self_form if may_self else None,
            "criteria": criteria_for(review.form, review.period.rules_on), "computed": computed,
            "computed_label": Grade(computed.grade).label if computed else "",
            "decisions": selectors.decisions_of(review), "deciding": deciding(review),
            "action_url": reverse("grading:review_act", kwargs={"pk": review.pk}),
            "is_self": actor.member_id == review.member_id}


@login_required
@require_GET
def review(request, pk):
    actor = actor_for(request)
    r = selectors.review_get(actor, pk)
    return render(request, "grading/review.html", _review_context(actor, r))


@login_required
@require_POST
def review_act(request, pk):
    actor = actor_for(request)
    r = selectors.review_get(actor, pk)
    return act(request, lc=REVIEW, obj=r, success_url=reverse("grading:review", kwargs={"pk": r.pk}),
               render_page=lambda bound: render(request, "grading/review.html", _review_context(actor, r, bound)))


@login_required
@require_GET
def review_paper(request, pk):
    actor = actor_for(request)
    r = selectors.review_get(actor, pk)
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "docx"):
        raise Http404
    return document_response(documents.review_document(r), fmt, f"kiem-diem-{r.period.year}-{r.pk}", actor=actor,
                             action="grading.paper_downloaded", obj=r, unit=r.unit, data={"form": r.form})


def _unit_review_context(actor, unit_review, bound=None):
    return {"ur": unit_review, "steps": action_forms(actor, UNIT_REVIEW, unit_review, bound),
            "criteria": criteria_for("ORG", unit_review.period.rules_on),
            "members": selectors.members_input(unit_review),
            "decisions": selectors.decisions_of(unit_review),
            "action_url": reverse("grading:unit_review_act", kwargs={"pk": unit_review.pk})}


@login_required
@require_GET
def unit_review(request, pk):
    actor = actor_for(request)
    ur = selectors.unit_review_get(actor, pk)
    return render(request, "grading/unit_review.html", _unit_review_context(actor, ur))


@login_required
@require_POST
def unit_review_act(request, pk):
    actor = actor_for(request)
    ur = selectors.unit_review_get(actor, pk)
    return act(request, lc=UNIT_REVIEW, obj=ur, success_url=reverse("grading:unit_review", kwargs={"pk": ur.pk}),
               render_page=lambda bound: render(request, "grading/unit_review.html",
                                                _unit_review_context(actor, ur, bound)))
