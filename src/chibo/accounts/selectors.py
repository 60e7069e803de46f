"""Reads about accounts: a user's roles in force."""

from __future__ import annotations

from chibo.core.access import Grant


def grants_for_user(user) -> list[Grant]:
    from chibo.accounts.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True, unit__closed_on__isnull=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    return [Grant(role=r.role, unit_id=r.unit_id, unit_path=r.unit.path) for r in rows]


def needs_mfa(user) -> bool:
    """Accounts that can see other people's data must use MFA."""
    return bool(grants_for_user(user)) or user.is_superuser or user.is_staff


def has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists() or \
        Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()
