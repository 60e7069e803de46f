"""Transfer pages: thin views over transfers.selectors and transfers.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import document_response, download
from chibo.core.forms import submit
from chibo.core.lifecycle_views import act, action_forms
from chibo.core.sheets import XLSX
from chibo.members.enums import PostRole
from chibo.members.selectors import member_get, post_holder_on, posts_of_unit
from chibo.transfers import selectors, services
from chibo.transfers.documents import (
    book_document,
    book_xlsx,
    declaration_decision_document,
    letter_document,
    trip_decision_document,
)
from chibo.transfers.forms import (
    CertifyForm,
    CloseForm,
    DeclarationForm,
    DelegationForm,
    ExemptionForm,
    HoldCloseForm,
    HoldForm,
    IncomingForm,
    OrgActiveForm,
    OrgForm,
    ReasonForm,
    ReviewForm,
    RotationForm,
    TransferRequestForm,
    TripForm,
)
from chibo.transfers.lifecycle import DECLARATION, DELEGATION, EXEMPTION, TRANSFER, TRIP, next_issuer, sender
from chibo.transfers.models import (
    DelegationRole,
    Form,
    State,
)
from chibo.units.selectors import unit_get, units_visible

FORM_TITLE = "transfers/form.html"


def _open_units(actor):
    return units_visible(actor).filter(closed_on__isnull=True).order_by("path")


def _default_signer(unit) -> dict:
    post = post_holder_on([unit], PostRole.SECRETARY)
    return {"signer_name": post.member.full_name if post else "", "signer_title": "Bí thư" if post else "",
            "on": clock.today()}


@login_required
def transfer_list(request):
    actor = actor_for(request)
    qs = selectors.transfers_visible(actor)
    state = request.GET.get("state", "open")
    if state == "open":
        qs = qs.filter(state__in=[s.value for s in State if s not in (State.REPORTED, State.CANCELLED)])
    elif state == "late":
        qs = qs.filter(late_report=True) | qs.filter(late_start=True)
    can_start = actor.can("transfers.edit")
    who = request.GET.get("who", "")[:60] if can_start else ""
    return render(request, "transfers/list.html", {
        "transfers": qs[:200], "state": state, "can_orgs": actor.can("transfers.orgs"),
        "can_start": can_start, "who": who, "candidates": selectors.transfer_candidates(actor, who) if who else None,
        "limit": selectors.START_SEARCH_LIMIT,
        "book_units": [u for u in _open_units(actor)[:100] if actor.can("transfers.edit", u)],
    })


@login_required
def mine(request):
    """Self-service: the member's own transfers, letters, deadlines and self-reviews."""
    actor = actor_for(request)
    if not actor.member_id:
        raise Http404
    return member_page(request, actor.member_id)


