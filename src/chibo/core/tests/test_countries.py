"""Country names as the Ministry writes them: one curated list, checked against names held apart and against
the names of the units abroad."""

from __future__ import annotations

import pycountry
import pytest

from chibo.core.countries import country_by_name, country_choices, country_name
from chibo.core.data.countries_vi import FORMAL, NAMES

# Checked apart from the list (the Ministry's current usage).
HELD_OUT = {"KR": "Hàn Quốc", "KP": "Triều Tiên", "KH": "Campuchia", "ID": "Indonesia", "CZ": "Séc", "US": "Hoa Kỳ",
            "GB": "Vương quốc Anh", "RU": "Liên bang Nga", "DE": "Đức", "FR": "Pháp", "JP": "Nhật Bản",
            "CN": "Trung Quốc", "LA": "Lào", "TH": "Thái Lan", "MM": "Myanmar", "AU": "Australia", "IN": "Ấn Độ",
            "SA": "Ả Rập Xê-út", "TR": "Thổ Nhĩ Kỳ", "NL": "Hà Lan", "CH": "Thụy Sĩ", "SE": "Thụy Điển"}
OUTDATED = ("Nam Hàn", "Căm Bốt", "Nam Dương", "Czechia", "Mỹ", "Miến Điện", "Tích Lan", "Hoà Lan", "Ái Nhĩ Lan",
            "Lục Xâm Bảo", "Do Thái", "Ba Tư", "Türkiye", "Tỉnh Trung Quốc")


def test_every_country_has_one_curated_name():
    assert set(NAMES) == {c.alpha_2 for c in pycountry.countries}
    assert len(set(NAMES.values())) == len(NAMES)  # no two countries under one name
    assert all(name and name == name.strip() for name in NAMES.values())


@pytest.mark.parametrize("code, name", sorted(HELD_OUT.items()))
def test_names_checked_apart(code, name):
    assert country_name(code) == name == dict(country_choices())[code]


def test_no_outdated_or_foreign_name_is_shown():
    shown = " | ".join(name for _, name in country_choices())
    for word in OUTDATED:
        assert word not in shown, word


@pytest.mark.django_db
def test_the_units_abroad_agree_with_the_list():
    from chibo.units.models import Unit

    for unit in Unit.objects.exclude(country="").exclude(mission_name=""):
        if " tại " in unit.mission_name:
            assert country_name(unit.country) in unit.mission_name, (unit.mission_name, unit.country)


def test_full_official_names_are_read_back_never_shown():
    assert set(FORMAL) <= set(NAMES)
    assert not set(FORMAL.values()) & set(NAMES.values())  # a full name never stands for another country
    assert country_by_name("Cộng hòa Séc") == country_by_name("Séc") == "CZ"
    assert country_by_name(" vương quốc  Bỉ ") == "BE"  # cleaned and compared without case
    for word in OUTDATED:
        assert country_by_name(word) is None, word
    shown = {name for _, name in country_choices()}
    assert not shown & set(FORMAL.values())


# Not countries: what a unit abroad may be named after besides its country (an organization it is accredited to).
INTERNATIONAL = {"UNESCO", "Liên hợp quốc"}


def _demo_unit_names():
    """(country code, the place the name says the unit is in, the unit's name) for every unit and mission name
    the demo builds abroad (chibo.demo.builder: each country's organization, its mission and its cells)."""
    from chibo.demo.builder import PLACES

    for place in PLACES:
        yield place.country, place.name, f"Đại sứ quán tại {place.name}"
        cities = {place.city, *(city for _, _, city, _ in place.cells)}
        for _code, name, _city, _ in place.cells:
            named = name.rsplit(" tại ", 1)[1]
            if named in INTERNATIONAL or any(city.startswith(named) for city in cities):
                continue
            yield place.country, named, name


def test_every_country_named_in_the_demo_units_is_in_the_curated_list():
    seen = set()
    for code, named, unit_name in _demo_unit_names():
        assert country_by_name(named) == code, f"«{unit_name}»: «{named}» is not {code} in the curated list"
        seen.add(code)
    assert len(seen) >= 25  # every country of the demo was checked, not just the first


@pytest.mark.django_db
def test_the_demo_units_in_the_database_name_their_own_country():
    from chibo.units.models import Unit

    checked = 0
    for unit in Unit.objects.exclude(country="").exclude(country="VN").exclude(mission_name=""):
        named = unit.mission_name.rsplit(" tại ", 1)[1]
        assert country_by_name(named) == unit.country, (unit.mission_name, unit.country)
        checked += 1
    assert checked >= 25
