"""Reads of member records, always through the actor's scope (design principle 4)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import add
from typing import TYPE_CHECKING, Any, overload

from django.contrib.postgres.fields import ArrayField
from django.core.paginator import Page
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.access import PATH_END, PATH_STEP, Actor, subtree_q
from chibo.core.audit import audit
from chibo.core.calendar import add_months
from chibo.core.countries import country_name
from chibo.core.crypto import blind_index
from chibo.core.paging import PagedInDatabase
from chibo.core.text import clean, fold
from chibo.core.yearly import path_ids, runs
from chibo.members import timeline, yearly
from chibo.members.counters import CATEGORY_COLUMNS, COLUMNS, MEMBERS_NOW, STATUS_COLUMNS
from chibo.members.models import (
    ACTIVE_STATUSES,
    FULL_STATUSES,
    Category,
    CommitteePost,
    Member,
    MembersNowStored,
    PostRole,
    Status,
    TimelineEvent,
    TimelineKind,
    UnitMemberCount,
)
from chibo.units.selectors import subtree_units, units_by_path, units_with

if TYPE_CHECKING:
    from chibo.units.models import Unit

SORTS = {
    "name": ("name_sort", "pk"),
    "-name": ("-name_sort", "-pk"),
    "admission": ("admission_date", "pk"),
    "-admission": ("-admission_date", "-pk"),
    "birth": ("birth_date", "pk"),
    "-birth": ("-birth_date", "-pk"),
    "unit": ("unit__sort_key", "name_sort", "pk"),
}


def scope_units(actor: Actor) -> QuerySet[Unit] | None:
    """Units whose members the actor may read; None when the actor sees the whole tree."""
    if actor.sees_whole_tree():
        return None
    return units_with(actor, "members.view")


def members_visible(actor: Actor) -> QuerySet[Member]:
    units = scope_units(actor)
    if units is None:
        return Member.objects.all()
    q = Q(unit__in=units.values("pk"))
    # Add the actor's own record only when the scope misses it: an OR here keeps PostgreSQL from
    # using the unit index at national scale (a full scan of millions of rows).
    if actor.member_id and not Member.objects.filter(pk=actor.member_id, unit__in=units.values("pk")).exists():
        q |= Q(pk=actor.member_id)
    return Member.objects.filter(q)


@dataclass
class MemberFilters:
    q: str = ""
    unit: Unit | None = None  # a subtree root
    status: str = ""
    category: str = ""
    country: str = ""
    sort: str = "name"
    active_only: bool = False
    solitary: bool = False  # only members alone abroad: on the rolls of a root (upper) committee itself


# The status filter of the member list (page, export and API): nothing chosen counts the members on the rolls
# (ACTIVE_STATUSES), as the dashboard, the home page and the unit pages do; ALL_STATUSES every record.
ALL_STATUSES = "all"


def status_filter(value: str) -> tuple[str, bool]:
    """(status, active_only) of MemberFilters for the list's status choice: "" → the members on the rolls,
    "all" → every status, a status → that status."""
    if value == ALL_STATUSES:
        return "", False
    return value, not value


# A name search ranks every match in full (exact name, then its beginning, then every word of the search starting a
# word of the name, then the rest) while there are at most this many; past it the search is a common one: the
# names equal to it or beginning with it and the first matches the index finds are ranked, and the page says "more
# than this many" (narrow the search to see the rest).
SEARCH_CANDIDATES = 5000
SEARCH_WORDS = 5


@dataclass
class Found:
    """What a member search found: the rows in order, and how many when that is known without counting them all.

    ``listed`` is what a page of the list reads: for a name search sorted by name, the matches ranked here, a page's
    rows read by their ids (the ranking reads a few columns of each candidate with the query that finds it, so the
    thousands of candidates are not read again to sort them); otherwise ``rows`` itself."""

    rows: QuerySet[Member]
    count: int | None = None
    over: bool = False  # more than SEARCH_CANDIDATES matches of a name search
    ranked: RankedRows | None = None

    @property
    def listed(self) -> QuerySet[Member] | RankedRows:
        return self.ranked if self.ranked is not None else self.rows


class RankedRows(Sequence[Member]):
    """Members in a known order of ids, as a list a paginator pages: each slice's rows read by id, units with them."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def count(self, value: Any = None) -> int:  # Paginator counts with count() when an object list has one
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Member: ...

    @overload
    def __getitem__(self, index: slice) -> list[Member]: ...

    def __getitem__(self, index: int | slice) -> Member | list[Member]:
        if isinstance(index, int):
            return self[index:index + 1 or None][0]
        wanted = self.ids[index]
        found = Member.objects.select_related("unit").in_bulk(wanted)
        return [found[pk] for pk in wanted if pk in found]


def search_words(text: str) -> list[str]:
    """The words of a name search, folded (no diacritics, đ as d): letters and digits only, at most five, so that
    punctuation and wildcards (%, _) never reach the query."""
    return re.findall(r"[^\W_]+", fold(text))[:SEARCH_WORDS]


def _starts_a_word(word: str) -> Q:
    return Q(name_search__startswith=word) | Q(name_search__contains=" " + word)