@login_required
def member_page(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    can_edit = actor.can("transfers.edit", member.unit)
    return render(request, "transfers/member.html", {
        "m": member, "transfers": selectors.transfers_of_member(actor, member),
        "letters": selectors.letters_visible(actor).filter(member=member).order_by("-issued_on", "-pk"),
        "reviews": selectors.reviews_of_member(member), "holds": selectors.holds_of_member(member),
        "deadlines": selectors.transfer_deadlines(member), "today": clock.today(),
        "trips": selectors.trips_visible(actor).filter(member=member)[:20],
        "declarations": selectors.declarations_visible(actor).filter(member=member)[:20],
        "exemptions": selectors.exemptions_visible(actor).filter(member=member)[:20],
        "can_edit": can_edit, "can_hold": actor.can("transfers.hold", member.unit),
        "is_self": actor.member_id == member.pk, "blockers": services.member_blockers(member),
        "certify_form": CertifyForm(initial={"certified_on": clock.today()}) if can_edit else None,
    })


def _transfer_initial(t):
    def initial(step) -> dict:
        if step.name in ("issue", "forward"):
            issuer = sender(t) if step.name == "issue" else next_issuer(t)
            return _default_signer(issuer) if issuer is not None else {"on": clock.today()}
        return {"on": clock.today()}
    return initial


def _transfer_page(request, actor, t, bound=None):
    return render(request, "transfers/detail.html", {
        "t": t, "letters": t.letters.select_related("issuer").order_by("issued_on", "pk"),
        "steps": selectors.transfer_steps(t),
        "actions": action_forms(actor, TRANSFER, t, bound, initial=_transfer_initial(t)),
        "action_url": reverse("transfers:act", args=[t.pk]),
        "can_void": {lt.pk for lt in t.letters.all() if actor.can("transfers.edit", lt.issuer) and not lt.is_void},
        "today": clock.today(),
    })


@login_required
def transfer_detail(request, pk):
    actor = actor_for(request)
    return _transfer_page(request, actor, selectors.transfer_get(actor, pk))


@login_required
@require_POST
def transfer_act(request, pk):
    actor = actor_for(request)
    t = selectors.transfer_get(actor, pk)
    return act(request, lc=TRANSFER, obj=t, success_url=reverse("transfers:detail", args=[t.pk]),
               render_page=lambda bound: _transfer_page(request, actor, t, bound))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    if not actor.can("transfers.edit", member.unit):
        raise PermissionDenied
    form = TransferRequestForm(request.POST or None, actor=actor, orgs=selectors.organizations())

    def create():
        data = dict(form.cleaned_data)
        orgs = {o.pk: o for o in selectors.organizations()}
        data["to_org"] = orgs.get(data["to_org"]) if data["to_org"] else None
        return services.transfer_request(actor=actor, member=member, **data)

    if done := submit(request, form, create):
        messages.success(request, gettext("Đã ghi đề nghị chuyển sinh hoạt."))
        return redirect("transfers:detail", done.value.pk)
    # A refused save shows the same page: the member, the chosen kind and every typed field stay.
    blocked = "" if form.is_bound else services.member_blockers(member).get("member", "")
    return render(request, "transfers/new.html", {"form": form, "m": member, "blocked": blocked})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_incoming(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    if not actor.can("transfers.edit", member.unit):
        raise PermissionDenied
    form = IncomingForm(request.POST or None, actor=actor, under=member.unit, orgs=selectors.organizations())

    def create():
        data = dict(form.cleaned_data)
        data["from_org"] = selectors.organizations().get(pk=data["from_org"])
        return services.transfer_register_incoming(actor=actor, member=member, at_unit=member.unit, kind="abroad",
                                                   **data)

    if done := submit(request, form, create):
        messages.success(request, gettext("Đã tiếp nhận giấy giới thiệu."))
        return redirect("transfers:detail", done.value.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member,
                                        "title":
    gettext("Tiếp nhận giấy giới thiệu: %(name)s") % {"name": member.full_name}})


@login_required
def letter_file(request, pk, fmt):
    actor = actor_for(request)
    letter = selectors.letter_get(actor, pk)
    return document_response(letter_document(letter), fmt, f"giay-gioi-thieu-{letter.year}-{letter.seq}",
                             actor=actor, action="transfers.letter_downloaded", obj=letter, unit=letter.issuer)


@login_required
@require_POST
def letter_void(request, pk):
    actor = actor_for(request)
    letter = selectors.letter_get(actor, pk)
    form = ReasonForm(request.POST)
    if submit(request, form,
              lambda: services.letter_void(actor=actor, letter=letter, reason=form.cleaned_data["reason"])):
        whole = letter.form == Form.TEN_BOX and letter.box == 1
        messages.success(request, gettext("Đã hủy giấy số %(number)s; giấy vẫn lưu trong sổ.")
                         % {"number": letter.number}
                         + (" " + gettext("Ô số 1 viết sai: cả giấy 10 ô bị hủy, kể cả các ô đã giới thiệu tiếp.")
                            if whole else ""))
        return redirect("transfers:detail", letter.transfer_id)
    return render(request, FORM_TITLE, {"form": form, "title":
                                        gettext("Hủy giấy giới thiệu số %(number)s") % {"number": letter.number}})


@login_required
def book(request, pk):
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    if not actor.can("members.view", unit):
        raise Http404
    year_raw = request.GET.get("year", "")
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else clock.today().year
    letters = list(selectors.transfer_book(unit, year))
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        return download(actor=actor, content=book_xlsx(unit, year, letters),
                        filename=f"so-10-SHD-{unit.code}-{year}.xlsx",
                        content_type=XLSX, action="transfers.book_exported", obj=unit, unit=unit,
                        data={"year": year, "format": fmt})
    if fmt == "pdf":
        return document_response(book_document(unit, year, letters), "pdf", f"so-10-SHD-{unit.code}-{year}",
                                 actor=actor, action="transfers.book_exported", obj=unit, unit=unit,
                                 data={"year": year})
    return render(request, "transfers/book.html", {"unit": unit, "year": year, "letters": letters})


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    if actor.member_id != member.pk and not actor.can("transfers.edit", member.unit):
        raise PermissionDenied
    form = ReviewForm(request.POST or None, initial={"period_from": member.abroad_from, "period_to": clock.today()})
    if submit(request, form, lambda: services.return_review_submit(actor=actor, member=member, **form.cleaned_data)):
        messages.success(request, gettext("Đã nộp bản tự kiểm điểm."))
        return redirect("transfers:member", member.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member,
                                        "title":
    gettext("Tự kiểm điểm thời gian ở nước ngoài: %(name)s") % {"name": member.full_name}})


