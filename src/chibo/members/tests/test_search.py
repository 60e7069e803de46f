"""The name search: exact names first, then names beginning with the search, then every word of the search starting
a word of the name; a word of one or two letters matches the start of a word (the name index can find those), a
longer one any part of a name; punctuation, wildcards and overlong input never reach the query as such."""

from __future__ import annotations

import pytest

from chibo.members.models import Member
from chibo.members.selectors import MemberFilters, member_find, search_words


def names(actor, q: str, **filters) -> list[str]:
    return list(member_find(actor, MemberFilters(q=q, **filters)).rows.values_list("full_name", flat=True))


@pytest.fixture
def named(actor_of, unit):
    """Five members of France's embassy cell with names chosen for the ranking."""
    from chibo.members.services import member_update

    officer = actor_of("ban.tochuc")
    chosen = ["Lê Văn An", "Trần An Khang", "Phạm Thị Lan", "Lê Văn Anh", "Hoàng Hùng"]
    rows = list(Member.objects.filter(unit=unit("PHAP-DSQ")).order_by("pk")[:len(chosen)])
    for member, name in zip(rows, chosen, strict=True):
        member_update(actor=officer, member=member, expected_version=member.version, changes={"full_name": name})
    return chosen


def test_exact_first_then_beginnings_then_word_starts(named, actor_of, unit):
    found = names(actor_of("ban.tochuc"), "Lê Văn An", unit=unit("PHAP-DSQ"))
    assert found[:2] == ["Lê Văn An", "Lê Văn Anh"]
    short = names(actor_of("ban.tochuc"), "an", unit=unit("PHAP-DSQ"))
    assert {"Lê Văn An", "Trần An Khang", "Lê Văn Anh"} <= set(short)
    assert "Phạm Thị Lan" not in short  # two letters: the start of a word, not any part of one
    assert "Hoàng Hùng" in names(actor_of("ban.tochuc"), "ung", unit=unit("PHAP-DSQ"))  # three: any part
    assert names(actor_of("bithu.duc"), "Lê Văn An") == []  # scope holds


@pytest.mark.parametrize("q", ["%", "_", "%%%", "a%b", "__", "!!!", "--", "' OR 1=1 --", "\\"])
def test_punctuation_and_wildcards_find_nothing_unless_letters_remain(q, actor_of):
    found = member_find(actor_of("ban.tochuc"), MemberFilters(q=q))
    letters = search_words(q)
    if not letters:
        assert (found.count, list(found.rows)) == (0, [])
    else:  # "a%b": the letters a and b, each the start of a word; the % is no wildcard
        assert all(any(w.startswith(("a", "b")) for w in m.name_search.split()) for m in found.rows)


def test_long_input_and_many_words_are_cut(actor_of, client_of):
    assert search_words("Nguyễn " * 100) == ["nguyen"] * 5
    answer = client_of("ban.tochuc").get("/api/v1/members/", {"q": "x" * 500})
    assert answer.status_code == 200 and answer.json()["count"] == 0
    page = client_of("ban.tochuc").get("/members/", {"q": "%_"})
    assert page.status_code == 200 and "Không tìm thấy đảng viên nào" in page.content.decode()


def test_a_common_search_still_puts_the_exact_name_first(named, actor_of, unit, monkeypatch):
    from chibo.members import selectors

    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 1)  # every search of more than one match is a common one
    found = member_find(actor_of("ban.tochuc"), MemberFilters(q="Lê Văn An"))
    assert found.over and list(found.rows.values_list("full_name", flat=True)[:1]) == ["Lê Văn An"]


def test_a_common_name_is_ranked_from_its_beginnings_without_the_trigram_scan(named, actor_of, monkeypatch):
    """More names begin with the search than are ranked: the matches of lower ranks would come after every row
    shown, so the search reads the name's own index only (the trigram scan would gather millions of matches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chibo.members import selectors

    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 1)
    with CaptureQueriesContext(connection) as sent:
        found = member_find(actor_of("ban.tochuc"), MemberFilters(q="Lê Văn An"))
        first = list(found.rows.values_list("full_name", flat=True)[:1])
    assert found.over and first == ["Lê Văn An"]
    assert not any("%van%" in q["sql"] for q in sent.captured_queries), [q["sql"] for q in sent.captured_queries]
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 2)  # two names begin with it: all its matches are ranked
    with CaptureQueriesContext(connection) as sent:
        found = member_find(actor_of("ban.tochuc"), MemberFilters(q="Lê Văn An"))
    assert any("%van%" in q["sql"] for q in sent.captured_queries)


@pytest.mark.parametrize("candidates", [5000, 3])
@pytest.mark.parametrize("sort", ["name", "-name"])
def test_the_list_pages_the_same_order_as_the_ranked_rows(named, actor_of, client_of, monkeypatch, candidates, sort):
    """A page of a name search sorted by name is ranked from the columns read with its candidates and its rows read
    by id; it is the order the ranked query gives (exports read that one), for common searches too."""
    from chibo.members import selectors

    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", candidates)
    officer = actor_of("ban.tochuc")
    for q in ("Lê Văn An", "an", "van", "thi", "nguyen", "ng", "Lê", "ung", "inh", "uyen", "ong"):
        found = member_find(officer, MemberFilters(q=q, sort=sort))
        expected = list(found.rows.values_list("pk", flat=True))
        assert found.ranked is not None and len(found.ranked) == len(expected) > 0, q
        assert [m.pk for m in found.ranked[0:len(expected)]] == expected, q
        assert [m.pk for m in found.ranked[1:3]] == expected[1:3] and found.ranked[0].pk == expected[0], q
    answer = client_of("ban.tochuc").get(f"/api/v1/members/?q=an&sort={sort}").json()
    from chibo.members.api import filters_from_query

    found = member_find(officer, filters_from_query(officer, {"q": "an", "sort": sort}))
    assert [r["id"] for r in answer["results"]] == list(found.rows.values_list("pk", flat=True)[:50])
    # Another sort: the ranked query itself.
    assert member_find(officer, MemberFilters(q="an", sort="birth")).ranked is None
