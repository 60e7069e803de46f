"""ISO 3166-1 countries by the official Vietnamese names of the curated list in chibo.core.data.countries_vi
(pycountry gives the codes; its Vietnamese translations are outdated and are not used)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from chibo.core.data.countries_vi import FORMAL, NAMES
from chibo.core.text import clean, vn_sort_key


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    """(alpha-2, Vietnamese name), sorted the Vietnamese way."""
    return sorted(((c.alpha_2, NAMES.get(c.alpha_2, c.name)) for c in pycountry.countries),
                  key=lambda pair: vn_sort_key(pair[1]))


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=(code or "").upper()) is not None


def country_name(code: str) -> str:
    code = (code or "").upper()
    country = pycountry.countries.get(alpha_2=code)
    return NAMES.get(code, country.name) if country else code


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    found = {name.casefold(): code for code, name in NAMES.items()}
    found.update({name.casefold(): code for code, name in FORMAL.items()})
    return found


def country_by_name(name: str | None) -> str | None:
    """The alpha-2 code of a country written by its curated name or its full official name ("Séc", "Cộng hòa
    Séc" → "CZ"); None for any other text (an outdated or foreign name: "Czechia", "Nam Hàn", "Mỹ")."""
    return _codes_by_name().get(clean(name).casefold())
