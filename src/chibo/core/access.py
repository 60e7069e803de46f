"""Who is acting and what they may touch: actors, roles bound to a unit scope, permissions.

A role is always granted on a unit and reaches that unit and everything below it (the upper
committee's organization officer holds it on the root, so sees the whole tree). Members see
themselves, applicants their own dossier. Views and the API build an ``Actor`` from the request
and hand it to services (``require``) and selectors (``scope_q``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_noop

from chibo.core.request_context import client_ip

if TYPE_CHECKING:
    from chibo.accounts.models import User  # the auth user model (settings.AUTH_USER_MODEL)

PATH_STEP = 8  # digits per tree level in a unit's materialized path
PATH_END = "~"  # sorts after every digit: [path, path + PATH_END) is the subtree


class Role:
    ORG_OFFICER = "org_officer"
    INSPECTOR = "inspector"
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    TREASURER = "treasurer"

    CHOICES = [
        (ORG_OFFICER, gettext_noop("Cán bộ tổ chức Đảng ủy cấp trên")),
        (INSPECTOR, gettext_noop("Cán bộ kiểm tra")),
        (SECRETARY, gettext_noop("Bí thư / phó bí thư")),
        (COMMITTEE, gettext_noop("Cấp ủy viên")),
        (TREASURER, gettext_noop("Người thu đảng phí")),
    ]


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ORG_OFFICER: frozenset({
        "units.view", "units.edit", "posts.edit", "members.view", "members.edit",
        "members.status", "audit.view", "rules.edit", "calendar.edit", "deadlines.waive",
        "transfers.edit", "transfers.orgs", "transfers.hold",
        "admission.view", "admission.edit", "admission.decide",
        "meetings.view", "meetings.manage",
        "accounts.view", "accounts.invite", "accounts.manage", "accounts.review", "roles.edit",
        "dues.view", "dues.record", "dues.remit", "dues.confirm", "dues.rates",
        "grading.view", "grading.cell", "grading.decide", "grading.open",
        "discipline.open", "discipline.decide", "discipline.inspect",
        "inspection.view", "inspection.plan", "inspection.open",
        "privacy.handle", "privacy.breach", "privacy.anonymise",
        "library.send", "library.view", "library.secret",
    }),
    Role.INSPECTOR: frozenset({"units.view", "members.view", "audit.view", "transfers.hold", "admission.view",
                                  "meetings.view", "accounts.view", "accounts.review", "dues.view",
                                  "grading.view", "discipline.open", "discipline.inspect",
                                  "inspection.view", "inspection.plan", "inspection.open", "library.view"}),
    Role.SECRETARY: frozenset({"units.view", "members.view", "members.edit", "members.status", "deadlines.waive",
                               "transfers.edit", "admission.view", "admission.edit", "admission.decide",
                               "meetings.view", "meetings.manage",
                               "accounts.view", "accounts.invite", "accounts.manage",
                               "dues.view", "dues.record", "dues.remit", "dues.confirm",
                               "grading.view", "grading.cell", "grading.decide", "grading.open",
                               "discipline.open", "discipline.decide",
                               "inspection.view", "inspection.plan", "inspection.open", "privacy.handle",
                               "library.send", "library.view", "library.secret"}),
    Role.COMMITTEE: frozenset({"units.view", "members.view", "admission.view", "meetings.view", "dues.view",
                                 "grading.view", "inspection.view", "library.view"}),
    # The cell's treasurer: keeps the dues book (sees the members of the cell to collect from them) and sends the
    # cell's share up.
    Role.TREASURER: frozenset({"units.view", "members.view", "dues.view", "dues.record", "dues.remit"}),
}

# Roles that see other people's data: their accounts must use MFA.
STAFF_ROLES = frozenset(ROLE_PERMISSIONS)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str


@dataclass(frozen=True)
class Actor:
    user: User | None
    grants: tuple[Grant, ...] = ()
    member_id: int | None = None
    applicant_id: int | None = None
    # The unit whose rolls carry the actor's own member record (a member sees their own cell).
    member_unit_id: int | None = None
    ip: str | None = None
    label: str = ""

    @property
    def is_staff_role(self) -> bool:
        return bool(self.grants)

    def paths_for(self, perm: str) -> list[str]:
        """Subtree roots (unit paths) where this actor holds ``perm``, without nested duplicates."""
        paths = sorted({g.unit_path for g in self.grants if perm in ROLE_PERMISSIONS.get(g.role, ())})
        roots: list[str] = []
        for path in paths:
            if not any(path.startswith(root) for root in roots):
                roots.append(path)
        return roots

    def can(self, perm: str, unit=None) -> bool:
        """Whether the actor holds ``perm`` on ``unit`` (a Unit with ``.path``), or anywhere if None."""
        roots = self.paths_for(perm)
        if unit is None:
            return bool(roots)
        return any(unit.path.startswith(root) for root in roots)

    def units_holding(self, perm: str) -> list[int]:
        """The ids of the units where the actor holds ``perm`` on the unit itself (not the units of its subtree):
        where a step is taken in a committee's own name."""
        return list(dict.fromkeys(g.unit_id for g in self.grants if perm in ROLE_PERMISSIONS.get(g.role, ())))

    def sees_whole_tree(self, perm: str = "members.view") -> bool:
        return any(len(root) == PATH_STEP for root in self.paths_for(perm))

    def top_grant(self, perm: str) -> Grant | None:
        """The actor's grant of ``perm`` on the top of the tree (the upper committee), if any."""
        return next((g for g in self.grants if len(g.unit_path) == PATH_STEP
                     and perm in ROLE_PERMISSIONS.get(g.role, ())), None)


SYSTEM = Actor(user=None, label="system")


def require(actor: Actor, perm: str, unit=None) -> None:
    """Raise PermissionDenied unless the actor holds ``perm`` on ``unit``."""
    if not actor.can(perm, unit):
        raise PermissionDenied(perm)


def require_top(actor: Actor, perm: str) -> int:
    """Raise PermissionDenied unless the actor holds ``perm`` on the top of the tree (installation-wide
    settings: the rulebook, the calendar); returns the top unit's id (for the audit row)."""
    grant = actor.top_grant(perm)
    if grant is None:
        raise PermissionDenied(perm)
    return grant.unit_id


def subtree_q(roots: Iterable[str], field_name: str = "path") -> Q:
    """A Q matching rows whose path lies in any of the subtrees: index range scans, no LIKE."""
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field_name}__gte": root, f"{field_name}__lt": root + PATH_END})
    return q


ActorFactory = Callable[..., Actor]
_factory: ActorFactory | None = None


def set_actor_factory(factory: ActorFactory) -> None:
    """Install how a logged-in user becomes an Actor (roles in force, linked member or applicant).

    The accounts app owns users and roles and installs its factory when Django starts
    (``AccountsConfig.ready``); the kernel only knows the shape of an Actor."""
    global _factory
    _factory = factory


def actor_from_user(user, *, ip: str | None = None) -> Actor:
    """The actor for a user (anonymous or inactive users get an actor with no rights)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor(user=None, ip=ip, label="anonymous")
    if _factory is None:  # pragma: no cover - the accounts app installs it at start-up
        raise RuntimeError("No actor factory installed: is chibo.accounts in INSTALLED_APPS?")
    return _factory(user, ip=ip)


def actor_for(request) -> Actor:
    """The request's actor, computed once per request."""
    cached = getattr(request, "_chibo_actor", None)
    if cached is None:
        cached = actor_from_user(getattr(request, "user", None), ip=client_ip(request))
        request._chibo_actor = cached
    return cached
