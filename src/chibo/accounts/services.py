"""Writes on accounts: invitations and activation, roles, deactivation, sessions, API tokens, MFA (demo).

Who may invite whom: an officer holding ``accounts.invite`` on the unit the account belongs to (a
member's or an applicant's unit; for a staff officer, the unit whose committee they serve, and then
``roles.edit`` there too, since the invitation carries a role). The members and admission apps invite
their people through ``account_invite``, passing the roles that follow the member's committee posts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.accounts import selectors as account_selectors
from chibo.accounts.enums import AccountKind, InvitationState
from chibo.accounts.models import ApiToken, Invitation, RoleAssignment, User
from chibo.core import clock
from chibo.core.access import Actor, Grant, Role, require
from chibo.core.audit import audit
from chibo.core.rulebook import integer, rule
from chibo.core.said import said, said_term
from chibo.core.text import clean, fold
from chibo.notifications.enums import Channel
from chibo.notifications.services import notify
from chibo.units.selectors import unit_root

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from chibo.admission.models import Applicant
    from chibo.members.models import Member
    from chibo.units.models import Unit

TOKEN_PREFIX_LEN = 8
OFFICER_ROLES = (Role.ORG_OFFICER, Role.INSPECTOR, Role.TREASURER)  # granted by hand; committee roles follow posts
ACTIVATE_PATH = "/account/activate/"

# Security notices: what the account holder is told (no personal data in them).
NOTICES = {
    "token.created": gettext_noop("Một mã truy cập API mới vừa được tạo cho tài khoản của bạn."),
    "mfa.changed": gettext_noop("Cài đặt xác thực hai lớp của tài khoản vừa thay đổi."),
}


class InvitationInvalid(Exception):
    """An activation link that cannot be used (unknown, used, revoked or expired): says why."""

    def __init__(self, message: str, state: str = ""):
        super().__init__(message)
        self.message, self.state = message, state


@dataclass(frozen=True)
class RoleFromPost:
    """A role that follows a committee post (given by the members app)."""

    post_id: int
    role: str
    unit: Unit
    starts_on: date
    ends_on: date | None = None


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def activation_url(token: str) -> str:
    return f"{settings.CHIBO_SITE_URL}{ACTIVATE_PATH}{token}/"


def _username_for(full_name: str, email: str) -> str:
    """A sign-in name from the person's name ("Nguyễn Văn An" → "nguyen.van.an"), else the e-mail's
    local part, made unique with a number."""
    base = ".".join(re.findall(r"[a-z0-9]+", fold(full_name))) or re.sub(r"[^a-z0-9.]", "", email.split("@")[0].lower())
    base = (base or "nguoidung")[:140]
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def _label(actor: Actor) -> str:
    return (actor.label or "")[:150]


def _today() -> date:
    return clock.today()


def _open_invitation(user: User) -> Invitation | None:
    return (Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True,
                                      expires_at__gt=timezone.now()).order_by("-created_at").first())


def _expiry(now: datetime) -> datetime:
    days = integer(rule("account.invitation_days", on=clock.today()))
    return now + timedelta(days=days)


def _send_invitation(actor: Actor, invitation: Invitation, token: str) -> None:
    user = invitation.user
    days = integer(rule("account.invitation_days", on=clock.today()))
    with translation.override(settings.LANGUAGE_CODE):  # the organization's language, not the sender's page's
        body = _("Bạn được mời sử dụng chibo, hệ thống công tác Đảng. Tên đăng nhập của bạn: %(username)s.\n"
                 "Mở liên kết dưới đây (dùng được một lần, trong %(days)s ngày) để đặt mật khẩu và bật xác thực "
                 "hai lớp. Nếu bạn không chờ thư này, hãy bỏ qua và báo cho cán bộ tổ chức.") % {
            "username": user.username, "days": days}
        title = _("Lời mời sử dụng chibo")
    notify(actor=actor, users=[user], kind="account.invitation", title=title, body=body,
           unit=invitation.unit, key=f"invitation:{invitation.pk}:{invitation.sent_count}", ref=f"user:{user.pk}",
           channels=[Channel.EMAIL], emails={user.pk: invitation.email}, secret_url=activation_url(token),
           to_inactive=True)


def _new_invitation(actor: Actor, user: User, unit: Unit, email: str) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    invitation = Invitation.objects.create(user=user, unit=unit, email=email, token_hash=hash_token(token),
                                           created_by=_label(actor), expires_at=_expiry(now))
    return invitation, token


def _grant(actor: Actor, user: User, role: str, unit: Unit, *, starts_on: date, ends_on: date | None = None,
           source: str = "") -> RoleAssignment:
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit, starts_on=starts_on, ends_on=ends_on,
                                               source=source, granted_by=_label(actor))
    audit(actor=actor, action="role.granted", obj=assignment, unit=unit,
          data={"user": user.pk, "role": role, "starts_on": starts_on, "ends_on": ends_on, "source": source})
    return assignment


def _require_whole_tree(actor: Actor, unit: Unit) -> None:
    """A role over the whole tree is given or taken only by an officer who holds one."""
    if unit.parent_id is None and actor.top_grant("roles.edit") is None:
        raise PermissionDenied(_("Chỉ cán bộ có quyền trên toàn Đảng bộ mới trao hoặc thu hồi quyền "
                                 "trên toàn Đảng bộ."))


# --- invitations and activation -------------------------------------------------------------------

@transaction.atomic
def account_invite(*, actor: Actor, kind: str, unit: Unit, email: str, full_name: str, member_id: int | None = None,
                   applicant_id: int | None = None, role: str = "", roles_from_posts: Sequence[RoleFromPost] = (),
                   ) -> Invitation:
    """Invite a member, an applicant or a staff officer: the account (created inactive if new) and a
    one-time link sent by e-mail through the outbox. A staff officer's invitation carries their role on
    ``unit``; a member's carries the roles that follow their committee posts."""
    require(actor, "accounts.invite", unit)
    email = clean(email).lower()
    full_name = clean(full_name)
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Cần một địa chỉ thư điện tử hợp lệ: lời mời được gửi tới đó.")
    if not full_name:
        errors["full_name"] = _("Cần họ và tên.")
    if kind not in AccountKind.values:
        errors["kind"] = _("Loại tài khoản không hợp lệ.")
    elif kind == AccountKind.STAFF:
        if role not in OFFICER_ROLES:
            errors["role"] = _("Chọn vai trò của cán bộ: cán bộ tổ chức, cán bộ kiểm tra hoặc người thu đảng phí.")
        else:
            require(actor, "roles.edit", unit)
            _require_whole_tree(actor, unit)
    elif (kind == AccountKind.MEMBER) != (member_id is not None) or (kind == AccountKind.APPLICANT) != (
            applicant_id is not None):
        raise ValueError("an account's kind and its record disagree")
    if errors:
        raise ValidationError(errors)

    if member_id is not None:
        user = User.objects.select_for_update().filter(member_id=member_id).first()
    elif applicant_id is not None:
        user = User.objects.select_for_update().filter(applicant_id=applicant_id).first()
    else:
        user = User.objects.select_for_update().filter(kind=AccountKind.STAFF, email__iexact=email).first()
    if user is not None and user.is_active:
        raise ValidationError({"email": _("%(name)s đã có tài khoản đang hoạt động (%(username)s).") % {
            "name": full_name, "username": user.username}})
    if user is not None and _open_invitation(user) is not None:
        raise ValidationError({"email": _("%(name)s đã được mời và lời mời còn hiệu lực; hãy dùng «Gửi lại lời mời» "
                                          "nếu người đó chưa nhận được thư.") % {"name": full_name}})
    if user is None:
        user = User(username=_username_for(full_name, email), kind=kind, member_id=member_id,
                    applicant_id=applicant_id, is_active=False)
        user.set_unusable_password()
    user.full_name, user.email, user.unit = full_name, email, unit
    user.save()
    if kind == AccountKind.STAFF:
        _grant(actor, user, role, unit, starts_on=_today())
    for post in roles_from_posts:
        roles_follow_post(actor=actor, user=user, post=post)
    invitation, token = _new_invitation(actor, user, unit, email)
    audit(actor=actor, action="account.invited", obj=user, unit=unit,
          data={"kind": kind, "invitation": invitation.pk, "role": role})
    _send_invitation(actor, invitation, token)
    return invitation