def member_find(actor: Actor, filters: MemberFilters) -> Found:
    """Scoped search. ``q`` ignores diacritics and đ/d; a word of one or two letters matches the start of a word of
    the name (the name index can find those), a longer one any part of it. Exact-diacritic matches rank first."""
    qs = members_visible(actor).select_related("unit")
    if filters.unit is not None and filters.solitary:
        # On the rolls of the top of the tree: in a subtree only its root can be, when it is the top itself.
        qs = qs.filter(unit=filters.unit) if filters.unit.depth == 0 else qs.none()
    elif filters.unit is not None:
        qs = qs.filter(unit__in=subtree_units([filters.unit.path]).values("pk"))
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif filters.active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.country:
        qs = qs.filter(unit__country=filters.country.upper())
    if filters.solitary and filters.unit is None:
        qs = qs.filter(unit__depth=0)
    order = list(SORTS.get(filters.sort, SORTS["name"]))
    text = clean(filters.q)[:100]
    if not text:
        return Found(qs.order_by(*order))
    words = search_words(text)
    if not words:
        return Found(qs.none(), count=0)
    folded = " ".join(words)
    columns = ("pk", "name_lower", "name_search", "name_sort")  # what ranks a candidate
    # The names beginning with the search first (equal ones included), from the name's own index: a short range.
    begins = list(qs.filter(name_search__startswith=folded).order_by().values_list(*columns)
                  [:SEARCH_CANDIDATES + 1])
    over = len(begins) > SEARCH_CANDIDATES
    if over:
        # A common name: more names begin with it than are ranked, so every match of a lower rank would come after
        # the rows shown. The names equal to it (in any number up to the limit) and those beginning with it are
        # ranked; the trigram index, which would gather millions of matches for such a search, is not asked.
        same = list(qs.filter(name_search=folded).order_by().values_list(*columns)[:SEARCH_CANDIDATES])
        candidates = [*same, *begins[:SEARCH_CANDIDATES]]
    else:
        matched = qs
        for word in words:
            matched = matched.filter(_starts_a_word(word) if len(word) < 3 else Q(name_search__contains=word))
        candidates = list(matched.order_by().values_list(*columns)[:SEARCH_CANDIDATES + 1])
        over = len(candidates) > SEARCH_CANDIDATES
        if over:
            # A common search (its words in many names, few beginning with it): the names beginning with it, then
            # the first matches the trigram index found, ranked as below. Listing every match in name order would
            # let PostgreSQL walk the name index through millions of rows.
            candidates = [*begins, *candidates[:SEARCH_CANDIDATES]]
    exact = text.lower()
    unique = list({row[0]: row for row in candidates}.values())
    ids = [row[0] for row in unique]
    every_word_starts = Q()
    for word in words:
        every_word_starts &= _starts_a_word(word)
    # The units of the rows shown fetched apart (one query for a page): joined here, PostgreSQL would join every
    # candidate to its unit before sorting them and keeping a page.
    ranked = Member.objects.filter(pk__in=ids).prefetch_related("unit").annotate(
        rank=Case(
            When(name_lower=exact, then=Value(0)),
            When(name_lower__startswith=exact, then=Value(1)),
            When(name_search__startswith=folded, then=Value(2)),
            When(every_word_starts, then=Value(3)),
            When(name_lower__contains=exact, then=Value(4)),
            default=Value(5),
            output_field=IntegerField(),
        )
    ).order_by("rank", *order)
    by_name = None
    if filters.sort in ("name", "-name", ""):  # the same order, ranked here from the columns read with the ids
        # By name and id (Z to A for "-name"), then by rank: the sort is stable, so each rank keeps the name order.
        by_sort = sorted(unique, key=lambda row: (row[3], row[0]), reverse=filters.sort == "-name")
        keyed = sorted(by_sort, key=lambda row: _rank(row[1], row[2], exact, folded, words))
        by_name = RankedRows([row[0] for row in keyed])
    return Found(ranked, count=None if over else len(ids), over=over, ranked=by_name)


def _rank(name_lower: str, name_search: str, exact: str, folded: str, words: list[str]) -> int:
    """The rank ``member_find``'s ranked rows give a name, computed the same way: the name as written, its beginning,
    the beginning of the folded name, every word of the search starting a word of the name, anywhere."""
    if name_lower == exact:
        return 0
    if name_lower.startswith(exact):
        return 1
    if name_search.startswith(folded):
        return 2
    if all(name_search.startswith(w) or " " + w in name_search for w in words):
        return 3
    return 4 if exact in name_lower else 5


def member_search(actor: Actor, filters: MemberFilters) -> QuerySet[Member]:
    """The rows of ``member_find`` (exports, lists)."""
    return member_find(actor, filters).rows


def member_search_count(actor: Actor, filters: MemberFilters) -> int | None:
    """The exact number of rows ``member_search`` finds, from the per-unit counters (members.counters) when the
    filters are ones they hold (the members on the rolls of a subtree the actor sees whole, by status or by category;
    no name, country or alone-abroad filter); None otherwise (the caller counts rows, bounded: core.paging)."""
    if filters.q.strip() or filters.country or filters.solitary or not (filters.active_only or filters.status):
        return None
    if filters.status and (filters.status not in STATUS_COLUMNS or filters.category):
        return None
    if filters.unit is not None:
        counts = active_in_subtree(actor, filters.unit)
    elif actor.sees_whole_tree():
        row = UnitMemberCount.objects.aggregate(**{col: Sum(col) for col in COLUMNS})
        counts = {col: row[col] or 0 for col in COLUMNS}
    else:
        return None
    if counts is None:
        return None
    if filters.status:
        return counts[STATUS_COLUMNS[filters.status]]
    if filters.category:
        return counts[CATEGORY_COLUMNS[filters.category]] if filters.category in CATEGORY_COLUMNS else None
    return sum(counts[col] for col in STATUS_COLUMNS.values())


def found_count(actor: Actor, filters: MemberFilters, found: Found) -> dict:
    """What is known of the number of rows ``found`` holds, as core.paging.BoundedPaginator takes it: the exact
    count (from the name search, or from the counters), or that a name search matched more than
    SEARCH_CANDIDATES; nothing when the rows must be counted (bounded)."""
    if found.over:
        return {"over": True, "cap": SEARCH_CANDIDATES}
    known = found.count if found.count is not None else member_search_count(actor, filters)
    return {"known_count": known} if known is not None else {}


def member_get(actor: Actor, pk: int | str) -> Member:
    """One member within scope, or 404 (never 403: no existence leak)."""
    try:
        return members_visible(actor).select_related("unit").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy đảng viên")) from exc


def member_read_full(actor: Actor, pk: int | str) -> Member:
    """The full record for display; the read itself is audited."""
    member = member_get(actor, pk)
    audit(actor=actor, action="member.viewed", obj=member, unit=member.unit_id)
    return member


def member_timeline(member: Member, *, kind: str = "", process: str = "") -> QuerySet[TimelineEvent]:
    """The member's timeline, newest first; only one event type (``kind``) or one process's types."""
    qs = member.timeline.select_related("unit").order_by("-occurred_on", "-pk")
    if kind:
        qs = qs.filter(kind=kind)
    elif process:
        qs = qs.filter(kind__in=[t.kind for t in timeline.event_types(process)])
    return qs


def timeline_entries(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Events with their ``label`` and ``text`` made now, in the reader's language."""
    out = list(events)
    for e in out:
        e.label, e.text = timeline.label(e.kind), timeline.describe(e)
    return out


def timeline_kinds(member: Member) -> list[tuple[str, str]]:
    """(type, label) of the event types on this member's timeline, for the filter."""
    kinds = member.timeline.order_by().values_list("kind", flat=True).distinct()
    return sorted(((k, timeline.label(k)) for k in kinds), key=lambda pair: pair[1])


def member_by_citizen_id(actor: Actor, citizen_id: str) -> Member | None:
    digest = blind_index(citizen_id)
    if not digest:
        return None
    return members_visible(actor).filter(citizen_id_hash=digest).first()


DASHBOARD_UNIT_ROWS = 50  # per page of the per-unit table


@dataclass
class Dashboard:
    total: int
    by_status: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int]]
    # This page of the per-unit table: (unit, full, probationary), each counting the unit's whole subtree.
    by_unit: list[tuple[Unit, int, int]]
    by_country: list[tuple[str, str, int]]
    # Members alone abroad, on the upper committee's own rolls (it guides them directly); None when the
    # upper committee is outside the actor's scope.
    solitary: int | None = None
    # The unit whose children the table lists (None: the top of the actor's scope) and, under it,
    # (full, probationary) on that unit's own rolls; ``up``: the focus's parent when it is in scope.
    focus: Unit | None = None
    focus_own: tuple[int, int] | None = None
    up: int | None = None
    unit_page: Page | None = None


