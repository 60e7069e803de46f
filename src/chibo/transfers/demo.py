"""Demo data of the transfer process: the directory of domestic party organizations that send
members abroad and receive them back (organizations only, never people), and one delegation on
mission forming an open temporary cell."""

from __future__ import annotations

from datetime import timedelta

from chibo.core import clock
from chibo.members.enums import Status
from chibo.members.selectors import member_ids_holding_posts, members_of_unit
from chibo.transfers.models import DelegationRole, OrgKind
from chibo.transfers.services import delegation_cell_create, org_create
from chibo.units.selectors import unit_with_code

ORGANIZATIONS = [
    ("Đảng bộ Cục Lãnh sự", "Đảng ủy Bộ Ngoại giao", "40 Trần Phú, Ba Đình, Hà Nội"),
    ("Đảng bộ Vụ Châu Âu", "Đảng ủy Bộ Ngoại giao", "1 Tôn Thất Đàm, Ba Đình, Hà Nội"),
    ("Chi bộ Học viện Ngoại giao", "Đảng ủy Bộ Ngoại giao", "69 Chùa Láng, Đống Đa, Hà Nội"),
    ("Đảng bộ Trường Đại học Bách khoa Hà Nội", "Đảng ủy Khối các trường đại học, cao đẳng Hà Nội",
     "1 Đại Cồ Việt, Hai Bà Trưng, Hà Nội"),
    ("Đảng bộ Sở Ngoại vụ Thành phố Hồ Chí Minh", "Đảng ủy Ủy ban nhân dân Thành phố Hồ Chí Minh",
     "6 Alexandre de Rhodes, Quận 1, TP. Hồ Chí Minh"),
]


# The delegation: full members of one cell sent on a mission, dated around the day the demo is built
# (opened three weeks before, back a month after) so the cell is open whenever the demo is made.
DELEGATION_FROM = "THAILAN"
DELEGATION = {"name": "Chi bộ tạm thời Đoàn công tác Hội nghị APEC 2026", "code": "DOAN-APEC26", "country": "CN",
              "document": "705-QĐ/ĐUBNG"}
DELEGATION_ROLES = (DelegationRole.SECRETARY, DelegationRole.DEPUTY_SECRETARY, DelegationRole.MEMBER,
                    DelegationRole.MEMBER)
DELEGATION_TASKS = ("Lãnh đạo đoàn hoàn thành nhiệm vụ tại Hội nghị, giữ gìn bí mật nhà nước",
                    "Báo cáo kết quả công tác với Đảng ủy Bộ Ngoại giao khi về nước")


def build_transfers_demo(builder) -> None:
    """Called once by DemoBuilder.build(); deterministic (fixed lists, no randomness)."""
    for name, upper, address in ORGANIZATIONS:
        org_create(actor=builder.actor, name=name, kind=OrgKind.DOMESTIC_PARTY, upper_name=upper, address=address)
    build_delegation(builder)


def build_delegation(builder) -> None:
    """An open temporary cell through the same service as the page: plain full members of
    ``DELEGATION_FROM`` (no committee post), a committee of secretary and deputy, two tasks."""
    home, parent = unit_with_code(DELEGATION_FROM), unit_with_code("DUBNG")
    assert home is not None and parent is not None, "built by the demo's tree"
    opened = clock.today() - timedelta(days=21)
    back = clock.today() + timedelta(days=30)
    team = list(members_of_unit(home, statuses=[Status.FULL])
                .filter(card_number__isnull=False, admission_date__lt=opened)
                .exclude(pk__in=member_ids_holding_posts()).order_by("pk")[:len(DELEGATION_ROLES)])
    delegation_cell_create(actor=builder.actor, parent=parent, opened_on=opened,
                           return_on=back, team=list(zip(team, DELEGATION_ROLES, strict=False)),
                           tasks=[(text, back) for text in DELEGATION_TASKS], **DELEGATION)
