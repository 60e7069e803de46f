"""Privacy pages: my requests about my data (and the requests of the units an officer is in charge of), filing one,
a request with its answer and its export, who opened my full record, and the breach register. Thin views over
privacy.selectors and privacy.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.forms import apply_service_errors, submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.text import as_id
from chibo.members.selectors import member_get
from chibo.privacy import selectors, services
from chibo.privacy.enums import RequestKind
from chibo.privacy.forms import AnonymiseForm, BreachForm, ExportForm, RequestForm
from chibo.privacy.lifecycle import BREACH, REQUEST
from chibo.privacy.processing import record_of_processing

ZIP = "application/zip"


def _may_file(actor) -> bool:
    return bool(actor.member_id or actor.applicant_id or actor.can("privacy.handle"))


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    if not (_may_file(actor) or actor.grants):
        raise Http404
    visible = selectors.requests_visible(actor)
    own = [r for r in visible[:500] if selectors.is_own(actor, r)]
    handled = [r for r in visible[:500] if selectors.can_handle(actor, r)]
    return render(request, "privacy/index.html", {
        "own": own, "handled": handled, "is_person": bool(actor.member_id or actor.applicant_id),
        "is_member": bool(actor.member_id), "can_handle": actor.can("privacy.handle"),
        "can_breach": actor.top_grant("privacy.breach") is not None, "can_anonymise": selectors.may_anonymise(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """File a request about one's own data (an officer: record one for a former member, ``member``)."""
    actor = actor_for(request)
    if not _may_file(actor):
        raise Http404
    officer_only = not (actor.member_id or actor.applicant_id)
    form = RequestForm(request.POST or None, initial={"kind": RequestKind.SEE})
    officer = actor.can("privacy.handle")
    if officer_only:
        form.fields["member"].required = True
    if not officer:  # a person files about themself only; a posted ``member`` still reaches the service (refused)
        del form.fields["member"], form.fields["filed_on"]
    if request.method == "POST":
        def run():
            data = dict(form.cleaned_data)
            if not officer and (posted := request.POST.get("member", "")):
                data["member"] = as_id(posted) or -1
            return services.request_file(actor=actor, **data)

        try:
            if done := submit(request, form, run):
                messages.success(request,
                                 gettext("Đã gửi yêu cầu. Tổ chức sẽ trả lời trong thời hạn ghi trên trang này."))
                return redirect("privacy:request", pk=done.value.pk)
        except PermissionDenied:
            form.add_error(None, gettext("Đồng chí chỉ được gửi yêu cầu về dữ liệu của chính mình."))
            return render(request, "privacy/new.html", _new_context(actor, form), status=403)
    return render(request, "privacy/new.html", _new_context(actor, form),
                  status=400 if request.method == "POST" else 200)


def _new_context(actor, form):
    return {"form": form, "officer": actor.can("privacy.handle"), "is_person": bool(actor.member_id or
                                                                                  actor.applicant_id)}


def _context(actor, req, bound=None, export_form=None):
    exportable = req.kind in (RequestKind.EXPORT, RequestKind.SEE) and (
        selectors.is_own(actor, req) or selectors.can_handle(actor, req))
    return {"req": req, "steps": action_forms(actor, REQUEST, req, bound), "own": selectors.is_own(actor, req),
            "action_url": reverse("privacy:act", kwargs={"pk": req.pk}), "exportable": exportable,
            "export_form": export_form or ExportForm()}


@login_required
@require_GET
def request_page(request, pk):
    actor = actor_for(request)
    req = selectors.request_get(actor, pk)
    return render(request, "privacy/request.html", _context(actor, req))


@login_required
@require_POST
def request_act(request, pk):
    actor = actor_for(request)
    req = selectors.request_get(actor, pk)
    return act(request, lc=REQUEST, obj=req, success_url=reverse("privacy:request", kwargs={"pk": req.pk}),
               render_page=lambda bound: render(request, "privacy/request.html", _context(actor, req, bound)))


@login_required
@require_POST
def export(request, pk):
    """The complete export of the person, as an encrypted zip (the password chosen in the form)."""
    actor = actor_for(request)
    req = selectors.request_get(actor, pk)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            content = services.export_archive(actor=actor, request=req, password=form.cleaned_data["password"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return download(actor=actor, content=content, filename=f"du-lieu-ca-nhan-{req.pk}.zip",
                            content_type=ZIP, action=None)
    return render(request, "privacy/request.html", _context(actor, req, export_form=form), status=400)


@login_required
@require_GET
def reads(request):
    """Who opened my full record: when, by which role of which unit."""
    actor = actor_for(request)
    if not actor.member_id:
        raise Http404
    member = member_get(actor, actor.member_id)
    return render(request, "privacy/reads.html", {"reads": selectors.record_reads(member), "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def breaches(request):
    actor = actor_for(request)
    if actor.top_grant("privacy.breach") is None:
        raise Http404
    form = BreachForm(request.POST or None)
    if request.method == "POST":
        if done := submit(request, form, lambda: services.breach_record(actor=actor, **form.cleaned_data)):
            messages.success(request, gettext("Đã ghi sự cố; hạn thông báo cơ quan chức năng ghi trên trang."))
            return redirect("privacy:breach", pk=done.value.pk)
    return render(request, "privacy/breaches.html", {"breaches": selectors.breaches_visible(actor)[:200],
                                                      "form": form},
                  status=400 if request.method == "POST" else 200)


def _breach_context(actor, breach, bound=None):
    return {"breach": breach, "steps": action_forms(actor, BREACH, breach, bound),
            "action_url": reverse("privacy:breach_act", kwargs={"pk": breach.pk})}


@login_required
@require_GET
def breach(request, pk):
    actor = actor_for(request)
    b = selectors.breach_get(actor, pk)
    return render(request, "privacy/breach.html", _breach_context(actor, b))


@login_required
@require_POST
def breach_act(request, pk):
    actor = actor_for(request)
    b = selectors.breach_get(actor, pk)
    return act(request, lc=BREACH, obj=b, success_url=reverse("privacy:breach", kwargs={"pk": b.pk}),
               render_page=lambda bound: render(request, "privacy/breach.html", _breach_context(actor, b, bound)))


@login_required
@require_http_methods(["GET", "POST"])
def anonymise(request):
    """Retention and anonymisation: the dry run (who would be anonymised today, and why; who is held back, and
    why), then the confirmed run for one person (the holders of ``privacy.anonymise`` at the top)."""
    actor = actor_for(request)
    if not selectors.may_anonymise(actor):
        raise Http404
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST":
        def run():
            data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
            return services.anonymise_person(actor=actor, **data)

        if done := submit(request, form, run):
            messages.success(request, gettext("Đã ẩn danh hồ sơ số %(number)s.") % {"number": done.value.person_id})
            return redirect("privacy:anonymise")
    candidates = selectors.anonymisation_candidates(actor)
    return render(request, "privacy/anonymise.html", {
        "form": form, "eligible": [c for c in candidates if c.eligible],
        "held": [c for c in candidates if not c.eligible], "done": selectors.anonymisations_done(actor)[:50]},
        status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def processing(request):
    """The record of processing: each category of personal data, its purpose, legal basis, who may see it and how
    long it is kept (generated from the declarations in privacy.processing). Every signed-in user may read it."""
    return render(request, "privacy/processing.html",
                  {"rows": record_of_processing(clock.today(), translated=True), "today": clock.today()})
