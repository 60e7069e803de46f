"""ISO 3166-1 countries with Vietnamese names (pycountry's data and translations)."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from chibo.core.text import vn_sort_key


@lru_cache(maxsize=1)
def _vi() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"], fallback=True)


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    """(alpha-2, Vietnamese name), sorted the Vietnamese way."""

    pairs = [(c.alpha_2, _vi().gettext(c.name)) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: vn_sort_key(pair[1]))


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=(code or "").upper()) is not None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    return _vi().gettext(country.name) if country else (code or "")
