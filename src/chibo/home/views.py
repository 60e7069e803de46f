"""The front page and the audit log: pages that read from every layer below (the top of the tree of apps)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from chibo.core.access import actor_for
from chibo.core.forms import AuditFilterForm
from chibo.core.selectors import AuditFilters, audit_actions, audit_events
from chibo.members.selectors import dashboard_counts, dashboard_focus
from chibo.units.selectors import units_with


@login_required
def dashboard(request):
    actor = actor_for(request)
    focus = dashboard_focus(actor, request.GET.get("unit"))
    counts = dashboard_counts(actor, focus=focus, page=request.GET.get("page"))
    return render(request, "home/dashboard.html", {"counts": counts})


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