def dashboard_focus(actor: Actor, raw: str | int | None) -> Unit | None:
    """The unit the dashboard's per-unit table opens (``?unit=<id>``): inside the actor's scope, or 404."""
    if raw is None or raw == "":
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError) as exc:
        raise Http404(_("Không tìm thấy tổ chức")) from exc
    unit = units_with(actor, "members.view").filter(pk=pk).first()
    if unit is None:
        raise Http404(_("Không tìm thấy tổ chức"))
    return unit


def active_in_subtree(actor: Actor, unit: Unit) -> dict[str, int] | None:
    """Active members on the rolls of ``unit``'s subtree today by status (``status_<status>``) and category
    (``cat_<category>``): the counters summed per subtree (``stored_in_subtree``), else the per-unit counters
    (members.counters) summed in one query; None when the subtree is not wholly within the actor's scope for members
    (the caller counts the member rows it may read instead)."""
    if not may_count_subtree(actor, unit):
        return None
    stored = _stored_subtrees([unit.path])
    if stored is not None:
        return dict(zip(COLUMNS, stored[unit.path], strict=True))
    row = (UnitMemberCount.objects.filter(subtree_q([unit.path], "unit__path"))
           .aggregate(**{col: Sum(col) for col in COLUMNS}))
    return {col: row[col] or 0 for col in COLUMNS}


def stored_in_subtree(actor: Actor, unit: Unit) -> dict[str, int] | None:
    """As ``active_in_subtree``, from the counters summed per subtree only: None when they are not stored yet or the
    subtree is not wholly within the actor's scope (the roll-up's live column)."""
    if not may_count_subtree(actor, unit):
        return None
    stored = _stored_subtrees([unit.path])
    return None if stored is None else dict(zip(COLUMNS, stored[unit.path], strict=True))


# -- the counters summed per subtree (members.counters.MEMBERS_NOW) ------------------------------------------
def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables() -> tuple[str, str, str]:
    """The stored sums', the counters' and the units' tables, quoted for SQL."""
    figure = MEMBERS_NOW.figure
    return (_q(figure._meta.db_table), _q(UnitMemberCount._meta.db_table),
            _q(figure._meta.get_field("unit").related_model._meta.db_table))


def _ready_sql() -> str:
    """SQL of one row (kind 9) when the counters' subtree sums are computed for every unit, none before (the reader
    then sums the counters themselves): read in the reader's own statement."""
    stored = _q(MembersNowStored._meta.db_table)
    zeros = ", ".join(["0"] * len(COLUMNS))
    return f"SELECT 9, NULL, {zeros} FROM {stored} s WHERE s.year = 0 AND s.ready"  # noqa: S608


def _in_subtrees(column: str, paths: Iterable[str]) -> tuple[str, list[str]]:
    """SQL: ``column`` (a unit's path) within one of the subtrees at ``paths`` (index range scans)."""
    paths = list(paths)
    if not paths:
        return "1 = 0", []
    return ("(" + " OR ".join(f"({column} >= %s AND {column} < %s)" for _p in paths) + ")",
            [v for p in paths for v in (p, p + PATH_END)])


def _dirty_sql(roots: list[str]) -> tuple[str, list[Any]]:
    """SQL of the stored rows of the subtrees at ``roots`` computed before a change of their unit's counters (dirty):
    each unit's path and, per counter column, its counter now less the figure stored (what its ancestors' subtree
    sums lack)."""
    figure, counters, units = _tables()
    where, params = _in_subtrees("u.path", roots)
    deltas = ", ".join(f"COALESCE(c.{_q(col)}, 0) - f.{_q(col)} AS {_q(col)}" for col in COLUMNS)
    return (f"SELECT u.path AS path, {deltas} FROM {figure} f INNER JOIN {units} u ON u.id = f.unit_id "  # noqa: S608
            f"LEFT JOIN {counters} c ON c.unit_id = f.unit_id WHERE f.year = 0 AND f.dirty > 0 AND {where}", params)


def _stored_subtrees(paths: list[str], *, closed: bool = True) -> dict[str, tuple[int, ...]] | None:
    """{path: each counter column summed over the subtree at ``path``}, from the stored subtree sums of the paths'
    units less the stored figures of the dirty rows below them plus those units' counters now: one statement, so one
    snapshot of the sums, the marks and the counters, equal to a recount at every moment. ``closed`` False: less
    what closed units hold (none, as closing refuses while members remain, unless written behind the services).
    None when not stored."""
    if not paths:
        return None
    figure, counters, units = _tables()
    dirty, dirty_params = _dirty_sql(paths)
    subs = ", ".join(f"f.{_q('sub_' + col)}" for col in COLUMNS)
    marks = ", ".join(["%s"] * len(paths))
    sql = (f"SELECT 0, u.path, {subs} FROM {units} u INNER JOIN {figure} f ON f.unit_id = u.id AND f.year = 0 "  # noqa: S608
           f"WHERE u.path IN ({marks}) UNION ALL SELECT 1, d.* FROM ({dirty}) d UNION ALL {_ready_sql()}")
    params = [*paths, *dirty_params]
    if not closed:
        in_scope, scope_params = _in_subtrees("u.path", paths)
        negated = ", ".join(f"-c.{_q(col)}" for col in COLUMNS)
        sql += (f" UNION ALL SELECT 1, u.path, {negated} FROM {units} u INNER JOIN {counters} c ON c.unit_id = u.id "
                f"WHERE u.closed_on IS NOT NULL AND {in_scope}")
        params += scope_params
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    if not any(kind == 9 for kind, *_rest in fetched):
        return None
    out = {path: [0] * len(COLUMNS) for path in paths}
    for kind, path, *values in fetched:
        for root in ([path] if kind == 0 else [r for r in paths if path.startswith(r)] if kind == 1 else []):
            if root in out:
                out[root] = [a + (b or 0) for a, b in zip(out[root], values, strict=True)]
    return {path: tuple(values) for path, values in out.items()}


