"""The figures of a report, computed from live data for a unit's subtree and a period through the other processes'
public selectors (docs/domain.md §14). Each figure has a key (kept in a template and in a frozen snapshot), a
Vietnamese name and its definition. Values are whole numbers, except the dues collected: one figure per currency
(``dues_collected.EUR``), an amount in that currency written as a decimal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from chibo.core.access import Actor, subtree_q
from chibo.core.said import Said, said, said_term
from chibo.discipline.selectors import cases_visible as discipline_cases
from chibo.dues.selectors import collected
from chibo.grading.enums import Grade
from chibo.grading.selectors import grades_decided
from chibo.inspection.selectors import cases_visible as inspection_cases
from chibo.library.selectors import reads_between
from chibo.meetings.selectors import held_by_kind_stored, meetings_visible
from chibo.members.enums import ACTIVE_STATUSES, Category, Status
from chibo.members.selectors import MemberFilters, active_in_subtree, member_search, members_visible
from chibo.reports import live
from chibo.transfers.selectors import transfers_across_stored, transfers_visible
from chibo.units.selectors import cells_open_stored, subtree_units


@dataclass(frozen=True)
class Figure:
    """A figure's name and definition as said (``core.said``): in Vietnamese on the report's paper (``label``,
    ``definition``), in the reader's language on the pages and in the API (``shown_label``, ``shown_definition``)."""

    key: str
    said_label: Said
    said_definition: Said

    @property
    def label(self) -> str:
        return self.said_label.in_source()

    @property
    def definition(self) -> str:
        return self.said_definition.in_source()

    @property
    def shown_label(self) -> str:
        return str(self.said_label)

    @property
    def shown_definition(self) -> str:
        return str(self.said_definition)


def _status(s: Status) -> Figure:
    return Figure(f"members.{s.value}", said("Đảng viên %(status)s", status=said_term(s.label, lower=True)),
                  said("Số đảng viên có tình trạng «%(status)s» trong danh sách của tổ chức và các tổ chức trực "
                       "thuộc, tại ngày lập báo cáo.", status=said_term(s.label)))


def _grade(g: Grade) -> Figure:
    return Figure(f"grades.{g.value}", said("Xếp loại: %(grade)s", grade=said_term(g.label)),
                  said("Số đảng viên trong phạm vi báo cáo được quyết định (hoặc điều chỉnh) xếp loại trong kỳ, đang "
                       "ở mức «%(grade)s».", grade=said_term(g.label)))


def _category(c: Category) -> Figure:
    return Figure(f"category.{c.value}", said("Diện: %(category)s", category=said_term(c.label)),
                  said("Số đảng viên đang sinh hoạt thuộc diện «%(category)s», tại ngày lập báo cáo.",
                       category=said_term(c.label)))


MEMBERS = Figure("members.total", said("Tổng số đảng viên đang sinh hoạt"),
                 said("Đảng viên chính thức, dự bị, miễn công tác và sinh hoạt, đình chỉ sinh hoạt trong danh sách của "
                      "tổ chức và các tổ chức trực thuộc, tại ngày lập báo cáo. Bằng tổng các dòng theo tình trạng, "
                      "và bằng tổng các dòng theo diện."))
