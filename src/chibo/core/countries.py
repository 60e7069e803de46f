"""ISO 3166-1 countries by the official Vietnamese names of the curated list in chibo.core.data.countries_vi
(pycountry gives the codes; its Vietnamese translations are outdated and are not used)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from chibo.core.data.countries_vi import NAMES
from chibo.core.text import vn_sort_key


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
