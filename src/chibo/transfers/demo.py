"""Demo data of the transfer process: the directory of domestic party organizations that send
members abroad and receive them back (organizations only, never people)."""

from __future__ import annotations

from chibo.transfers.models import OrgKind

ORGANIZATIONS = [
    ("Đảng bộ Cục Lãnh sự", "Đảng ủy Bộ Ngoại giao", "40 Trần Phú, Ba Đình, Hà Nội"),
    ("Đảng bộ Vụ Châu Âu", "Đảng ủy Bộ Ngoại giao", "1 Tôn Thất Đàm, Ba Đình, Hà Nội"),
    ("Chi bộ Học viện Ngoại giao", "Đảng ủy Bộ Ngoại giao", "69 Chùa Láng, Đống Đa, Hà Nội"),
    ("Đảng bộ Trường Đại học Bách khoa Hà Nội", "Đảng ủy Khối các trường đại học, cao đẳng Hà Nội",
     "1 Đại Cồ Việt, Hai Bà Trưng, Hà Nội"),
    ("Đảng bộ Sở Ngoại vụ Thành phố Hồ Chí Minh", "Đảng ủy Ủy ban nhân dân Thành phố Hồ Chí Minh",
     "6 Alexandre de Rhodes, Quận 1, TP. Hồ Chí Minh"),
]


def build_transfers_demo(builder) -> None:
    """Called once by DemoBuilder.build(); deterministic (fixed list, no randomness)."""
    from chibo.transfers.services import org_create

    for name, upper, address in ORGANIZATIONS:
        org_create(actor=builder.actor, name=name, kind=OrgKind.DOMESTIC_PARTY, upper_name=upper, address=address)
