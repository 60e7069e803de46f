"""The statistics page of a subtree and its XLSX: thin views over ``stats.figures``."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.sheets import XLSX
from chibo.stats import figures as fig
from chibo.stats.documents import xlsx
from chibo.units.picker import UnitChoiceField, UnitPicker, UnitScope


def _asked(request):
    """The actor, the form and, when it is valid, the unit (404 outside the scope) and the figures."""
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    form = fig.PeriodForm(request.GET)
    if not form.is_valid():
        return actor, form, None
    unit = fig.unit_for(actor, form.cleaned_data["unit"])
    return actor, form, fig.figures(actor, unit, form.cleaned_data["year_from"], form.cleaned_data["year_to"])


def _picker(actor, unit) -> str:
    """The unit choice of the filter: the project's unit picker over the actor's scope for members (a plain list
    for a few units, a search box for a large tree, so the page never carries thousands of units)."""
    field = UnitChoiceField(scope=UnitScope(perm="members.view"), empty_label=None).bind(actor)
    return cast(UnitPicker, field.widget).render("unit", unit.pk, attrs={"id": "id_unit"})


@login_required
@require_GET
def page(request):
    actor, form, figures = _asked(request)
    unit = figures.unit if figures is not None else fig.unit_for(actor, None)
    context = {"form": form, "figures": figures, "tables": fig.tables(figures) if figures else [],
               "picker": _picker(actor, unit), "unit": unit,
               "query": request.GET.urlencode()}
    return render(request, "stats/page.html", context, status=200 if figures is not None else 400)


@login_required
@require_GET
def workbook(request):
    actor, form, figures = _asked(request)
    if figures is None:
        return render(request, "stats/page.html",
                      {"form": form, "tables": [], "picker": _picker(actor, fig.unit_for(actor, None))},
                      status=400)
    content = xlsx(figures, fig.tables(figures))
    unit = figures.unit
    return download(actor=actor, content=content, content_type=XLSX, action="stats.downloaded", unit=unit,
                    filename=f"thong-ke-{unit.code}-{figures.first}-{figures.last}.xlsx",
                    data={"year_from": figures.first, "year_to": figures.last})
