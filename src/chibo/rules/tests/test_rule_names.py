"""Every rule is read by its Vietnamese name: on the rulebook's pages, in messages and in help texts."""

from __future__ import annotations

import pytest

from chibo.core.models import Rule
from chibo.core.rulebook import NAMES, name_rules_in, rule_keys, rule_name

pytestmark = [pytest.mark.django_db]


def test_every_rule_of_the_rulebook_has_a_name():
    unnamed = [
        key for key in rule_keys() if rule_name(key, Rule.objects.filter(key=key).last()) in ("Quy định khác", key)
    ]
    assert not unnamed, f"rules without a Vietnamese name (core.rulebook.NAMES or their family's name): {unnamed}"
    assert len(rule_keys()) > 80


def test_a_family_rule_is_named_from_its_key():
    assert rule_name("discipline.competence.subordinate_cell") == "Thẩm quyền kỷ luật của chi bộ trực thuộc"
    assert rule_name("dues.kept.grassroots_cell") == "Tỷ lệ đảng phí giữ lại: Chi bộ cơ sở"
    assert rule_name("nothing.at_all") == "Quy định khác"


def test_keys_quoted_in_a_text_become_names_and_other_words_stay():
    text = "Trong thời hạn discipline.appeal_within; giữ lại theo quy định (dues.kept.…); xem example.org."
    named = name_rules_in(text)
    assert f"«{NAMES['discipline.appeal_within']}»" in named
    assert "«Tỷ lệ đảng phí trích giữ lại theo loại tổ chức»" in named
    assert "discipline.appeal_within" not in named and "dues.kept" not in named and "example.org" in named


def test_the_rulebook_page_shows_names_and_the_key_only_to_officers(client_of):
    officer = client_of("ban.tochuc").get("/rules/meeting.min_minutes/").content.decode()
    member = client_of("dangvien.phap").get("/rules/meeting.min_minutes/").content.decode()
    name = NAMES["meeting.min_minutes"]
    assert f">{name}</h1>" in officer and f">{name}</h1>" in member
    assert '<small class="key">meeting.min_minutes</small>' in officer
    assert "meeting.min_minutes<" not in member and "<code>" not in member
    index = client_of("dangvien.phap").get("/rules/").content.decode()
    assert NAMES["admission.age_max"] in index and ">admission.age_max<" not in index