@login_required
@require_POST
def review_certify(request, pk):
    actor = actor_for(request)
    review = selectors.return_review_get(actor, pk)  # 404 outside scope
    form = CertifyForm(request.POST)
    if submit(request, form, lambda: services.return_review_certify(actor=actor, review=review, **form.cleaned_data)):
        messages.success(request, gettext("Đã xác nhận bản tự kiểm điểm."))
        return redirect("transfers:member", review.member_id)
    return render(request, FORM_TITLE, {"form": form, "title": gettext("Xác nhận bản tự kiểm điểm")})


@login_required
@require_http_methods(["GET", "POST"])
def hold_new(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    if not actor.can("transfers.hold", member.unit):
        raise PermissionDenied
    form = HoldForm(request.POST or None, initial={"opened_on": clock.today()})
    if submit(request, form, lambda: services.hold_open(actor=actor, member=member, **form.cleaned_data)):
        messages.success(request, gettext("Đã ghi: đảng viên tạm không được chuyển sinh hoạt."))
        return redirect("transfers:member", member.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member,
                                        "title":
    gettext("Đang kiểm tra / có khiếu nại: %(name)s") % {"name": member.full_name}})


@login_required
@require_http_methods(["GET", "POST"])
def organizations(request):
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    can_add = actor.can("transfers.orgs")
    form = OrgForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if submit(request, form, lambda: services.org_create(actor=actor, **form.cleaned_data)):
            messages.success(request, gettext("Đã thêm tổ chức vào danh mục."))
            return redirect("transfers:orgs")
    return render(request, "transfers/orgs.html", {"orgs": selectors.organizations(active_only=False),
                                                   "form": form, "can_edit": can_add})


def _org_for_edit(request, pk):
    actor = actor_for(request)
    org = selectors.organization_get(actor, pk)
    if not actor.can("transfers.orgs"):
        raise PermissionDenied
    return actor, org


@login_required
@require_http_methods(["GET", "POST"])
def org_edit(request, pk):
    actor, org = _org_for_edit(request, pk)
    form = OrgForm(request.POST or None, initial={f: getattr(org, f) for f in services.ORG_FIELDS})
    if submit(request, form, lambda: services.org_update(actor=actor, org=org, **form.cleaned_data)):
        messages.success(request, gettext("Đã sửa thông tin tổ chức."))
        return redirect("transfers:orgs")
    return render(request, "transfers/org_edit.html", {
        "form": form, "org": org, "active_form": OrgActiveForm(initial={"active": "0" if org.active else "1"}),
        "used": selectors.organization_uses(org),
    })


