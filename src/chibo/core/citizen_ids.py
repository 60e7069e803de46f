"""The citizen ID (số định danh cá nhân on the căn cước / CCCD): 12 digits, no check digit, but a structure.

    0 3 6 | 0 | 8 8 | 0 0 1 2 3 4
    province of the birth registration (chibo.core.data.vn_provinces) | century and gender | birth year (2 digits)
    | serial number

The century and gender digit: 0/1 born 1900–1999 male/female, 2/3 born 2000–2099, 4/5 the 2100s, 6/7 the 2200s,
8/9 the 2300s. The old 9-digit identity card (CMND) stopped being valid on 1/1/2025 (Luật Căn cước 2023).

``citizen_id_problem`` says in the reader's language which part of a number is wrong, and whether it disagrees with the
person's recorded birth year and gender; the members app (entry, API, import) and the admission app use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chibo.core.data.vn_provinces import PROVINCES

LENGTH = 12
# digit → (first year of the century, female?)
CENTURY_GENDER: dict[str, tuple[int, bool]] = {str(d): (1900 + 100 * (d // 2), d % 2 == 1) for d in range(10)}


@dataclass(frozen=True)
class CitizenId:
    province: str       # the 3-digit code
    female: bool
    birth_year: int
    serial: str

    @property
    def province_name(self) -> str:
        return PROVINCES[self.province][0]


def parse(value: str) -> CitizenId:
    """The parts of a well-formed number (``citizen_id_problem`` returned ""); ValueError otherwise."""
    if len(value) != LENGTH or not value.isascii() or not value.isdigit() or value[:3] not in PROVINCES:
        raise ValueError(f"not a citizen ID: {value!r}")
    century, female = CENTURY_GENDER[value[3]]
    return CitizenId(province=value[:3], female=female, birth_year=century + int(value[4:6]), serial=value[6:])


def make(*, province: str, birth_year: int, female: bool, serial: int) -> str:
    """A well-formed number for these parts (the demo and tests)."""
    century = (birth_year - 1900) // 100
    return f"{province}{2 * century + int(female)}{birth_year % 100:02d}{serial % 10**6:06d}"


def _gender_word(female: bool) -> str:
    return pgettext("gender inside a sentence", "nữ") if female else pgettext("gender inside a sentence", "nam")


def citizen_id_problem(value: str, *, birth_date: date | None = None, female: bool | None = None,
                       today: date | None = None) -> str:
    """What is wrong with ``value`` (spaces already taken out), in one sentence naming the part (the reader's language);
    "" when it is a well-formed citizen ID that agrees with the birth date and gender given (either may be
    unknown: None)."""
    if not value.isascii() or not value.isdigit():
        wrong = next(ch for ch in value if not (ch.isascii() and ch.isdigit()))
        return _("Số CCCD gồm %(length)s chữ số, không có chữ cái hay dấu (có ký tự «%(wrong)s»).") % {
            "length": LENGTH, "wrong": wrong}
    if len(value) == 9:
        return _("Số CMND 9 chữ số đã hết giá trị từ 01/01/2025; hãy nhập số định danh cá nhân 12 chữ số "
                 "ghi trên thẻ căn cước.")
    if len(value) != LENGTH:
        return _("Số CCCD gồm đúng %(length)s chữ số (số vừa nhập có %(count)s chữ số).") % {
            "length": LENGTH, "count": len(value)}
    if value[:3] not in PROVINCES:
        return _("Số CCCD: ba chữ số đầu «%(code)s» phải là mã tỉnh, thành phố nơi đăng ký khai sinh "
                 "(ví dụ 001 Hà Nội, 079 Hồ Chí Minh); không có mã này.") % {"code": value[:3]}
    parts = parse(value)
    if today is not None and parts.birth_year > today.year:
        return _("Số CCCD: chữ số thứ tư «%(digit)s» và hai chữ số năm sinh «%(digits)s» cho năm sinh "
                 "%(year)s, chưa tới.") % {"digit": value[3], "digits": value[4:6], "year": parts.birth_year}
    if female is not None and parts.female != female:
        return _("Số CCCD: chữ số thứ tư «%(digit)s» (thế kỷ và giới tính) ghi %(id_gender)s, nhưng hồ sơ ghi "
                 "giới tính %(gender)s.") % {"digit": value[3], "id_gender": _gender_word(parts.female),
                                              "gender": _gender_word(female)}
    if birth_date is not None and parts.birth_year != birth_date.year:
        if parts.birth_year % 100 == birth_date.year % 100:
            return _("Số CCCD: chữ số thứ tư «%(digit)s» (thế kỷ và giới tính) cho năm sinh %(id_year)s, "
                     "nhưng hồ sơ ghi năm sinh %(year)s.") % {"digit": value[3], "id_year": parts.birth_year,
                                                              "year": birth_date.year}
        return _("Số CCCD: chữ số thứ năm và thứ sáu «%(digits)s» (năm sinh) cho năm %(id_year)s, "
                 "nhưng hồ sơ ghi năm sinh %(year)s.") % {"digits": value[4:6], "id_year": parts.birth_year,
                                                          "year": birth_date.year}
    return ""
