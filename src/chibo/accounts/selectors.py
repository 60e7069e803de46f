"""Reads about accounts: a user's roles in force, the actor a user acts as, MFA state."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from chibo.accounts.models import RoleAssignment, User
from chibo.core.access import Actor, Grant


def grants_for_user(user) -> list[Grant]:
    rows = (
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True, unit__closed_on__isnull=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    return [Grant(role=r.role, unit_id=r.unit_id, unit_path=r.unit.path) for r in rows]


def build_actor(user: User, *, ip: str | None = None) -> Actor:
    """The actor of an active, logged-in user: roles in force today, the linked member (and the
    unit whose rolls carry them) or applicant. Installed in the kernel by ``AccountsConfig.ready``."""
    member_unit_id = (User.objects.filter(pk=user.pk).values_list("member__unit_id", flat=True).first()
                      if user.member_id else None)
    return Actor(
        user=user,
        grants=tuple(grants_for_user(user)),
        member_id=user.member_id,
        applicant_id=user.applicant_id,
        member_unit_id=member_unit_id,
        ip=ip,
        label=user.get_username(),
    )


def needs_mfa(user) -> bool:
    """Accounts that can see other people's data must use MFA."""
    return bool(grants_for_user(user)) or user.is_superuser or user.is_staff


def has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]).exists()


def users_of_members(member_ids) -> QuerySet[User]:
    """Active accounts opening the records of these members (a queryset or list of member ids)."""
    return User.objects.filter(is_active=True, member_id__in=member_ids)


def role_holders(unit_paths, *, roles=None) -> QuerySet[User]:
    """Active accounts holding a role in force (of ``roles`` when given) on one of the units at ``unit_paths``."""
    grants = RoleAssignment.objects.filter(revoked_at__isnull=True, unit__path__in=list(unit_paths))
    if roles is not None:
        grants = grants.filter(role__in=list(roles))
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))