@login_required
@require_POST
def org_active(request, pk):
    actor, org = _org_for_edit(request, pk)
    form = OrgActiveForm(request.POST)
    if submit(request, form, lambda: services.org_set_active(actor=actor, org=org, **form.cleaned_data)):
        messages.success(request, gettext("Đã dùng lại tổ chức.") if form.cleaned_data["active"]
                         else gettext("Đã ngừng sử dụng tổ chức; các việc chuyển sinh hoạt cũ vẫn giữ nguyên."))
        return redirect("transfers:orgs")
    return render(request, "transfers/org_edit.html", {
        "form": OrgForm(initial={f: getattr(org, f) for f in services.ORG_FIELDS}), "org": org,
        "active_form": form, "used": selectors.organization_uses(org),
    })


# ------------------------------------------------------------------------------------------------
# Trips, declarations, exemptions (self-service for the member; the cell and committee act)
# ------------------------------------------------------------------------------------------------
def _self_or_staff(actor, member):
    if actor.member_id != member.pk and not actor.can("transfers.edit", member.unit):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def trip_new(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    _self_or_staff(actor, member)
    form = TripForm(request.POST or None)
    if done := submit(request, form, lambda: services.trip_apply(actor=actor, member=member, **form.cleaned_data)):
        messages.success(request, gettext("Đã nộp đơn xin đi nước ngoài."))
        return redirect("transfers:trip", done.value.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member, "title":
                                        gettext("Đơn đi nước ngoài: %(name)s") % {"name": member.full_name}})


def _review_page(request, actor, obj, lc, template: str, bound=None):
    return render(request, template, {
        "o": obj, "today": clock.today(), "actions": action_forms(actor, lc, obj, bound),
        "action_url": request.path,
    })


def _review(request, obj, lc, template: str):
    """A request reviewed by the cell and the committee: its page (GET) and its steps (POST, ``do``)."""
    actor = actor_for(request)
    if request.method == "POST":
        return act(request, lc=lc, obj=obj, success_url=request.path,
                   render_page=lambda bound: _review_page(request, actor, obj, lc, template, bound))
    return _review_page(request, actor, obj, lc, template)


@login_required
@require_http_methods(["GET", "POST"])
def trip_detail(request, pk):
    return _review(request, selectors.trip_get(actor_for(request), pk), TRIP, "transfers/trip.html")


@login_required
@require_http_methods(["GET", "POST"])
def declaration_new(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    _self_or_staff(actor, member)
    form = DeclarationForm(request.POST or None)
    if done := submit(request, form,
                      lambda: services.declaration_file(actor=actor, member=member, **form.cleaned_data)):
        messages.success(request, gettext("Đã gửi khai báo."))
        return redirect("transfers:declaration", done.value.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member, "title":
                                        gettext("Khai báo: %(name)s") % {"name": member.full_name}})


@login_required
@require_http_methods(["GET", "POST"])
def declaration_detail(request, pk):
    return _review(request, selectors.declaration_get(actor_for(request), pk), DECLARATION,
                   "transfers/declaration.html")


@login_required
@require_http_methods(["GET", "POST"])
def exemption_detail(request, pk):
    return _review(request, selectors.exemption_get(actor_for(request), pk), EXEMPTION, "transfers/exemption.html")


def _decision_file(actor, obj, doc, name: str, fmt: str) -> HttpResponse:
    return document_response(doc, fmt, name, actor=actor, action="transfers.decision_downloaded", obj=obj.member,
                             unit=obj.unit,
                             data={"document": obj.decision_doc, "of": f"{obj._meta.model_name}:{obj.pk}"})


@login_required
def trip_decision_file(request, pk, fmt):
    """The committee's decision on a private trip abroad (the member and officers in scope; 404 before
    the decision)."""
    actor = actor_for(request)
    trip = selectors.trip_get(actor, pk)
    if trip.decided_on is None:
        raise Http404(gettext("Chưa có quyết định"))
    return _decision_file(actor, trip, trip_decision_document(trip), f"quyet-dinh-di-nuoc-ngoai-{trip.pk}", fmt)


