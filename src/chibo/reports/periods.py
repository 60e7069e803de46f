"""Report periods: a kind (month, quarter, half-year, year), a year and its number within the year, written as a
short code ("2026-Q1", "2026-M03", "2026-H2", "2026")."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from chibo.core.said import Said, said
from chibo.reports.enums import PeriodKind

MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
COUNT = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF: 2, PeriodKind.YEAR: 1}
ROMAN = ("I", "II", "III", "IV")
_CODE = re.compile(r"^(\d{4})(?:-(M|Q|H)(\d{1,2}))?$")
_LETTER = {"M": PeriodKind.MONTH, "Q": PeriodKind.QUARTER, "H": PeriodKind.HALF}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int = 1

    @property
    def start(self) -> date:
        return date(self.year, (self.index - 1) * MONTHS[PeriodKind(self.kind)] + 1, 1)

    @property
    def end(self) -> date:
        month = self.index * MONTHS[PeriodKind(self.kind)]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def months(self) -> int:
        return MONTHS[PeriodKind(self.kind)]

    @property
    def code(self) -> str:
        letter = {v: k for k, v in _LETTER.items()}.get(PeriodKind(self.kind))
        if letter is None:
            return str(self.year)
        return f"{self.year}-{letter}{self.index:02d}" if letter == "M" else f"{self.year}-{letter}{self.index}"

    @property
    def label(self) -> str:
        """As the reader's language says it ("Quý I năm 2026")."""
        return str(self.said)

    @property
    def said(self) -> Said:
        """The period's name as a notification keeps it, said in each reader's language (``core.said``)."""
        kind = PeriodKind(self.kind)
        if kind == PeriodKind.MONTH:
            return said("Tháng %(month)s năm %(year)s", month=f"{self.index:02d}", year=self.year)
        if kind == PeriodKind.QUARTER:
            return said("Quý %(quarter)s năm %(year)s", quarter=ROMAN[self.index - 1], year=self.year)
        if kind == PeriodKind.HALF:
            return (said("Sáu tháng đầu năm %(year)s", year=self.year) if self.index == 1
                    else said("Sáu tháng cuối năm %(year)s", year=self.year))
        return said("Năm %(year)s", year=self.year)

    @property
    def label_vi(self) -> str:
        """In Vietnamese whatever the reader's language: the words of a report document and of a stored
        notification."""
        with translation.override("vi"):
            return self.label

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, COUNT[PeriodKind(self.kind)])


def parse(code: str) -> Period:
    """The period of a code; ``ValueError`` with a sentence for a reader when it is not one."""
    found = _CODE.match(str(code or "").strip().upper())
    if not found:
        raise ValueError(_("Kỳ báo cáo không hợp lệ; ví dụ: 2026-Q1 (quý), 2026-M03 (tháng), 2026-H1 (sáu tháng), "
                           "2026."))
    year, letter, number = int(found[1]), found[2], int(found[3] or 1)
    kind = _LETTER[letter] if letter else PeriodKind.YEAR
    if not 2000 <= year <= 2100 or not 1 <= number <= COUNT[kind]:
        raise ValueError(_("Kỳ báo cáo không hợp lệ: năm hoặc số thứ tự của kỳ ngoài giới hạn."))
    return Period(str(kind), year, number)


def of_kind(kind: str, start: date) -> Period:
    """The period of ``kind`` that begins on ``start``."""
    return Period(kind, start.year, (start.month - 1) // MONTHS[PeriodKind(kind)] + 1)


def last_ended(kind: str, today: date) -> Period:
    """The latest period of ``kind`` that has ended by ``today``."""
    current = of_kind(kind, date(today.year, today.month, 1))
    return current if current.end < today else current.previous()
