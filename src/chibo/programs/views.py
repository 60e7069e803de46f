"""Work program pages: the index (the programs of a year in the user's scope, a new program), a program with its
items and progress, an item with its steps and, when handed down, the progress of the units below, the follow-up
board (overdue and due-soon items, open proposals addressed to the user's committees), and the proposals raised to
the upper committee. Thin views over programs.selectors and programs.services."""

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
from chibo.core.forms import submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.text import as_id
from chibo.members.selectors import MemberFilters, member_search
from chibo.programs import selectors, services
from chibo.programs.enums import EDIT, PROPOSAL_OPEN_STATES, VIEW
from chibo.programs.forms import ItemForm, ProgramForm, ProposalForm, own_units
from chibo.programs.lifecycle import ITEM, PROPOSAL, raising_units
from chibo.units.selectors import unit_get

MEMBERS_IN_LIST = 300  # up to this many members of the unit's subtree, a list to choose from


def _viewer(request):
    actor = actor_for(request)
    if not actor.can(VIEW):
        raise Http404
    return actor


def _year(request) -> int:
    year = as_id(request.GET.get("year", ""))
    return year if year is not None and 2000 <= year <= 2100 else clock.today().year


def _program_form(actor, data=None):
    units = own_units(actor.units_holding(EDIT))
    return ProgramForm(data, units=units) if units else None


@login_required
@require_GET
def index(request):
    actor = _viewer(request)
    year = _year(request)
    proposals = selectors.proposals_visible(actor).filter(state__in=PROPOSAL_OPEN_STATES)
    return render(request, "programs/index.html", {
        "programs": selectors.programs_visible(actor).filter(year=year).order_by("unit__path", "quarter")[:300],
        "year": year, "years": (year - 1, year + 1), "form": _program_form(actor),
        "open_proposals": proposals.select_related("unit", "to_unit").order_by("due_on", "pk")[:50]})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """A unit's program for a year or a quarter (``meetings.manage`` on the unit itself)."""
    actor = _viewer(request)
    form = _program_form(actor, request.POST or None)
    if form is None:
        raise PermissionDenied
    if done := submit(request, form, lambda: services.program_create(actor=actor, **form.cleaned_data)):
        messages.success(request, _("Đã lập chương trình công tác: thêm từng việc bên dưới."))
        return redirect("programs:program", pk=done.value.pk)
    return render(request, "programs/new.html", {"form": form}, status=400 if request.method == "POST" else 200)


def _members(actor, program):
    found = list(member_search(actor, MemberFilters(unit=program.unit, active_only=True))[:MEMBERS_IN_LIST + 1])
    return found if len(found) <= MEMBERS_IN_LIST else None


def _program_context(actor, program, item_form=None):
    items = list(selectors.program_items(program))
    can_edit = program.unit_id in actor.units_holding(EDIT)
    if can_edit and item_form is None:
        item_form = ItemForm(members=_members(actor, program), auto_id="item_%s")
    first, last = program.bounds
    return {"program": program, "items": items, "progress": selectors.progress(items, clock.today()),
            "can_edit": can_edit, "item_form": item_form if can_edit else None, "first": first, "last": last,
            "today": clock.today()}


@login_required
@require_http_methods(["GET", "POST"])
def program(request, pk):
    """A program: its items, their state and progress. POST adds an item (``meetings.manage`` on its unit)."""
    actor = _viewer(request)
    p = selectors.program_get(actor, pk)
    if request.method == "POST":
        if p.unit_id not in actor.units_holding(EDIT):
            raise PermissionDenied
        form = ItemForm(request.POST, members=_members(actor, p), auto_id="item_%s")
        if submit(request, form, lambda: services.item_add(actor=actor, program=p, **form.cleaned_data)):
            messages.success(request, _("Đã thêm việc vào chương trình."))
            return redirect(reverse("programs:program", kwargs={"pk": p.pk}) + "#items")
        return render(request, "programs/program.html", _program_context(actor, p, form), status=400)
    return render(request, "programs/program.html", _program_context(actor, p))


