"""Vietnamese text: clean(), search_key() and name_sort_key() as properties and worked examples.

The sort key is checked against a small reference model of Vietnamese name order: given name,
then middle words, then family name; inside each word the letters in Vietnamese alphabet order
(a ă â b c d đ e ê …) and, only when the letters are equal, the tones (ngang, huyền, hỏi, ngã,
sắc, nặng).
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chibo.core.text import clean, name_sort_key, search_key, split_name

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
VOWELS = set("aăâeêioôơuưy")
# Tone marks in dictionary order; "" is ngang (no mark).
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --- strategies ----------------------------------------------------------------------------------

@st.composite
def vn_letters(draw) -> tuple[int, int, str]:
    """(alphabet index, tone rank, the letter as NFC text, maybe upper case)."""
    index = draw(st.integers(0, len(ALPHABET) - 1))
    base = ALPHABET[index]
    tone = draw(st.integers(0, len(TONES) - 1)) if base in VOWELS else 0
    text = nfc(base + TONES[tone])
    if draw(st.booleans()):
        text = text.upper()
    return index, tone, text


@st.composite
def vn_words(draw) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], str]:
    """A word of Vietnamese letters and its reference key: (letter indices, tone ranks)."""
    letters = draw(st.lists(vn_letters(), min_size=1, max_size=6))
    key = (tuple(i for i, _, _ in letters), tuple(t for _, t, _ in letters))
    return key, "".join(text for _, _, text in letters)


@st.composite
def vn_names(draw):
    """A Vietnamese full name (1–5 words) and its reference order key."""
    words = draw(st.lists(vn_words(), min_size=1, max_size=5))
    keys = [k for k, _ in words]
    if len(keys) == 1:
        ref = (keys[0], (), ())
    else:
        ref = (keys[-1], tuple(keys[1:-1]), (keys[0],))
    return ref, " ".join(text for _, text in words)


# Text that stresses normalization: Vietnamese letters precomposed and decomposed, bare combining
# marks, every kind of space (NBSP, zero-width space, tabs, newlines) and arbitrary code points.
MESSY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("aăâeêoôơuưyđĐAĂÂEÊOÔƠUƯYĐ")),
        st.sampled_from(TONES[1:] + ["\u0306", "\u0302", "\u031b"]),
        st.sampled_from([" ", "\u00a0", "\u200b", "\t", "\n", "\u2003", "\u3000"]),
        st.characters(),
    ),
    max_size=40,
)

VN_TEXT = st.lists(vn_words(), min_size=1, max_size=5).map(lambda ws: " ".join(t for _, t in ws))


# --- clean -----------------------------------------------------------------------------------

@given(MESSY)
@example("e\u200b\u0301")  # a zero-width space between a letter and its tone mark
@example("Nguye\u0302\u0303n  Va\u0306n\u00a0Đu\u031b\u0301c ")
def test_clean_is_idempotent_and_nfc(text):
    once = clean(text)
    assert clean(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
    assert "  " not in once
    assert "\u00a0" not in once and "\u200b" not in once


@given(VN_TEXT, st.lists(st.integers(0, 200), max_size=4), st.sampled_from(["\u200b", "\u00a0"]))
def test_invisible_characters_do_not_change_clean(text, positions, invisible):
    """A zero-width space (or a no-break space at a space) anywhere is invisible to clean()."""
    decomposed = nfd(text)
    if invisible == "\u00a0":
        assert clean(decomposed.replace(" ", invisible)) == clean(text)
        return
    chars = list(decomposed)
    for pos in positions:
        chars.insert(pos % (len(chars) + 1), invisible)
    assert clean("".join(chars)) == clean(text) == nfc(text)


@given(MESSY)
def test_clean_same_for_nfc_and_nfd(text):
    assert clean(nfd(text)) == clean(nfc(text))


def test_clean_examples():
    assert clean(None) == ""
    assert clean("  Nguyễn\u00a0 Văn\t\nĐức  ") == "Nguyễn Văn Đức"
    decomposed = nfd("Nguyễn Văn Đức")
    assert decomposed != "Nguyễn Văn Đức"
    assert clean(decomposed) == "Nguyễn Văn Đức"
    assert clean("Ng\u200buyễn") == "Nguyễn"


# --- search_key ------------------------------------------------------------------------------

def test_search_key_examples():
    assert search_key("Nguyễn Văn Đức") == "nguyen van duc"
    assert search_key(nfd("Nguyễn Văn Đức")) == "nguyen van duc"
    assert search_key("ĐẶNG THỊ NGỌC ÁNH") == "dang thi ngoc anh"
    assert search_key("Trương  Ưu\u00a0Ơn") == "truong uu on"
    assert search_key("Phạm Thị Thuỳ Dương") == search_key("Phạm Thị Thùy Dương") == "pham thi thuy duong"


@given(MESSY)
def test_search_key_is_idempotent(text):
    key = search_key(text)
    assert search_key(key) == key


@given(MESSY)
def test_search_key_same_for_nfc_and_nfd(text):
    assert search_key(nfd(text)) == search_key(nfc(text))


@given(VN_TEXT)
def test_search_key_of_vietnamese_is_plain_lowercase_ascii(text):
    key = search_key(text)
    assert key.isascii()
    assert key == key.lower()
    # One folded letter per letter: the diacritics go, nothing else does.
    assert len(key) == len(clean(text))
    assert search_key(nfd(text)) == key


# --- name_sort_key ---------------------------------------------------------------------------

# Hand-sorted: given name first (An, Ánh, Ân, Bình, Dung, Đức, Hà, Hải, Hiếu, Hùng), then the
# middle name, then the family name; letters in Vietnamese order, tones only between equal letters.
EXPECTED_ORDER = [
    "Nguyễn Thị An",
    "Lê Văn An",
    "Trần Văn An",
    "Đỗ Thị Ánh",       # a-n-h comes after a-n, before â-n
    "Hoàng Minh Ân",    # â after a whatever the tones
    "Phạm Văn Bình",
    "Vũ Thị Dung",
    "Nguyễn Văn Đức",   # đ after d
    "Bùi Thị Hà",
    "Ngô Thu Hà",       # middle "Thu" after "Thị"
    "Đặng Văn Hải",
    "Dương Minh Hiếu",
    "Dương Văn Hùng",
    "Đặng Văn Hùng",    # family Dương before Đặng: d before đ
]


def test_sorting_a_shuffled_list_gives_the_hand_sorted_order():
    rng = random.Random(2026)
    for _ in range(20):
        names = EXPECTED_ORDER[:]
        rng.shuffle(names)
        assert sorted(names, key=name_sort_key) == EXPECTED_ORDER
    # The naive order (by full string) is different: the test really exercises the key.
    assert sorted(EXPECTED_ORDER) != EXPECTED_ORDER


def test_letter_order_is_vietnamese():
    keys = [name_sort_key(f"Lê {letter}") for letter in ALPHABET]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    for smaller, larger in ["aă", "ăâ", "âb", "dđ", "đe", "eê", "êf", "oô", "ôơ", "ơp", "uư", "ưv"]:
        assert name_sort_key(f"Lê {smaller}") < name_sort_key(f"Lê {larger}")


@pytest.mark.parametrize("smaller, larger", [
    ("An", "Ân"), ("Án", "Ân"), ("Ạn", "Ân"), ("Ạn", "Ăn"), ("Ặn", "Ân"),
    ("An", "Anh"), ("Ấn", "Bình"), ("Dũng", "Đan"),
    ("Anh", "Ánh"), ("Anh", "Ảnh"), ("Ảnh", "Ánh"),
    ("Ha", "Hà"), ("Hà", "Hả"), ("Hả", "Hã"), ("Hã", "Há"), ("Há", "Hạ"),
])
def test_tone_only_breaks_ties(smaller, larger):
    assert name_sort_key(f"Trần Văn {smaller}") < name_sort_key(f"Trần Văn {larger}")
    # ...whatever the middle and family names: the given name decides first.
    assert name_sort_key(f"Vũ Xuân {smaller}") < name_sort_key(f"Âu An {larger}")


def test_given_then_middle_then_family():
    assert name_sort_key("Vũ An") < name_sort_key("An Bình")
    assert name_sort_key("Vũ Bá An") < name_sort_key("An Văn An")
    assert name_sort_key("An Văn An") < name_sort_key("Bùi Văn An")
    # A missing middle name sorts before any middle name; a shorter middle before a longer one.
    assert name_sort_key("Vũ An") < name_sort_key("An Bá An")
    assert name_sort_key("Lê Thị An") < name_sort_key("Lê Thị Minh An")
    assert split_name(" Nguyễn  Thị Minh  Khai ") == ("Nguyễn", "Thị Minh", "Khai")


def test_key_is_deterministic_and_case_and_space_insensitive():
    for name in EXPECTED_ORDER:
        assert name_sort_key(name) == name_sort_key(name)
        assert name_sort_key(name) == name_sort_key(name.upper())
        assert name_sort_key(name) == name_sort_key("  " + name.replace(" ", " \u00a0 ") + " ")


@given(vn_names())
def test_key_is_ascii_and_equal_for_nfc_and_nfd(case):
    _, name = case
    key = name_sort_key(name)
    assert key.isascii()
    assert key == name_sort_key(nfd(name)) == name_sort_key(nfc(name))
    assert key == name_sort_key(name)


@given(vn_names(), vn_names())
def test_key_order_matches_the_reference_model(a, b):
    """Comparing two keys gives the same answer as comparing the names the Vietnamese way."""
    (ref_a, name_a), (ref_b, name_b) = a, b
    key_a, key_b = name_sort_key(name_a), name_sort_key(name_b)
    assert (key_a < key_b) == (ref_a < ref_b)
    assert (key_a == key_b) == (ref_a == ref_b)


@given(st.lists(vn_names(), min_size=2, max_size=12), st.randoms(use_true_random=False))
def test_sorting_is_independent_of_input_order(names, rnd):
    texts = [n for _, n in names]
    shuffled = texts[:]
    rnd.shuffle(shuffled)
    by_key = sorted(texts, key=name_sort_key)
    assert [name_sort_key(n) for n in sorted(shuffled, key=name_sort_key)] == [name_sort_key(n) for n in by_key]
    reference = {n: ref for ref, n in names}
    assert [reference[n] for n in by_key] == sorted(reference[n] for n in texts)


@given(MESSY)
@settings(max_examples=200)
def test_key_of_any_text_is_ascii_and_normalization_blind(text):
    key = name_sort_key(text)
    assert key.isascii()
    assert key == name_sort_key(nfd(text)) == name_sort_key(clean(text))


# --- in the database: search and ordering ----------------------------------------------------

def _member(actor, unit, full_name, **extra):
    from chibo.members.services import member_create

    data = dict(full_name=full_name, gender="M", birth_date=date(1980, 5, 1), admission_date=date(2010, 5, 19),
                category="mission_staff")
    data.update(extra)
    return member_create(actor=actor, unit=unit, **data)


@pytest.mark.django_db
def test_member_search_orders_by_vietnamese_name_key(actor_of, unit):
    from chibo.members.selectors import MemberFilters, member_search

    officer = actor_of("ban.tochuc")
    embassy = unit("PHAP-DSQ")
    shuffled = EXPECTED_ORDER[:]
    random.Random(7).shuffle(shuffled)
    created = {_member(officer, embassy, name).pk for name in shuffled}

    found = list(member_search(officer, MemberFilters(unit=embassy, sort="name")))
    names = [m.full_name for m in found]
    assert len(found) > len(created)  # the demo members of the embassy are there too
    assert names == sorted(names, key=name_sort_key)
    assert [m.name_sort for m in found] == [name_sort_key(n) for n in names]
    assert [m.full_name for m in found if m.pk in created] == EXPECTED_ORDER

    backwards = [m.full_name for m in member_search(officer, MemberFilters(unit=embassy, sort="-name"))]
    assert [n for n in backwards if n in EXPECTED_ORDER] == EXPECTED_ORDER[::-1]


@pytest.mark.django_db
def test_member_search_folds_diacritics_and_ranks_exact_match_first(actor_of, unit):
    from chibo.members.selectors import MemberFilters, member_search

    officer = actor_of("ban.tochuc")
    embassy = unit("PHAP-DSQ")
    # Created in an order that is neither the rank order nor the name order.
    folded_only = _member(officer, embassy, "Nguyễn Vân Dực")
    longer = _member(officer, embassy, "Nguyễn Văn Đức Anh")
    exact = _member(officer, embassy, "Nguyễn Văn Đức")
    plain = _member(officer, embassy, "Nguyen Van Duc")
    other = _member(officer, embassy, "Nguyễn Văn Đông")
    ours = {m.pk: m.full_name for m in (folded_only, longer, exact, plain, other)}

    def search(q):
        return [m.pk for m in member_search(officer, MemberFilters(q=q, unit=embassy)) if m.pk in ours]

    folded = search("nguyen van duc")
    assert set(folded) == {folded_only.pk, longer.pk, exact.pk, plain.pk}  # "Đông" does not match
    assert folded[0] == plain.pk  # the only exact (diacritic-free) match of the typed text

    accented = search("Nguyễn Văn Đức")
    assert set(accented) == set(folded)
    assert accented[0] == exact.pk
    assert accented[1] == longer.pk  # starts with the exact text
    assert set(accented[2:]) == {plain.pk, folded_only.pk}

    # The same search typed in decomposed form finds the same rows in the same order.
    assert search(nfd("Nguyễn Văn Đức")) == accented
    assert set(search("ĐỨC")) == set(search("duc")) == {folded_only.pk, longer.pk, exact.pk, plain.pk}
