"""Users, their roles bound to a unit scope, and API tokens (stored hashed)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from chibo.core.access import Role


class User(AbstractUser):
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    applicant = models.OneToOneField(
        "admission.Applicant", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    # Demo personas: their TOTP codes may be printed by `chibo totp` outside production.
    is_demo = models.BooleanField(default=False)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.CHOICES)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="role_assignments")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_user_active_idx")]


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, the key is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