def may_count_subtree(actor: Actor, unit: Unit) -> bool:
    """Whether ``unit``'s whole subtree is within the actor's scope for members (its counters may be summed)."""
    return actor.sees_whole_tree() or any(unit.path.startswith(root) for root in actor.paths_for("members.view"))


def unit_counters(unit_ids: Iterable[int] | QuerySet[Any] | None) -> dict[int, tuple[int, ...]]:
    """The per-unit member counters (members.counters) of ``unit_ids`` (every unit when None; ids, or a query of unit
    ids), in the order of ``COLUMNS``; units without a row or with nothing counted left out. Read by stored sums of
    the counters kept by an app above (the roll-up's)."""
    rows = UnitMemberCount.objects.all()
    if unit_ids is None:
        batches: list[QuerySet[Any]] = [rows]
    elif isinstance(unit_ids, QuerySet):
        batches = [rows.filter(unit_id__in=unit_ids)]
    else:
        ids = sorted(set(unit_ids))
        batches = [rows.filter(unit_id__in=ids[i:i + 1000]) for i in range(0, len(ids), 1000)]
    out: dict[int, tuple[int, ...]] = {}
    for qs in batches:
        for unit_id, *values in qs.values_list("unit_id", *COLUMNS).iterator(chunk_size=5000):
            if any(values):
                out[unit_id] = tuple(values)
    return out


def _dashboard_rows(counted: QuerySet[UnitMemberCount], level: str | None, roots: list[str], *, offset: int,
                    limit: int) -> tuple[list[dict], int, tuple[int, int] | None, list[tuple[str, int, int]]]:
    """One statement over the per-unit counters of the scope: the columns summed by country and by whether the unit
    is the top of the tree; how many per-unit rows have members (``level``'s children, or the scope's roots, each
    counting its subtree) and the page of them from ``offset``, the most members first; ``level``'s own rolls."""
    if not roots:  # nothing in scope
        return [], 0, None, []
    full = reduce(add, [F(STATUS_COLUMNS[str(s)]) for s in FULL_STATUSES])
    if level is not None:
        key = Case(When(subtree_q([level], "unit__path"), then=Substr("unit__path", 1, len(level) + PATH_STEP)),
                   default=Value(None), output_field=CharField())
    elif roots:
        key = Case(*[When(subtree_q([root], "unit__path"), then=Value(root)) for root in roots],
                   default=Value(None), output_field=CharField())
    else:
        key = Case(default=Value(None), output_field=CharField())
    base_sql, base_params = (counted.order_by().annotate(
        key=key, alone=Case(When(unit__depth=0, then=Value(1)), default=Value(0), output_field=IntegerField()),
        full=full, prob=F(STATUS_COLUMNS[str(Status.PROBATIONARY)]))
        .values("key", "unit__country", "alone", "full", "prob", *COLUMNS).query.sql_with_params())
    sums = ", ".join(f'SUM(c."{col}")' for col in COLUMNS)
    pad = ", ".join(["0"] * (len(COLUMNS) - 2))
    own = "c.key = %s" if level is not None else "1 = 0"
    sql = (f"WITH c AS ({base_sql}), "
           f"g AS (SELECT c.key, SUM(c.full) AS full_n, SUM(c.prob) AS prob_n FROM c WHERE c.key IS NOT NULL "
           f"AND NOT ({own}) GROUP BY c.key HAVING SUM(c.full) + SUM(c.prob) > 0) "
           f'SELECT 0, NULL, c."unit__country", c.alone, {sums} FROM c GROUP BY c."unit__country", c.alone '
           f"UNION ALL SELECT 1, NULL, NULL, 0, COUNT(*), 0, {pad} FROM g "
           f"UNION ALL SELECT 2, NULL, NULL, 0, SUM(c.full), SUM(c.prob), {pad} FROM c WHERE {own} "
           f"UNION ALL SELECT * FROM (SELECT 3, g.key, NULL, 0, g.full_n, g.prob_n, {pad} FROM g "
           f"ORDER BY g.full_n + g.prob_n DESC, g.key LIMIT %s OFFSET %s) p")
    params = [*base_params, *([level] if level is not None else []), *([level] if level is not None else []),
              limit, offset]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the scope's counters (one row per unit) read twice, kept in memory
            cur.execute("SET LOCAL work_mem = '32MB'")
        cur.execute(sql, params)
        fetched = cur.fetchall()
    by_country = [dict(country=r[2] or "", alone=r[3] == 1, **{col: r[4 + i] or 0 for i, col in enumerate(COLUMNS)})
                  for r in fetched if r[0] == 0]
    n_rows = next((r[4] for r in fetched if r[0] == 1), 0) or 0
    own_row = next((r for r in fetched if r[0] == 2 and r[4] is not None), None)
    page = sorted(((r[1], r[4] or 0, r[5] or 0) for r in fetched if r[0] == 3), key=lambda r: (-(r[1] + r[2]), r[0]))
    return by_country, n_rows, (own_row[4] or 0, own_row[5] or 0) if own_row else None, page


@dataclass
class _Counted:
    """What the dashboard counts of its scope: each counter column, the members per country and alone abroad (on the
    rolls of the top of the tree), how many per-unit rows have members and one page of them (key, full,
    probationary), the rolls of the unit whose children the rows are."""

    columns: Counter
    per_country: Counter
    solitary: int
    n_rows: int
    own_rolls: tuple[int, int] | None
    page: list[tuple[str, int, int]]


def _counted_from_counters(roots: list[str], level: str | None, *, offset: int, limit: int) -> _Counted:
    """``_Counted`` from the per-unit counters themselves (``_dashboard_rows``): when the subtree sums are not
    stored."""
    counted = UnitMemberCount.objects.filter(subtree_q(roots, "unit__path"))
    by_country, n_rows, own_rolls, page = _dashboard_rows(counted, level, roots, offset=offset, limit=limit)
    out = _Counted(Counter(), Counter(), 0, n_rows, own_rolls, page)
    for row in by_country:
        n = sum(row[col] for col in STATUS_COLUMNS.values())
        out.columns.update({col: row[col] for col in COLUMNS})
        out.per_country[row["country"] or ""] += n
        if row["alone"]:
            out.solitary += n
    return out


