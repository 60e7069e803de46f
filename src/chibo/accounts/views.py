"""Pages of accounts: a person's own account (roles, sessions, API tokens, second factors), activation
from an invitation link, and for officers the accounts and roles in their scope, staff invitations and
the periodic review. Thin views over ``chibo.accounts.services`` and ``selectors``."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chibo.accounts import selectors, services
from chibo.accounts.enums import AccountKind, AccountState
from chibo.accounts.forms import (
    AccountFilterForm,
    ActivationForm,
    ReasonForm,
    RoleFilterForm,
    RoleGrantForm,
    StaffInviteForm,
    TokenForm,
)
from chibo.core.access import actor_for
from chibo.core.forms import submit
from chibo.core.request_context import client_ip
from chibo.core.text import fold

PAGE_SIZE = 50
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


# --- a person's own account -----------------------------------------------------------------------

def _me_context(request, **extra) -> dict:
    user = request.user
    sessions = selectors.my_sessions(user)
    for session in sessions:
        session.current = session.session_key == request.session.session_key
    return {
        "roles": selectors.my_roles(user),
        "sessions": sessions,
        "tokens": selectors.my_tokens(user),
        "authenticators": selectors.my_authenticators(user),
        "recovery_left": selectors.recovery_codes_left(user),
        "token_form": extra.pop("token_form", None) or TokenForm(),
        **extra,
    }


@login_required
@never_cache
def me(request):
    return render(request, "accounts/me.html", _me_context(request))


@login_required
@require_POST
def token_new(request):
    form = TokenForm(request.POST)
    done = submit(request, form, lambda: services.token_create(actor=actor_for(request), user=request.user,
                                                                **form.cleaned_data))
    if done:
        # Shown on this answer only, never stored: not a redirect with a message.
        return render(request, "accounts/me.html", _me_context(request, new_key=done.value,
                                                               new_label=form.cleaned_data["label"]))
    return render(request, "accounts/me.html", _me_context(request, token_form=form), status=400)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = selectors.my_token(request.user, pk)
    services.token_revoke(actor=actor_for(request), token=token)
    messages.success(request, _("Đã thu hồi mã truy cập «%(label)s».") % {"label": token.label or token.prefix})
    return redirect("accounts:me")


@login_required
@require_POST
def session_end(request, pk: int):
    try:
        ended = services.session_end(actor=actor_for(request), user=request.user, session_id=pk,
                                     current_key=request.session.session_key)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã kết thúc %(n)s phiên đăng nhập.") % {"n": ended})
    return redirect("accounts:me")


# --- activation -----------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def activate(request, token: str):
    """The invitation link: choose a password; then the second factor (the MFA gate sends them there)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/activate_invalid.html", {"message": exc.message}, status=410
                      if exc.state in ("used", "revoked", "expired") else 404)
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password"],
                                              ip=client_ip(request))
        except services.InvitationInvalid as exc:
            return render(request, "accounts/activate_invalid.html", {"message": exc.message}, status=410)
        except ValidationError as exc:
            for message in exc.message_dict.get("password", exc.messages):
                form.add_error("password", message)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, user, backend=LOGIN_BACKEND)
            # The password was just set with the link: that counts as a fresh sign-in, so enrolling the
            # second factor does not ask for the password again (allauth has no public call for this).
            record_authentication(request, user, method="password", username=user.username, reauthenticated=True)
            UserSession.objects.create_from_request(request)
            messages.success(request, _("Tài khoản đã được kích hoạt. Bước cuối: bật xác thực hai lớp."))
            return redirect("dashboard")  # the MFA gate sends them to enrolment first
    return render(request, "accounts/activate.html", {"form": form, "invitation": invitation,
                                                      "username": invitation.user.username},
                  status=400 if form.errors else 200)


# --- officers: accounts, roles, review ------------------------------------------------------------

def _officer(request, perm: str = "accounts.view"):
    actor = actor_for(request)
    if not actor.can(perm):
        raise PermissionDenied
    return actor


@login_required
def users(request):
    actor = _officer(request)
    form = AccountFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.accounts_visible(actor)
    if data.get("state"):
        qs = selectors.filter_by_state(qs, data["state"])
    if data.get("q"):
        term = data["q"].strip()
        # sign-in names are the folded full names ("nguyen.van.an"): "Nguyễn Văn" finds them
        qs = qs.filter(Q(username__icontains=".".join(fold(term).split())) | Q(full_name__icontains=term)
                       | Q(email__icontains=term))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for user in page.object_list:
        user.state = selectors.account_state(user)
        user.state_label = AccountState(user.state).label
        user.home = selectors.account_unit(user)
    return render(request, "accounts/users.html", {
        "form": form, "page": page, "can_invite_staff": actor.can("roles.edit"),
        "can_review": actor.can("accounts.review")})


