"""Reads of discipline on a need-to-know basis (docs/domain.md §8): a case is visible to the officers assigned to
it, to the deciding committee (``discipline.decide`` held on the deciding unit itself), to the inspection officers
of that level (``discipline.inspect`` on the deciding unit itself), to the committee hearing its appeal, and to
the member concerned (the parts they have a right to). Everyone else — an upper committee included — gets 404, and
the attempt is written to the audit chain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.core.access import ROLE_PERMISSIONS, Actor
from chibo.core.audit import audit
from chibo.discipline.enums import CaseState, Outcome
from chibo.discipline.models import Case


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
    case = (cases_visible(actor).select_related("member", "unit", "deciding_unit", "deciding_unit__parent", "hold",
                                                "appeal__instance")
            .filter(pk=pk).first() if str(pk).isdigit() else None)
    if case is None:
        audit(actor=actor, action="discipline.case_denied", data={"case": str(pk)[:20]})
        raise Http404("Không tìm thấy hồ sơ")
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