def _counted_from_stored(roots: list[str], level: str | None, *, offset: int, limit: int) -> _Counted | None:
    """``_Counted`` from the counters summed per subtree (members.counters.MEMBERS_NOW), in one statement (one
    snapshot): the scope's figures are its roots' subtree sums; the countries other than the first root's are summed
    from the counters of their units (found by the index on units' country and path: a few units abroad under a top
    at home), that country has the rest; the rows are ``level``'s children's subtree sums, the most members first,
    paged in the database. Each sum is corrected by the dirty rows below it (their counters now less what they
    stored), so every figure equals a recount. None when the sums are not stored yet."""
    if not roots:
        return None
    figure, counters, units = _tables()
    width = len(COLUMNS)
    full_cols = [STATUS_COLUMNS[str(s)] for s in FULL_STATUSES]
    prob_col = STATUS_COLUMNS[str(Status.PROBATIONARY)]
    dirty, dirty_params = _dirty_sql(roots)
    in_scope, scope_params = _in_subtrees("u.path", roots)
    subs = ", ".join(f"f.{_q('sub_' + col)}" for col in COLUMNS)
    sums = ", ".join(f"SUM(c.{_q(col)})" for col in COLUMNS)
    own = ", ".join(f"c.{_q(col)}" for col in COLUMNS)
    pad = ", ".join(["0"] * (width - 2))
    tops = [root for root in roots if len(root) == PATH_STEP]  # the units at the top of the tree: alone abroad
    own_paths = [*tops, *([level] if level is not None else [])]
    # The first root's country: whichever country it is, the units of the others are read and it takes the rest.
    first = units_by_path([roots[0]]).get(roots[0])
    main = first.country if first is not None else ""
    ctes = [f"d AS ({dirty})"]
    params: list[Any] = [*dirty_params]
    parts = [f"SELECT 0, u.path, {subs} FROM {units} u INNER JOIN {figure} f ON f.unit_id = u.id AND f.year = 0 "
             f"WHERE u.path IN ({', '.join(['%s'] * len(roots))})",
             "SELECT 1, d.* FROM d",
             f"SELECT 2, u.country, {sums} FROM {units} u INNER JOIN {counters} c ON c.unit_id = u.id "
             f"WHERE (u.country < %s OR u.country > %s) AND {in_scope} GROUP BY u.country",
             f"SELECT 3, u.path, {own} FROM {units} u INNER JOIN {counters} c ON c.unit_id = u.id "
             f"WHERE u.path IN ({', '.join(['%s'] * len(own_paths)) or 'NULL'})",
             _ready_sql()]
    params += [*roots, main, main, *scope_params, *own_paths]
    if level is not None:
        key_length = len(level) + PATH_STEP
        d_full = " + ".join(f"d.{_q(col)}" for col in full_cols)
        f_full = " + ".join(f"f.{_q('sub_' + col)}" for col in full_cols)
        # dk: the dirty rows' corrections per child of the level (its id and path from theirs); k: the children's
        # sums, those without a correction straight from the two indexes, the few others corrected one by one
        # (also a child without a row yet).
        ctes += [f"dk AS (SELECT CAST(SUBSTR(d.path, {len(level) + 1}, {PATH_STEP}) AS INTEGER) AS id, "
                 f"SUBSTR(d.path, 1, {key_length}) AS key, SUM({d_full}) AS fu, SUM(d.{_q(prob_col)}) AS prob "
                 f"FROM d WHERE d.path > %s AND d.path < %s GROUP BY SUBSTR(d.path, 1, {key_length}), "
                 f"CAST(SUBSTR(d.path, {len(level) + 1}, {PATH_STEP}) AS INTEGER))",
                 f"k AS (SELECT u.path AS key, {f_full} AS fu, f.{_q('sub_' + prob_col)} AS prob FROM {units} u "
                 f"INNER JOIN {figure} f ON f.unit_id = u.id AND f.year = 0 "
                 "WHERE u.parent_id = %s AND u.id NOT IN (SELECT dk.id FROM dk) "
                 f"UNION ALL SELECT dk.key, COALESCE({f_full}, 0) + dk.fu, COALESCE(f.{_q('sub_' + prob_col)}, 0) "
                 f"+ dk.prob FROM dk LEFT JOIN {figure} f ON f.unit_id = dk.id AND f.year = 0)",
                 "g AS (SELECT k.key, k.fu, k.prob FROM k WHERE k.fu + k.prob > 0)"]
        params[len(dirty_params):len(dirty_params)] = [level, level + PATH_END, path_ids(level)[-1]]
        parts += [f"SELECT 5, NULL, COUNT(*), {', '.join(['0'] * (width - 1))} FROM g",
                  f"SELECT * FROM (SELECT 6, g.key, g.fu, g.prob, {pad} FROM g "
                  f"ORDER BY g.fu + g.prob DESC, g.key LIMIT %s OFFSET %s) p"]
        params += [limit, offset]
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the level's children (tens of thousands at the top) kept in memory
            cur.execute("SET LOCAL work_mem = '32MB'")
            # ... and merged with their sums, both read in unit order from an index alone (units by parent and id,
            # the sums of year 0 by unit), not hashed: 17 against 35-45 ms for the 26,427 children of the top at
            # 5.6 M members; the planner, which prices both alike, is told.
            cur.execute("SET LOCAL enable_hashjoin = off")
        cur.execute(sql, params)
        fetched = cur.fetchall()

    def of(kind: int) -> list[tuple[Any, list[int]]]:
        return [(r[1], [v or 0 for v in r[2:]]) for r in fetched if r[0] == kind]

    if not of(9):  # not computed yet
        return None

    def columns_of(values: list[int]) -> dict[str, int]:
        return dict(zip(COLUMNS, values, strict=True))

    def full_prob(values: dict[str, int]) -> tuple[int, int]:
        return sum(values[col] for col in full_cols), values[prob_col]

    dirty_rows = of(1)
    per_root: dict[str, Counter] = {root: Counter() for root in roots}
    for path, values in of(0):
        per_root[path].update(columns_of(values))
    for path, values in dirty_rows:
        for root in roots:
            if path.startswith(root):
                per_root[root].update(columns_of(values))
    columns: Counter = Counter(ZERO_COUNTS)
    for of_root in per_root.values():
        columns.update(of_root)
    status_total = sum(columns[col] for col in STATUS_COLUMNS.values())
    per_country: Counter = Counter()
    for country, values in of(2):
        per_country[country or ""] += sum(columns_of(values)[col] for col in STATUS_COLUMNS.values())
    per_country[main or ""] += status_total - sum(per_country.values())
    owns = {path: columns_of(values) for path, values in of(3)}
    solitary = sum(owns.get(top, ZERO_COUNTS)[col] for top in tops for col in STATUS_COLUMNS.values())
    own_rolls = full_prob(owns[level]) if level is not None and level in owns else None
    if level is not None:
        n_rows = next((values[0] for _key, values in of(5)), 0)
        page = [(key, values[0], values[1]) for key, values in of(6)]
    else:  # the scope's roots, each counting its subtree (a few)
        rows = [(root, *full_prob(per_root[root])) for root in roots]
        rows = sorted((r for r in rows if r[1] + r[2]), key=lambda r: (-(r[1] + r[2]), r[0]))
        n_rows, page = len(rows), rows[offset:offset + limit]
    return _Counted(columns, per_country, solitary, n_rows, own_rolls,
                    sorted(page, key=lambda r: (-(r[1] + r[2]), r[0])))


