"""The actor of a command-line run: a named user (--user), else an organization officer over the whole tree."""

from __future__ import annotations

from django.core.management.base import CommandError

from chibo.core.access import Actor, Grant, Role, actor_from_user
from chibo.units.models import Unit


def cli_actor(username: str | None) -> Actor:
    if username:
        from chibo.accounts.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return actor_from_user(user)
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise CommandError("The database holds no organization.")
    return Actor(user=None, grants=(Grant(Role.ORG_OFFICER, root.pk, root.path),), label="cli")


def unit_by_code(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code.upper()).first()
    if unit is None:
        raise CommandError(f"No unit with code {code!r}.")
    return unit
