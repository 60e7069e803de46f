"""How a unit heads and signs its documents: the upper organization printed above the issuer, and on whose
behalf the signer signs (a committee's, or a cell's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chibo.units.enums import UnitKind

if TYPE_CHECKING:
    from chibo.units.models import Unit


def upper_issuer(unit: Unit) -> str:
    """The upper organization's name as printed above the issuer (upper case), "" at the top of the tree."""
    return unit.parent.name.upper() if unit.parent_id and unit.parent else ""


def on_behalf(unit: Unit) -> str:
    """"T/M ĐẢNG ỦY" for a committee, "T/M CHI ỦY" for a cell."""
    committee = unit.kind in (UnitKind.UPPER_COMMITTEE, UnitKind.GRASSROOTS_COMMITTEE)
    return "T/M ĐẢNG ỦY" if committee else "T/M CHI ỦY"