ZERO_COUNTS = dict.fromkeys(COLUMNS, 0)


def dashboard_counts(actor: Actor, *, focus: Unit | None = None, page: str | int | None = None) -> Dashboard:
    """Active members in scope by status, category, country, and per unit (one page of rows), read in one
    statement: for the whole tree from the counters summed per subtree (``_counted_from_stored``), for a narrower
    scope (a country: a few hundred units) or until those are stored from the per-unit counters (members.counters)
    of every unit in scope; the page of per-unit rows chosen in the database.

    The per-unit rows are the grass-roots units (whole tree), the actor's scope roots (a narrower scope),
    or the children of ``focus``; each row counts its subtree."""
    roots = actor.paths_for("members.view")
    whole = any(len(root) == PATH_STEP for root in roots)

    level = focus.path if focus is not None else (roots[0] if whole else None)
    number = int(page) if str(page or "").isdigit() and 0 < int(page) < 10**6 else 1  # type: ignore[arg-type]

    def count(number: int) -> _Counted:
        offset = (number - 1) * DASHBOARD_UNIT_ROWS
        stored = _counted_from_stored(roots, level, offset=offset, limit=DASHBOARD_UNIT_ROWS) if whole else None
        return stored or _counted_from_counters(roots, level, offset=offset, limit=DASHBOARD_UNIT_ROWS)

    counted = count(number)
    if not counted.page and counted.n_rows and number > 1:  # past the last page: the last page
        number = (counted.n_rows + DASHBOARD_UNIT_ROWS - 1) // DASHBOARD_UNIT_ROWS
        counted = count(number)
    columns, per_country = counted.columns, counted.per_country
    if actor.member_id and not whole:  # one's own record is always visible (see members_visible)
        own = (Member.objects.filter(pk=actor.member_id, status__in=ACTIVE_STATUSES)
               .values_list("status", "category", "unit__path", "unit__country", "unit__depth").first())
        if own and not any(own[2].startswith(root) for root in roots):
            columns[STATUS_COLUMNS[own[0]]] += 1
            if own[1] in CATEGORY_COLUMNS:
                columns[CATEGORY_COLUMNS[own[1]]] += 1
            per_country[own[3] or ""] += 1

    unit_page = PagedInDatabase(counted.n_rows, DASHBOARD_UNIT_ROWS).page_of(number, counted.page)
    units = units_by_path(key for key, _count, _own in unit_page)
    up = None
    if focus is not None and focus.parent_id:
        parent_path = focus.path[:-PATH_STEP]
        if any(parent_path.startswith(root) for root in roots) and not (whole and len(parent_path) == PATH_STEP):
            up = focus.parent_id
    own_rolls = counted.own_rolls
    return Dashboard(
        total=sum(columns[STATUS_COLUMNS[s]] for s in STATUS_COLUMNS),
        by_status=[(s.value, s.label, columns[STATUS_COLUMNS[s.value]]) for s in Status
                   if s.value in STATUS_COLUMNS],
        by_category=[(c.value, c.label, columns[CATEGORY_COLUMNS[c.value]]) for c in Category
                     if columns[CATEGORY_COLUMNS[c.value]]],
        by_unit=[(units[key], f, p) for key, f, p in unit_page if key in units],
        by_country=[(code, country_name(code) if code else "—", n)
                    for code, n in sorted(per_country.items(), key=lambda item: (-item[1], item[0])) if n],
        solitary=counted.solitary if whole else None,
        focus=focus,
        focus_own=own_rolls if focus is not None and focus.depth > 0 and own_rolls and sum(own_rolls) else None,
        up=up,
        unit_page=unit_page,
    )


def unit_committee(unit: Unit, *, current_only: bool = True) -> QuerySet[CommitteePost]:
    """The unit's committee in protocol order (secretary, deputies, members), then by name; ended terms, when
    asked for, newest first."""
    protocol = Case(*(When(role=role, then=Value(i)) for i, role in enumerate(PostRole.values)),
                    default=Value(len(PostRole.values)), output_field=IntegerField())
    posts = CommitteePost.objects.filter(unit=unit).select_related("member").annotate(protocol=protocol)
    if current_only:
        return posts.filter(to_date__isnull=True).order_by("protocol", "member__name_sort", "pk")
    return posts.order_by("-from_date", "protocol")


def post_get(actor: Actor, pk: int | str) -> CommitteePost:
    """A committee post of a unit the actor sees, or 404."""
    post = CommitteePost.objects.select_related("unit", "member").filter(pk=pk).first() if str(pk).isdigit() else None
    if post is None or not (actor.can("units.view", post.unit) or actor.member_unit_id == post.unit_id):
        raise Http404(_("Không tìm thấy chức vụ"))
    return post


def subtree_totals(paths: list[str], include_closed: bool) -> dict[str, tuple[int, int]]:
    """{path: (full, probationary)} active members of each subtree (``paths`` all of one length), summed
    from the per-unit counters in one grouped query. Installed into the unit tree at start-up."""
    if not paths:
        return {}
    length = len(paths[0])
    full = reduce(add, [F(STATUS_COLUMNS[str(s)]) for s in FULL_STATUSES])
    counts = UnitMemberCount.objects.filter(subtree_q(paths, "unit__path"))
    if not include_closed:
        counts = counts.filter(unit__closed_on__isnull=True)
    if len(paths) == 1:  # one subtree (the top of the tree page): its stored sums, else one sum of its every row
        stored = _stored_subtrees(paths, closed=include_closed)
        if stored is not None:
            values = dict(zip(COLUMNS, stored[paths[0]], strict=True))
            return {paths[0]: (sum(values[STATUS_COLUMNS[str(s)]] for s in FULL_STATUSES),
                               values[STATUS_COLUMNS[str(Status.PROBATIONARY)]])}
        one = counts.aggregate(full=Sum(full), prob=Sum(STATUS_COLUMNS[str(Status.PROBATIONARY)]))
        return {paths[0]: (one["full"] or 0, one["prob"] or 0)}
    rows = (counts.annotate(prefix=Substr("unit__path", 1, length)).values("prefix")
            .annotate(full=Sum(full), prob=Sum(STATUS_COLUMNS[str(Status.PROBATIONARY)])))
    return {row["prefix"]: (row["full"] or 0, row["prob"] or 0) for row in rows}


