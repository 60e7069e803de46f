"""Legacy Vietnamese encodings: TCVN3 (ABC) and VNI-Windows text read back as Unicode.

Old spreadsheets were typed with font-based encodings. Read as Unicode, a TCVN3 name shows as
"NguyÔn V¨n §øc" and a VNI one as "Nguyeãn Vaên Ñöùc". The tables below are written from the
published encodings (TCVN 5712:1993 VN3 and the VNI-Windows font layout): TCVN3 is one byte per
letter, VNI is a base letter followed by a mark byte (and a few single-byte letters).

Detection is per column: each cell is scored as Unicode, TCVN3 or VNI by how Vietnamese the result
looks (characters that never occur in Vietnamese, impossible vowel clusters); a column whose cells
clearly disagree is refused as "mixed encodings".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

# -- TCVN3 (ABC) --------------------------------------------------------------------------------
_TCVN3_CODES = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_UNI = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
assert len(_TCVN3_CODES) == len(_TCVN3_UNI)
TCVN3_TO_UNICODE = dict(zip(_TCVN3_CODES, _TCVN3_UNI, strict=True))
UNICODE_TO_TCVN3 = {v: k for k, v in TCVN3_TO_UNICODE.items()}

# -- VNI-Windows ------------------------------------------------------------------------------------
# Marks after a base vowel: ø huyền, ù sắc, û hỏi, õ ngã, ï nặng; â circumflex, ê breve (on a);
# circumflex/breve combined with a tone: à á å ã ä (â + tone), è é ú ü ë (ă + tone).
_VNI_PAIRS_LOWER = {
    "à": "aø", "á": "aù", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ằ": "aè", "ắ": "aé", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ầ": "aà", "ấ": "aá", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "è": "eø", "é": "eù", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ề": "eà", "ế": "eá", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "ò": "oø", "ó": "où", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ồ": "oà", "ố": "oá", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ờ": "ôø", "ớ": "ôù", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ù": "uø", "ú": "uù", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ừ": "öø", "ứ": "öù", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ỳ": "yø", "ý": "yù", "ỷ": "yû", "ỹ": "yõ",
}
_VNI_SINGLE_LOWER = {"đ": "ñ", "ơ": "ô", "ư": "ö", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def _upper_pairs() -> dict[str, str]:
    out = {}
    for uni, code in _VNI_PAIRS_LOWER.items():
        out[uni.upper()] = code.upper()
    return out


UNICODE_TO_VNI = {**_VNI_PAIRS_LOWER, **_upper_pairs(), **_VNI_SINGLE_LOWER,
                  **{k.upper(): v.upper() for k, v in _VNI_SINGLE_LOWER.items()}}
_VNI_DECODE_PAIRS = {code: uni for uni, code in UNICODE_TO_VNI.items() if len(code) == 2}
_VNI_DECODE_SINGLE = {code: uni for uni, code in UNICODE_TO_VNI.items() if len(code) == 1}


def tcvn3_to_unicode(text: str) -> str:
    return "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text)


def unicode_to_tcvn3(text: str) -> str:
    """For tests and the sample files: Unicode → TCVN3 (upper-case toned letters fall back to lower case,
    as the ABC fonts did with their separate capital font)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        out.append(UNICODE_TO_TCVN3.get(ch) or UNICODE_TO_TCVN3.get(ch.lower(), ch))
    return "".join(out)


