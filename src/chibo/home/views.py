"""The front page and the audit log: pages that read from every layer below (the top of the tree of apps)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chibo.admission.selectors import admitted_by_year
from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.forms import AuditFilterForm
from chibo.core.glossary import TERMS
from chibo.core.lifecycle import lifecycles
from chibo.core.selectors import AuditFilters, audit_events
from chibo.deadlines.kinds import label as deadline_kind_label
from chibo.home import charts
from chibo.home.audit_rows import audit_filters, readable
from chibo.home.help import GUIDES, guide
from chibo.home.work import my_work
from chibo.members.selectors import MemberFilters, dashboard_counts, dashboard_focus, member_search
from chibo.units.selectors import unit_get, units_with

# The most members a printed roster lists: a larger unit prints its cells one by one.
ROSTER_MAX = 2000


@login_required
def dashboard(request):
    """"Việc cần làm" first (what waits for this user), then, for staff, the counts of their scope."""
    actor = actor_for(request)
    focus = dashboard_focus(actor, request.GET.get("unit"))  # 404 for a unit outside the scope
    counts = dashboard_counts(actor, focus=focus, page=request.GET.get("page")) if actor.grants else None
    context = {"counts": counts, "work": my_work(actor, clock.today())}
    if counts is not None:  # the officers' boards: each chart beside its table, the same numbers
        context["charts"] = charts.counts_charts(counts)
        if actor.can("admission.view"):
            context["trend"] = charts.trend(admitted_by_year(actor))
    return render(request, "home/dashboard.html", context)


@login_required
def audit_log(request):
    actor = actor_for(request)
    if not actor.can("audit.view"):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = audit_filters(form.cleaned_data) if form.is_valid() else AuditFilters()
    scope = None if actor.sees_whole_tree("audit.view") else units_with(actor, "audit.view").values("pk")
    page = Paginator(audit_events(actor, filters, unit_ids=scope), 50).get_page(request.GET.get("page"))
    template = "home/audit_log.html#results" if request.htmx else "home/audit_log.html"
    return render(request, template, {"form": form, "page": page, "entries": readable(actor, page)})


@login_required
def help_processes(request):
    """How each process runs: its states, who takes which step, the input it needs, the deadlines it opens and
    closes, and its diagram, all drawn from the processes' declared lifecycles (nothing written by hand)."""
    processes = []
    for lc in lifecycles():
        # The labels are declared in Vietnamese (gettext_noop): each is said in the reader's language here.
        steps = [{"t": t, "from": [_(lc.state_label(s)) for s in lc.states.values if s in t.sources]
                  or [_("mọi bước chưa kết thúc")], "to": [_(lc.state_label(s)) for s in t.ends()],
                  "who": [_(who) for who in lc.who(t)], "inputs": [_(label) for label in lc.inputs(t)],
                  "opens": [_(deadline_kind_label(k)) for k in t.opens],
                  "closes": [_(deadline_kind_label(k)) for k in t.closes]}
                 for t in lc.transitions]
        processes.append({"lc": lc, "steps": steps, "svg": mark_safe(lc.diagram_svg()),  # noqa: S308  (escaped inside)
                          "states": [(s, lc.state_label(s), s in lc.final) for s in lc.states.values]})
    return render(request, "home/help_processes.html", {"processes": processes})


@login_required
def help_index(request):
    """Help: the guide of each role, the glossary, the processes; read-only, for everyone signed in."""
    return render(request, "home/help_index.html", {"guides": GUIDES})


@login_required
def help_glossary(request):
    return render(request, "home/help_glossary.html", {"terms": TERMS})


@login_required
def help_guide(request, key):
    return render(request, "home/help_guide.html", {"guide": guide(key), "guides": GUIDES})


@login_required
def roster(request, pk):
    """The roster of a unit to print: the members on the rolls of the unit and the units below it, cell by cell
    (each cell on its own sheet), in Vietnamese name order. Whoever may see the unit's members; 404 otherwise."""
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    if not actor.can("members.view", unit):
        raise Http404
    members = member_search(actor, MemberFilters(unit=unit, active_only=True, sort="name"))
    total = members.count()
    cells = {}  # unit id → {"unit", "members"}
    if total <= ROSTER_MAX:
        for m in members:
            cells.setdefault(m.unit_id, {"unit": m.unit, "members": []})["members"].append(m)
    groups = sorted(cells.values(), key=lambda c: c["unit"].path)
    return render(request, "home/roster.html", {"unit": unit, "groups": groups, "total": total,
                                                "too_many": total > ROSTER_MAX, "today": clock.today()})
