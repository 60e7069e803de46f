"""The data quality board (#21 item 5): problems planted in the real database are counted per unit, rolled up the
tree, listed on drill-down, in a bounded number of queries, and only within the reader's scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.admission.models import AdmissionCase
from chibo.core.access import subtree_q
from chibo.dues.models import Profile
from chibo.members import quality, services
from chibo.members.models import ACTIVE_STATUSES, Member
from chibo.units.models import Unit

PROBLEMS = ("no_citizen_id", "no_card_number", "no_decision_date", "no_dues_profile", "ceremony_before_decision",
            "probation_end_before_start", "party_age_over_age")


def expected(unit: Unit, *, own: bool = False) -> dict[str, set[int]]:
    """Each problem's members worked out in Python from the rows (the board's answer to check against)."""
    members = Member.objects.filter(status__in=ACTIVE_STATUSES)
    members = members.filter(unit=unit) if own else members.filter(subtree_q([unit.path], "unit__path"))
    profiled = set(Profile.objects.values_list("member_id", flat=True))
    cases = {c.member_id: c for c in AdmissionCase.objects.filter(member__isnull=False)}
    out: dict[str, set[int]] = {key: set() for key in PROBLEMS}
    for m in members:
        case = cases.get(m.pk)
        since = m.admission_decided_on or m.admission_date
        adult = date(m.birth_date.year + 18, m.birth_date.month, min(m.birth_date.day, 28)
                     if (m.birth_date.month, m.birth_date.day) == (2, 29) else m.birth_date.day)
        checks = {
            "no_citizen_id": not m.citizen_id,
            "no_card_number": not m.card_number,
            "no_decision_date": m.admission_decided_on is None,
            "no_dues_profile": m.pk not in profiled,
            "ceremony_before_decision": bool(case and case.ceremony_on and case.decision_on
                                             and case.ceremony_on < case.decision_on),
            "probation_end_before_start": bool(case and case.probation_end and case.ceremony_on
                                               and case.probation_end < case.ceremony_on),
            "party_age_over_age": since < adult,
        }
        for key, wrong in checks.items():
            if wrong:
                out[key].add(m.pk)
    return out


@pytest.fixture
def planted(actor_of, unit):
    """Members of the Paris students' cell (PHAP-LHS) with one problem each, and an admission case's dates wrong."""
    officer, cell = actor_of("ban.tochuc"), unit("PHAP-LHS")
    base = dict(gender="M", birth_date=date(1990, 5, 17), admission_decided_on=date(2015, 2, 20),
                admission_date=date(2015, 3, 2), category="self_student", citizen_id="001090000111")
    made = {
        "no_citizen_id": dict(full_name="Trần Văn Không", citizen_id="", card_number="91500001"),
        "no_card_number": dict(full_name="Trần Văn Thẻ", card_number=""),
        "no_decision_date": dict(full_name="Trần Văn Ngày", card_number="91500003", admission_decided_on=None),
        # admitted at 17 (the entry check allows 16): party age over age − 18
        "party_age_over_age": dict(full_name="Trần Văn Sớm", card_number="91500004",
                                   admission_decided_on=date(2007, 6, 1), admission_date=date(2007, 6, 10)),
    }
    members = {key: services.member_create(actor=officer, unit=cell, **{**base, **data}) for key, data in made.items()}
    case = AdmissionCase.objects.filter(member__isnull=True).order_by("pk").first()
    AdmissionCase.objects.filter(pk=case.pk).update(member=members["no_card_number"], decision_on=date(2015, 3, 5),
                                                    ceremony_on=date(2015, 3, 2), probation_end=date(2015, 3, 1))
    return members


def test_planted_problems_are_counted_for_the_cell_and_rolled_up(actor_of, unit, planted):
    officer = actor_of("ban.tochuc")
    france, cell = unit("PHAP"), unit("PHAP-LHS")
    board = quality.board(officer, france)
    assert [p.key for p in board.problems] == list(PROBLEMS)
    rows = {r.unit.code: r for r in board.rows}
    assert "PHAP-LHS" in rows and "DUC" not in rows and all(r.unit.parent_id == france.pk for r in board.rows
                                                              if not r.own)
    for key in PROBLEMS:
        want = expected(cell)[key]
        assert rows["PHAP-LHS"].counts[key] == len(want), key
        assert board.total.counts[key] == len(expected(france)[key]), key
        assert board.total.counts[key] == sum(r.counts[key] for r in board.rows), key
    for key, member in planted.items():
        assert member.pk in expected(cell)[key]
        assert member.pk in {m.pk for m in quality.problem_members(officer, cell, key)}
    case_member = planted["no_card_number"].pk
    for key in ("ceremony_before_decision", "probation_end_before_start"):
        assert [m.pk for m in quality.problem_members(officer, cell, key)] == [case_member]
    cell_row = rows["PHAP-LHS"]
    anyone = set().union(*expected(cell).values())
    assert cell_row.total == Member.objects.filter(unit=cell, status__in=ACTIVE_STATUSES).count()
    assert cell_row.complete == cell_row.total - len(anyone)
    # the top of the tree rolls up every organization
    top = quality.board(officer, Unit.objects.get(depth=0))
    assert top.total.total == Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert {r.unit.code for r in top.rows} >= {"PHAP", "DUC"}


def test_the_board_reads_in_a_bounded_number_of_queries(actor_of, unit, planted):
    officer = actor_of("ban.tochuc")
    top = Unit.objects.get(depth=0)
    with CaptureQueriesContext(connection) as whole_tree:
        quality.board(officer, top)
    with CaptureQueriesContext(connection) as one_cell:
        quality.board(officer, unit("PHAP-LHS"))
    assert len(whole_tree) <= 3 and len(one_cell) <= 3, [q["sql"][:120] for q in whole_tree.captured_queries]


def test_the_page_shows_counts_links_and_the_chart(client_of, unit, planted):
    client = client_of("bithu.phap")
    page = client.get(reverse("members:quality"))
    text = page.content.decode()
    assert page.status_code == 200 and unit("PHAP").name in text and 'data-unit="PHAP-LHS"' in text
    assert "<svg" in text and "Tỷ lệ hồ sơ đầy đủ" in text
    link = f'{reverse("members:quality_members", args=["party_age_over_age"])}?unit={unit("PHAP-LHS").pk}'
    assert link in text
    listed = client.get(link).content.decode()
    assert "Trần Văn Sớm" in listed and "Trần Văn Thẻ" not in listed


def test_the_api_gives_the_same_board_and_lists(token_client, unit, planted, actor_of):
    client = token_client("bithu.phap")
    body = client.get("/api/v1/members/quality/").json()
    board = quality.board(actor_of("bithu.phap"), unit("PHAP"))
    assert body["unit"] == unit("PHAP").pk and body["total"]["counts"] == board.total.counts
    assert {r["unit_code"]: r["counts"] for r in body["rows"]} == {r.unit.code: r.counts for r in board.rows}
    listed = client.get(f"/api/v1/members/quality/no_citizen_id/?unit={unit('PHAP-LHS').pk}").json()
    assert planted["no_citizen_id"].pk in {m["id"] for m in listed["results"]}
    assert all("citizen_id" not in m for m in listed["results"])
    own = client.get(f"/api/v1/members/quality/no_citizen_id/?unit={unit('PHAP').pk}&own=true").json()
    assert all(m["unit"] == unit("PHAP").pk for m in own["results"])
    assert client.get("/api/v1/members/quality/nothing/").status_code == 404
    assert client.get("/api/v1/members/quality/?unit=x").status_code == 400
    assert client.get("/api/v1/members/quality/no_card_number/?own=maybe").status_code == 400


def test_france_secretary_does_not_see_germany(client_of, token_client, unit, actor_of, planted):
    germany = unit("DUC")
    phap = client_of("bithu.phap")
    assert phap.get(f"{reverse('members:quality')}?unit={germany.pk}").status_code == 404
    assert phap.get(f"{reverse('members:quality_members', args=['no_citizen_id'])}?unit={germany.pk}").status_code \
        == 404
    api = token_client("bithu.phap")
    assert api.get(f"/api/v1/members/quality/?unit={germany.pk}").status_code == 404
    assert api.get(f"/api/v1/members/quality/no_dues_profile/?unit={germany.pk}").status_code == 404
    text = phap.get(reverse("members:quality")).content.decode()
    assert germany.name not in text and 'data-unit="DUC' not in text
    body = api.get("/api/v1/members/quality/").json()
    assert body["unit"] == unit("PHAP").pk and not any(r["unit_code"].startswith("DUC") for r in body["rows"])
    assert body["total"]["total"] == Member.objects.filter(
        status__in=ACTIVE_STATUSES).filter(subtree_q([unit("PHAP").path], "unit__path")).count()
    # Germany's secretary sees Germany's counts, not France's planted ones
    duc = quality.board(actor_of("bithu.duc"), germany)
    assert duc.total.counts["party_age_over_age"] == len(expected(germany)["party_age_over_age"])
    for persona in ("dangvien.phap", "ungvien.phap"):
        assert client_of(persona).get(reverse("members:quality")).status_code == 404
        assert token_client(persona).get("/api/v1/members/quality/").status_code == 404


@pytest.fixture
def token_client(personas):
    from django.test import Client

    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    def make(username: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {token_create(actor=SYSTEM, user=personas[username], label='test')}")

    return make
