

def test_the_committee_is_listed_in_protocol_order(actor_of, unit):
    from datetime import date

    from chibo.members import services
    from chibo.members.models import Member, Status
    from chibo.members.selectors import unit_committee

    cell = unit("PHAP-LHS")
    officer = actor_of("ban.tochuc")
    holding = unit_committee(cell).values("member_id")
    members = list(Member.objects.filter(unit=cell, status=Status.FULL).exclude(pk__in=holding).order_by("pk")[:3])
    for member, role in zip(members, ["committee_member", "deputy_secretary", "committee_member"], strict=True):
        services.post_appoint(actor=officer, unit=cell, member=member, role=role, from_date=date(2026, 1, 5),
                              decision_no="3-QĐ/ĐU", decision_date=date(2026, 1, 4))
    roles = [p.role for p in unit_committee(cell)]
    assert roles == sorted(roles, key=["secretary", "deputy_secretary", "committee_member"].index)
    assert roles.index("deputy_secretary") < roles.index("committee_member")
