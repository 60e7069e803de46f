"""Import and export pages: thin views over bulk.services / bulk.jobs / bulk.exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from chibo.bulk import exports, jobs
from chibo.bulk.forms import BookForm, ImportForm, RunForm
from chibo.bulk.models import ImportJob
from chibo.bulk.services import COLUMNS, header_key
from chibo.bulk.sheets import template_xlsx
from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.sheets import XLSX
from chibo.members.forms import bind_member_filters
from chibo.units.selectors import units_visible


def _require_editor(actor):
    if not actor.can("members.edit"):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    if not actor.can("members.edit"):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "bulk/import.html", {"form": None, "book_form": BookForm(actor=actor, prefix="book")})
    form = ImportForm(request.POST or None, request.FILES or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        job = jobs.job_create(actor=actor, upload=form.cleaned_data["file"], unit=unit,
                              mode=form.cleaned_data["mode"])
        jobs.job_submit(job, size=form.cleaned_data["file"].size, dry_run="run" not in request.POST)
        return redirect("bulk:job", job.pk)
    recent = ImportJob.objects.filter(user=request.user).order_by("-pk")[:10]
    return render(request, "bulk/import.html", {"form": form, "recent": recent,
                                                "book_form": BookForm(actor=actor, prefix="book")})


def _own_job(request, pk) -> ImportJob:
    actor = actor_for(request)
    _require_editor(actor)
    return get_object_or_404(ImportJob.objects.select_related("unit"), pk=pk, user=request.user)


@login_required
def job_page(request, pk):
    job = jobs.job_progress(_own_job(request, pk))
    template = "bulk/job.html#progress" if request.htmx else "bulk/job.html"
    return render(request, template, _job_context(job, RunForm(initial={"mode": job.mode})))


def _job_context(job, run_form) -> dict:
    unknown = [(header_key(h), h) for h in (job.counts or {}).get("unknown", [])]
    return {"job": job, "run_form": run_form, "unknown": unknown,
            "field_choices": [(name, label) for name, label, _ in COLUMNS]}


@login_required
@require_POST
def job_run(request, pk):
    """Import for real a file whose dry run the user has just looked at."""
    job = _own_job(request, pk)
    form = RunForm(request.POST)
    if "check" in request.POST and job.finished:  # dry run again with the columns the user chose
        fields = {name for name, _, _ in COLUMNS}
        override = {key[4:]: value for key, value in request.POST.items()
                    if key.startswith("map-") and (value in fields or value == "")}
        jobs.run_job(job, dry_run=True, override=override)
        return redirect("bulk:job", job.pk)
    if not form.is_valid() or not job.finished or not job.counts.get("dry_run"):
        return render(request, "bulk/job.html", _job_context(job, form), status=200)
    jobs.job_import(job, mode=form.cleaned_data["mode"])
    return redirect("bulk:job", job.pk)


@login_required
@require_POST
def job_cancel(request, pk):
    job = _own_job(request, pk)
    if job.finished:  # nothing to cancel: the page says how it ended
        return render(request, "bulk/job.html", _job_context(job, RunForm(initial={"mode": job.mode})))
    jobs.job_cancel(job)
    return redirect("bulk:job", job.pk)


@login_required
def job_report(request, pk):
    job = _own_job(request, pk)
    try:
        fh = open(jobs.report_path(job), "rb")  # noqa: SIM115  (the response closes it once sent)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return download(actor=actor_for(request), content=fh, filename=f"bao-cao-nhap-{job.pk}.xlsx", content_type=XLSX,
                    action="bulk.report_downloaded", obj=job, unit=job.unit_id)


@login_required
def template_download(request):
    actor = actor_for(request)
    _require_editor(actor)
    return download(actor=actor, content=template_xlsx(), filename="mau-danh-sach-dang-vien.xlsx", content_type=XLSX,
                    action="bulk.template_downloaded")


@login_required
def export_list(request, fmt: str = "xlsx"):
    """The member list exactly as filtered on screen (same query string as members:list), streamed as XLSX or
    CSV."""
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    _form, filters = bind_member_filters(actor, request.GET)
    content_type, filename = exports.FORMATS[fmt]
    return download(actor=actor, content=exports.stream_member_list(actor, filters, fmt), filename=filename,
                    content_type=content_type, action=None, stream=True)  # the export audits itself (filters)


@login_required
def book_pick(request):
    """The book of the unit chosen in the import page's picker (?book-unit=…&book-format=pdf|xlsx)."""
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    form = BookForm(request.GET, actor=actor, prefix="book")
    if not form.is_valid():  # no unit, or one outside the scope
        raise Http404
    url = reverse("bulk:book", args=[form.cleaned_data["unit"].pk])
    return redirect(url + "?format=xlsx" if form.cleaned_data["format"] == "xlsx" else url)


@login_required
def book(request, pk):
    """The member list book (Mẫu 7-HSĐV) of a unit, ?format=pdf (default) or xlsx."""
    actor = actor_for(request)
    unit = units_visible(actor).filter(pk=pk).select_related("parent").first()
    if unit is None or not actor.can("members.view", unit):
        raise Http404
    if request.GET.get("format") == "xlsx":
        return download(actor=actor, content=exports.book_xlsx(actor, unit), filename=f"7-HSDV-{unit.code}.xlsx",
                        content_type=XLSX, action=None)  # the book audits itself, with its row count
    return download(actor=actor, content=exports.book_pdf(actor, unit), filename=f"7-HSDV-{unit.code}.pdf",
                    content_type="application/pdf", action=None, inline=True)
