"""The navigation's way in for the subject of an inspection: a member (or an organization's secretary) without any
inspection role sees the «Kiểm tra, giám sát» entry when a case is about them. One EXISTS query, asked only when the
template reaches it (after the roles, which need none)."""

from __future__ import annotations

from django.utils.functional import cached_property

from chibo.core.access import actor_for
from chibo.inspection.selectors import has_cases_about


class InspectionNav:
    def __init__(self, request):
        self._request = request

    @cached_property
    def about_me(self) -> bool:
        return has_cases_about(actor_for(self._request))


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inspection_nav": InspectionNav(request)}