FIGURES: tuple[Figure, ...] = (
    MEMBERS,
    *(_status(s) for s in ACTIVE_STATUSES),
    *(_category(c) for c in Category),
    Figure("members.alone", said("Đảng viên sinh hoạt đơn lẻ"),
           said("Đảng viên đang sinh hoạt ghi trực tiếp trong danh sách của đảng ủy cấp trên (ở nơi chưa có chi bộ).")),
    Figure("admission.admitted", said("Kết nạp đảng viên mới"), said("Số đảng viên có ngày vào Đảng trong kỳ.")),
    Figure("admission.confirmed", said("Công nhận đảng viên chính thức"),
           said("Số đảng viên có ngày chính thức trong kỳ.")),
    Figure("transfers.in", said("Tiếp nhận sinh hoạt đảng"),
           said("Số lượt chuyển sinh hoạt đến một tổ chức trong phạm vi báo cáo từ nơi ngoài phạm vi, nơi đến nhận "
                "giấy trong kỳ.")),
    Figure("transfers.out", said("Chuyển sinh hoạt đi"),
           said("Số lượt chuyển sinh hoạt từ một tổ chức trong phạm vi báo cáo đến nơi ngoài phạm vi, giấy giới thiệu "
                "cấp trong kỳ (không tính lượt đã hủy).")),
    Figure("meetings.held", said("Cuộc sinh hoạt thường kỳ đã họp"),
           said("Số cuộc sinh hoạt thường kỳ (kể cả kết hợp chuyên đề) đã họp trong kỳ của các chi bộ trong phạm vi "
                "báo cáo.")),
    Figure("meetings.due", said("Cuộc sinh hoạt thường kỳ phải họp"),
           said("Mỗi chi bộ đang hoạt động sinh hoạt thường kỳ mỗi tháng một lần: số chi bộ (tổ chức không có tổ "
                "chức trực thuộc) đang hoạt động cuối kỳ nhân số tháng của kỳ.")),
    Figure("meetings.other", said("Cuộc sinh hoạt chuyên đề, bất thường"),
           said("Số cuộc sinh hoạt chuyên đề hoặc bất thường đã họp trong kỳ.")),
    Figure("discipline.opened", said("Vụ xem xét kỷ luật mở trong kỳ"),
           said("Số vụ xem xét kỷ luật do tổ chức đảng trong phạm vi báo cáo mở trong kỳ.")),
    Figure("inspection.opened", said("Cuộc kiểm tra khi có dấu hiệu vi phạm mở trong kỳ"),
           said("Số cuộc kiểm tra do tổ chức đảng trong phạm vi báo cáo quyết định trong kỳ.")),
    *(_grade(g) for g in Grade),
    Figure("library.read", said("Lượt đọc tài liệu"),
           said("Số lượt đảng viên trong phạm vi báo cáo mở đọc lần đầu một tài liệu của thư viện trong kỳ (mỗi "
                "người, mỗi tài liệu một lượt).")),
    Figure("dues_collected", said("Đảng phí thu được"),
           said("Tổng số tiền đảng phí đã thu trong kỳ của các chi bộ trong phạm vi báo cáo, theo từng loại tiền (trừ "
                "các khoản đã hoàn lại).")),
)
BY_KEY = {f.key: f for f in FIGURES}
KEYS = tuple(f.key for f in FIGURES)
DUES = "dues_collected"


def label_of(key: str, *, shown: bool = False) -> str:
    """The name of a figure, for a dues amount with its currency: in Vietnamese (the report's paper), or ``shown``
    in the reader's language."""
    if key.startswith(DUES + "."):
        return f"{label_of(DUES, shown=shown)} ({key.split('.', 1)[1]})"
    found = BY_KEY.get(key)
    if found is None:
        return key
    return found.shown_label if shown else found.label