@login_required
def declaration_decision_file(request, pk, fmt):
    """The committee's decision on a declaration (the member and officers in scope; 404 before it)."""
    actor = actor_for(request)
    d = selectors.declaration_get(actor, pk)
    if d.decided_on is None:
        raise Http404(gettext("Chưa có quyết định"))
    return _decision_file(actor, d, declaration_decision_document(d), f"quyet-dinh-khai-bao-{d.pk}", fmt)


@login_required
@require_http_methods(["GET", "POST"])
def exemption_new(request, pk):
    """The member asks (or the cell records the application) to be exempted from party work and meetings."""
    actor = actor_for(request)
    member = member_get(actor, pk)
    _self_or_staff(actor, member)
    form = ExemptionForm(request.POST or None)
    if done := submit(request, form, lambda: services.exemption_apply(actor=actor, member=member, **form.cleaned_data)):
        messages.success(request, gettext("Đã nộp đơn xin miễn công tác và sinh hoạt."))
        return redirect("transfers:exemption", done.value.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member,
                                        "title":
    gettext("Miễn công tác và sinh hoạt: %(name)s") % {"name": member.full_name}})


@login_required
@require_http_methods(["GET", "POST"])
def rotation(request, pk):
    """End of a diplomatic term: select members, preview every transfer and deadline, commit all or nothing."""
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    if not actor.can("transfers.edit", unit):
        raise PermissionDenied
    members = selectors.rotation_candidates(actor, unit)
    orgs = list(selectors.organizations())
    form = RotationForm(request.POST or None, actor=actor, members=members, orgs=orgs)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        picked = set(data.pop("members"))
        chosen = [m for m in members if m.pk in picked]
        data["to_org"] = next((o for o in orgs if o.pk == data["to_org"]), None)
        if request.POST.get("action") == "commit":
            if done := submit(request, form, lambda: services.rotation_commit(actor=actor, members=chosen, **data)):
                messages.success(request,
                                 gettext("Đã ghi %(value)s đề nghị chuyển sinh hoạt.") % {"value": len(done.value)})
                return redirect("transfers:list")
        else:
            preview = services.rotation_preview(actor=actor, members=chosen, **data)
    return render(request, "transfers/rotation.html", {"form": form, "unit": unit, "preview": preview,
                                                       "ready": preview and not any(r["errors"] for r in preview)})


def _delegation_roots(actor):
    """The upper committees where the actor may set up temporary cells (403 otherwise)."""
    roots = selectors.delegation_parents(actor)
    if not roots:
        raise PermissionDenied
    return roots


@login_required
def delegation_list(request):
    """The delegation cells the actor can see (a member: the one they are attached to, if any)."""
    actor = actor_for(request)
    return render(request, "transfers/delegations.html", {
        "delegations": selectors.delegations_visible(actor)[:200],
        "can_create": any(actor.can("units.edit", u) for u in units_visible(actor).filter(depth=0)),
    })


RANK = {role: i for i, role in enumerate(DelegationRole.values)}  # secretary, deputy, committee, member


