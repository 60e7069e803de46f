"""Members' accounts (writes): inviting members to their own pages, one or a whole cell, and keeping
their roles in step with their committee posts and their status.

- A committee post grants the matching role on its unit from its first day (a secretary or deputy
  secretary the secretary's role, a committee member the committee role); the end of the post ends
  the role on the same day.
- A member leaving the rolls (left, died, struck off, expelled, transferred out of the tree) loses
  their posts on the day it takes effect, and their account is locked at once.

The accounts app does the account side; this module says which member and which posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.accounts import selectors as account_selectors
from chibo.accounts import services as account_services
from chibo.accounts.enums import AccountKind
from chibo.accounts.services import RoleFromPost
from chibo.core.access import Actor, Role, require
from chibo.members.models import ACTIVE_STATUSES, CommitteePost, Member, PostRole, Status

if TYPE_CHECKING:
    from chibo.units.models import Unit

ROLE_OF_POST: dict[str, str] = {
    PostRole.SECRETARY: Role.SECRETARY,
    PostRole.DEPUTY_SECRETARY: Role.SECRETARY,
    PostRole.COMMITTEE_MEMBER: Role.COMMITTEE,
}


def role_from_post(post: CommitteePost) -> RoleFromPost:
    return RoleFromPost(post_id=post.pk, role=ROLE_OF_POST[post.role], unit=post.unit, starts_on=post.from_date,
                        ends_on=post.to_date)


def current_posts(member: Member) -> list[CommitteePost]:
    return list(CommitteePost.objects.filter(member=member, to_date__isnull=True).select_related("unit"))


def post_role_granted(*, actor: Actor, post: CommitteePost) -> None:
    """A post was just appointed: its role, if the member has an account."""
    account_services.roles_follow_post(actor=actor, user=account_selectors.user_of_member(post.member_id),
                                       post=role_from_post(post))


def post_role_ended(*, actor: Actor, post: CommitteePost) -> None:
    assert post.to_date is not None, "an ended post has its last day"
    account_services.roles_end_for_post(actor=actor, post_id=post.pk, ends_on=post.to_date,
                                        reason=post.ended_reason)


def member_left_the_rolls(*, actor: Actor, member: Member, effective_on: date, end_post) -> None:
    """Posts end on the day the change takes effect (``end_post`` is the members service that ends one,
    with its timeline event); the account is locked."""
    status = Status(member.status).label
    for post in CommitteePost.objects.select_for_update().filter(member=member, to_date__isnull=True):
        end_post(actor, post, max(effective_on, post.from_date), status)
    account_services.accounts_deactivate_for_member(actor=actor, member_id=member.pk, reason=status)


def _check_invitable(member: Member) -> str:
    if member.status not in ACTIVE_STATUSES:
        return _("%(name)s không còn sinh hoạt Đảng.") % {"name": member.full_name}
    return ""


@transaction.atomic
def member_invite(*, actor: Actor, member: Member, email: str = "") -> account_services.Invitation:
    """Invite a member to their own pages (to ``email``, else the address on their record), with the
    roles of the posts they hold."""
    member = Member.objects.select_related("unit").get(pk=member.pk)
    require(actor, "accounts.invite", member.unit)
    refusal = _check_invitable(member)
    if refusal:
        raise ValidationError({"member": refusal})
    return account_services.account_invite(
        actor=actor, kind=AccountKind.MEMBER, unit=member.unit, email=email or member.email,
        full_name=member.full_name, member_id=member.pk,
        roles_from_posts=[role_from_post(p) for p in current_posts(member)])


@dataclass
class BulkInvitation:
    invited: list[Member] = field(default_factory=list)
    already_active: list[Member] = field(default_factory=list)
    already_invited: list[Member] = field(default_factory=list)
    without_email: list[Member] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"invited": len(self.invited), "already_active": len(self.already_active),
                "already_invited": len(self.already_invited), "without_email": len(self.without_email)}


@transaction.atomic
def members_invite_unit(*, actor: Actor, unit: Unit) -> BulkInvitation:
    """Invite every member on the unit's own rolls who has no account yet (or whose invitation lapsed),
    at the address on their record; say who was left out and why."""
    require(actor, "accounts.invite", unit)
    result = BulkInvitation()
    members = Member.objects.filter(unit=unit, status__in=ACTIVE_STATUSES).select_related("unit").order_by(
        "name_sort", "pk")
    accounts = {u.member_id: u for u in account_selectors.accounts_visible(actor, perm="accounts.invite")
                .filter(member__in=members)}
    for member in members:
        user = accounts.get(member.pk)
        if user is not None and user.is_active:
            result.already_active.append(member)
        elif user is not None and user.has_open_invitation:
            result.already_invited.append(member)
        elif not member.email:
            result.without_email.append(member)
        else:
            member_invite(actor=actor, member=member)
            result.invited.append(member)
    return result


def member_account_roles(*, actor: Actor, member: Member) -> int:
    """The roles of the member's current posts on their account (the demo loader makes accounts after
    the posts); returns how many were granted."""
    user = account_selectors.user_of_member(member.pk)
    granted = 0
    for post in current_posts(member):
        if account_services.roles_follow_post(actor=actor, user=user, post=role_from_post(post)) is not None:
            granted += 1
    return granted