def definition_of(key: str, *, shown: bool = False) -> str:
    found = BY_KEY.get(key.split(".", 1)[0] if key.startswith(DUES + ".") else key)
    if found is None:
        return ""
    return found.shown_definition if shown else found.definition


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def compute(actor: Actor, unit, first: date, last: date, keys: Iterable[str] = KEYS, *,
            counters: bool = False) -> dict[str, str]:
    """The figures ``keys`` of ``unit``'s subtree for the period ``first``–``last``, read in the actor's scope, as
    strings (whole numbers; dues amounts as decimals, one per currency). ``counters`` (the roll-up's live column of
    a large subtree): today's members by status and category from the per-unit counters (members.counters, kept by
    every writer of a member) rather than the member rows (a report's own figures), and the members, meetings,
    transfers and cells read from the stored rows of ``reports.live`` where stored (the same figures, exact)."""
    wanted = set(keys)
    out: dict[str, int | Decimal] = {}
    in_subtree = subtree_q([unit.path], "unit__path")
    counting = wanted & {MEMBERS.key, *(f"members.{s}" for s in ACTIVE_STATUSES), *(f"category.{c}" for c in Category)}
    admissions = "admission.admitted" in wanted or "admission.confirmed" in wanted
    stored = (live.members_now(actor, unit) or active_in_subtree(actor, unit)) if counting and counters else None
    if stored is not None:
        # The counters of the subtree's units: today's rolls without reading the member rows.
        out[MEMBERS.key] = sum(stored[f"status_{s}"] for s in ACTIVE_STATUSES)
        for s in ACTIVE_STATUSES:
            out[f"members.{s}"] = stored[f"status_{s}"]
        for c in Category:
            out[f"category.{c}"] = stored[f"cat_{c}"]
        counting = set()
    if admissions and not counting:
        # Admitted and confirmed in the period: the records dated then (indexes on both days).
        visible = members_visible(actor).filter(in_subtree)
        out["admission.admitted"] = visible.filter(admission_date__range=(first, last)).count()
        out["admission.confirmed"] = visible.filter(confirmation_date__range=(first, last)).count()
    elif counting or admissions:
        # One pass over the subtree's records: on the rolls by status and category, and everyone admitted or
        # confirmed in the period.
        rows = list(members_visible(actor).filter(in_subtree).values_list("status", "category")
                    .annotate(n=Count("pk"), admitted=Count("pk", filter=Q(admission_date__range=(first, last))),
                              confirmed=Count("pk", filter=Q(confirmation_date__range=(first, last))))
                    .order_by())
        active = [(st, ca, n) for st, ca, n, _a, _c in rows if st in ACTIVE_STATUSES]
        if counting:
            out[MEMBERS.key] = sum(n for _s, _c, n in active)
            for s in ACTIVE_STATUSES:
                out[f"members.{s}"] = sum(n for st, _c, n in active if st == s)
            for c in Category:
                out[f"category.{c}"] = sum(n for _s, ca, n in active if ca == c)
        if admissions:
            out["admission.admitted"] = sum(a for *_x, a, _c in rows)
            out["admission.confirmed"] = sum(c for *_x, c in rows)
    if "members.alone" in wanted:
        out["members.alone"] = member_search(actor, MemberFilters(unit=unit, active_only=True, solitary=True)).count()
    across = (transfers_across_stored(actor, unit, first, last)
              if counters and ("transfers.in" in wanted or "transfers.out" in wanted) else None)
    if across is not None:
        out["transfers.in"], out["transfers.out"] = across
    elif "transfers.in" in wanted or "transfers.out" in wanted:
        transfers = transfers_visible(actor).exclude(state="cancelled")
        to_inside, from_inside = subtree_q([unit.path], "to_unit__path"), subtree_q([unit.path], "from_unit__path")
        out["transfers.in"] = (transfers.filter(to_inside, received_on__range=(first, last))
                               .exclude(from_inside).count())
        out["transfers.out"] = (transfers.filter(from_inside, issued_on__range=(first, last))
                                .exclude(to_inside).count())
    if wanted & {"meetings.held", "meetings.other"}:
        kinds = held_by_kind_stored(actor, unit, first, last) if counters else None
        if kinds is None:
            held = (meetings_visible(actor).filter(in_subtree, state="held", starts_at__gte=_aware(first),
                                                   starts_at__lt=_aware(last + timedelta(1)))
                    .values_list("kind").annotate(n=Count("pk")).order_by())
            by_kind = dict(held)
            kinds = (by_kind.get("regular", 0) + by_kind.get("combined", 0),
                     by_kind.get("thematic", 0) + by_kind.get("extraordinary", 0))
        out["meetings.held"], out["meetings.other"] = kinds
    if "meetings.due" in wanted:
        cells = cells_open_stored(unit, last) if counters else None
        if cells is None:
            units = subtree_units([unit.path]).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=last),
                                                      opened_on__lte=last)
            cells = units.exclude(pk__in=units.filter(parent__isnull=False).values("parent_id")).count()
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        out["meetings.due"] = cells * months
    if "discipline.opened" in wanted:
        out["discipline.opened"] = (discipline_cases(actor).filter(subtree_q([unit.path], "deciding_unit__path"),
                                                                   opened_on__range=(first, last)).count())
    if "inspection.opened" in wanted:
        out["inspection.opened"] = inspection_cases(actor).filter(in_subtree, opened_on__range=(first, last)).count()
    if any(k.startswith("grades.") for k in wanted):
        decided = grades_decided(actor, unit, first, last)
        for g in Grade:
            out[f"grades.{g.value}"] = decided.get(g.value, 0)
    if "library.read" in wanted:
        out["library.read"] = reads_between(actor, unit, first, last)
    if DUES in wanted:
        totals: dict[str, Decimal] = {}
        paid = collected(subtree_units([unit.path]), first, date(last.year, last.month, 1))
        for (_unit, currency), amount in paid.items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
        for currency, amount in sorted(totals.items()):
            out[f"{DUES}.{currency}"] = amount
    return {k: str(v) for k, v in out.items() if k in wanted or k.startswith(DUES + ".")}


def ordered(values: dict[str, str], keys: Iterable[str] = KEYS, *,
            shown: bool = False) -> list[tuple[str, str, str]]:
    """(key, name, value) in the template's order, a dues amount per currency where the template names the dues; the
    names in Vietnamese, or ``shown`` in the reader's language."""
    rows = []
    for key in keys:
        if key == DUES:
            rows += [(k, label_of(k, shown=shown), v) for k, v in sorted(values.items()) if k.startswith(DUES + ".")]
        elif key in values:
            rows.append((key, label_of(key, shown=shown), values[key]))
    return rows


def add(totals: dict[str, Decimal], values: dict[str, str]) -> None:
    for key, value in values.items():
        totals[key] = totals.get(key, Decimal(0)) + Decimal(value)
