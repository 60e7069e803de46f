"""Reads of discipline on a need-to-know basis (docs/domain.md §8): a case is visible to the officers assigned to
it, to the deciding committee (``discipline.decide`` held on the deciding unit itself), to the inspection officers
of that level (``discipline.inspect`` on the deciding unit itself), to the committee hearing its appeal, and to
the member concerned (the parts they have a right to). Everyone else — an upper committee included — gets 404, and
the attempt is written to the audit chain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.access import ROLE_PERMISSIONS, Actor, subtree_q
from chibo.core.audit import audit
from chibo.core.text import as_id
from chibo.discipline.enums import OPEN_STATES, CaseState, Form, NoticeState, Outcome
from chibo.discipline.models import Case, Notice
from chibo.units.enums import UnitKind


def _units_with(actor: Actor, perm: str) -> list[int]:
    """The units (themselves, not their subtrees) where the actor holds ``perm``."""
    return [g.unit_id for g in actor.grants if perm in ROLE_PERMISSIONS.get(g.role, ())]


def staff_q(actor: Actor) -> Q:
    q = Q(pk__in=[])
    if actor.user is not None and actor.user.pk is not None:
        q |= Q(officers=actor.user.pk)
    deciders = _units_with(actor, "discipline.decide")
    q |= Q(deciding_unit_id__in=deciders) | Q(deciding_unit_id__in=_units_with(actor, "discipline.inspect"))
    q |= Q(appeal__instance_id__in=deciders)
    return q


def cases_visible(actor: Actor) -> QuerySet[Case]:
    q = staff_q(actor)
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Case.objects.filter(pk__in=Case.objects.filter(q).values("pk"))


def case_get(actor: Actor, pk: int | str) -> Case:
    """The case if the actor needs to know it (its read audited); 404 otherwise (the attempt audited)."""
    found = as_id(pk)
    case = (cases_visible(actor).select_related("member", "unit", "deciding_unit", "deciding_unit__parent", "hold",
                                                "appeal__instance")
            .filter(pk=found).first() if found else None)
    if case is None:
        audit(actor=actor, action="discipline.case_denied", data={"case": str(pk)[:20]})
        raise Http404(_("Không tìm thấy hồ sơ"))
    audit(actor=actor, action="discipline.case_viewed", obj=case, unit=case.deciding_unit)
    return case


def is_subject_only(actor: Actor, case: Case) -> bool:
    """The member concerned, seeing their own case: decisions, conclusions and their own explanation only."""
    return actor.member_id == case.member_id  # whatever role they hold: no one is staff on their own case


def disciplined_in(member_ids: Iterable[int], first: date, last: date) -> set[int]:
    """Members with a discipline decided in [first, last] and not annulled on appeal (grading reads it: a member
    disciplined in the period cannot be graded excellent)."""
    rows = (Case.objects.filter(member_id__in=member_ids, decided_on__gte=first, decided_on__lte=last,
                                state__in=[CaseState.DECIDED, CaseState.APPEALED, CaseState.CLOSED])
            .exclude(appeal__outcome=Outcome.ANNULLED).values_list("member_id", flat=True))
    return set(rows)


def register(actor: Actor, year: int) -> QuerySet[Case]:
    """The decisions of the year among the cases the actor needs to know (the register of discipline decisions)."""
    return (cases_visible(actor).filter(decided_on__year=year).select_related("member", "deciding_unit")
            .order_by("decided_on", "pk"))


def counts_by_form(cases: Iterable[Case]) -> Counter[str]:
    return Counter(c.form for c in cases)


DECIDED_STATES = (CaseState.DECIDED, CaseState.APPEALED, CaseState.CLOSED)


@dataclass
class StatRow:
    """The decisions of a year (and a level, the kind of the deciding organization; "" for all levels): the form
    in force by form, and those annulled on appeal apart."""

    year: int
    level: str = ""
    by_form: dict[str, int] = field(default_factory=dict)
    annulled: int = 0

    @property
    def level_label(self) -> str:
        return str(UnitKind(self.level).label) if self.level in UnitKind.values else ""

    @property
    def total(self) -> int:
        return sum(self.by_form.values())

    def cells(self) -> list[int]:
        return [self.by_form.get(f, 0) for f in Form.values]


def statistics(actor: Actor, years: list[int]) -> tuple[list[StatRow], list[StatRow]]:
    """Counts of the decisions taken in the subtrees where the actor holds ``discipline.decide`` or
    ``discipline.inspect`` (numbers only: no case is shown), by year, and by year and level. Every year asked has
    its row, zeros included."""
    roots = [*actor.paths_for("discipline.decide"), *actor.paths_for("discipline.inspect")]
    rows = (Case.objects.filter(subtree_q(roots, "deciding_unit__path"), decided_on__year__in=years,
                                state__in=DECIDED_STATES)
            .values_list("decided_on__year", "deciding_unit__kind", "form", "appeal__outcome")
            .annotate(n=Count("pk", distinct=True)))
    by_year = {y: StatRow(y) for y in years}
    by_level: dict[tuple[int, str], StatRow] = {}
    for year, kind, form, outcome, n in rows:
        for row in (by_year[year], by_level.setdefault((year, kind), StatRow(year, kind))):
            if outcome == Outcome.ANNULLED:
                row.annulled += n
            else:
                row.by_form[form] = row.by_form.get(form, 0) + n
    levels = sorted(by_level.values(), key=lambda r: (-r.year, list(UnitKind.values).index(r.level)
                                                       if r.level in UnitKind.values else 99))
    return [by_year[y] for y in years], levels


def register_issuer(actor: Actor) -> int | None:
    """The highest organization where the actor holds ``discipline.decide`` or ``discipline.inspect``: the issuer
    printed on the register (None for an actor without either)."""
    grants = [g for g in actor.grants if {"discipline.decide", "discipline.inspect"}
              & ROLE_PERMISSIONS.get(g.role, frozenset())]
    return min(grants, key=lambda g: len(g.unit_path)).unit_id if grants else None


def notices_visible(actor: Actor) -> QuerySet[Notice]:
    """A state body's notice, on the same need-to-know basis as a case: the officer who recorded it, the holders of
    ``discipline.decide`` or ``discipline.inspect`` on the organization it was sent to, and the member."""
    q = Q(unit_id__in=_units_with(actor, "discipline.decide")) | Q(unit_id__in=_units_with(actor,
                                                                                         "discipline.inspect"))
    if actor.user is not None and actor.user.pk is not None:
        q |= Q(recorded_by=actor.user.pk)
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Notice.objects.filter(q)


def notice_get(actor: Actor, pk: int | str) -> Notice:
    """The notice if the actor needs to know it (its read audited); 404 otherwise (the attempt audited)."""
    found = as_id(pk)
    notice = notices_visible(actor).select_related("member", "unit", "case").filter(pk=found).first() if found else None
    if notice is None:
        audit(actor=actor, action="discipline.notice_denied", data={"notice": str(pk)[:20]})
        raise Http404(_("Không tìm thấy thông báo"))
    audit(actor=actor, action="discipline.notice_viewed", obj=notice, unit=notice.unit)
    return notice


def legal_holds(member_ids: Iterable[int]) -> dict[int, str]:
    """Members whose data a discipline matter still needs (privacy reads it before anonymising): a case not yet
    decided, an appeal being heard, or a state body's notice not yet considered. Member id → the reason."""
    ids = list(member_ids)
    holds: dict[int, str] = {}
    for member_id, state in Case.objects.filter(
            member_id__in=ids, state__in=[*OPEN_STATES, CaseState.APPEALED]).values_list("member_id", "state"):
        holds.setdefault(member_id, _("Đang giải quyết khiếu nại kỷ luật") if state == CaseState.APPEALED
                         else _("Đang có hồ sơ kỷ luật chưa quyết định"))
    for member_id in Notice.objects.filter(member_id__in=ids, state=NoticeState.RECEIVED).values_list(
            "member_id", flat=True):
        holds.setdefault(member_id, _("Có thông báo kỷ luật của cơ quan nhà nước chưa xem xét"))
    return holds