@login_required
def delegation_detail(request, pk):
    actor = actor_for(request)
    delegation = selectors.delegation_get(actor, pk)
    unit = delegation.unit
    return render(request, "transfers/delegation.html", {
        "d": delegation, "unit": unit, "tasks": delegation.tasks.all(),
        "attached": delegation.attached.select_related("member", "from_unit"),
        "posts": sorted(posts_of_unit(unit),
                        key=lambda p: (p.to_date is not None, RANK.get(p.role, 9), p.pk)),
        "can_close": bool(DELEGATION.available(actor, delegation)), "today": clock.today(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def delegation_new(request):
    """The upper committee sets up a temporary cell: members picked by a scoped search, each with
    their post, the tasks as separate items, the deciding document and the expected return."""

    actor = actor_for(request)
    roots = _delegation_roots(actor)
    form = DelegationForm(request.POST or None, initial={"opened_on": clock.today()})
    team, tasks = [], [("", None)] * 3

    def create():
        rows = selectors.delegation_team(actor, form.cleaned_data["team"])
        if len(rows) != len(form.cleaned_data["team"]):
            raise ValidationError({"members": gettext("Có đảng viên không tìm thấy trong phạm vi quản lý.")})
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("team", "tasks")}
        return services.delegation_cell_create(actor=actor, parent=roots[0], team=rows,
                                               tasks=form.cleaned_data["tasks"], **data)

    if done := submit(request, form, create):
        messages.success(request, gettext("Đã lập %(name)s.") % {"name": done.value.unit.name})
        return redirect("transfers:delegation", done.value.unit_id)
    if request.method == "POST" and hasattr(form, "cleaned_data"):
        team = selectors.delegation_team(actor, form.cleaned_data.get("team", []))
        tasks = form.cleaned_data.get("tasks") or tasks
    return render(request, "transfers/delegation_new.html", {
        "form": form, "team": team, "tasks": tasks, "roles": DelegationRole.choices, "parent": roots[0],
    })


@login_required
def delegation_search(request):
    """htmx: members in scope matching the typed name or card number (never a list of everyone)."""
    actor = actor_for(request)
    _delegation_roots(actor)
    picked = [int(pk) for pk in request.GET.getlist("member") if pk.isdigit()]
    q = request.GET.get("q", "")
    return render(request, "transfers/_delegation_results.html", {
        "results": selectors.delegation_candidates(actor, q, exclude=picked), "q": q,
        "limit": selectors.DELEGATION_SEARCH_LIMIT,
    })


@login_required
def delegation_row(request):
    """htmx: one row of the creation page — a picked member (``pick``; nothing when already among
    the ``member`` rows), a blank task (``task``), or nothing (``remove``: the row deletes itself)."""
    actor = actor_for(request)
    _delegation_roots(actor)
    if "remove" in request.GET:
        return HttpResponse("")
    if "task" in request.GET:
        return render(request, "transfers/_delegation_task.html", {"text": "", "due": None})
    member = member_get(actor, request.GET.get("pick"))
    if str(member.pk) in request.GET.getlist("member"):
        return HttpResponse("")
    return render(request, "transfers/_delegation_member.html", {"m": member, "role": DelegationRole.MEMBER,
                                                                 "roles": DelegationRole.choices})


@login_required
@require_http_methods(["GET", "POST"])
def delegation_close(request, pk):
    actor = actor_for(request)
    delegation = selectors.delegation_get(actor, pk)
    unit = delegation.unit
    DELEGATION.check(actor, delegation, "close")  # 403 for the actor; a cell back home already: refused
    form = CloseForm(request.POST or None, initial={"closed_on": clock.today()})
    if submit(request, form, lambda: services.delegation_cell_close(actor=actor, delegation=delegation,
                                                                    **form.cleaned_data)):
        messages.success(request, gettext("Đoàn đã về nước; đảng viên trở về chi bộ cũ, chi bộ tạm thời kết thúc."))
        return redirect("transfers:delegation", unit.pk)
    return render(request, FORM_TITLE, {"form": form, "title": gettext("Kết thúc %(name)s") % {"name": unit.name}})


@login_required
@require_POST
def hold_close(request, pk):
    actor = actor_for(request)
    hold = selectors.hold_get(actor, pk)  # 404 outside scope
    member = hold.member
    if not actor.can("transfers.hold", member.unit):
        raise PermissionDenied
    form = HoldCloseForm(request.POST)
    if submit(request, form,
              lambda: services.hold_close(actor=actor, hold=hold, closed_on=form.cleaned_data["closed_on"])):
        messages.success(request, gettext("Đã kết thúc: đảng viên có thể chuyển sinh hoạt."))
        return redirect("transfers:member", member.pk)
    return render(request, FORM_TITLE, {"form": form, "m": member, "title": gettext("Kết thúc kiểm tra / khiếu nại")})