# A unit's page shows the first rows of its members (in name order); the rest are on the member list filtered by the
# unit, in pages of its own, with the same count (the members on the rolls, as everywhere).
UNIT_PANEL_MEMBERS = 25


def committee_panel(actor: Actor, unit: Unit) -> dict:
    """The committee card of a unit's page."""
    return {"committee": unit_committee(unit),
            "history": unit_committee(unit, current_only=False).exclude(to_date__isnull=True)[:50],
            "can_appoint": actor.can("posts.edit", unit)}


def members_panel(actor: Actor, unit: Unit) -> dict:
    """The members of a unit's page: the first UNIT_PANEL_MEMBERS of its subtree's members on the rolls, in name
    order, and how many there are (the member list filtered by the unit shows the same rows first, then pages on)."""
    members = member_search(actor, MemberFilters(unit=unit, active_only=True, sort="name"))
    return {"members": list(members[:UNIT_PANEL_MEMBERS]), "member_count": members.count()}


# ------------------------------------------------------------------------------------------------
# Reads for the services and pages of the apps above, about objects they already hold in scope
# (not scoped by an actor: the caller has checked the actor on the unit or member concerned).
# ------------------------------------------------------------------------------------------------
def members_of_unit(unit: Unit, *, statuses: Iterable[str] = ACTIVE_STATUSES) -> QuerySet[Member]:
    """Members on the rolls of ``unit`` itself (not its subtree) with one of ``statuses``, in name order."""
    return Member.objects.filter(unit=unit, status__in=list(statuses)).order_by("name_sort", "pk")


def members_on_rolls(unit: Unit | None = None) -> QuerySet[Member]:
    """Members on the rolls of ``unit`` and the units below it (of the whole tree when None)."""
    qs = Member.objects.filter(status__in=ACTIVE_STATUSES)
    return qs if unit is None else qs.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)


def no_members() -> QuerySet[Member]:
    """An empty queryset of members (a form's choice field before it is bound to a unit)."""
    return Member.objects.none()


def member_fresh(pk: int) -> Member:
    """The member's current row (with its unit), re-read by a service before it decides."""
    return Member.objects.select_related("unit").get(pk=pk)


def members_by_id(ids: Iterable[int]) -> dict[int, Member]:
    """{id: record, with its unit} (one ``= ANY(array)`` query on PostgreSQL however many ids: the import)."""
    out: dict[int, Member] = {}
    for q in _any_of("pk", list(ids)):
        out.update((m.pk, m) for m in Member.objects.select_related("unit").filter(q).order_by())
    return out


def active_members_among(ids: QuerySet | Iterable[int], *, not_of: Unit | None = None) -> QuerySet[Member]:
    """Active members whose id is in ``ids`` (a list or a subquery of ids), less those on the rolls of ``not_of``;
    with their unit, in name order."""
    qs = Member.objects.filter(pk__in=ids, status__in=list(ACTIVE_STATUSES)).select_related("unit")
    if not_of is not None:
        qs = qs.exclude(unit=not_of)
    return qs.order_by("name_sort", "pk")


def status_decisions(ids: QuerySet) -> dict[int, tuple[date, str]]:
    """{member id: (effective day, document)} of each member's latest change of status, for those who have one;
    ``ids``: a query of member ids (read as a subquery, however many)."""
    found: dict[int, tuple[date, str]] = {}
    events = (TimelineEvent.objects.filter(member__in=ids, kind=TimelineKind.STATUS_CHANGED)
              .order_by("member_id", "occurred_on", "pk").values_list("member_id", "occurred_on", "data"))
    for member_id, on, data in events:
        found[member_id] = (on, (data or {}).get("document", ""))
    return found


def member_is_on_rolls_of(member_id: int, unit: Unit) -> bool:
    return Member.objects.filter(pk=member_id, unit=unit).exists()


def full_members_on(unit: Unit, on: date, *, exclude_ids: Iterable[int] = ()) -> list[int]:
    """Ids of the members who sat in ``unit`` as full members (status «chính thức») on ``on``.

    The status on a past date is the current status rolled back through the status changes dated
    after it; the unit on a past date comes from the moves dated after it (members who moved in later
    are left out, those who moved out later are counted). Exempt and suspended members are not counted
    (they take no part in votes)."""
    # Who sat in the unit on ``on``: today's members, plus those who moved out after that day; a
    # member's unit on ``on`` is the "from" of their first move after it (else today's unit).
    moves = (TimelineEvent.objects.filter(kind=TimelineKind.MOVED, occurred_on__gt=on)
             .filter(Q(member__unit=unit) | Q(data__from_id=unit.pk))
             .order_by("occurred_on", "pk").values_list("member_id", "data"))
    unit_on: dict[int, int | None] = {}
    for member_id, data in moves:
        unit_on.setdefault(member_id, data.get("from_id"))
    rows = list(Member.objects.filter(Q(unit=unit) | Q(pk__in=list(unit_on)), admission_date__lte=on,
                                      confirmation_date__lte=on)
                .exclude(pk__in=list(exclude_ids)).values_list("pk", "status", "unit_id"))
    candidates = [(pk, status) for pk, status, unit_id in rows if unit_on.get(pk, unit_id) == unit.pk]
    if not candidates:
        return []
    later_status: dict[int, str] = {}
    events = (TimelineEvent.objects.filter(member_id__in=[pk for pk, _day in candidates], occurred_on__gt=on,
                                           kind=TimelineKind.STATUS_CHANGED)
              .order_by("occurred_on", "pk").values_list("member_id", "data"))
    for member_id, data in events:
        later_status.setdefault(member_id, data.get("from", ""))
    return [pk for pk, status in candidates if later_status.get(pk, status) == Status.FULL]


def committee_members_on(unit: Unit, on: date) -> int:
    """Members of the committee (cấp ủy) of ``unit`` holding a post on ``on``."""
    return (CommitteePost.objects.filter(unit=unit, from_date__lte=on)
            .filter(Q(to_date__isnull=True) | Q(to_date__gt=on)).values("member_id").distinct().count())


