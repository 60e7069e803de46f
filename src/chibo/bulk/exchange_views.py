"""Pages of the exchange format: thin views over bulk.exchange (export, import into an empty install,
reconciliation with a national extract)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.bulk import exchange
from chibo.bulk.exchange_forms import ExchangeFileForm
from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.forms import apply_service_errors
from chibo.core.sheets import XLSX


def _page(request, actor, *, import_form=None, reconcile_form=None, report=None):
    return render(request, "bulk/exchange.html", {
        "import_form": import_form or ExchangeFileForm(prefix="import"),
        "reconcile_form": reconcile_form or ExchangeFileForm(prefix="extract"),
        "report": report, "sections": exchange.report_sections(report) if report else [],
        "version": exchange.VERSION,
    })


@login_required
def exchange_page(request):
    actor = actor_for(request)
    exchange.require_officer(actor)
    return _page(request, actor)


@login_required
def exchange_export(request, fmt):
    """The actor's units and members as an exchange file (the export audits itself: counts and format)."""
    actor = actor_for(request)
    if fmt == "json":
        return download(actor=actor, content=exchange.exchange_json(actor), filename="trao-doi-chibo.json",
                        content_type="application/json", action=None)
    if fmt == "xlsx":
        return download(actor=actor, content=exchange.exchange_xlsx(actor), filename="trao-doi-chibo.xlsx",
                        content_type=XLSX, action=None)
    raise Http404


@login_required
@require_POST
def exchange_import(request):
    actor = actor_for(request)
    exchange.require_officer(actor)
    form = ExchangeFileForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        try:
            counts = exchange.exchange_import(actor=actor, data=exchange.read_exchange(form.raw()))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã nhập %(units)s tổ chức và %(members)s đảng viên từ tệp trao đổi.")
                             % counts)
            return redirect("units:tree")
    return _page(request, actor, import_form=form)


@login_required
@require_POST
def exchange_reconcile(request):
    """The report on screen, or (``as=xlsx``) as a workbook."""
    actor = actor_for(request)
    exchange.require_officer(actor)
    form = ExchangeFileForm(request.POST, request.FILES, prefix="extract")
    if form.is_valid():
        try:
            report = exchange.reconcile(actor, exchange.read_exchange(form.raw()))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.POST.get("as") == "xlsx":
                return download(actor=actor, content=exchange.reconcile_xlsx(report), filename="doi-chieu.xlsx",
                                content_type=XLSX, action=None)  # reconcile audited the read with its counts
            return _page(request, actor, report=report)
    return _page(request, actor, reconcile_form=form)
