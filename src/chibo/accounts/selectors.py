"""Reads about accounts: the actor a user acts as, roles in force, the accounts and roles an officer
sees, invitations, the periodic review, a person's own sessions, tokens and second factors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from chibo.accounts.enums import AccountState
from chibo.accounts.models import ApiToken, Invitation, RoleAssignment, User
from chibo.core import clock
from chibo.core.access import PATH_STEP, ROLE_PERMISSIONS, Actor, Grant, Role, subtree_q
from chibo.core.rulebook import integer, rule

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    from chibo.units.models import Unit

    class _Invitations(TypedDict):
        has_open_invitation: bool
        has_any_invitation: bool

    AccountRow = WithAnnotations[User, _Invitations]  # an account as accounts_visible gives it


def _in_force(day: date) -> Q:
    return (Q(revoked_at__isnull=True, starts_on__lte=day, unit__closed_on__isnull=True)
            & (Q(ends_on__isnull=True) | Q(ends_on__gte=day)))


def grants_for_user(user: User, *, on: date | None = None) -> list[Grant]:
    rows = (RoleAssignment.objects.filter(_in_force(on or clock.today()), user=user)
            .select_related("unit").order_by("unit__path"))
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


def needs_mfa(user: User) -> bool:
    """Every account enrols a second factor before it sees anything: members' own records are personal
    data too."""
    return bool(user.is_authenticated)


def has_mfa(user: User) -> bool:
    return bool(Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]).exists())


def accounts_exist() -> bool:
    """Whether any account exists (``chibo setup`` runs only on a database without one)."""
    return User.objects.exists()


def users_of_members(member_ids: Iterable[int] | QuerySet[Any, Any]) -> QuerySet[User]:
    """Active accounts opening the records of these members (a queryset or list of member ids)."""
    return User.objects.filter(is_active=True, member_id__in=member_ids)


def user_of_member(member_id: int) -> User | None:
    """The account (active or not) that opens this member's record, if any."""
    return User.objects.filter(member_id=member_id).first()


def user_of_applicant(applicant_id: int) -> User | None:
    return User.objects.filter(applicant_id=applicant_id).first()


def role_holders(unit_paths: Iterable[str], *, roles: Iterable[str] | None = None) -> QuerySet[User]:
    """Active accounts holding a role in force (of ``roles`` when given) on one of the units at ``unit_paths``."""
    grants = RoleAssignment.objects.filter(_in_force(clock.today()), unit__path__in=list(unit_paths))
    if roles is not None:
        grants = grants.filter(role__in=list(roles))
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


def users_holding_near(usernames: Iterable[str], perms: Iterable[str], unit: Unit) -> QuerySet[User]:
    """Active accounts among ``usernames`` holding, by a role in force, one of ``perms`` on ``unit`` itself, on a
    unit above it or on a unit below it (who may be put in charge of a committee's inspection)."""
    wanted = set(perms)
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if granted & wanted]
    above = [unit.path[:i] for i in range(PATH_STEP, len(unit.path), PATH_STEP)]
    grants = RoleAssignment.objects.filter(_in_force(clock.today()), role__in=roles).filter(
        Q(unit__path__in=above) | subtree_q([unit.path], "unit__path"))
    return User.objects.filter(is_active=True, username__in=list(usernames), pk__in=grants.values("user_id"))


# --- what an officer sees -------------------------------------------------------------------------

def _account_scope(roots: list[str]) -> Q:
    """Accounts belonging to the subtrees: by the unit they were invited on, a member's own unit, an
    applicant's unit."""
    return (subtree_q(roots, "unit__path") | subtree_q(roots, "member__unit__path")
            | subtree_q(roots, "applicant__unit__path"))