def _item_context(actor, item, bound=None):
    handed = list(selectors.handed_items(item))
    return {"item": item, "steps": action_forms(actor, ITEM, item, bound), "handed": handed,
            "handed_progress": selectors.progress(handed, clock.today()) if handed else None,
            "today": clock.today(), "action_url": reverse("programs:item_act", kwargs={"pk": item.pk})}


@login_required
@require_GET
def item(request, pk):
    actor = _viewer(request)
    i = selectors.item_get(actor, pk)
    return render(request, "programs/item.html", _item_context(actor, i))


@login_required
@require_POST
def item_act(request, pk):
    actor = _viewer(request)
    i = selectors.item_get(actor, pk)
    url = (reverse("programs:board") if request.POST.get("from") == "board"
           else reverse("programs:item", kwargs={"pk": i.pk}))
    return act(request, lc=ITEM, obj=i, success_url=url,
               render_page=lambda bound: render(request, "programs/item.html", _item_context(actor, i, bound),
                                                status=400))


@login_required
@require_GET
def board(request):
    """The follow-up board (kiểm tra, đôn đốc): overdue and due-soon items of the subtree (``?unit=`` one unit's
    subtree), the reminders, and the open proposals addressed to the user's committees."""
    actor = _viewer(request)
    raw = request.GET.get("unit", "")
    unit = unit_get(actor, raw) if raw else None
    if unit is not None and not actor.can(VIEW, unit):
        raise Http404
    data = selectors.board(actor, clock.today(), unit=unit)
    remind = ITEM.get("remind")
    for i in (*data.overdue, *data.due_soon):  # the reminder's own rule only (no other step's condition to read)
        i.can_remind = ITEM.permitted(actor, i, remind)
    return render(request, "programs/board.html", {"board": data, "unit": unit, "today": clock.today()})


# -- proposals ---------------------------------------------------------------------------------------------------
def _raise_form(actor, data=None):
    units = [u for u in own_units(raising_units(actor)) if u.parent_id is not None]
    return ProposalForm(data, units=units) if units else None


@login_required
@require_GET
def proposals(request):
    actor = _viewer(request)
    rows = selectors.proposals_visible(actor).select_related("unit", "to_unit").order_by("-raised_on", "-pk")
    return render(request, "programs/proposals.html", {"proposals": rows[:300], "form": _raise_form(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request):
    """Raise a proposal to the upper committee (the secretary or a committee member of the unit)."""
    actor = _viewer(request)
    form = _raise_form(actor, request.POST or None)
    if form is None:
        raise PermissionDenied
    if done := submit(request, form, lambda: services.proposal_raise(actor=actor, **form.cleaned_data)):
        messages.success(request, _("Đã gửi kiến nghị; cấp trên trả lời trước %(due)s.")
                         % {"due": f"{done.value.due_on:%d/%m/%Y}"})
        return redirect("programs:proposal", pk=done.value.pk)
    return render(request, "programs/proposal_new.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _proposal_context(actor, p, bound=None):
    return {"proposal": p, "steps": action_forms(actor, PROPOSAL, p, bound), "today": clock.today(),
            "action_url": reverse("programs:proposal_act", kwargs={"pk": p.pk})}


@login_required
@require_GET
def proposal(request, pk):
    actor = _viewer(request)
    p = selectors.proposal_get(actor, pk)
    return render(request, "programs/proposal.html", _proposal_context(actor, p))


@login_required
@require_POST
def proposal_act(request, pk):
    actor = _viewer(request)
    p = selectors.proposal_get(actor, pk)
    return act(request, lc=PROPOSAL, obj=p, success_url=reverse("programs:proposal", kwargs={"pk": p.pk}),
               render_page=lambda bound: render(request, "programs/proposal.html",
                                                _proposal_context(actor, p, bound), status=400))
