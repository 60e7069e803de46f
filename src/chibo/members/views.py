"""Member pages: thin views over members.selectors and members.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.accounts.forms import InviteEmailForm
from chibo.accounts.selectors import account_state, user_of_member
from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.forms import submit
from chibo.core.paging import BoundedPaginator
from chibo.core.text import name_warning
from chibo.members import accounts as member_accounts
from chibo.members import quality, services
from chibo.members.forms import (
    MemberCreateForm,
    MemberForm,
    PostEndForm,
    PostForm,
    QualityUnitForm,
    StatusForm,
    bind_member_filters,
)
from chibo.members.models import ACTIVE_STATUSES, STATUS_TRANSITIONS
from chibo.members.selectors import (
    MemberFilters,
    found_count,
    member_find,
    member_get,
    member_read_full,
    member_search,
    member_timeline,
    party_age,
    post_get,
    timeline_entries,
    timeline_kinds,
)
from chibo.units.selectors import unit_get

PAGE_SIZE = 50


@login_required
def member_list(request):
    actor = actor_for(request)
    form, filters = bind_member_filters(actor, request.GET)
    found = member_find(actor, filters)
    paginator = BoundedPaginator(found.listed, PAGE_SIZE, **found_count(actor, filters, found))
    page = paginator.get_page(request.GET.get("page"))
    template = "members/list.html#results" if request.htmx and request.htmx.target == "results" else "members/list.html"
    return render(request, template, {"form": form, "page": page, "can_create": actor.can("members.edit"),
                                      "can_export": actor.can("members.view"),
                                      "invite_unit": filters.unit if filters.unit is not None
                                      and actor.can("accounts.invite", filters.unit) else None})


@login_required
def me(request):
    actor = actor_for(request)
    if not actor.member_id:
        raise Http404
    return redirect("members:detail", actor.member_id)


@login_required
def member_detail(request, pk):
    actor = actor_for(request)
    member = member_read_full(actor, pk)
    kind = request.GET.get("kind", "")[:40]
    return render(request, "members/detail.html", {
        "m": member,
        "party_age": party_age(member, clock.today()),
        "timeline": timeline_entries(member_timeline(member, kind=kind)[:200]),
        "timeline_kinds": timeline_kinds(member), "kind": kind,
        "can_edit": actor.can("members.edit", member.unit),
        "can_status": actor.can("members.status", member.unit) and bool(STATUS_TRANSITIONS[member.status]),
        "can_discipline": actor.can("discipline.open", member.unit) and member.status in ACTIVE_STATUSES,
        "can_inspect": actor.can("inspection.open", member.unit),
        "posts": member.posts.select_related("unit").order_by("-from_date"),
        **_account_context(actor, member),
    })


def _account_context(actor, member, form=None) -> dict:
    account = user_of_member(member.pk)
    return {"account": account, "account_state": account_state(account) if account else "",
            "can_invite": actor.can("accounts.invite", member.unit) and member.status in ACTIVE_STATUSES,
            "invite_form": form or InviteEmailForm()}


@login_required
@require_POST
def member_invite(request, pk):
    """Invite the member to their own pages (a one-time link by e-mail)."""
    actor = actor_for(request)
    member = member_get(actor, pk)
    form = InviteEmailForm(request.POST)
    if done := submit(request, form, lambda: member_accounts.member_invite(actor=actor, member=member,
                                                                             **form.cleaned_data)):
        messages.success(request, gettext("Đã gửi lời mời tới %(email)s; tên đăng nhập: %(username)s.") % {
            "email": done.value.email, "username": done.value.user.username})
        return redirect("members:detail", member.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("members:detail", member.pk)


@login_required
@require_POST
def unit_invite(request, pk):
    """Invite every member on the unit's own rolls who has no account yet."""
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    result = member_accounts.members_invite_unit(actor=actor, unit=unit)
    c = result.counts
    messages.success(request, gettext(
        "%(unit)s: đã gửi %(invited)s lời mời. Đã có tài khoản: %(already_active)s; lời mời còn hiệu lực: "
        "%(already_invited)s; chưa có thư điện tử trong hồ sơ: %(without_email)s.") % {"unit": unit.name, **c})
    if result.without_email:
        names = ", ".join(m.full_name for m in result.without_email[:30])
        messages.warning(request, gettext("Chưa có thư điện tử: %(names)s") % {
            "names": names + ("…" if len(result.without_email) > 30 else "")})
    return redirect(reverse("members:list") + f"?unit={unit.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request):
    actor = actor_for(request)
    if not actor.can("members.edit"):
        raise Http404
    form = MemberCreateForm(request.POST or None, actor=actor)

    def create():
        data = dict(form.cleaned_data)
        unit, status = data.pop("unit"), data.pop("status")
        return services.member_create(actor=actor, unit=unit, status=status, **data)

    if done := submit(request, form, create):
        messages.success(request, gettext("Đã lập hồ sơ %(name)s.") % {"name": done.value.full_name})
        if warning := name_warning(done.value.full_name):
            messages.warning(request, warning)
        return redirect("members:detail", done.value.pk)
    return render(request, "members/form.html", {"form": form, "title": gettext("Lập hồ sơ đảng viên")})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    if not actor.can("members.edit", member.unit):
        raise PermissionDenied
    initial = {name: getattr(member, name) for name in services.EDITABLE_FIELDS}
    form = MemberForm(request.POST or None, initial=initial)
    raw_version = request.POST.get("version", "")
    version = int(raw_version) if raw_version.isdigit() else member.version
    if done := submit(request, form, lambda: services.member_update(
            actor=actor, member=member, expected_version=version, changes=form.cleaned_data)):
        messages.success(request, gettext("Đã lưu hồ sơ."))
        if "full_name" in form.changed_data and (warning := name_warning(done.value.full_name)):
            messages.warning(request, warning)
        return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "m": member, "version": version,
                                                 "title": gettext("Sửa hồ sơ: %(name)s") % {"name": member.full_name}})