def accounts_visible(actor: Actor, *, perm: str = "accounts.view") -> QuerySet[AccountRow]:
    roots = actor.paths_for(perm)
    if not roots:
        return cast("QuerySet[AccountRow]", User.objects.none())  # empty: lacks no annotation
    open_invitation = Invitation.objects.filter(user=OuterRef("pk"), used_at__isnull=True, revoked_at__isnull=True)
    return (User.objects.filter(_account_scope(roots))
            .select_related("unit", "member__unit", "applicant__unit")
            .annotate(has_open_invitation=Exists(open_invitation.filter(expires_at__gt=timezone.now())),
                      has_any_invitation=Exists(open_invitation))
            .prefetch_related(Prefetch("roles", queryset=RoleAssignment.objects.filter(revoked_at__isnull=True)
                                       .select_related("unit")))
            .order_by("full_name", "username"))


def account_get(actor: Actor, pk: int, *, perm: str = "accounts.view") -> User:
    user = accounts_visible(actor, perm=perm).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def account_unit(user: User) -> Unit | None:
    """The unit whose officers manage the account: a member's or applicant's own unit, else where it was
    invited."""
    if user.member is not None:
        return user.member.unit
    if user.applicant is not None:
        return user.applicant.unit
    return user.unit


def account_state(user: User) -> str:
    if user.deactivated_at is not None:
        return AccountState.DEACTIVATED
    if user.is_active:
        return AccountState.ACTIVE
    has_open_invitation = getattr(user, "has_open_invitation", None)  # annotated by accounts_visible
    if has_open_invitation is None:
        return AccountState.INVITED if _open(user).exists() else AccountState.EXPIRED
    return AccountState.INVITED if has_open_invitation else AccountState.EXPIRED


def _open(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now())


def filter_by_state(users: QuerySet[AccountRow], state: str) -> QuerySet[AccountRow]:
    if state == AccountState.DEACTIVATED:
        return users.filter(deactivated_at__isnull=False)
    if state == AccountState.ACTIVE:
        return users.filter(is_active=True)
    if state == AccountState.INVITED:
        return users.filter(is_active=False, deactivated_at__isnull=True, has_open_invitation=True)
    if state == AccountState.EXPIRED:
        return users.filter(is_active=False, deactivated_at__isnull=True, has_open_invitation=False)
    return users


def latest_invitation(user: User) -> Invitation | None:
    return Invitation.objects.filter(user=user).order_by("-created_at", "-pk").first()


def invitation_get(actor: Actor, pk: int) -> Invitation:
    invitation = Invitation.objects.select_related("user", "unit").filter(pk=pk).first()
    if invitation is None or not accounts_visible(actor).filter(pk=invitation.user_id).exists():
        raise Http404
    return invitation


def roles_visible(actor: Actor, *, unit: Unit | None = None, role: str = "", current_only: bool = True
                  ) -> QuerySet[RoleAssignment]:
    """Roles on the units the actor sees accounts of (and below ``unit`` when given)."""
    roots = actor.paths_for("accounts.view")
    if not roots:
        return RoleAssignment.objects.none()
    rows = RoleAssignment.objects.filter(subtree_q(roots, "unit__path"))
    if unit is not None:
        rows = rows.filter(subtree_q([unit.path], "unit__path"))
    if role:
        rows = rows.filter(role=role)
    if current_only:
        today = clock.today()
        rows = rows.filter(revoked_at__isnull=True).exclude(ends_on__lt=today)
    return rows.select_related("user", "unit").order_by("unit__path", "role", "user__full_name", "user__username")


def role_get(actor: Actor, pk: int) -> RoleAssignment:
    found = roles_visible(actor, current_only=False).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- the periodic review --------------------------------------------------------------------------

@dataclass
class AccountReview:
    day: date
    unused_days: int
    whole_tree: list[User]
    without_mfa: list[User]
    unused: list[User]

    @property
    def counts(self) -> dict[str, int]:
        return {"whole_tree": len(self.whole_tree), "no_mfa": len(self.without_mfa), "unused": len(self.unused),
                "days": self.unused_days}


