"""The statistics of a subtree over a span of years: each family of figures read from its process's selectors (one
grouped query each, whatever the size of the tree), then laid out as tables (the page, the XLSX) and charts drawn on
the server by ``core.charts``. A family the actor may not read in that unit is left out (None)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.admission.selectors import admitted_per_year
from chibo.core import clock
from chibo.core.access import Actor
from chibo.core.charts import PALETTE, bars_svg, stacked_columns_svg
from chibo.dues.selectors import collection_per_year
from chibo.grading.enums import GRADE_ORDER, Grade
from chibo.grading.selectors import grades_per_year
from chibo.meetings.selectors import regular_meetings_per_year
from chibo.members.selectors import members_at_year_ends
from chibo.transfers.selectors import arrivals_from_outside, transfers_per_year
from chibo.units.selectors import unit_by_path, unit_get

if TYPE_CHECKING:
    from chibo.units.models import Unit

DEFAULT_YEARS = 5  # the span shown when none is asked: the last five years, this one included
EARLIEST = 1930    # the year the Party was founded: no figure can be older
LONGEST = 30       # years in one request at most


class PeriodForm(forms.Form):
    """The unit (its subtree) and the years the statistics cover; the page's filter and the API's query."""

    unit = forms.IntegerField(label=gettext_lazy("Tổ chức"), required=False, min_value=1, max_value=2**31 - 1)
    year_from = forms.IntegerField(label=gettext_lazy("Từ năm"), required=False, min_value=EARLIEST, max_value=9999)
    year_to = forms.IntegerField(label=gettext_lazy("Đến năm"), required=False, min_value=EARLIEST, max_value=9999)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        this_year = clock.today().year
        last = data.get("year_to") or this_year
        first = data.get("year_from") or max(last - DEFAULT_YEARS + 1, EARLIEST)
        if "year_to" in self.errors or "year_from" in self.errors:
            return data
        if last > this_year:
            self.add_error("year_to", _("Năm cuối không thể ở tương lai (năm nay là %(year)s).") % {"year": this_year})
        elif first > last:
            self.add_error("year_from", _("Năm đầu phải trước hoặc bằng năm cuối."))
        elif last - first + 1 > LONGEST:
            self.add_error("year_from", _("Mỗi lần xem tối đa %(n)s năm.") % {"n": LONGEST})
        data["year_from"], data["year_to"] = first, last
        return data


def default_unit(actor: Actor) -> Unit:
    """The top of the actor's scope for members (the first root when there are several); 404 without one."""
    roots = actor.paths_for("members.view")
    unit = unit_by_path(roots[0]) if roots else None
    if unit is None:
        raise Http404(_("Không tìm thấy tổ chức"))
    return unit


def unit_for(actor: Actor, pk: int | None) -> Unit:
    """The unit asked for, within the actor's scope for members (404 otherwise, whether it exists or not)."""
    if pk is None:
        return default_unit(actor)
    unit = unit_get(actor, pk)
    if not actor.can("members.view", unit):
        raise Http404(_("Không tìm thấy tổ chức"))
    return unit


@dataclass
class Figures:
    """The raw figures per year (None: a family the actor may not read in this unit)."""

    unit: Unit
    first: int
    last: int
    members: dict[int, tuple[int, int]] | None = None          # year → (full, probationary) at the year's end
    admissions: dict[int, int] | None = None                    # year → admitted
    transfers: dict[int, tuple[int, int]] | None = None         # year → (in, out)
    meetings: dict[int, tuple[int, int]] | None = None          # year → (due, held)
    dues: dict[tuple[int, str], tuple[Decimal, Decimal]] | None = None  # (year, currency) → (due, collected)
    grades: dict[int, dict[str, int]] | None = None             # year → grade → members

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))


def figures(actor: Actor, unit: Unit, first: int, last: int) -> Figures:
    """Every family the actor may read in ``unit``: about eight queries in all, however many units and years."""
    out = Figures(unit=unit, first=first, last=last)
    if actor.can("members.view", unit):
        out.members = members_at_year_ends(actor, unit, first, last, arrivals=arrivals_from_outside())
        out.transfers = transfers_per_year(actor, unit, first, last)
    if actor.can("admission.view", unit):
        out.admissions = admitted_per_year(actor, unit, first, last)
    if actor.can("meetings.view", unit):
        out.meetings = regular_meetings_per_year(actor, unit, first, last)
    if actor.can("dues.view", unit):
        out.dues = collection_per_year(actor, unit, first, last)
    if actor.can("grading.view", unit):
        out.grades = grades_per_year(actor, unit, first, last)
    return out


def rate(part: int | Decimal, whole: int | Decimal) -> int | None:
    """``part`` as a whole percentage of ``whole`` (None when nothing was due)."""
    return round(100 * part / whole) if whole else None


@dataclass
class Table:
    """One family as the page, the XLSX and the chart show it: a first column naming the row (the year), numbers
    after; ``totals`` add up the rows (none for a count at a year's end, which does not add up)."""

    key: str
    title: str
    help: str
    columns: list[str]
    rows: list[list[Any]]
    totals: list[list[Any]] = field(default_factory=list)
    svg: SafeString = SafeString("")


def _svg(text: str) -> SafeString:
    return mark_safe(text)  # noqa: S308  (every label is escaped by core.charts)