def post_holder_on(units: Iterable[Unit | None], role: str, on: date | None = None) -> CommitteePost | None:
    """The post ``role`` sitting in the first of ``units`` that has one (on ``on``, else today), with its member."""
    for unit in units:
        if unit is None:
            continue
        posts = CommitteePost.objects.filter(unit=unit, role=role).select_related("member")
        if on is None:
            post = posts.filter(to_date__isnull=True).first()
        else:
            post = (posts.filter(from_date__lte=on).filter(Q(to_date__isnull=True) | Q(to_date__gte=on))
                    .order_by("-from_date").first())
        if post is not None:
            return post
    return None


def posts_of_unit(unit: Unit) -> QuerySet[CommitteePost]:
    """Every post of a unit, sitting and ended, with its member."""
    return CommitteePost.objects.filter(unit=unit).select_related("member")


def citizen_id_on_a_member_record(citizen_id: str) -> bool:
    """Whether any member record (anywhere in the tree, any status) carries this citizen ID; answers only
    yes or no, so a refusal says nothing of where that record is."""
    digest = blind_index(citizen_id)
    return bool(digest) and Member.objects.filter(citizen_id_hash=digest).exists()


def member_ids_holding_posts() -> QuerySet[CommitteePost, Any]:  # rows {"member_id": …}
    return CommitteePost.objects.filter(to_date__isnull=True).values("member_id")


# -- many records by key (the member import: one query per kind of key, never one per row) -------------------
def _any_of(name: str, values: list) -> list[Q]:
    """Q objects matching rows whose ``name`` is one of ``values``: one ``= ANY(array)`` on PostgreSQL (a single
    parameter, index scans), ``IN`` lists of 900 elsewhere (SQLite's parameter limit)."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        base: Field = BigIntegerField() if name == "pk" else TextField()
        return [Q(Func(F(name), Value(list(values), output_field=ArrayField(base)), template="(%(expressions)s))",
                       arg_joiner=" = ANY(", output_field=BooleanField()))]
    values = list(values)
    return [Q(**{f"{name}__in": values[i:i + 900]}) for i in range(0, len(values), 900)]


def member_keys(*, cards: Iterable[str] = (),
                dossiers: Iterable[str] = ()) -> list[tuple[int, str | None, str | None, int]]:
    """(id, card number, dossier number, unit id) of the records carrying any of these card or dossier numbers,
    anywhere in the tree (unscoped: the caller checks each record's unit against the actor and tells only
    what its scope allows)."""
    out: list[tuple[int, str | None, str | None, int]] = []
    for q in _any_of("card_number", list(cards)) + _any_of("dossier_number", list(dossiers)):
        out.extend(Member.objects.filter(q).order_by().values_list("pk", "card_number", "dossier_number", "unit_id"))
    return out


def member_values(ids: Iterable[int], fields: list[str]) -> dict[int, dict]:
    """{id: {field: value}} of these records, encrypted fields decrypted (unscoped, as ``member_keys``)."""
    out: dict[int, dict] = {}
    for q in _any_of("pk", list(ids)):
        for values in Member.objects.filter(q).order_by().values_list("pk", *fields):
            out[values[0]] = dict(zip(fields, values[1:], strict=True))
    return out


# The party-age milestones a badge is awarded for (Huy hiệu tuổi Đảng): 30 and 40 years, then every 5 years.
BADGE_YEARS = (30, 40, *range(45, 101, 5))


@dataclass(frozen=True)
class PartyAge:
    years: int
    since: date
    from_decision: bool  # counted from the admission decision (else from the day of admission: the date is missing)
    badge: int | None    # the highest milestone reached
    badge_on: date | None


def party_age(member: Member, on: date) -> PartyAge:
    """The member's party age on ``on``, counted from the admission decision (06-HD/TW 2025), and the highest
    party-age badge milestone reached, with the day it was reached."""
    since = member.party_age_from
    years = on.year - since.year - ((on.month, on.day) < (since.month, since.day))
    reached = [y for y in BADGE_YEARS if y <= years]
    badge = reached[-1] if reached else None
    return PartyAge(max(years, 0), since, member.admission_decided_on is not None, badge,
                    add_months(since, 12 * badge) if badge else None)


def former_members() -> QuerySet[Member]:
    """Members off the rolls (left, struck off, expelled, deceased, transferred out), each with ``left_on``: the day
    their last status change took effect (privacy counts the retention period from it)."""
    last_change = (TimelineEvent.objects.filter(member=OuterRef("pk"), kind=TimelineKind.STATUS_CHANGED)
                   .order_by("-occurred_on", "-pk").values("occurred_on")[:1])
    return (Member.objects.exclude(status__in=ACTIVE_STATUSES).select_related("unit")
            .annotate(left_on=Subquery(last_change)).order_by("pk"))


def member_exists(pk: int) -> bool:
    return Member.objects.filter(pk=pk).exists()


def members_at_year_ends(actor: Actor, unit: Unit, first: int, last: int, *,
                         arrivals: QuerySet[Any] | None = None) -> dict[int, tuple[int, int]]:
    """(full, probationary) on the rolls of ``unit``'s subtree on 31 December of each year from ``first`` to
    ``last``, as things stood that day: a member counts in the unit they sat in then (the "from" of their first move
    dated after it, else today's unit), if their status then (the "from" of their first status change dated after
    it, else today's status) kept them on the rolls, and as full when confirmed by then (exempt and suspended full
    members included). ``arrivals``, rows with ``member`` and ``arrived_on`` (the day a member coming from outside
    the tree reported to their cell; the transfers app's), date each arrival: before it, back to the member's
    previous leaving if any, the member was on no rolls here. Two queries, counted in the database; 404 when the
    unit is outside the actor's scope."""
    if not actor.can("members.view", unit):
        raise Http404(_("Không tìm thấy tổ chức"))
    # The years stored per unit (members.yearly) are their units' rows summed; the others are counted here.
    ready = yearly.ready_years(first, last)
    out = yearly.read(unit.path, ready, arrivals=arrivals)
    for run_first, run_last in runs([y for y in range(first, last + 1) if y not in out]):
        out |= _members_at_year_ends_counted(unit, run_first, run_last, arrivals=arrivals)
    return {year: out[year] for year in range(first, last + 1)}


def _members_at_year_ends_counted(unit: Unit, first: int, last: int, *,
                                  arrivals: QuerySet[Any] | None = None) -> dict[int, tuple[int, int]]:
    """``members_at_year_ends`` counted from the member rows and the timeline (``members.yearly.count`` over the
    subtree's units, summed)."""
    out = dict.fromkeys(range(first, last + 1), (0, 0))
    for (_unit, year), (full, prob) in yearly.count(subtree_units([unit.path]).values("pk"), first, last,
                                                   arrivals=arrivals).items():
        out[year] = (out[year][0] + full, out[year][1] + prob)
    return out