def account_review(actor: Actor, *, on: date | None = None) -> AccountReview:
    """Active accounts the officer should look at: whole-tree roles, no second factor, not used for
    ``account.unused_days`` (never signed in since activation counts from the activation)."""
    day = on or clock.today()
    days = integer(rule("account.unused_days", on=day))
    users = accounts_visible(actor, perm="accounts.review").filter(is_active=True)
    whole_tree = users.filter(pk__in=RoleAssignment.objects.filter(_in_force(day), unit__parent__isnull=True)
                              .values("user_id"))
    mfa = Authenticator.objects.filter(user=OuterRef("pk"),
                                       type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
    cutoff = timezone.now() - timedelta(days=days)
    recently_used_token = ApiToken.objects.filter(user=OuterRef("pk"), revoked_at__isnull=True,
                                                  last_used_at__gte=cutoff)
    unused = (users.exclude(Exists(recently_used_token))
              .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, activated_at__lt=cutoff)
                      | Q(last_login__isnull=True, activated_at__isnull=True, date_joined__lt=cutoff)))
    return AccountReview(day=day, unused_days=days, whole_tree=list(whole_tree),
                         without_mfa=list(users.exclude(Exists(mfa))), unused=list(unused))


def account_reviewers() -> QuerySet[User]:
    """Who receives the periodic review: active accounts holding ``accounts.review`` on the top unit."""
    today = clock.today()
    return User.objects.filter(is_active=True, pk__in=RoleAssignment.objects.filter(
        _in_force(today), unit__parent__isnull=True, role__in=["org_officer", "inspector"]).values("user_id"))


# --- a person's own -------------------------------------------------------------------------------

def my_roles(user: User) -> QuerySet[RoleAssignment]:
    today = clock.today()
    return (RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).exclude(ends_on__lt=today)
            .select_related("unit").order_by("unit__path", "role"))


def my_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def my_token(user: User, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    return token


def my_sessions(user: User) -> list[UserSession]:
    sessions: list[UserSession] = UserSession.objects.purge_and_list(user)
    return sessions


def my_authenticators(user: User) -> QuerySet[Authenticator]:
    found: QuerySet[Authenticator] = Authenticator.objects.filter(user=user).order_by("type", "created_at")
    return found


def recovery_codes_left(user: User) -> int | None:
    found = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    if found is None:
        return None
    codes: list[str] = found.wrap().get_unused_codes()
    return len(codes)


@dataclass(frozen=True)
class Person:
    """Who a user is, as the audit log names them: their name (the account's, else the linked record's) and
    the roles they hold today ("Bí thư — Chi bộ …"), the roles in the reader's language."""

    name: str
    roles: str


def people_of_users(user_ids: Iterable[int]) -> dict[int, Person]:
    """The name and today's roles of each user, in two queries."""
    ids = {pk for pk in user_ids if pk}
    if not ids:
        return {}
    users = User.objects.filter(pk__in=ids).select_related("member", "applicant").only(
        "pk", "username", "full_name", "member__full_name", "applicant__full_name")
    roles: dict[int, list[str]] = {}
    labels = dict(Role.CHOICES)
    for row in (RoleAssignment.objects.filter(_in_force(clock.today()), user_id__in=ids)
                .select_related("unit").only("user_id", "role", "unit__name").order_by("user_id", "unit__path")):
        roles.setdefault(row.user_id, []).append(f"{gettext(labels.get(row.role, ''))} — {row.unit.name}")
    found = {}
    for user in users:
        name = (user.full_name or (user.member.full_name if user.member else "")
                or (user.applicant.full_name if user.applicant else "") or user.get_username())
        found[user.pk] = Person(name=name, roles="; ".join(roles.get(user.pk, [])))
    return found


def user_ids_named(text: str, *, limit: int = 200) -> list[int]:
    """The users whose sign-in name is ``text`` or whose name (the account's or the linked record's) contains
    it: the audit log's filter by person."""
    text = text.strip()
    if not text:
        return []
    q = (Q(username__iexact=text) | Q(full_name__icontains=text) | Q(member__full_name__icontains=text)
         | Q(applicant__full_name__icontains=text))
    return list(User.objects.filter(q).order_by("pk").values_list("pk", flat=True)[:limit])
