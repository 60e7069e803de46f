"""Country names as the Ministry writes them: one curated list, checked against names held apart and against
the names of the units abroad."""

from __future__ import annotations

import pycountry
import pytest

from chibo.core.countries import country_choices, country_name
from chibo.core.data.countries_vi import NAMES

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
