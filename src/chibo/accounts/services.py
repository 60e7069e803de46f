"""Writes on accounts: users, role grants, API tokens, demo MFA enrolment."""

from __future__ import annotations

import hashlib
import secrets
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chibo.accounts.models import ApiToken, RoleAssignment, User
from chibo.core.access import Actor, Role
from chibo.core.audit import audit
from chibo.notifications.services import notify

TOKEN_PREFIX_LEN = 8

# Security notices: what the account holder is told (no personal data in them).
NOTICES = {
    "token.created": "Một mã truy cập API mới vừa được tạo cho tài khoản của bạn.",
    "mfa.changed": "Cài đặt xác thực hai lớp của tài khoản vừa thay đổi.",
}


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Actor, user: User, label: str = "") -> str:
    """Create an API token for ``user``; returns the key, which is never stored in clear."""
    if not user.is_active:
        raise ValidationError({"user": "Tài khoản đã bị khóa."})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, prefix=key[:TOKEN_PREFIX_LEN], key_hash=hash_token(key),
                                    label=label[:100])
    audit(actor=actor, action="token.created", obj=token, data={"user": user.username, "prefix": token.prefix})
    security_notice(actor=actor, user=user, event="token.created", key=f"security:token:{token.pk}")
    return key


def security_notice(*, actor: Actor, user: User, event: str, key: str = "") -> None:
    """Tell the account holder about a security-relevant change, in the bell and by e-mail (to the
    account's address, else the member record's), through the outbox: queued in the caller's
    transaction, e-mailed by the worker after it commits."""
    member = user.member if user.member_id else None
    notify(actor=actor, users=[user], kind="security.notice", title="Thông báo bảo mật",
           body=NOTICES.get(event, event) + "\nNếu không phải bạn, hãy báo ngay cho cán bộ tổ chức.",
           key=key, ref=f"user:{user.pk}", emails={user.pk: member.email} if member is not None else None)


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit(actor=actor, action="token.revoked", obj=token, data={"prefix": token.prefix})


@transaction.atomic
def role_grant(*, actor: Actor, user: User, role: str, unit) -> RoleAssignment:
    if role not in dict(Role.CHOICES):
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit)
    audit(actor=actor, action="role.granted", obj=assignment, unit=unit, data={"user": user.username, "role": role})
    return assignment


@transaction.atomic
def user_create(*, actor: Actor, username: str, password: str, member=None, applicant=None, email: str = "",
                is_demo: bool = False) -> User:
    user = User(username=username, email=email, member=member, applicant=applicant, is_demo=is_demo)
    user.set_password(password)
    user.save()
    audit(actor=actor, action="user.created", obj=user, data={"username": username})
    return user


@transaction.atomic
def totp_enrol(*, actor: Actor, user: User, secret: str | None = None):
    """Enrol TOTP with a given (demo) or fresh secret, with recovery codes."""

    authenticator = TOTP.activate(user, secret or generate_totp_secret()).instance
    RecoveryCodes.activate(user)
    audit(actor=actor, action="mfa.totp_enrolled", obj=user, data={"username": user.username})
    return authenticator


def totp_secret(user: User) -> str | None:
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(auth.data["secret"]) if auth else None


def totp_code(secret: str, at: float | None = None) -> str:


    counter = int((time.time() if at is None else at) // 30)
    return format_hotp_value(hotp_value(secret, counter))


def user_link_member(*, actor: Actor, applicant_id: int, member) -> bool:
    """The account of an applicant who became a member now also opens their member record (self only)."""
    linked = User.objects.filter(applicant_id=applicant_id, member__isnull=True).update(member=member)
    if linked:
        audit(actor=actor, action="user.member_linked", data={"applicant": applicant_id, "member": member.pk})
    return bool(linked)