@login_required
@require_http_methods(["GET", "POST"])
def member_status(request, pk):
    actor = actor_for(request)
    member = member_get(actor, pk)
    if not actor.can("members.status", member.unit):
        raise PermissionDenied
    form = StatusForm(request.POST or None, allowed=sorted(STATUS_TRANSITIONS[member.status]))
    if submit(request, form, lambda: services.member_change_status(actor=actor, member=member, **form.cleaned_data)):
        messages.success(request, gettext("Đã ghi thay đổi tình trạng."))
        return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "m": member,
                                                 "title":
    gettext("Thay đổi tình trạng: %(name)s") % {"name": member.full_name}})


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request, pk):
    """Record a decision appointing a member of the unit (or below it) to its committee."""
    actor = actor_for(request)
    unit = unit_get(actor, pk)
    if not actor.can("posts.edit", unit):
        raise PermissionDenied
    candidates = member_search(actor, MemberFilters(unit=unit, active_only=True))[:1000]
    form = PostForm(request.POST or None, members=candidates)
    if request.method == "POST" and form.is_valid():
        member = next((m for m in candidates if m.pk == form.cleaned_data["member"]), None)
        if member is None:
            form.add_error("member", gettext("Chọn một đảng viên của tổ chức này."))
        elif submit(request, form, lambda: services.post_appoint(
                actor=actor, unit=unit, member=member,
                **{k: v for k, v in form.cleaned_data.items() if k != "member"})):
            messages.success(request, gettext("Đã ghi quyết định chỉ định %(name)s.") % {"name": member.full_name})
            return redirect("units:detail", unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": unit, "title":
                                               gettext("Chỉ định cấp ủy: %(name)s") % {"name": unit.name}})


@login_required
@require_http_methods(["GET", "POST"])
def post_end(request, pk):
    actor = actor_for(request)
    post = post_get(actor, pk)  # 404 outside the scope
    if not actor.can("posts.edit", post.unit):
        raise PermissionDenied
    form = PostEndForm(request.POST or None)
    if submit(request, form, lambda: services.post_end(actor=actor, post=post, **form.cleaned_data)):
        messages.success(request, gettext("%(name)s thôi giữ chức vụ %(role)s.") % {
            "name": post.member.full_name, "role": gettext(post.get_role_display())})
        return redirect("units:detail", post.unit_id)
    return render(request, "units/form.html", {"form": form, "unit": post.unit,
                                               "title":
    gettext("Thôi chức vụ: %(name)s") % {"name": post.member.full_name}})


# --- data quality board (#21): what the records miss, per unit, rolled up the tree -------------------------------
def _quality_unit(actor, request) -> tuple[QualityUnitForm, object]:
    """The unit the board reads (the ``unit`` parameter, in the actor's member scope; else the top of that scope)."""
    form = QualityUnitForm(request.GET or None, actor=actor)
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    if request.GET.get("unit") and unit is None:
        raise Http404(gettext("Không tìm thấy tổ chức"))
    return form, quality.require_view(actor, unit) if unit is not None else quality.default_unit(actor)


@login_required
@require_GET
def quality_board(request):
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    form, unit = _quality_unit(actor, request)
    result = quality.board(actor, unit)
    return render(request, "members/quality.html", {
        "form": form, "board": result, "chart": quality.share_chart(result) if result.rows else ""})


@login_required
@require_GET
def quality_members(request, key):
    actor = actor_for(request)
    if not actor.can("members.view"):
        raise Http404
    problem = quality.problem_get(key)
    _form, unit = _quality_unit(actor, request)
    own = request.GET.get("own") == "1"
    page = Paginator(quality.problem_members(actor, unit, key, own=own), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/quality_members.html", {"problem": problem, "unit": unit, "own": own,
                                                            "page": page})
