"""Library pages: a member's documents (unread first, search without diacritics), a document (its versions, who has
read it), sending one and adding a version, the files (through the audited download), and the register of
classified documents with its hand-overs and destructions. Thin views over library.selectors and library.services."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.forms import submit
from chibo.library import selectors, services
from chibo.library.forms import (
    ClassifiedForm,
    DestroyForm,
    DocumentForm,
    HandoverForm,
    SearchForm,
    VersionForm,
    own_units,
)
from chibo.members.selectors import member_fresh, no_members

PAGE = 50
# Offline reading on a phone (the service worker at /sw.js keeps only answers marked so): an unclassified document's
# page and file for a member it is addressed to, and the member's list of documents. Never a page showing who has or
# has not read (names of other members), never a form to send or add versions, never the register of classified ones.
OFFLINE = "X-Chibo-Offline"
OFFLINE_FILE = "X-Chibo-Offline-File"
# The styles, scripts and icons a library page needs (the app shell the worker keeps).
SHELL = ("chibo/chibo.css", "chibo/chibo.js", "vendor/htmx.min.js", "chibo/favicon.svg", "chibo/bell.svg")


def _file_args(form) -> dict:
    upload = form.cleaned_data.get("file")
    return {"filename": upload.name, "data": upload.read()} if upload else {}


def _file_response(actor, f):
    doc = f.document
    services.document_mark_read(actor=actor, document=doc)
    response = download(actor=actor, content=bytes(f.content), filename=f.filename or "tai-lieu",
                        content_type=f.content_type, action="library.file_downloaded", obj=doc, unit=doc.unit_id,
                        data={"document": doc.pk, "version": f.number}, inline=f.content_type == "application/pdf")
    if actor.member_id and selectors.is_addressed_to(actor, doc):
        response[OFFLINE] = "keep"
    return response


@require_GET
def service_worker(request):
    """The service worker (served from the site root so that it may answer the library's pages offline): static
    JavaScript naming this site's own asset URLs, no personal data, the same for everyone."""
    shell = [static(name) for name in SHELL]
    version = hashlib.sha256(json.dumps(shell).encode()).hexdigest()[:12]
    body = render_to_string("library/sw.js", {"shell": json.dumps(shell), "version": version,
                                              "css": static("chibo/chibo.css")})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@login_required
@require_GET
def index(request):
    actor = actor_for(request)
    form = SearchForm(request.GET or None)
    docs = selectors.documents_for_me(actor)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    if q:
        docs = selectors.search(docs, q)
    offline = bool(actor.member_id) and not request.GET
    response = render(request, "library/index.html", {
        "form": form, "docs": docs[:PAGE], "q": q, "can_send": actor.can("library.send"),
        "can_follow": actor.can("library.view") or actor.can("library.send"),
        "can_register": actor.can("library.secret") or bool(actor.member_id), "offline": offline})
    if offline:
        response[OFFLINE] = "keep"
    return response


@login_required
@require_GET
def sent(request):
    actor = actor_for(request)
    if not (actor.can("library.view") or actor.can("library.send")):
        raise Http404
    form = SearchForm(request.GET or None)
    docs = selectors.documents_sent(actor)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    if q:
        docs = selectors.search(docs, q)
    return render(request, "library/sent.html", {"form": form, "docs": docs[:PAGE], "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    actor = actor_for(request)
    if not actor.units_holding("library.send"):
        raise Http404
    form = DocumentForm(request.POST or None, request.FILES or None, actor=actor)
    done = submit(request, form, lambda: services.document_send(
        actor=actor, **{k: v for k, v in form.cleaned_data.items() if k != "file"}, **_file_args(form)))
    if done:
        messages.success(request, gettext("Đã gửi tài liệu."))
        return redirect("library:document", pk=done.value.pk)
    return render(request, "library/new.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def document(request, pk):
    """The document: opening it records "đã đọc" for a member it is addressed to."""
    actor = actor_for(request)
    doc = selectors.document_get(actor, pk)
    receipt = services.document_mark_read(actor=actor, document=doc)
    context = _document_context(actor, doc, just_read=receipt is not None)
    response = render(request, "library/document.html", context)
    if context["offline"]:
        response[OFFLINE] = "keep"
        latest = selectors.files_of(doc).first()  # its id only: the file's content is not read
        if latest is not None:
            response[OFFLINE_FILE] = reverse("library:file", args=[latest.pk])
    return response


def _document_context(actor, doc, *, version_form=None, just_read=False) -> dict:
    may_send = selectors.may_send(actor, doc)
    readings = selectors.readings(actor, doc)
    addressed = selectors.is_addressed_to(actor, doc)
    return {"doc": doc, "files": selectors.files_of(doc), "readings": readings,
            "targets": [t.unit for t in doc.targets.select_related("unit")], "just_read": just_read,
            "addressed": addressed, "version_form": (version_form or VersionForm()) if may_send else None,
            # kept on the member's phone only when the page shows the document and nothing about other members
            "offline": bool(actor.member_id) and addressed and not readings and not may_send}


@login_required
@require_POST
def version(request, pk):
    actor = actor_for(request)
    doc = selectors.document_get(actor, pk)
    if not selectors.may_send(actor, doc):
        raise PermissionDenied
    form = VersionForm(request.POST, request.FILES)
    done = submit(request, form, lambda: services.document_add_version(
        actor=actor, document=doc, note=form.cleaned_data["note"], **_file_args(form)))
    if done:
        messages.success(request, gettext("Đã thêm phiên bản %(number)s.") % {"number": done.value.number})
        return redirect("library:document", pk=doc.pk)
    return render(request, "library/document.html", _document_context(actor, doc, version_form=form), status=400)


@login_required
@require_GET
def document_file(request, pk):
    """The latest version of the document's file (audited; 404 outside the reader's scope, the attempt audited)."""
    actor = actor_for(request)
    doc = selectors.document_get(actor, pk)
    return _file_response(actor, selectors.latest_file(doc))


@login_required
@require_GET
def file(request, pk):
    """A version of a file by its own id (the same scope as its document)."""
    actor = actor_for(request)
    return _file_response(actor, selectors.file_get(actor, pk))


# --- classified documents -----------------------------------------------------------------------------------------
def _members_for(units) -> list:
    members = no_members()
    for unit in units:
        members = members | selectors.unit_members(unit)
    return list(members.select_related("unit").order_by("name_sort", "pk")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def classified(request):
    actor = actor_for(request)
    entries = selectors.entries_visible(actor)
    units = own_units(actor, "library.secret")
    if not units and not actor.member_id:
        raise Http404
    if request.method == "POST" and not units:
        raise PermissionDenied
    form = ClassifiedForm(request.POST or None, request.FILES or None, actor=actor) if units else None
    if form is not None:
        def register():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("file", "custodian")}
            return services.classified_register(actor=actor, custodian=_member(form.cleaned_data["custodian"]),
                                                **data, **_file_args(form))
        done = submit(request, form, register)
        if done:
            messages.success(request, gettext("Đã đăng ký tài liệu mật vào sổ."))
            return redirect("library:entry", pk=done.value.pk)
    return render(request, "library/classified.html", {
        "entries": entries[:200], "form": form, "members": _members_for(units) if units else [],
        "isolated": settings.CHIBO_ISOLATED_LAN}, status=400 if request.method == "POST" else 200)


def _member(pk):
    try:
        return member_fresh(pk)
    except Exception:  # an unknown record: the service says the member is not of the unit
        return None


def _entry_context(actor, entry, **forms) -> dict:
    may = actor.can("library.secret", entry.unit)
    return {"entry": entry, "handovers": selectors.handovers_of(entry), "may_manage": may,
            "handover_form": forms.get("handover_form") or HandoverForm() if may else None,
            "destroy_form": forms.get("destroy_form") or DestroyForm() if may else None,
            "members": _members_for([entry.unit]) if may else [], "me": actor.member_id}


@login_required
@require_GET
def entry(request, pk):
    actor = actor_for(request)
    return render(request, "library/entry.html", _entry_context(actor, selectors.entry_get(actor, pk)))


@login_required
@require_POST
def handover(request, pk):
    actor = actor_for(request)
    item = selectors.entry_get(actor, pk)
    if not actor.can("library.secret", item.unit):
        raise PermissionDenied
    form = HandoverForm(request.POST)
    done = submit(request, form, lambda: services.classified_hand_over(
        actor=actor, entry=item, to_member=_member(form.cleaned_data["to_member"]),
        handed_on=form.cleaned_data["handed_on"], copies=form.cleaned_data["copies"]))
    if done:
        messages.success(request, gettext("Đã ghi việc giao tài liệu; chờ người nhận xác nhận."))
        return redirect("library:entry", pk=item.pk)
    return render(request, "library/entry.html", _entry_context(actor, item, handover_form=form), status=400)


@login_required
@require_POST
def acknowledge(request, pk):
    actor = actor_for(request)
    item = selectors.handover_get(actor, pk)
    try:
        services.handover_acknowledge(actor=actor, handover=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Đã xác nhận nhận tài liệu."))
    return redirect("library:entry", pk=item.entry_id)


@login_required
@require_POST
def destroy(request, pk):
    actor = actor_for(request)
    item = selectors.entry_get(actor, pk)
    if not actor.can("library.secret", item.unit):
        raise PermissionDenied
    form = DestroyForm(request.POST)
    done = submit(request, form, lambda: services.classified_destroy(actor=actor, entry=item, **form.cleaned_data))
    if done:
        messages.success(request, gettext("Đã ghi biên bản tiêu hủy."))
        return redirect("library:entry", pk=item.pk)
    return render(request, "library/entry.html", _entry_context(actor, item, destroy_form=form), status=400)
