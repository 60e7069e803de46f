"""Pages of the organization tree: thin views over units.selectors and units.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo.core.access import actor_for
from chibo.core.forms import submit
from chibo.units import services
from chibo.units.forms import UnitCloseForm, UnitForm
from chibo.units.panels import panels_for
from chibo.units.picker import FIELD_NAME, MAX_MATCHES, UnitScope, units_matching
from chibo.units.selectors import (
    unit_ancestors,
    unit_children,
    unit_get,
    unit_tree,
)


def _require_view(actor):
    if not actor.can("units.view"):
        raise Http404


@login_required
def tree(request):
    """The top of the tree; deeper levels load with htmx as the user opens a unit (``children``)."""
    actor = actor_for(request)
    _require_view(actor)
    show_closed = request.GET.get("closed") == "1"
    return render(request, "units/tree.html", {
        "roots": unit_tree(actor, include_closed=show_closed), "show_closed": show_closed,
    })


@login_required
def children(request, pk):
    """One page of a unit's children, as list items of the tree (htmx fragment)."""
    actor = actor_for(request)
    _require_view(actor)
    unit = unit_get(actor, pk)
    show_closed = request.GET.get("closed") == "1"
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 7 else 1
    nodes, more = unit_children(actor, unit, include_closed=show_closed, page=page)
    return render(request, "units/_children.html", {"parent": unit, "nodes": nodes, "more_page": more,
                                                    "show_closed": show_closed})


@login_required
def pick(request):
    """Search of the unit picker: at most MAX_MATCHES units of the actor's scope by name or code, as
    radio buttons of the form field ``name`` (htmx fragment)."""
    actor = actor_for(request)
    scope = UnitScope.from_params(actor, request.GET)
    if scope is None:
        raise Http404
    name = request.GET.get("name", "unit")
    if not FIELD_NAME.match(name):
        raise Http404
    term = request.GET.get("q", "")
    matches = units_matching(scope.queryset(actor), term, limit=MAX_MATCHES + 1)
    return render(request, "units/_pick_results.html", {
        "matches": matches[:MAX_MATCHES], "more": len(matches) > MAX_MATCHES, "limit": MAX_MATCHES,
        "name": name, "term": term.strip(),
    })


@login_required
def detail(request, pk):
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    panels = panels_for(actor, unit)
    return render(request, "units/detail.html", {
        "unit": unit,
        "ancestors": unit_ancestors(unit),
        "children": unit_children(actor, unit, include_closed=True),  # (first page, next page)
        "cards": [p for p in panels if not p.wide],
        "wide_panels": [p for p in panels if p.wide],
        "changes": unit.changes.all()[:20] if actor.can("units.edit", unit) else [],
        "can_edit": actor.can("units.edit", unit),
    })


@login_required
@require_http_methods(["GET", "POST"])
def create_child(request, pk):
    actor = actor_for(request)
    parent = unit_get(actor, pk)
    if not actor.can("units.edit", parent):
        raise PermissionDenied
    form = UnitForm(request.POST or None)
    if done := submit(request, form, lambda: services.unit_create(actor=actor, parent=parent, **form.cleaned_data)):
        messages.success(request, _("Đã lập %(name)s.") % {"name": done.value.name})
        return redirect("units:detail", done.value.pk)
    return render(request, "units/form.html", {"form": form, "parent": parent, "title": _("Lập tổ chức trực thuộc")})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    if not actor.can("units.edit", unit):
        raise PermissionDenied
    initial = {f: getattr(unit, f) for f in services.UNIT_FIELDS}
    form = UnitForm(request.POST or None, initial=initial, editing=True)
    version = (int(request.POST.get("version", unit.version)) if request.POST.get("version", "").isdigit()
               else unit.version)
    if submit(request, form, lambda: services.unit_update(
            actor=actor, unit=unit, expected_version=version, changes=form.cleaned_data,
            document=form.cleaned_data.get("opened_by_doc", ""))):
        messages.success(request, _("Đã lưu thông tin tổ chức."))
        return redirect("units:detail", unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": unit, "version": version,
                                               "title": _("Sửa thông tin: %(name)s") % {"name": unit.name}})


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk):
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    if not actor.can("units.edit", unit):
        raise PermissionDenied
    form = UnitCloseForm(request.POST or None)
    if submit(request, form, lambda: services.unit_close(actor=actor, unit=unit, **form.cleaned_data)):
        messages.success(request, _("%(name)s đã kết thúc hoạt động.") % {"name": unit.name})
        return redirect("units:detail", unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": unit,
                                               "title": _("Kết thúc hoạt động: %(name)s") % {"name": unit.name}})
