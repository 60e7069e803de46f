"""Scope isolation: every read of member data goes through the actor's scope (design principle 4).

Expected sets are computed independently of the selectors: subtrees by walking ``parent`` links,
not with the materialized-path range the selectors use.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from chibo.core.models import AuditEvent
from chibo.members.models import ACTIVE_STATUSES, FULL_STATUSES, Member, Status, TimelineEvent
from chibo.members.selectors import MemberFilters, dashboard_counts, member_search, members_visible
from chibo.units.models import Unit
from chibo.units.selectors import unit_children, unit_tree

FRANCE = {"PHAP", "PHAP-DSQ", "PHAP-LHS", "PHAP-UNESCO"}
GERMANY = {"DUC", "DUC-DSQ", "DUC-FRA"}


def subtree_ids(root: Unit) -> set[int]:
    ids, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids |= set(frontier)
    return ids


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))



def api_ids(client: Client, url: str) -> list[int]:
    """Every id of a paginated API list."""
    found: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        body = response.json()
        found.extend(row["id"] for row in body["results"])
        url = body["next"]
    return found


def token_client(personas, username: str) -> Client:
    from chibo.accounts.services import token_create
    from chibo.core.access import SYSTEM

    return Client(headers={"authorization": f"Token {token_create(actor=SYSTEM, user=personas[username])}"})


@pytest.fixture
def france(unit):
    return subtree_ids(unit("PHAP"))


@pytest.fixture
def germany(unit):
    return subtree_ids(unit("DUC"))


def test_demo_subtrees_are_what_the_scope_tests_assume(france, germany):
    assert set(Unit.objects.filter(pk__in=france).values_list("code", flat=True)) == FRANCE
    assert set(Unit.objects.filter(pk__in=germany).values_list("code", flat=True)) == GERMANY


# -- members_visible ----------------------------------------------------------------------------------
def test_members_visible_per_persona(actor_of, personas, france, germany):
    everyone = ids(Member.objects.all())
    in_france = ids(Member.objects.filter(unit__in=france))
    in_germany = ids(Member.objects.filter(unit__in=germany))
    assert len(in_france) > 10 and len(in_germany) > 10

    assert ids(members_visible(actor_of("ban.tochuc"))) == everyone
    assert ids(members_visible(actor_of("ub.kiemtra"))) == everyone
    assert ids(members_visible(actor_of("bithu.phap"))) == in_france
    assert ids(members_visible(actor_of("bithu.duc"))) == in_germany
    assert ids(members_visible(actor_of("dangvien.phap"))) == {personas["dangvien.phap"].member_id}
    assert ids(members_visible(actor_of("ungvien.phap"))) == set()
    # Former members stay on their organization's books, and only there.
    former = Member.objects.exclude(status__in=ACTIVE_STATUSES)
    assert ids(former) <= ids(members_visible(actor_of("ub.kiemtra")))
    assert ids(former.filter(unit__in=france)) <= ids(members_visible(actor_of("bithu.phap")))
    assert not ids(former.exclude(unit__in=france)) & ids(members_visible(actor_of("bithu.phap")))


def test_france_and_germany_secretaries_see_disjoint_member_sets(actor_of, client_of, personas):
    phap, duc = ids(members_visible(actor_of("bithu.phap"))), ids(members_visible(actor_of("bithu.duc")))
    assert phap and duc and not phap & duc
    # The same through the API (session and token) and the list page.
    phap_api = api_ids(client_of("bithu.phap"), "/api/v1/members/")
    duc_api = api_ids(token_client(personas, "bithu.duc"), "/api/v1/members/")
    assert set(phap_api) == phap and len(phap_api) == len(phap)
    assert set(duc_api) == duc and len(duc_api) == len(duc)
    page = client_of("bithu.phap").get("/members/").context["page"]
    assert page.paginator.count == len(phap)
    assert {m.pk for m in page.paginator.object_list} == phap


# -- member_search ------------------------------------------------------------------------------------
def _shared_family_name(france: set[int], germany: set[int]) -> str:
    """A folded family name borne by members in France and in Germany (the demo is seeded)."""
    fr = Counter(Member.objects.filter(unit__in=france).values_list("name_search", flat=True))
    de = Counter(Member.objects.filter(unit__in=germany).values_list("name_search", flat=True))
    fr_names = Counter(name.split(" ")[0] for name in fr.elements())
    de_names = {name.split(" ")[0] for name in de.elements()}
    shared = [name for name, _ in fr_names.most_common() if name in de_names]
    assert shared, "no family name shared by France and Germany in the demo"
    return shared[0]


def test_member_search_is_scoped(actor_of, france, germany, unit):
    token = _shared_family_name(france, germany)
    matching = Member.objects.filter(name_search__contains=token)
    fr_matches, de_matches = ids(matching.filter(unit__in=france)), ids(matching.filter(unit__in=germany))
    assert fr_matches and de_matches

    phap = actor_of("bithu.phap")
    assert ids(member_search(phap, MemberFilters(q=token))) == fr_matches
    assert ids(member_search(actor_of("bithu.duc"), MemberFilters(q=token))) == de_matches
    assert ids(member_search(actor_of("ban.tochuc"), MemberFilters(q=token))) == ids(matching)
    assert ids(member_search(actor_of("dangvien.phap"), MemberFilters(q=token))) <= {
        actor_of("dangvien.phap").member_id}
    assert not member_search(actor_of("ungvien.phap"), MemberFilters(q=token)).exists()
    # Filters narrow the scope; they never widen it, even when handed a unit outside it.
    assert not member_search(phap, MemberFilters(unit=unit("DUC"))).exists()
    assert not member_search(phap, MemberFilters(country="DE")).exists()
    assert not member_search(phap, MemberFilters(q=token, unit=unit("DUC-FRA"), sort="unit")).exists()
    assert ids(member_search(phap, MemberFilters(unit=unit("PHAP-LHS")))) == \
        ids(Member.objects.filter(unit=unit("PHAP-LHS")))
    assert ids(member_search(phap, MemberFilters(country="FR", active_only=True))) == \
        ids(Member.objects.filter(unit__in=france, status__in=ACTIVE_STATUSES))


# -- unit_tree -----------------------------------------------------------------------------------------
def test_unit_tree_is_scoped(actor_of, france, personas):
    def opened(actor, nodes, **kw):
        """Every node a user reaches by opening each unit (``unit_children``, page after page)."""
        out = []
        for node in nodes:
            out.append(node)
            children, page = list(node.children), node.more_page
            if node.n_children and not children:
                children, page = unit_children(actor, node.unit, **kw)
            while page:
                more, page = unit_children(actor, node.unit, page=page, **kw)
                children += more
            assert len(children) == node.n_children
            out.extend(opened(actor, children, **kw))
        return out

    def codes(username, **kw):
        actor = actor_of(username)
        return [n.unit.code for n in opened(actor, unit_tree(actor, **kw), **kw)]

    open_units = set(Unit.objects.filter(closed_on__isnull=True).values_list("code", flat=True))
    for username in ("ban.tochuc", "ub.kiemtra"):
        roots = unit_tree(actor_of(username))
        assert [n.unit.code for n in roots] == ["DUBNG"]
        assert sorted(codes(username)) == sorted(open_units)
        assert "DOAN-APEC17" in codes(username, include_closed=True)

    phap_roots = unit_tree(actor_of("bithu.phap"))
    assert [n.unit.code for n in phap_roots] == ["PHAP"]
    assert sorted(codes("bithu.phap")) == sorted(FRANCE)
    assert sorted(codes("bithu.phap", include_closed=True)) == sorted(FRANCE)
    assert sorted(codes("bithu.duc")) == sorted(GERMANY)
    assert codes("ungvien.phap") == []
    # A member's only unit is their own cell.
    assert set(codes("dangvien.phap")) <= {personas["dangvien.phap"].member.unit.code}

    node = phap_roots[0]
    active = Member.objects.filter(unit__in=france, status__in=ACTIVE_STATUSES)
    assert node.total_full == active.filter(status__in=FULL_STATUSES).count()
    assert node.total_probationary == active.filter(status=Status.PROBATIONARY).count()


# -- dashboard_counts ----------------------------------------------------------------------------------
def test_dashboard_counts_are_scoped(actor_of, france, germany, unit):
    active = Member.objects.filter(status__in=ACTIVE_STATUSES)
    fr_active, de_active = active.filter(unit__in=france), active.filter(unit__in=germany)

    phap = dashboard_counts(actor_of("bithu.phap"))
    assert phap.total == fr_active.count() > 0
    assert sum(n for _code, _label, n in phap.by_status) == phap.total
    assert [code for code, _name, _n in phap.by_country] == ["FR"]
    assert [(u.code, full + prob) for u, full, prob in phap.by_unit] == [("PHAP", fr_active.count())]

    duc = dashboard_counts(actor_of("bithu.duc"))
    assert duc.total == de_active.count() > 0
    assert [code for code, _name, _n in duc.by_country] == ["DE"]

    everything = dashboard_counts(actor_of("ban.tochuc"))
    assert everything.total == active.count() == dashboard_counts(actor_of("ub.kiemtra")).total
    assert everything.total > phap.total + duc.total

    assert dashboard_counts(actor_of("dangvien.phap")).total == 1
    empty = dashboard_counts(actor_of("ungvien.phap"))
    assert (empty.total, empty.by_unit, empty.by_country) == (0, [], [])


def test_dashboard_page_of_bithu_phap_counts_the_france_subtree(client_of, france):
    expected = Member.objects.filter(unit__in=france, status__in=ACTIVE_STATUSES).count()
    response = client_of("bithu.phap").get("/")
    assert response.status_code == 200
    assert response.context["counts"].total == expected
    lead = response.content.decode().split('class="lead">', 1)[1].split("</p>", 1)[0]
    assert lead.startswith(f"{expected} ")


# -- API -----------------------------------------------------------------------------------------------
def test_api_unit_filter_outside_scope_is_404(client_of, personas, unit, france):
    duc = unit("DUC").pk
    for client in (client_of("bithu.phap"), token_client(personas, "bithu.phap")):
        response = client.get(f"/api/v1/members/?unit={duc}")
        assert response.status_code == 404, response.content
        assert "results" not in response.json()
        assert client.get(f"/api/v1/members/?unit={unit('DUC-FRA').pk}&q=a").status_code == 404
    lhs = unit("PHAP-LHS")
    assert set(api_ids(client_of("bithu.phap"), f"/api/v1/members/?unit={lhs.pk}")) == \
        ids(Member.objects.filter(unit=lhs))
    assert client_of("bithu.duc").get(f"/api/v1/members/?unit={unit('PHAP').pk}").status_code == 404


def test_api_search_is_scoped(client_of, personas, france, germany):
    token = _shared_family_name(france, germany)
    matching = Member.objects.filter(name_search__contains=token)
    fr_matches = ids(matching.filter(unit__in=france))
    assert fr_matches and matching.filter(unit__in=germany).exists()

    for client in (client_of("bithu.phap"), token_client(personas, "bithu.phap")):
        assert set(api_ids(client, f"/api/v1/members/?q={token}")) == fr_matches
        assert api_ids(client, f"/api/v1/members/?q={token}&country=DE") == []
    # Left out, the status is "on the rolls" (as the dashboard counts); status=all adds everyone else.
    assert set(api_ids(client_of("ban.tochuc"), f"/api/v1/members/?q={token}")) == \
        ids(matching.filter(status__in=ACTIVE_STATUSES))
    assert set(api_ids(client_of("ban.tochuc"), f"/api/v1/members/?q={token}&status=all")) == ids(matching)
    # The list page searches the same scope.
    page = client_of("bithu.phap").get("/members/", {"q": token}).context["page"]
    assert {m.pk for m in page.paginator.object_list} == fr_matches


def test_applicant_lists_nobody(client_of, personas):
    client = client_of("ungvien.phap")
    response = client.get("/members/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    some = Member.objects.order_by("pk").first()
    assert some.full_name not in response.content.decode()
    assert client.get("/api/v1/members/").json()["count"] == 0
    assert client.get("/api/v1/units/").json()["count"] == 0
    assert client.get("/").context["counts"] is None  # no counts of a scope: their dossier's next step instead
    assert client.get("/dossier/").status_code == 200


def test_member_sees_only_own_record(client_of, personas):
    own = personas["dangvien.phap"].member
    client = client_of("dangvien.phap")
    page = client.get("/members/").context["page"]
    assert [m.pk for m in page.paginator.object_list] == [own.pk]
    assert api_ids(client, "/api/v1/members/") == [own.pk]
    assert [u["code"] for u in client.get("/api/v1/units/").json()["results"]] == [own.unit.code]
    mate = Member.objects.filter(unit=own.unit).exclude(pk=own.pk).first()
    assert client.get(f"/members/{mate.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{mate.pk}/").status_code == 404


# -- the inspector -------------------------------------------------------------------------------------
def test_inspector_sees_everything_but_cannot_edit(client_of, personas, germany):
    client = client_of("ub.kiemtra")
    assert set(api_ids(client, "/api/v1/members/")) == ids(Member.objects.filter(status__in=ACTIVE_STATUSES))
    assert set(api_ids(client, "/api/v1/members/?status=all")) == ids(Member.objects.all())
    member = Member.objects.filter(unit__in=germany, status=Status.FULL).order_by("pk").first()
    detail = client.get(f"/api/v1/members/{member.pk}/")
    assert detail.status_code == 200 and detail.json()["full_name"] == member.full_name
    assert client.get(f"/members/{member.pk}/").status_code == 200
    assert client.get(f"/members/{member.pk}/edit/").status_code == 403
    assert client.get(f"/members/{member.pk}/status/").status_code == 403

    by_token = token_client(personas, "ub.kiemtra")
    secretary = client_of("bithu.duc")
    timeline = TimelineEvent.objects.filter(member=member).count()
    writes = AuditEvent.objects.exclude(action="member.viewed").count()
    for client_ in (client, by_token):
        response = client_.patch(f"/api/v1/members/{member.pk}/",
                                 {"version": member.version, "job_title": "Thanh tra viên"},
                                 content_type="application/json")
        assert response.status_code == 403, response.content
    response = client.post(f"/members/{member.pk}/edit/", {"full_name": "Tên Khác Hẳn", "version": member.version})
    assert response.status_code == 403
    response = client.post(f"/members/{member.pk}/status/", {"status": "exempt", "effective_on": "01/11/2026",
                                                             "document": "1-QĐ", "reason": "x"})
    assert response.status_code == 403
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.version, fresh.job_title, fresh.full_name, fresh.status) == \
        (member.version, member.job_title, member.full_name, member.status)
    assert TimelineEvent.objects.filter(member=member).count() == timeline
    assert AuditEvent.objects.exclude(action="member.viewed").count() == writes

    # The same PATCH by the secretary in charge goes through (the payload itself is valid).
    ok = secretary.patch(f"/api/v1/members/{member.pk}/",
                                      {"version": member.version, "job_title": "Thanh tra viên"},
                                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == member.version + 1


# -- audited reads -------------------------------------------------------------------------------------
def test_reading_a_member_page_writes_member_viewed(client_of, personas, france, germany):
    from chibo.core.audit import verify_chain

    member = Member.objects.filter(unit__in=france).exclude(pk=personas["bithu.phap"].member_id).order_by("pk").first()
    phap, inspector, duc = client_of("bithu.phap"), token_client(personas, "ub.kiemtra"), client_of("bithu.duc")
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert phap.get(f"/members/{member.pk}/").status_code == 200
    new = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    assert [(e.action, e.object_type, e.object_id, e.actor_label, e.actor_id, e.unit_id) for e in new] == [
        ("member.viewed", "member", str(member.pk), "", personas["bithu.phap"].pk, member.unit_id)]

    # The API read of the full record is audited too, by token as well.
    last = new[-1].pk
    assert inspector.get(f"/api/v1/members/{member.pk}/").status_code == 200
    assert list(AuditEvent.objects.filter(pk__gt=last, action="member.viewed")
                .values_list("object_id", "actor_id")) == [(str(member.pk), personas["ub.kiemtra"].pk)]

    # A refused read (outside the scope) reveals nothing and records no view of that member.
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert duc.get(f"/members/{member.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(pk__gt=last, action="member.viewed").exists()
    assert verify_chain().ok


def test_a_solitary_member_is_shown_as_such_everywhere(actor_of, client_of, unit):
    """A member on the rolls of the upper committee itself (no organization where they are) is
    marked on the record, in the list and in the API."""
    from chibo.members.models import Member, Status
    from chibo.members.services import member_move

    officer = actor_of("ban.tochuc")
    member = Member.objects.filter(unit=unit("PHAP-DSQ"), status=Status.FULL, posts__isnull=True).first()
    client = client_of("ban.tochuc")
    assert 'data-field="solitary"' not in client.get(f"/members/{member.pk}/").content.decode()
    member_move(actor=officer, member=member, to_unit=unit("DUBNG"), reason="Công tác tại nơi chưa có tổ chức đảng",
                document="15-QĐ/ĐUBNG", effective_on=member.admission_date)
    assert 'data-field="solitary"' in client.get(f"/members/{member.pk}/").content.decode()
    listing = client.get("/members/", {"q": member.full_name}).content.decode()
    assert 'data-field="solitary"' in listing
    assert client.get(f"/api/v1/members/{member.pk}/").json()["solitary"] is True