def vni_to_unicode(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if len(pair) == 2 and pair in _VNI_DECODE_PAIRS:
            out.append(_VNI_DECODE_PAIRS[pair])
            i += 2
            continue
        out.append(_VNI_DECODE_SINGLE.get(text[i], text[i]))
        i += 1
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    return "".join(UNICODE_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# -- detection ---------------------------------------------------------------------------------------
_VN_LETTERS = set("abcdefghijklmnopqrstuvwxyz") | set(_TCVN3_UNI.lower()) | set("đ")
_VN_LETTERS |= {c.upper() for c in _VN_LETTERS}
# Vowel nuclei of Vietnamese syllables (diacritics folded; gi/qu onsets taken off first).
_NUCLEI = {
    "a", "e", "i", "o", "u", "y", "ai", "ao", "au", "ay", "eo", "eu", "ia", "ie", "iu", "oa", "oe", "oi", "ua",
    "ue", "ui", "uo", "uu", "uy", "ya", "ye", "yu", "oai", "oay", "oao", "oeo", "uay", "uoi", "uou", "uya", "uye",
    "uyu", "ieu", "yeu", "uai", "uao", "uau",
}
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?([aeiouy]+)(ch|ng|nh|[cmnpt])?$")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VN_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def _fold(word: str) -> str:
    word = word.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _syllable_ok(word: str) -> bool:
    tones = sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONES)
    if tones > 1:
        return False
    folded = _fold(word)
    if not folded.isalpha() or not folded.isascii():
        return False
    m = _SYLLABLE.match(folded)
    if not m:
        return False
    nucleus = m.group(2)
    if m.group(1) == "gi" and nucleus and nucleus[0] not in "i":
        pass
    return nucleus in _NUCLEI or (m.group(1) in ("gi", "qu") and nucleus in _NUCLEI | {""})


def badness(text: str) -> int:
    """How un-Vietnamese a text looks: foreign characters weigh 10, impossible syllables 3."""
    score = 0
    for ch in text:
        if ord(ch) > 0x7F and ch.isprintable() and ch not in _VN_LETTERS and not ch.isspace():
            if unicodedata.category(ch).startswith(("L", "S")) or ch in "\u00ad«»¨§":
                score += 10
    for word in re.findall(r"[^\s\d.,;:/()\-'\"]+", text):
        if any(ord(c) > 0x7F for c in word) and not _syllable_ok(word):
            score += 3
    return score


UNICODE, TCVN3, VNI, PLAIN = "unicode", "tcvn3", "vni", "ascii"
ENCODING_LABELS = {UNICODE: "Unicode", TCVN3: "TCVN3 (ABC)", VNI: "VNI", PLAIN: "không dấu"}
DECODERS: dict[str, Callable[[str], str]] = {TCVN3: tcvn3_to_unicode, VNI: vni_to_unicode,
                                             UNICODE: lambda s: s, PLAIN: lambda s: s}


@lru_cache(maxsize=100_000)
def classify(text: str) -> tuple[str, bool]:
    """(encoding, definite) of one cell. ASCII-only text is PLAIN; ``definite`` is False when Unicode and a
    legacy reading look equally plausible."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return PLAIN, False
    if _VN_ONLY.search(text) and badness(text) == 0:
        return UNICODE, True
    scores = {UNICODE: badness(text), VNI: badness(vni_to_unicode(text)), TCVN3: badness(tcvn3_to_unicode(text))}
    best = min(scores, key=lambda k: (scores[k], [UNICODE, VNI, TCVN3].index(k)))
    others = [v for k, v in scores.items() if k != best]
    return best, scores[best] < min(others)


class MixedEncodings(ValueError):
    def __init__(self, found: set[str]):
        self.found = found
        super().__init__(", ".join(ENCODING_LABELS[e] for e in sorted(found)))


def column_encoding(values) -> str:
    """The encoding of a column: the one its definite cells agree on; MixedEncodings when they disagree."""
    found: dict[str, int] = {}
    weak: dict[str, int] = {}
    # columns repeat a lot: each distinct cell is classified once; ASCII text is PLAIN (classify), skipped at once
    for value, times in Counter(v for v in values if isinstance(v, str) and not v.isascii()).items():
        enc, definite = classify(value)
        if enc == PLAIN:
            continue
        (found if definite else weak)[enc] = (found if definite else weak).get(enc, 0) + times
    if len(found) > 1:
        raise MixedEncodings(set(found))
    if found:
        return next(iter(found))
    if weak:
        return max(weak, key=lambda enc: weak[enc])
    return UNICODE
