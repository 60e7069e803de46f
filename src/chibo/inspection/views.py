"""Inspection pages: the index (the cases the user needs to know, the plans of the year), a plan with its items,
their progress and the committee's supervision notes of the year, opening an inspection on a member or an
organization, and an inspection with its steps. Thin views over inspection.selectors and inspection.services; the
subject sees their own case without the signs and the team."""

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
from chibo.core.forms import submit
from chibo.core.lifecycle_views import Action, act, action_forms
from chibo.core.text import as_id
from chibo.inspection import selectors, services
from chibo.inspection.enums import ITEM_OPEN_STATES, CaseState, Kind
from chibo.inspection.forms import InspectionOpenForm, NoteForm, OrganizationPickForm, PlanForm, PlanItemForm
from chibo.inspection.lifecycle import CASE, ITEM, is_subject, subject_is
from chibo.members.selectors import MemberFilters, member_get, member_search
from chibo.units.selectors import unit_ancestors, unit_get

MEMBERS_IN_LIST = 300  # up to this many members of the committee's subtree, a list to choose from


def _year(request) -> int:
    year = as_id(request.GET.get("year", ""))
    return year if year is not None and 2000 <= year <= 2100 else clock.today().year


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    if not (actor.can("inspection.view") or actor.can("inspection.open") or actor.can("discipline.inspect")
            or actor.member_id):
        raise Http404
    year = _year(request)
    can_plan = bool(actor.units_holding("inspection.plan"))
    about_me = selectors.cases_about(actor).select_related("unit", "subject_member", "subject_unit")
    return render(request, "inspection/index.html", {
        "about_me": about_me[:200],
        "cases": (selectors.cases_visible(actor).exclude(pk__in=about_me.values("pk"))
                  .select_related("unit", "subject_member", "subject_unit")[:200]),
        "plans": selectors.plans_visible(actor).filter(year=year).order_by("unit__path", "kind")[:200],
        "year": year, "years": (year - 1, year + 1), "can_view_plans": actor.can("inspection.view"),
        "pick": (OrganizationPickForm(actor=actor, auto_id="pick_%s") if actor.units_holding("inspection.open")
                 else None),
        "can_plan": can_plan, "form": PlanForm(actor=actor) if can_plan else None})


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    """Adopt a yearly plan of inspection or of supervision (``inspection.plan`` on the committee itself)."""
    actor = actor_for(request)
    if not actor.can("inspection.plan"):
        raise Http404
    form = PlanForm(request.POST or None, actor=actor)
    if done := submit(request, form, lambda: services.plan_create(actor=actor, **form.cleaned_data)):
        messages.success(request,
                         gettext("Đã lập %(value)s: thêm từng nội dung của kế hoạch bên dưới.")
                         % {"value": str(done.value).lower()})
        return redirect("inspection:plan", pk=done.value.pk)
    return render(request, "inspection/plan_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _members(actor, plan):
    found = list(member_search(actor, MemberFilters(unit=plan.unit, active_only=True))[:MEMBERS_IN_LIST + 1])
    return found if len(found) <= MEMBERS_IN_LIST else None


def _can_edit(actor, plan) -> bool:
    """The plan's own committee writes it (a level above reads it)."""
    return plan.unit_id in actor.units_holding("inspection.plan")


def _item_actions(actor, items, bound_item=None, bound=None) -> None:
    """Each item's steps this user may take now, their fields' ids kept apart from the other items'."""
    for item in items:
        actions = []
        for t in ITEM.available(actor, item):
            form = (bound or {}).get(t.name) if bound_item == item.pk else None
            is_bound = form is not None
            if form is None and t.form is not None:
                form = t.form(auto_id=f"id_item{item.pk}_{t.name}_%s")
            actions.append(Action(t, form, t.label, open=is_bound))
        item.actions = actions


def _plan_context(actor, plan, *, item_form=None, note_form=None, bound_item=None, bound=None):
    items = list(selectors.plan_items(plan))
    can_edit = _can_edit(actor, plan)
    supervision = plan.kind == Kind.SUPERVISION
    _item_actions(actor, items, bound_item, bound)
    if can_edit:
        members = _members(actor, plan)
        item_form = item_form or PlanItemForm(actor=actor, unit=plan.unit, members=members, auto_id="item_%s")
        if supervision:
            note_form = note_form or NoteForm(actor=actor, unit=plan.unit, members=members, auto_id="note_%s")
    return {"plan": plan, "items": items, "progress": selectors.progress(items), "can_edit": can_edit,
            "item_form": item_form, "note_form": note_form, "supervision": supervision,
            "notes": selectors.notes_of(plan)[:200] if supervision else [],
            "can_open": plan.kind == Kind.INSPECTION and plan.unit_id in actor.units_holding("inspection.open"),
            "open_states": [str(s) for s in ITEM_OPEN_STATES]}


@login_required
@require_http_methods(["GET", "POST"])
def plan(request, pk):
    """A plan: its items with their state and steps, the progress, and for a plan of supervision the committee's
    supervision notes of the year. POST adds an item (``inspection.plan`` on the plan's committee itself)."""
    actor = actor_for(request)
    p = selectors.plan_get(actor, pk)
    if request.method == "POST":
        if not _can_edit(actor, p):
            raise PermissionDenied
        form = PlanItemForm(request.POST, actor=actor, unit=p.unit, members=_members(actor, p), auto_id="item_%s")
        if submit(request, form, lambda: services.plan_item_add(actor=actor, plan=p, **form.cleaned_data)):
            messages.success(request, gettext("Đã thêm nội dung vào kế hoạch."))
            return redirect(reverse("inspection:plan", kwargs={"pk": p.pk}) + "#items")
        return render(request, "inspection/plan.html", _plan_context(actor, p, item_form=form), status=400)
    return render(request, "inspection/plan.html", _plan_context(actor, p))


@login_required
@require_POST
def plan_notes(request, pk):
    """Add a supervision note to a plan of supervision, dated in the plan's year."""
    actor = actor_for(request)
    p = selectors.plan_get(actor, pk, kind=Kind.SUPERVISION)
    if not _can_edit(actor, p):
        raise PermissionDenied
    form = NoteForm(request.POST, actor=actor, unit=p.unit, members=_members(actor, p), auto_id="note_%s")
    if submit(request, form, lambda: services.note_add(actor=actor, plan=p, **form.cleaned_data)):
        messages.success(request, gettext("Đã ghi nội dung giám sát thường xuyên."))
        return redirect(reverse("inspection:plan", kwargs={"pk": p.pk}) + "#notes")
    return render(request, "inspection/plan.html", _plan_context(actor, p, note_form=form), status=400)


@login_required
@require_POST
def item_act(request, pk):
    actor = actor_for(request)
    item = selectors.item_get(actor, pk)
    plan_url = reverse("inspection:plan", kwargs={"pk": item.plan_id})
    return act(request, lc=ITEM, obj=item, success_url=plan_url + f"#item-{item.pk}",
               render_page=lambda bound: render(request, "inspection/plan.html",
                                                _plan_context(actor, item.plan, bound_item=item.pk, bound=bound)))


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """Open an inspection on a member (``?member=ID``, from the member's page) or an organization (``?unit=ID``,
    from the index or a plan): the committees offered are those above the subject where the user holds
    ``inspection.open`` on the committee itself; never on oneself."""
    actor = actor_for(request)
    if not actor.can("inspection.open"):
        raise Http404
    member_id, unit_id = as_id(request.GET.get("member", "")), as_id(request.GET.get("unit", ""))
    if member_id is not None:
        member = member_get(actor, member_id)
        subject = {"subject_member": member}
        chain = [*unit_ancestors(member.unit), member.unit]
        lookup = {"subject_member_id": member.pk}
        name = member.full_name
    elif unit_id is not None:
        unit = unit_get(actor, unit_id)
        subject = {"subject_unit": unit}
        chain = list(unit_ancestors(unit))
        lookup = {"subject_unit_id": unit.pk}
        name = unit.name
    else:
        raise Http404
    own = set(actor.units_holding("inspection.open"))
    units = [u for u in reversed(chain) if u.pk in own]  # the nearest first
    if not units or subject_is(actor, lookup.get("subject_member_id"), lookup.get("subject_unit_id")):
        raise PermissionDenied
    items = list(selectors.open_items_for(units, **lookup))
    form = InspectionOpenForm(request.POST or None, units=units, items=items)
    if done := submit(request, form, lambda: services.inspection_open(actor=actor, **subject, **form.cleaned_data)):
        messages.success(request, gettext("Đã mở cuộc kiểm tra; chỉ đoàn kiểm tra, cấp ủy tiến hành kiểm tra và "
                                          "đối tượng được kiểm tra xem được."))
        return redirect("inspection:case", pk=done.value.pk)
    return render(request, "inspection/new.html", {"form": form, "subject_name": name, **subject},
                  status=400 if request.method == "POST" else 200)


def _context(actor, case, bound=None):
    subject_only = is_subject(actor, case)
    member = case.subject_member
    return {"case": case, "steps": action_forms(actor, CASE, case, bound), "subject_only": subject_only,
            "team": case.team.all() if not subject_only else [],
            "propose_discipline": (case.state == CaseState.CONCLUDED and member is not None and not subject_only
                                   and actor.can("discipline.open", member.unit)),
            "action_url": reverse("inspection:case_act", kwargs={"pk": case.pk})}


@login_required
@require_GET
def case(request, pk):
    actor = actor_for(request)
    c = selectors.case_get(actor, pk)
    return render(request, "inspection/case.html", _context(actor, c))


@login_required
@require_POST
def case_act(request, pk):
    actor = actor_for(request)
    c = selectors.case_get(actor, pk)
    return act(request, lc=CASE, obj=c, success_url=reverse("inspection:case", kwargs={"pk": c.pk}),
               render_page=lambda bound: render(request, "inspection/case.html", _context(actor, c, bound)))
