"""The actor of a command-line run (``chibo … --user NAME``): that user with their roles, else an organization
officer over the whole tree (the operator of the installation, labelled "cli" in the audit log)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError

from chibo.accounts.models import User
from chibo.core.access import Actor, Grant, Role, actor_from_user
from chibo.units.selectors import unit_root, unit_with_code

if TYPE_CHECKING:
    from chibo.units.models import Unit


def cli_actor(username: str | None) -> Actor:
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is deactivated.")
        return actor_from_user(user)
    root = unit_root()
    if root is None:
        raise CommandError("The database holds no organization.")
    return Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="cli")


def unit_by_code(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = unit_with_code(code)
    if unit is None:
        raise CommandError(f"No unit with code {code!r}.")
    return unit
