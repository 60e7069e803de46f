"""Reads of inspection (docs/domain.md §8).

Plans and supervision notes are seen by the holders of ``inspection.view`` on the committee's unit or above. An
inspection case is seen on a need-to-know basis only: its team, the holders of ``inspection.open`` or
``discipline.inspect`` on the inspecting unit itself (not its ancestors), and the subject (the member themself, or
the secretary of the organization inspected), who sees the decision, the conclusion and recommendations and their
own explanation, not the signs nor the team. Everyone else — an upper committee included — gets 404, and each read
and each refused attempt is written to the audit chain."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.access import Actor, Role, subtree_q
from chibo.core.audit import audit
from chibo.core.text import as_id
from chibo.inspection.enums import ITEM_OPEN_STATES, ItemState, Kind
from chibo.inspection.models import Inspection, Plan, PlanItem, SupervisionNote


# -- plans and notes ---------------------------------------------------------------------------------------------
def plans_visible(actor: Actor) -> QuerySet[Plan]:
    return Plan.objects.filter(subtree_q(actor.paths_for("inspection.view"), "unit__path")).select_related("unit")


def plan_get(actor: Actor, pk: int | str, *, kind: str = "") -> Plan:
    """A plan the actor sees (of ``kind`` when given: the supervision notes belong to a plan of supervision)."""
    found = plans_visible(actor).filter(pk=as_id(pk) or 0)
    plan = found.filter(kind=kind).first() if kind else found.first()
    if plan is None:
        raise Http404(_("Không tìm thấy kế hoạch"))
    return plan


def plan_items(plan: Plan) -> QuerySet[PlanItem]:
    return (plan.items.select_related("subject_unit", "subject_member", "subject_member__unit", "plan", "plan__unit")
            .prefetch_related("officers").order_by("starts_on", "pk"))


def item_get(actor: Actor, pk: int | str) -> PlanItem:
    item = (PlanItem.objects.filter(plan__in=plans_visible(actor).values("pk"))
            .select_related("plan", "plan__unit", "subject_unit", "subject_member", "subject_member__unit")
            .filter(pk=as_id(pk) or 0).first())
    if item is None:
        raise Http404(_("Không tìm thấy nội dung kế hoạch"))
    return item


@dataclass(frozen=True)
class Progress:
    counts: list[tuple[str, str, int]]  # (state, label, number)
    done: int
    total: int  # the items not cancelled


def progress(items: list[PlanItem]) -> Progress:
    """Counts by state and "x/y done" (cancelled items are not counted in y)."""
    counts = Counter(i.state for i in items)
    total = sum(n for s, n in counts.items() if s != ItemState.CANCELLED)
    by_state = [(s, str(label), counts.get(s, 0)) for s, label in ItemState.choices]
    return Progress(by_state, counts.get(ItemState.DONE, 0), total)


def notes_of(plan: Plan) -> QuerySet[SupervisionNote]:
    """The committee's supervision notes of the year, with its plan of supervision (none with a plan of
    inspection)."""
    if plan.kind != Kind.SUPERVISION:
        return SupervisionNote.objects.none()
    return (SupervisionNote.objects.filter(unit_id=plan.unit_id, on__year=plan.year)
            .select_related("subject_unit", "subject_member", "subject_member__unit").order_by("-on", "-pk"))


def open_items_for(units: list, *, subject_member_id: int | None = None,
                   subject_unit_id: int | None = None) -> QuerySet[PlanItem]:
    """Items not yet concluded of the inspection plans of ``units`` about this subject (to link an inspection to its
    plan)."""
    return (PlanItem.objects.filter(plan__unit__in=units, plan__kind=Kind.INSPECTION, state__in=ITEM_OPEN_STATES,
                                    subject_member_id=subject_member_id, subject_unit_id=subject_unit_id)
            .select_related("plan").order_by("-plan__year", "starts_on", "pk"))


# -- inspection cases --------------------------------------------------------------------------------------------
def _about_q(actor: Actor) -> Q:
    """The cases about the actor: themself, or an organization they are the secretary of."""
    q = Q(subject_unit_id__in=[g.unit_id for g in actor.grants if g.role == Role.SECRETARY])
    if actor.member_id:
        q |= Q(subject_member_id=actor.member_id)
    return q


def cases_visible(actor: Actor) -> QuerySet[Inspection]:
    """The cases the actor needs to know: on the team, holding ``inspection.open`` or ``discipline.inspect`` on the
    inspecting committee itself, or the subject."""
    q = (Q(unit_id__in=actor.units_holding("inspection.open"))
         | Q(unit_id__in=actor.units_holding("discipline.inspect")) | _about_q(actor))
    if actor.user is not None and actor.user.pk is not None:
        q |= Q(team=actor.user.pk)
    return Inspection.objects.filter(pk__in=Inspection.objects.filter(q).values("pk"))


def cases_about(actor: Actor) -> QuerySet[Inspection]:
    """The cases about the actor (the subject sees them without the signs and the team)."""
    return Inspection.objects.filter(_about_q(actor))


def has_cases_about(actor: Actor) -> bool:
    """Whether some case is about the actor (one EXISTS query; none at all for an actor who cannot be a subject)."""
    if not actor.member_id and not any(g.role == Role.SECRETARY for g in actor.grants):
        return False
    return cases_about(actor).exists()


def case_get(actor: Actor, pk: int | str) -> Inspection:
    """The case if the actor needs to know it (its read audited); 404 otherwise (the attempt audited)."""
    case = (cases_visible(actor).select_related("unit", "subject_unit", "subject_member", "subject_member__unit",
                                                "plan_item", "plan_item__plan")
            .filter(pk=as_id(pk) or 0).first())
    if case is None:
        audit(actor=actor, action="inspection.case_denied", data={"case": str(pk)[:20]})
        raise Http404(_("Không tìm thấy cuộc kiểm tra"))
    audit(actor=actor, action="inspection.case_viewed", obj=case, unit=case.unit)
    return case
