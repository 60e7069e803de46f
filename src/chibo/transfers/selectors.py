"""Reads of the transfer process, always through the actor's scope (404 outside it)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.core.access import Actor, subtree_q
from chibo.transfers.models import Letter, OutsideOrganization, ReturnReview, Transfer

RELATED = ("member", "unit", "from_unit", "to_unit", "from_org", "to_org")


def _unit_q(actor: Actor, prefix: str) -> Q:
    return subtree_q(actor.paths_for("members.view"), f"{prefix}__path")


def transfers_visible(actor: Actor) -> QuerySet[Transfer]:
    """Transfers the actor may read: those touching a unit in scope (sending, receiving, managing,
    or the member's own unit), and the member's own."""
    q = Q(pk__in=[])
    if actor.can("members.view"):
        q = _unit_q(actor, "unit") | _unit_q(actor, "from_unit") | _unit_q(actor, "to_unit") | _unit_q(actor, "member__unit")
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Transfer.objects.filter(q).select_related(*RELATED, "member__unit")


def transfer_get(actor: Actor, pk) -> Transfer:
    try:
        return transfers_visible(actor).get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy") from exc


def transfers_of_member(actor: Actor, member) -> QuerySet[Transfer]:
    return transfers_visible(actor).filter(member=member)


def letters_visible(actor: Actor) -> QuerySet[Letter]:
    q = Q(pk__in=[])
    if actor.can("members.view"):
        q = _unit_q(actor, "issuer") | Q(transfer__in=transfers_visible(actor).values("pk"))
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Letter.objects.filter(q).select_related("issuer", "issuer__parent", "member", "transfer")


def letter_get(actor: Actor, pk) -> Letter:
    try:
        return letters_visible(actor).get(pk=pk)
    except (Letter.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy") from exc


def transfer_book(unit, year: int) -> QuerySet[Letter]:
    """The book 10-SHĐ of ``unit`` for ``year``: every letter issued, voided ones included."""
    return (Letter.objects.filter(issuer=unit, year=year).select_related("member", "issuer")
            .order_by("seq"))


def organizations(*, active_only: bool = True) -> QuerySet[OutsideOrganization]:
    qs = OutsideOrganization.objects.all()
    return qs.filter(active=True) if active_only else qs


def reviews_of_member(member) -> QuerySet[ReturnReview]:
    return ReturnReview.objects.filter(member=member)


def transfer_deadlines(member):
    """The member's deadlines of this process (the member reached through ``member_get`` first)."""
    from chibo.deadlines.models import Deadline

    return Deadline.objects.filter(member=member, kind__in=["transfer.start", "transfer.report", "trip.report"]) \
        .order_by("-due_date")[:20]


def trips_visible(actor: Actor):
    from chibo.members.selectors import members_visible
    from chibo.transfers.models import Trip

    return Trip.objects.filter(member__in=members_visible(actor).values("pk")).select_related("member", "unit")


def declarations_visible(actor: Actor):
    from chibo.members.selectors import members_visible
    from chibo.transfers.models import Declaration

    return Declaration.objects.filter(member__in=members_visible(actor).values("pk")).select_related("member", "unit")


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy") from exc


def trip_get(actor: Actor, pk):
    return _get(trips_visible(actor), pk)


def declaration_get(actor: Actor, pk):
    return _get(declarations_visible(actor), pk)
