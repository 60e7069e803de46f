"""Users, their roles bound to a unit scope, invitations (one-time links, stored hashed) and API tokens."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from chibo.accounts.enums import AccountKind, InvitationState
from chibo.core.access import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class User(AbstractUser):
    """An account. A member's or an applicant's opens their own pages; a staff officer's has no record
    of its own (only a name and an e-mail) and sees what its roles give.

    An invited account stays inactive, with no usable password, until its holder follows the
    invitation link; a deactivated one keeps its history (audit, roles) but can never sign in again
    unless invited anew."""

    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    applicant = models.OneToOneField(
        "admission.Applicant", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    kind = models.CharField(gettext_noop("loại tài khoản"),
                            max_length=10, choices=AccountKind.choices, default=AccountKind.STAFF)
    full_name = models.CharField(gettext_noop("họ và tên"), max_length=120, blank=True)
    # The unit whose officers manage the account (where it was invited); a member's account also follows
    # the member's own unit.
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_reason = models.CharField(max_length=200, blank=True)
    # Demo personas: their TOTP codes may be printed by `chibo totp` outside production.
    is_demo = models.BooleanField(default=False)

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_username()


class RoleAssignment(models.Model):
    """A role on a unit (and the units below it), in force from ``starts_on`` to ``ends_on`` (inclusive)
    unless withdrawn. A role that follows a committee post names it in ``source`` ("post:12")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.CHOICES)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="role_assignments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True, db_index=True)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.CharField(max_length=150, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_user_active_idx")]

    def in_force_on(self, day: date) -> bool:
        return (self.revoked_at is None and self.starts_on <= day
                and (self.ends_on is None or day <= self.ends_on))

    @property
    def follows_post(self) -> bool:
        return self.source.startswith("post:")


class Invitation(models.Model):
    """A one-time link that activates an account: only its SHA-256 is stored; the link itself goes out
    once, by e-mail through the outbox (or printed by ``chibo setup`` for the first officer)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(gettext_noop("thư điện tử"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    expires_at = models.DateTimeField()
    sent_count = models.PositiveSmallIntegerField(default=1)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "used_at", "revoked_at"], name="invitation_open_idx")]

    @property
    def state(self) -> str:
        if self.used_at:
            return InvitationState.USED
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    def get_state_display(self) -> StrOrPromise:
        return InvitationState(self.state).label


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, the key is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