def _members(f: Figures, data: dict[int, tuple[int, int]]) -> Table:
    full, prob = _("Chính thức"), _("Dự bị")
    svg = stacked_columns_svg([(str(y), {"full": data[y][0], "prob": data[y][1]}) for y in f.years],
                              [("full", full, PALETTE[0]), ("prob", prob, PALETTE[1])],
                              aria=_("Đảng viên cuối mỗi năm"))
    return Table("members", _("Đảng viên cuối mỗi năm"),
                 _("Đảng viên trong danh sách ngày 31/12 của mỗi năm (năm nay: đến hôm nay), tính ở chi bộ đảng "
                   "viên sinh hoạt ngày đó, với tình trạng ngày đó; chính thức kể cả đảng viên miễn công tác hoặc "
                   "đình chỉ sinh hoạt."),
                 [_("Năm"), full, prob, _("Tổng số")],
                 [[y, data[y][0], data[y][1], sum(data[y])] for y in f.years], svg=_svg(svg))


def _admissions(f: Figures, data: dict[int, int]) -> Table:
    label = _("Kết nạp")
    svg = stacked_columns_svg([(str(y), {"n": data[y]}) for y in f.years], [("n", label, PALETTE[2])],
                              aria=_("Kết nạp đảng viên mới theo năm"))
    rows = [[y, data[y]] for y in f.years]
    return Table("admissions", _("Kết nạp đảng viên mới theo năm"),
                 _("Người được kết nạp (đã làm lễ kết nạp) trong năm."), [_("Năm"), label], rows,
                 [[_("Tổng"), sum(r[1] for r in rows)]], _svg(svg))


def _transfers(f: Figures, data: dict[int, tuple[int, int]]) -> Table:
    came, went = _("Chuyển đến"), _("Chuyển đi")
    bars = [(f"{y} · {label}", data[y][i]) for y in f.years for i, label in ((0, came), (1, went))]
    rows = [[y, data[y][0], data[y][1]] for y in f.years]
    return Table("transfers", _("Chuyển sinh hoạt đến và đi theo năm"),
                 _("Đảng viên đã đến sinh hoạt ở nơi mới trong năm, qua ranh giới của tổ chức này (chuyển giữa các "
                   "chi bộ bên trong không tính)."), [_("Năm"), came, went], rows,
                 [[_("Tổng"), sum(r[1] for r in rows), sum(r[2] for r in rows)]],
                 _svg(bars_svg(bars, aria=_("Chuyển sinh hoạt đến và đi theo năm"), colour=PALETTE[5])))


def _meetings(f: Figures, data: dict[int, tuple[int, int]]) -> Table:
    rows: list[list[Any]] = [[y, data[y][0], data[y][1], rate(data[y][1], data[y][0])] for y in f.years]
    due, held = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Table("meetings", _("Sinh hoạt thường kỳ: đã họp so với phải họp"),
                 _("Mỗi chi bộ phải sinh hoạt thường kỳ mỗi tháng (từ tháng thành lập, đến tháng hiện tại); đã họp: "
                   "số tháng chi bộ đã họp thường kỳ hoặc kết hợp, tháng tính theo giờ nơi họp."),
                 [_("Năm"), _("Phải họp"), _("Đã họp"), _("Tỷ lệ (%)")], rows,
                 [[_("Tổng"), due, held, rate(held, due)]],
                 _svg(bars_svg([(str(r[0]), r[3] or 0) for r in rows], aria=_("Tỷ lệ sinh hoạt thường kỳ (%)"),
                               colour=PALETTE[0])))


def _dues(f: Figures, data: dict[tuple[int, str], tuple[Decimal, Decimal]]) -> Table:
    rows: list[list[Any]] = [[y, cur, due, got, rate(got, due)] for (y, cur), (due, got) in sorted(data.items())]
    totals = []
    for cur in sorted({cur for _y, cur in data}):
        due = sum((r[2] for r in rows if r[1] == cur), Decimal(0))
        got = sum((r[3] for r in rows if r[1] == cur), Decimal(0))
        totals.append([_("Tổng"), cur, due, got, rate(got, due)])
    bars = [(f"{r[0]} · {r[1]}", r[4] or 0) for r in rows]
    return Table("dues", _("Thu đảng phí: đã thu so với phải thu"),
                 _("Mỗi đồng tiền tính riêng, không quy đổi. Phải thu: các tháng của năm; đã thu: số đã nộp trong năm "
                   "(trừ các khoản hủy)."), [_("Năm"), _("Đồng tiền"), _("Phải thu"), _("Đã thu"), _("Tỷ lệ (%)")],
                 rows, totals, _svg(bars_svg(bars, aria=_("Tỷ lệ thu đảng phí (%)"), colour=PALETTE[4])))


def _grades(f: Figures, data: dict[int, dict[str, int]]) -> Table:
    order = [(g.value, str(Grade(g).label), PALETTE[i]) for i, g in enumerate(GRADE_ORDER)]
    rows = [[y, *[data[y].get(g, 0) for g, _l, _c in order], sum(data[y].values())] for y in f.years]
    totals = [[_("Tổng"), *[sum(r[i] for r in rows) for i in range(1, len(order) + 2)]]]
    svg = stacked_columns_svg([(str(y), data[y]) for y in f.years], order, aria=_("Xếp loại đảng viên theo năm"))
    return Table("grades", _("Xếp loại đảng viên theo năm"),
                 _("Kết quả xếp loại chất lượng đảng viên đã quyết định trong kỳ kiểm điểm năm."),
                 [_("Năm"), *[label for _g, label, _c in order], _("Tổng số")], rows, totals, _svg(svg))


def tables(f: Figures) -> list[Table]:
    out = []
    if f.members is not None:
        out.append(_members(f, f.members))
    if f.admissions is not None:
        out.append(_admissions(f, f.admissions))
    if f.transfers is not None:
        out.append(_transfers(f, f.transfers))
    if f.meetings is not None:
        out.append(_meetings(f, f.meetings))
    if f.dues is not None:
        out.append(_dues(f, f.dues))
    if f.grades is not None:
        out.append(_grades(f, f.grades))
    return out
