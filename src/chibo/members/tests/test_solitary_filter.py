"""The members alone abroad (on the rolls of the top of the tree) within a unit's subtree: the list's filter, its API
and the reports' figure read the same rows, the top unit's own rolls when the subtree is the whole tree, none below."""

from __future__ import annotations

from datetime import date

from chibo.members.models import ACTIVE_STATUSES, Member, Status
from chibo.members.selectors import MemberFilters, member_search


def test_alone_abroad_in_a_subtree_is_the_top_units_own_rolls(actor_of, client_of, unit):
    from chibo.members.services import member_move

    officer = actor_of("ban.tochuc")
    top, france = unit("DUBNG"), unit("PHAP")
    movers = list(Member.objects.filter(unit=unit("DUC-DSQ"), status=Status.FULL, posts__isnull=True)[:2])
    for mover in movers:
        member_move(actor=officer, member=mover, to_unit=top, reason="Điều động", document="5-QĐ/ĐUBNG",
                    effective_on=date(2026, 6, 1))
    alone = set(Member.objects.filter(unit=top, status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    assert {m.pk for m in movers} <= alone

    assert set(member_search(officer, MemberFilters(unit=top, active_only=True, solitary=True))
               .values_list("pk", flat=True)) == alone
    assert set(member_search(officer, MemberFilters(active_only=True, solitary=True))
               .values_list("pk", flat=True)) == alone
    assert not member_search(officer, MemberFilters(unit=france, active_only=True, solitary=True)).exists()

    client = client_of("ban.tochuc")
    listed = client.get(f"/api/v1/members/?unit={top.pk}&solitary=true").json()
    assert listed["count"] == len(alone) and all(row["solitary"] for row in listed["results"])
    assert client.get(f"/api/v1/members/?unit={france.pk}&solitary=true").json()["count"] == 0