def _check_manageable(actor: Actor, invitation: Invitation) -> Invitation:
    require(actor, "accounts.manage", invitation.unit)
    invitation = Invitation.objects.select_for_update().select_related("user", "unit").get(pk=invitation.pk)
    if invitation.user.is_active:
        raise ValidationError({"invitation": _("Tài khoản đã được kích hoạt.")})
    if invitation.state in (InvitationState.USED, InvitationState.REVOKED):
        raise ValidationError({"invitation": _("Lời mời đã «%(state)s»; hãy mời lại.") % {
            "state": invitation.get_state_display()}})
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Actor, invitation: Invitation) -> Invitation:
    """Send a new link (the old one stops working), valid for the full period again."""
    invitation = _check_manageable(actor, invitation)
    token = secrets.token_urlsafe(32)
    invitation.token_hash, invitation.expires_at = hash_token(token), _expiry(timezone.now())
    invitation.sent_count += 1
    invitation.save(update_fields=["token_hash", "expires_at", "sent_count"])
    audit(actor=actor, action="account.invitation_resent", obj=invitation.user, unit=invitation.unit,
          data={"invitation": invitation.pk, "sent": invitation.sent_count})
    _send_invitation(actor, invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    invitation = _check_manageable(actor, invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(actor=actor, action="account.invitation_revoked", obj=invitation.user, unit=invitation.unit,
          data={"invitation": invitation.pk})
    return invitation


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The invitation a link carries, if it can still be used; else ``InvitationInvalid`` saying why."""
    rows = Invitation.objects.select_related("user", "unit")
    if lock:
        rows = rows.select_for_update()
    invitation = rows.filter(token_hash=hash_token(token or "")).first() if token else None
    if invitation is None:
        raise InvitationInvalid(_("Liên kết kích hoạt không đúng. Hãy mở đúng liên kết trong thư mời, "
                                  "hoặc đề nghị cán bộ tổ chức gửi lại lời mời."), "unknown")
    state = invitation.state
    if state == InvitationState.USED or invitation.user.is_active:
        raise InvitationInvalid(_("Liên kết này đã được dùng. Hãy đăng nhập bằng mật khẩu đã đặt."), state)
    if state == InvitationState.REVOKED:
        raise InvitationInvalid(_("Lời mời này đã bị thu hồi. Hãy liên hệ cán bộ tổ chức."), state)
    if state == InvitationState.EXPIRED:
        raise InvitationInvalid(_("Lời mời đã hết hạn ngày %(day)s. Hãy đề nghị cán bộ tổ chức gửi lại lời mời.") % {
            "day": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y")}, state)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, ip: str | None = None) -> User:
    """The invited person sets their password: the account becomes active (and must enrol a second factor
    before it sees anything, ``RequireMFAMiddleware``). The link is used up."""
    invitation = invitation_for_token(token, lock=True)
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    now = timezone.now()
    user.set_password(password)
    user.is_active, user.activated_at = True, now
    user.deactivated_at, user.deactivated_reason = None, ""
    user.save()
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    audit(actor=Actor(user=user, ip=ip, label=user.username), action="account.activated", obj=user,
          unit=invitation.unit, data={"invitation": invitation.pk})
    return user


# --- the first officer ----------------------------------------------------------------------------

@transaction.atomic
def first_officer(*, actor: Actor, root: Unit, full_name: str, email: str, username: str = "") -> tuple[User, str]:
    """The first organization officer of a new installation, over the whole tree: the account and the
    activation link (returned, printed by ``chibo setup``; sent by e-mail too when an address is given).
    Refused once any account exists."""
    if User.objects.exists():
        raise ValidationError(_("Hệ thống đã có tài khoản; chỉ dùng lệnh này một lần, trên cơ sở dữ liệu trống."))
    full_name, email = clean(full_name), clean(email).lower()
    errors = {}
    if not full_name:
        errors["full_name"] = _("Cần họ và tên.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    username = clean(username).lower()
    if username and not re.fullmatch(r"[a-z0-9][a-z0-9._-]{2,149}", username):
        errors["username"] = _("Tên đăng nhập: chữ thường không dấu, số, dấu chấm, gạch; từ 3 ký tự.")
    if errors:
        raise ValidationError(errors)
    user = User(username=username or _username_for(full_name, email), kind=AccountKind.STAFF, full_name=full_name,
                email=email, unit=root, is_active=False)
    user.set_unusable_password()
    user.save()
    _grant(actor, user, Role.ORG_OFFICER, root, starts_on=_today())
    invitation, token = _new_invitation(actor, user, root, email)
    audit(actor=actor, action="account.first_officer", obj=user, unit=root,
          data={"invitation": invitation.pk})
    if email:
        _send_invitation(actor, invitation, token)
    return user, token


# --- roles ----------------------------------------------------------------------------------------

@transaction.atomic
def role_grant(*, actor: Actor, user: User, role: str, unit: Unit, starts_on: date | None = None) -> RoleAssignment:
    """Grant an upper-committee role (organization officer, inspector) on a unit and the units below it."""
    require(actor, "roles.edit", unit)
    _require_whole_tree(actor, unit)
    errors: dict[str, str] = {}
    if role not in OFFICER_ROLES:
        errors["role"] = _("Chỉ trao ở đây vai trò cán bộ tổ chức, cán bộ kiểm tra hoặc người thu đảng phí; "
                           "vai trò bí thư, cấp ủy viên theo quyết định chỉ định cấp ủy.")
    if not unit.is_open:
        errors["unit"] = _("Tổ chức đã giải thể.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deactivated_at is not None:
        errors["user"] = _("Tài khoản đã bị khóa.")
    day = starts_on or _today()
    if not errors and any(a.role == role and a.unit_id == unit.pk and (a.ends_on is None or a.ends_on >= day)
                          for a in RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)):
        errors["role"] = _("%(user)s đã có vai trò này tại %(unit)s.") % {"user": user.display_name, "unit": unit.name}
    if errors:
        raise ValidationError(errors)
    return _grant(actor, user, role, unit, starts_on=day)


@transaction.atomic
def role_withdraw(*, actor: Actor, assignment: RoleAssignment, reason: str = "") -> RoleAssignment:
    assignment = RoleAssignment.objects.select_for_update().select_related("unit", "user").get(pk=assignment.pk)
    require(actor, "roles.edit", assignment.unit)
    _require_whole_tree(actor, assignment.unit)
    if assignment.revoked_at is not None:
        raise ValidationError({"role": _("Vai trò này đã được thu hồi.")})
    if assignment.follows_post:
        raise ValidationError({"role": _("Vai trò này theo chức vụ cấp ủy; hãy kết thúc chức vụ để thu hồi.")})
    if (assignment.role == Role.ORG_OFFICER and assignment.unit.parent_id is None
            and not _other_whole_tree_officers(assignment).exists()):
        raise ValidationError({"role": _("Đây là cán bộ tổ chức cuối cùng có quyền trên toàn Đảng bộ; hãy trao quyền "
                                         "cho người khác trước khi thu hồi.")})
    _withdraw(actor, assignment, clean(reason))
    return assignment


def _other_whole_tree_officers(assignment: RoleAssignment) -> QuerySet[RoleAssignment]:
    today = _today()
    return (RoleAssignment.objects.filter(role=Role.ORG_OFFICER, unit_id=assignment.unit_id, revoked_at__isnull=True,
                                          starts_on__lte=today, user__is_active=True)
            .exclude(pk=assignment.pk).exclude(ends_on__lt=today))


def _withdraw(actor: Actor, assignment: RoleAssignment, reason: str) -> None:
    assignment.revoked_at, assignment.revoked_by = timezone.now(), _label(actor)
    assignment.save(update_fields=["revoked_at", "revoked_by"])
    audit(actor=actor, action="role.withdrawn", obj=assignment, unit=assignment.unit,
          data={"user": assignment.user_id, "role": assignment.role, "reason": reason[:200]})


def roles_follow_post(*, actor: Actor, user: User | None, post: RoleFromPost) -> RoleAssignment | None:
    """The role that goes with a committee post, from the post's first day (``post.ends_on`` its last);
    called by the members app (which checked its own permission to appoint). Nothing without an account."""
    if user is None or user.deactivated_at is not None:
        return None
    source = f"post:{post.post_id}"
    if RoleAssignment.objects.filter(user=user, source=source, revoked_at__isnull=True).exists():
        return None
    return _grant(actor, user, post.role, post.unit, starts_on=post.starts_on, ends_on=post.ends_on, source=source)


def roles_end_for_post(*, actor: Actor, post_id: int, ends_on: date, reason: str = "") -> int:
    """The post ended: its role ends on the same day (the last day in office)."""
    ended = 0
    for assignment in (RoleAssignment.objects.select_for_update().select_related("unit", "user")
                       .filter(source=f"post:{post_id}", revoked_at__isnull=True)):
        if assignment.ends_on is not None and assignment.ends_on <= ends_on:
            continue
        assignment.ends_on = max(ends_on, assignment.starts_on)
        assignment.save(update_fields=["ends_on"])
        audit(actor=actor, action="role.withdrawn", obj=assignment, unit=assignment.unit,
              data={"user": assignment.user_id, "role": assignment.role, "ends_on": assignment.ends_on,
                    "reason": reason[:200], "source": assignment.source})
        ended += 1
    return ended


# --- deactivation, sessions, tokens ---------------------------------------------------------------

def _end_sessions(user: User, keep: str | None = None) -> int:
    ended = 0
    for session in UserSession.objects.filter(user=user):
        if session.session_key != keep:
            session.end()
            ended += 1
    return ended


def _deactivate(actor: Actor, user: User, reason: str) -> None:
    now = timezone.now()
    user.is_active = False
    user.deactivated_at, user.deactivated_reason = now, reason[:200]
    user.set_unusable_password()  # also breaks every session's auth hash
    user.save()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    roles = 0
    for assignment in RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).select_related("unit", "user"):
        _withdraw(actor, assignment, reason)
        roles += 1
    sessions = _end_sessions(user)
    audit(actor=actor, action="account.deactivated", obj=user, unit=user.unit,
          data={"tokens": tokens, "roles": roles,
                "sessions": sessions})


@transaction.atomic
def account_deactivate(*, actor: Actor, user: User, unit: Unit, reason: str) -> User:
    """Lock an account by hand (``unit``: the unit the account belongs to, as the selectors resolve it)."""
    require(actor, "accounts.manage", unit)
    user = User.objects.select_for_update().get(pk=user.pk)
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do khóa tài khoản.")})
    if user.deactivated_at is not None:
        raise ValidationError({"reason": _("Tài khoản đã bị khóa.")})
    if getattr(actor.user, "pk", None) == user.pk:
        raise ValidationError({"reason": _("Không thể tự khóa tài khoản của mình.")})
    today = _today()
    for assignment in user.roles.filter(role=Role.ORG_OFFICER, unit__parent__isnull=True, revoked_at__isnull=True):
        if assignment.in_force_on(today) and not _other_whole_tree_officers(assignment).exists():
            raise ValidationError({"reason": _("Đây là cán bộ tổ chức cuối cùng có quyền trên toàn Đảng bộ.")})
    _deactivate(actor, user, reason)
    return user


@transaction.atomic
def account_sessions_end(*, actor: Actor, user: User, unit: Unit) -> int:
    """An officer signs a person out everywhere (a lost phone, a shared computer): every session of the account
    ends; its tokens stay (revoked one by one by their holder or by locking the account). Audited."""
    require(actor, "accounts.manage", unit)
    ended = _end_sessions(user)
    audit(actor=actor, action="account.sessions_ended", obj=user, unit=unit,
          data={"sessions": ended})
    return ended


def accounts_deactivate_for_member(*, actor: Actor, member_id: int, reason: str) -> int:
    """The member left the rolls (left, died, struck off, expelled, transferred out): their account is
    locked at once, with its roles, sessions, tokens and open invitations. Called by the members app
    inside its own transaction (it checked its permission to change the member's status)."""
    users = list(User.objects.select_for_update().filter(member_id=member_id, deactivated_at__isnull=True))
    for user in users:
        _deactivate(actor, user, reason)
    return len(users)


@transaction.atomic
def session_end(*, actor: Actor, user: User, session_id: int, current_key: str | None = None) -> int:
    """End one of the user's own sessions, or all others (``session_id`` 0); never the current one."""
    if getattr(actor.user, "pk", None) != user.pk:
        raise PermissionDenied
    if session_id == 0:
        ended = _end_sessions(user, keep=current_key)
    else:
        session = UserSession.objects.filter(user=user, pk=session_id).first()
        if session is None or session.session_key == current_key:
            raise ValidationError({"session": _("Không có phiên này (phiên đang dùng thì hãy đăng xuất).")})
        session.end()
        ended = 1
    audit(actor=actor, action="account.sessions_ended", obj=user, data={"count": ended})
    return ended


@transaction.atomic
def token_create(*, actor: Actor, user: User, label: str = "") -> str:
    """Create an API token for ``user`` (themself, or the operator on the command line); returns the key,
    shown once and never stored in clear."""
    if actor.user is not None and getattr(actor.user, "pk", None) != user.pk:
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError({"user": _("Tài khoản đã bị khóa.")})
    label = clean(label)[:100]
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, prefix=key[:TOKEN_PREFIX_LEN], key_hash=hash_token(key), label=label)
    audit(actor=actor, action="token.created", obj=token, data={"user": user.pk, "prefix": token.prefix})
    security_notice(actor=actor, user=user, event="token.created", key=f"security:token:{token.pk}")
    return key


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    if actor.user is not None and getattr(actor.user, "pk", None) != token.user_id:
        raise PermissionDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit(actor=actor, action="token.revoked", obj=token, data={"prefix": token.prefix})


def security_notice(*, actor: Actor, user: User, event: str, key: str = "") -> None:
    """Tell the account holder about a security-relevant change, in the bell and by e-mail (to the
    account's address, else the member record's), through the outbox: queued in the caller's
    transaction, e-mailed by the worker after it commits."""
    member = user.member if user.member_id else None
    notify(actor=actor, users=[user], kind="security.notice", title=said("Thông báo bảo mật"),
           body=said("%(what)s\nNếu không phải bạn, hãy báo ngay cho cán bộ tổ chức.",
                     what=said_term(NOTICES[event]) if event in NOTICES else event),
           key=key, ref=f"user:{user.pk}", emails={user.pk: member.email} if member is not None else None)


# --- the periodic account review ------------------------------------------------------------------

def account_review_run(day: date) -> int:
    """The periodic account review (a step of the daily sweep): once a week, the officers who review
    accounts on the top unit are told what it found. Returns how many messages were queued."""
    root = unit_root()
    if root is None:
        return 0
    actor = Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="system")
    officers = list(account_selectors.account_reviewers())
    if not officers:
        return 0
    review = account_selectors.account_review(actor, on=day)
    return account_review_notify(actor=actor, on=day, officers=officers, counts=review.counts)


def account_review_notify(*, actor: Actor, on: date, officers: Iterable[User], counts: dict[str, int]) -> int:
    """Tell the officers who review accounts what this week's review found (counts only; the list is on
    the review page). Once per officer and ISO week."""
    year, week, _day = on.isocalendar()
    body = said("Tài khoản có quyền trên toàn Đảng bộ: %(whole_tree)s. Chưa bật xác thực hai lớp: %(no_mfa)s. "
                "Không đăng nhập từ %(days)s ngày: %(unused)s.", **counts)
    return len(notify(actor=actor, users=officers, kind="account.review", title=said("Rà soát tài khoản định kỳ"),
                      body=body, url="/users/review/", key=f"account-review:{year}-W{week:02d}",
                      channels=[Channel.IN_APP, Channel.EMAIL]))


# --- the demo and tests: accounts with a known password -------------------------------------------

@transaction.atomic
def user_create(*, actor: Actor, username: str, password: str, member: Member | None = None,
                applicant: Applicant | None = None, email: str = "",
                is_demo: bool = False, full_name: str = "") -> User:
    """An active account with a known password, for the demo personas and tests (real accounts are
    invited and activated by their holder)."""
    kind = (AccountKind.MEMBER if member is not None else AccountKind.APPLICANT if applicant is not None
            else AccountKind.STAFF)
    user = User(username=username, email=email, member=member, applicant=applicant, is_demo=is_demo, kind=kind,
                full_name=full_name or (member.full_name if member is not None else
                                        applicant.full_name if applicant is not None else ""),
                activated_at=timezone.now())
    user.set_password(password)
    user.save()
    audit(actor=actor, action="user.created", obj=user)  # by id: a sign-in name never enters the audit chain
    return user


@transaction.atomic
def staff_role_for_demo(*, actor: Actor, user: User, role: str, unit: Unit, starts_on: date) -> RoleAssignment:
    """A role given by the demo loader, dated from ``starts_on`` (the demo's history); a staff account
    belongs to the unit of its first role, as an invited one does."""
    if user.unit_id is None and user.member_id is None and user.applicant_id is None:
        user.unit = unit
        user.save(update_fields=["unit"])
    return _grant(actor, user, role, unit, starts_on=starts_on)


@transaction.atomic
def totp_enrol(*, actor: Actor, user: User, secret: str | None = None) -> Authenticator:
    """Enrol TOTP with a given (demo) or fresh secret, with recovery codes."""

    authenticator = TOTP.activate(user, secret or generate_totp_secret()).instance
    RecoveryCodes.activate(user)
    audit(actor=actor, action="mfa.totp_enrolled", obj=user)
    return authenticator


def totp_secret(user: User) -> str | None:
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(auth.data["secret"]) if auth else None


def totp_code(secret: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    code: str = format_hotp_value(hotp_value(secret, counter))
    return code


def user_link_member(*, actor: Actor, applicant_id: int, member: Member) -> bool:
    """The account of an applicant who became a member now also opens their member record (self only)."""
    linked = User.objects.filter(applicant_id=applicant_id, member__isnull=True).update(
        member=member, kind=AccountKind.MEMBER)
    if linked:
        audit(actor=actor, action="user.member_linked", data={"applicant": applicant_id, "member": member.pk})
    return bool(linked)
