"""Password checks beyond Django's (length, common list of breached passwords, all digits, likeness to
the account's name): passwords made only of words everybody here would try first, or of keyboard runs
and repeats.

A password is folded (lower case, no diacritics, no separators) and stripped of those words, runs and
digits; if fewer than six characters of something else remain, it is refused. "Dangvien2026!" and
"chibo-matkhau-123" are refused; "trăng-rằm-qua-cửa-sổ" is not.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.core.text import fold

# Words of the organization, the product and the usual first guesses, folded, without spaces.
GUESSABLE = (
    "chibo", "dangvien", "dangbo", "dang", "chibo", "bithu", "capuy", "vietnam", "hochiminh", "bongoaigiao",
    "ngoaigiao", "daisuquan", "lanhsuquan", "matkhau", "password", "passw0rd", "admin", "welcome", "xinchao",
    "hanoi", "saigon", "iloveyou", "letmein", "trustno1",
)
RUNS = ("0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
        "azertyuiop")
MIN_LEFT = 6


def _strip_runs(text: str) -> str:
    for run in RUNS:
        for size in range(len(run), 2, -1):
            for start in range(len(run) - size + 1):
                text = text.replace(run[start:start + size], "")
    return text


def what_is_left(password: str, extra_words: tuple[str, ...] = ()) -> str:
    text = re.sub(r"[^a-z0-9]", "", fold(password))
    for word in sorted((*GUESSABLE, *extra_words), key=len, reverse=True):
        if len(word) >= 3:
            text = text.replace(word, "")
    text = re.sub(r"(.)\1+", r"\1", _strip_runs(text))  # "aaaa" counts once
    return re.sub(r"\d", "", text)


class GuessableWordsValidator:
    def validate(self, password: str, user=None) -> None:
        extra = ()
        if user is not None:
            names = f"{getattr(user, 'username', '')} {getattr(user, 'full_name', '')}"
            extra = tuple(w for w in re.findall(r"[a-z0-9]+", fold(names)) if len(w) >= 3)
        if len(what_is_left(password, extra)) < MIN_LEFT:
            raise ValidationError(
                _("Mật khẩu dễ đoán: chỉ gồm tên người, tên tổ chức, từ thông dụng, số hoặc dãy phím liền nhau. "
                  "Hãy dùng một câu dài, dễ nhớ với bạn."), code="password_guessable")

    def get_help_text(self) -> str:
        return _("Không dùng tên, năm sinh, tên tổ chức hay dãy phím liền nhau; một câu dài dễ nhớ là tốt nhất.")
