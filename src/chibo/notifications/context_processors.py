"""The bell: the unread notification count of the signed-in user, queried at most once per page
and only when a template shows it (htmx fragments and pages without the header cost nothing)."""

from __future__ import annotations

from django.utils.functional import cached_property

from chibo.notifications.selectors import unread_count


class Bell:
    def __init__(self, user):
        self._user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self._user)


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