def _user_page(request, actor, user, *, grant_form=None, reason_form=None, status=200):
    home = selectors.account_unit(user)
    state = selectors.account_state(user)
    can_manage = home is not None and actor.can("accounts.manage", home)
    return render(request, "accounts/user.html", {
        "account": user, "home": home, "state": state, "state_label": AccountState(state).label,
        "kind_label": AccountKind(user.kind).label,
        "roles": selectors.roles_visible(actor, current_only=False).filter(user=user),
        "invitations": user.invitations.select_related("unit")[:10],
        "can_manage": can_manage,
        "can_grant": actor.can("roles.edit") and state != AccountState.DEACTIVATED,
        "grant_form": grant_form or RoleGrantForm(actor=actor, initial={"user": user.pk}),
        "reason_form": reason_form or ReasonForm(),
    }, status=status)


@login_required
def user_detail(request, pk: int):
    actor = _officer(request)
    return _user_page(request, actor, selectors.account_get(actor, pk))


@login_required
@require_POST
def user_act(request, pk: int, action: str):
    """resend / revoke (the open invitation), deactivate (with a reason), end every session."""
    actor = _officer(request)
    user = selectors.account_get(actor, pk)
    home = selectors.account_unit(user)
    if home is None or not actor.can("accounts.manage", home):
        raise PermissionDenied
    reason_form = ReasonForm(request.POST) if action == "deactivate" else None
    try:
        if reason_form is not None:  # deactivate
            if not reason_form.is_valid():
                return _user_page(request, actor, user, reason_form=reason_form, status=400)
            services.account_deactivate(actor=actor, user=user, unit=home, reason=reason_form.cleaned_data["reason"])
            messages.success(request, _("Đã khóa tài khoản %(u)s.") % {"u": user.username})
        elif action == "end_sessions":
            ended = services.account_sessions_end(actor=actor, user=user, unit=home)
            messages.success(request, _("Đã đăng xuất %(u)s khỏi %(n)s phiên.") % {"u": user.username, "n": ended})
        else:
            invitation = selectors.latest_invitation(user)
            if invitation is None:
                raise ValidationError(_("Tài khoản này chưa có lời mời nào."))
            if action == "resend":
                services.invitation_resend(actor=actor, invitation=invitation)
                messages.success(request, _("Đã gửi lại lời mời tới %(e)s.") % {"e": invitation.email})
            else:
                services.invitation_revoke(actor=actor, invitation=invitation)
                messages.success(request, _("Đã thu hồi lời mời."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _user_page(request, actor, selectors.account_get(actor, pk), reason_form=reason_form, status=409)
    return redirect("accounts:user", pk=user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invite_staff(request):
    actor = _officer(request, "roles.edit")
    form = StaffInviteForm(request.POST or None, actor=actor)
    done = submit(request, form, lambda: services.account_invite(actor=actor, kind=AccountKind.STAFF,
                                                                 **form.cleaned_data))
    if done:
        messages.success(request, _("Đã gửi lời mời tới %(e)s. Tên đăng nhập: %(u)s.") % {
            "e": done.value.email, "u": done.value.user.username})
        return redirect("accounts:user", pk=done.value.user_id)
    return render(request, "accounts/invite.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def role_grant(request):
    actor = _officer(request, "roles.edit")
    form = RoleGrantForm(request.POST, actor=actor)
    user = selectors.account_get(actor, int(request.POST.get("user") or 0)) if (
        request.POST.get("user", "").isdigit()) else None
    if user is None:
        raise PermissionDenied
    done = submit(request, form, lambda: services.role_grant(actor=actor, user=user, role=form.cleaned_data["role"],
                                                             unit=form.cleaned_data["unit"]))
    if done:
        messages.success(request, _("Đã trao vai trò «%(r)s» tại %(u)s.") % {
            "r": done.value.get_role_display(), "u": done.value.unit.name})
        return redirect("accounts:user", pk=user.pk)
    return _user_page(request, actor, user, grant_form=form, status=400)


@login_required
def roles(request):
    actor = _officer(request)
    form = RoleFilterForm(request.GET or None, actor=actor)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.roles_visible(actor, unit=data.get("unit"), role=data.get("role") or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/roles.html", {"form": form, "page": page, "can_edit": actor.can("roles.edit")})


@login_required
@require_POST
def role_withdraw(request, pk: int):
    actor = _officer(request, "roles.edit")
    assignment = selectors.role_get(actor, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do thu hồi."))
        return redirect("accounts:user", pk=assignment.user_id)
    try:
        services.role_withdraw(actor=actor, assignment=assignment, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi vai trò."))
    return redirect("accounts:user", pk=assignment.user_id)


@login_required
def review(request):
    actor = _officer(request, "accounts.review")
    return render(request, "accounts/review.html", {"review": selectors.account_review(actor)})
