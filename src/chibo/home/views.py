"""The front page and the audit log: pages that read from every layer below (the top of the tree of apps)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.forms import AuditFilterForm
from chibo.core.lifecycle import lifecycles
from chibo.core.selectors import AuditFilters, audit_actions, audit_events
from chibo.deadlines.kinds import label as deadline_kind_label
from chibo.home.work import my_work
from chibo.members.selectors import dashboard_counts, dashboard_focus
from chibo.units.selectors import units_with


@login_required
def dashboard(request):
    """"Việc cần làm" first (what waits for this user), then, for staff, the counts of their scope."""
    actor = actor_for(request)
    focus = dashboard_focus(actor, request.GET.get("unit"))  # 404 for a unit outside the scope
    counts = dashboard_counts(actor, focus=focus, page=request.GET.get("page")) if actor.grants else None
    return render(request, "home/dashboard.html", {"counts": counts, "work": my_work(actor, clock.today())})


@login_required
def audit_log(request):
    actor = actor_for(request)
    if not actor.can("audit.view"):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters(**form.cleaned_data) if form.is_valid() else AuditFilters()
    scope = None if actor.sees_whole_tree("audit.view") else units_with(actor, "audit.view").values("pk")
    page = Paginator(audit_events(actor, filters, unit_ids=scope), 50).get_page(request.GET.get("page"))
    template = "home/audit_log.html#results" if request.htmx else "home/audit_log.html"
    return render(request, template, {"form": form, "page": page, "actions": audit_actions()})


@login_required
def help_processes(request):
    """How each process runs: its states, who takes which step, the input it needs, the deadlines it opens and
    closes, and its diagram, all drawn from the processes' declared lifecycles (nothing written by hand)."""
    processes = []
    for lc in lifecycles():
        steps = [{"t": t, "from": [lc.state_label(s) for s in lc.states.values if s in t.sources]
                  or [_("mọi bước chưa kết thúc")], "to": [lc.state_label(s) for s in t.ends()],
                  "who": lc.who(t), "inputs": lc.inputs(t),
                  "opens": [deadline_kind_label(k) for k in t.opens],
                  "closes": [deadline_kind_label(k) for k in t.closes]}
                 for t in lc.transitions]
        processes.append({"lc": lc, "steps": steps, "svg": mark_safe(lc.diagram_svg()),  # noqa: S308  (escaped inside)
                          "states": [(s, lc.state_label(s), s in lc.final) for s in lc.states.values]})
    return render(request, "home/help_processes.html", {"processes": processes})
