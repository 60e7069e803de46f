"""Pages of long lists that never count millions of rows.

A list of a whole party of several million members cannot say "5,612,408 members" by counting them at every page:
the count either comes from somewhere that knows it already (the per-unit member counters) or stops at ``COUNT_CAP``
rows, and the page then says "more than 10,000" and invites the reader to narrow the filter. Pages stop there too.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class PagedInDatabase(Paginator):
    """A paginator over rows counted and paged in the database (a grouped statement's OFFSET and LIMIT): told their
    number, handed the one page of rows it shows."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__([], per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known

    def page_of(self, number: int | str | None, rows: list) -> Page:
        page = self.get_page(number)
        page.object_list = rows
        return page

    def page_read(self, number: int | str | None, read: Callable[[int, int], list]) -> Page:
        """The page ``number`` (any text: the nearest page that exists) with its rows read by ``read(start, stop)``,
        rows ``start`` to ``stop`` (exclusive) of the whole list."""
        page = self.get_page(number)
        start = (page.number - 1) * self.per_page
        page.object_list = read(start, start + self.per_page) if self.count else []
        return page


class BoundedPaginator(Paginator):
    """``known_count`` when the caller has it (exact); else the rows counted up to ``cap`` + 1 in one bounded
    query, ``over`` telling that there are more than ``cap``. A caller that knows there are more than ``cap`` rows
    (a common name searched) says ``over`` and nothing is counted."""

    def __init__(self, object_list, per_page, *, known_count: int | None = None, cap: int | None = None,
                 over: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count, self.cap, self._over = known_count, cap or COUNT_CAP, over

    @cached_property
    def count(self) -> int:
        if self._over:
            return self.cap
        if self.known_count is not None:
            return self.known_count
        rows: Any = self.object_list  # a queryset
        counted = rows.order_by()[: self.cap + 1].count()
        self._over = counted > self.cap
        return min(counted, self.cap)

    @property
    def over(self) -> bool:
        """More rows than ``cap``: the count and the pages stop there."""
        return self.count >= self.cap and self._over  # the count (cached) is taken first


class BoundedPagination(PageNumberPagination):
    """The API's pages of a long list: ``count`` is exact, or ``cap`` with ``count_over_cap`` true. A view may say
    what it knows of the count (``view.known_count(queryset)``: BoundedPaginator's keyword arguments)."""

    def paginate_queryset(self, queryset, request, view=None):
        known = view.known_count(queryset) if view is not None and hasattr(view, "known_count") else {}
        self.django_paginator_class = lambda items, size: BoundedPaginator(items, size, **known)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data) -> Response:
        assert self.page is not None  # set by paginate_queryset
        paginator = self.page.paginator
        return Response(OrderedDict([
            ("count", paginator.count), ("count_over_cap", bool(getattr(paginator, "over", False))),
            ("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)]))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count_over_cap"] = {
            "type": "boolean", "description": "More rows than the count can say (10,000): count stops there and so "
                                              "do the pages; narrow the filter"}
        answer["required"] = [*answer.get("required", []), "count_over_cap"]
        return answer
