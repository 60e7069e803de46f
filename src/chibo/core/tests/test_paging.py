"""Long lists never count millions of rows (core.paging): the member list takes its count from the per-unit member
counters when the filters allow it, else counts at most COUNT_CAP rows and says "more than" past it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.core import paging
from chibo.members.enums import Category, Status
from chibo.members.selectors import MemberFilters, member_search, member_search_count


def test_a_count_stops_at_the_cap_and_says_so(db):
    from chibo.members.models import Member

    rows = Member.objects.order_by("pk")
    total = rows.count()
    capped = paging.BoundedPaginator(rows, 10, cap=total - 1)
    assert (capped.count, capped.over, capped.num_pages) == (total - 1, True, -(-(total - 1) // 10))
    exact = paging.BoundedPaginator(rows, 10, cap=total)
    assert (exact.count, exact.over) == (total, False)
    known = paging.BoundedPaginator(rows, 10, known_count=7)
    with CaptureQueriesContext(connection) as queries:
        assert (known.count, known.over) == (7, False)
    assert len(queries) == 0


@pytest.mark.parametrize("username", ["ban.tochuc", "bithu.phap"])
def test_the_counters_give_the_same_count_as_the_rows(username, actor_of, unit):
    actor = actor_of(username)
    france = unit("PHAP")
    cases = [MemberFilters(active_only=True), MemberFilters(active_only=True, unit=france),
             MemberFilters(status=Status.PROBATIONARY, unit=france), MemberFilters(status=Status.FULL),
             MemberFilters(active_only=True, category=Category.MISSION_STAFF, unit=france)]
    counted = 0
    for filters in cases:
        known = member_search_count(actor, filters)
        if known is not None:
            counted += 1
            assert known == member_search(actor, filters).count(), filters
    assert counted >= 3  # the officer over the whole tree and France's secretary both count from the counters
    for filters in (MemberFilters(active_only=True, q="nguyen"), MemberFilters(active_only=True, country="FR"),
                    MemberFilters(status=Status.STRUCK_OFF), MemberFilters(),
                    MemberFilters(status=Status.FULL, category=Category.MISSION_STAFF)):
        assert member_search_count(actor, filters) is None, filters


def test_the_page_and_the_api_say_more_than_the_cap(client_of, monkeypatch):
    from chibo.members import selectors

    client = client_of("ban.tochuc")
    answer = client.get("/api/v1/members/")
    assert answer.status_code == 200 and answer.json()["count_over_cap"] is False
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    by_country = client.get("/api/v1/members/?country=DE").json()  # not in the counters: counted up to the cap
    assert (by_country["count"], by_country["count_over_cap"]) == (5, True)
    listed = client.get("/api/v1/members/").json()  # the whole list: the counters know its exact size
    assert listed["count"] > 5 and listed["count_over_cap"] is False
    searched = client.get("/api/v1/members/?q=n").json()  # a name search knows how many it ranked
    assert searched["count"] > 5 and searched["count_over_cap"] is False
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 5)
    common = client.get("/api/v1/members/?q=n").json()  # a common one: listed by name, "more than"
    assert (common["count"], common["count_over_cap"], len(common["results"])) == (5, True, 5)
    page = client.get("/members/?q=n").content.decode()
    assert "Hơn 5 đảng viên" in page and "Trang 1 /" not in page
