"""Vietnamese text: normalization, search keys and sort keys.

- ``clean(s)``: NFC, trimmed, inner whitespace collapsed. Every text input goes through it.
- ``search_key(s)``: lower case, diacritics removed, đ→d: "Nguyễn Văn Đức" → "nguyen van duc".
- ``name_sort_key(full_name)``: sorts the Vietnamese way: given name, then middle, then family
  name; letters in Vietnamese order (a ă â b c d đ e ê …), tones compared only when the
  letters are equal (ngang, huyền, hỏi, ngã, sắc, nặng). The key is plain ASCII so both
  databases order it with a binary collation.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

_SPACES = re.compile(r"\s+")
# C0/C1 control characters that are not whitespace (NUL, BEL, ESC, DEL …): never meaningful in a
# name or a document number, and PostgreSQL refuses NUL in text.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Bidirectional controls (LRM, RLM, ALM, embeddings, overrides, isolates): no Vietnamese text needs them, and
# a right-to-left override makes a name or a number display as something else.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Vietnamese alphabet order; f j w z appear in foreign names and sort where Latin puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_CODE = {ch: i for i, ch in enumerate(_ALPHABET)}
# Combining tone marks in the traditional dictionary order (no mark first).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Code points used in keys: letters from "0" upward, so every letter sorts after the separators.
_SEP_WORD = " "     # between name parts
_SEP_TONES = "!"    # between the letters of a word and its tones


def clean(value: str | None) -> str:
    """NFC-normalize, drop control characters, trim and collapse inner whitespace; None becomes ''."""
    if value is None:
        return ""
    if value.__class__ is str and value.isascii() and value.isalnum():
        return value  # nothing to do (card and dossier numbers, codes): the common case of an import, quickly
    # Zero-width spaces go before normalizing: one between a letter and its tone mark would
    # otherwise leave a decomposed pair behind ("e\u200b\u0301" must become "é").
    value = _BIDI.sub("", _CONTROLS.sub("", str(value))).replace("\u00a0", " ").replace("\u200b", "")
    value = unicodedata.normalize("NFC", value)
    return _SPACES.sub(" ", value).strip()


def clean_lines(value: str | None, *, limit: int = 20000) -> str:
    """Multi-line text: each line cleaned (NFC, no control characters), blank runs kept to one."""
    lines = [clean(line) for line in (value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()[:limit]


MAX_ID = 2**31 - 1  # the largest id a query string may name (a 32-bit signed key)


def as_id(raw: object) -> int | None:
    """A positive id from a query string or a form value: ASCII digits only, 1..2**31-1; None otherwise (``"²"``
    and ``"١"`` are digits to ``str.isdigit`` but not to ``int``)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def person_name(value: str | None) -> str:
    """A person's name as it is written: cleaned, each word with a capital first letter ("nguyễn văn an" →
    "Nguyễn Văn An")."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in clean(value).split(" ") if w)


_NAME_MARKS = frozenset(" -'.")


def name_problem(value: str) -> str | None:
    """Why this is not a person's name (a digit, an emoji, markup, a symbol), or None."""
    for ch in value:
        if ch.isdigit():
            return _("Họ và tên không được chứa chữ số.")
        if unicodedata.category(ch)[0] not in "LM" and ch not in _NAME_MARKS:
            return _("Họ và tên không được chứa ký tự «%(char)s»: chỉ gồm chữ cái, dấu cách, dấu gạch nối "
                     "và dấu nháy.") % {"char": ch}
    return None


def has_bidi_controls(value: str | None) -> bool:
    """Whether the text carries a bidirectional control (names with one are refused, not silently changed)."""
    return bool(value) and bool(_BIDI.search(str(value)))


def hidden_characters_problem(value: str | None) -> str | None:
    """Why a name as typed (before ``clean``) is refused for a hidden character: a bidirectional control (it
    makes the name display as something else) or a control character (usually pasted from another file), named
    by its code; None when it has neither. Names are refused, not silently changed."""
    if not value:
        return None
    text = str(value)
    if found := _BIDI.search(text):
        return _("Họ và tên chứa ký tự ẩn điều khiển hướng chữ (%(code)s), có thể làm tên hiển thị sai; hãy xóa và "
                 "gõ lại tên.") % {"code": f"U+{ord(found.group()):04X}"}
    if found := _CONTROLS.search(text):
        return _("Họ và tên chứa ký tự điều khiển ẩn (%(code)s), thường do sao chép từ tệp khác; hãy xóa và gõ lại "
                 "tên.") % {"code": f"U+{ord(found.group()):04X}"}
    return None


def name_warning(value: str | None) -> str | None:
    """A warning, not a refusal: a name with letters but not one Vietnamese diacritic ("Nguyen Van An") was most
    likely typed without them. None when the name has a diacritic (or đ), or no letter at all."""
    name = clean(value)
    letters = [ch for ch in name if ch.isalpha()]
    if not letters or not all(ch.isascii() for ch in letters):
        return None
    return _("Họ và tên «%(name)s» không có dấu tiếng Việt. Nếu đó là tên tiếng Việt, hãy sửa lại cho có dấu "
             "(ví dụ «Nguyễn Văn An», không phải «Nguyen Van An»); nếu tên đúng là như vậy, không cần làm gì "
             "thêm.") % {"name": name}


def fold(value: str) -> str:
    """Lower case with diacritics removed and đ folded to d."""
    value = clean(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def search_key(value: str) -> str:
    """The diacritic-free, lower-case key names are searched by."""
    return fold(value)


def _letter_and_tone(ch: str) -> tuple[str, int]:
    """'ế' → ('ê', 4): the Vietnamese letter and its tone rank (0 when unmarked)."""
    tone = 0
    kept = []
    for part in unicodedata.normalize("NFD", ch):
        if part in _TONES:
            tone = _TONES[part]
        else:
            kept.append(part)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _letter_code(letter: str) -> str:
    code = _LETTER_CODE.get(letter)
    if code is not None:
        return chr(0x30 + code)
    if letter.isdigit() and letter.isascii():
        return chr(0x60 + int(letter))  # digits after every letter
    return "~"


def _word_key(word: str) -> str:
    """Letters (as codes) then tones of one word, so tones only break ties."""
    letters: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFC", word.lower()):
        letter, tone = _letter_and_tone(ch)
        letters.append(_letter_code(letter))
        tones.append(str(tone))
    return "".join(letters) + _SEP_TONES + "".join(tones)


def split_name(full_name: str) -> tuple[str, str, str]:
    """(family, middle, given) of a Vietnamese full name: first word, middle words, last word."""
    parts = clean(full_name).split(" ")
    if not parts or parts == [""]:
        return "", "", ""
    if len(parts) == 1:
        return "", "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def name_sort_key(full_name: str) -> str:
    family, middle, given = split_name(full_name)
    keys = [
        " ".join(_word_key(w) for w in part.split(" ") if w) for part in (given, middle, family)
    ]
    return (_SEP_WORD * 2).join(keys)


def vn_sort_key(value: str) -> str:
    """Sort key for any Vietnamese text (unit names, towns), word by word."""
    return _SEP_WORD.join(_word_key(w) for w in clean(value).split(" ") if w)
