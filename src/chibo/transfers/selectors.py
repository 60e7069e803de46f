"""Reads of the transfer process, always through the actor's scope (404 outside it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chibo.core import clock
from chibo.core.access import Actor, subtree_q
from chibo.core.text import clean
from chibo.core.yearly import runs, whole_months
from chibo.deadlines.selectors import deadlines_of_member
from chibo.members.enums import ACTIVE_STATUSES, Status
from chibo.members.selectors import (
    MemberFilters,
    active_members_among,
    full_members_on,
    member_get,
    member_search,
    members_visible,
)
from chibo.transfers import yearly
from chibo.transfers.models import (
    INCOMING,
    OPEN_STATES,
    Declaration,
    Delegation,
    DelegationMember,
    Exemption,
    Form,
    Kind,
    Letter,
    OutsideOrganization,
    ReturnReview,
    State,
    Transfer,
    TransferHold,
    Trip,
)
from chibo.units.selectors import subtree_units, units_visible

if TYPE_CHECKING:
    from chibo.deadlines.models import Deadline
    from chibo.members.models import Member
    from chibo.units.models import Unit

M = TypeVar("M", bound=Model)

RELATED = ("member", "unit", "from_unit", "to_unit", "from_org", "to_org")


def _unit_q(actor: Actor, prefix: str) -> Q:
    return subtree_q(actor.paths_for("members.view"), f"{prefix}__path")


def transfers_visible(actor: Actor) -> QuerySet[Transfer]:
    """Transfers the actor may read: those touching a unit in scope (sending, receiving, managing,
    or the member's own unit), and the member's own."""
    q = Q(pk__in=[])
    if actor.can("members.view"):
        q = (_unit_q(actor, "unit") | _unit_q(actor, "from_unit") | _unit_q(actor, "to_unit")
             | _unit_q(actor, "member__unit"))
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Transfer.objects.filter(q).select_related(*RELATED, "member__unit")


def transfer_get(actor: Actor, pk: int | str) -> Transfer:
    try:
        return transfers_visible(actor).get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(_("Không tìm thấy")) from exc


def transfers_of_member(actor: Actor, member: Member) -> QuerySet[Transfer]:
    return transfers_visible(actor).filter(member=member)


def letters_visible(actor: Actor) -> QuerySet[Letter]:
    q = Q(pk__in=[])
    if actor.can("members.view"):
        q = _unit_q(actor, "issuer") | Q(transfer__in=transfers_visible(actor).values("pk"))
    if actor.member_id:
        q |= Q(member_id=actor.member_id)
    return Letter.objects.filter(q).select_related("issuer", "issuer__parent", "member", "transfer")


def letter_get(actor: Actor, pk: int | str) -> Letter:
    try:
        return letters_visible(actor).get(pk=pk)
    except (Letter.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(_("Không tìm thấy")) from exc


def transfer_book(unit: Unit, year: int) -> QuerySet[Letter]:
    """The book 10-SHĐ of ``unit`` for ``year``: every letter issued, voided ones included."""
    return (Letter.objects.filter(issuer=unit, year=year).select_related("member", "issuer")
            .order_by("seq"))


def letter_sheet(letter: Letter) -> list[Letter]:
    """The boxes written on the same paper 10-box letter as ``letter``, in the order they were
    written: every box 1 starts a new form (a voided box 1 voids its form; the next box 1 is a new
    paper), the later boxes of the transfer follow on the form of the box 1 before them. A 2-SHĐ or
    3-SHĐ letter is a form of its own."""
    if letter.form != Form.TEN_BOX:
        return [letter]
    sheets: list[list[Letter]] = [[]]
    for x in (Letter.objects.filter(transfer_id=letter.transfer_id, form=Form.TEN_BOX)
              .select_related("issuer", "issuer__parent", "member", "transfer", "transfer__member",
                              "transfer__from_org", "transfer__to_org", "transfer__to_unit").order_by("pk")):
        if x.box == 1 and sheets[-1]:
            sheets.append([])
        sheets[-1].append(x)
    return next(sheet for sheet in sheets if any(x.pk == letter.pk for x in sheet))


def organizations(*, active_only: bool = True) -> QuerySet[OutsideOrganization]:
    qs = OutsideOrganization.objects.all()
    return qs.filter(active=True) if active_only else qs


def organization_get(actor: Actor, pk: int | str) -> OutsideOrganization:
    """One organization of the directory (active or not), for whoever reads member records; 404 otherwise."""
    if not actor.can("members.view"):
        raise Http404(_("Không tìm thấy"))
    return _get(organizations(active_only=False), pk)


def organization_uses(org: OutsideOrganization) -> int:
    """How many transfers start or end at ``org`` (they keep it when it is deactivated)."""
    return Transfer.objects.filter(Q(from_org=org) | Q(to_org=org)).count()


def reviews_of_member(member: Member) -> QuerySet[ReturnReview]:
    return ReturnReview.objects.filter(member=member)


def return_review_get(actor: Actor, pk: int | str) -> ReturnReview:
    """A self-review of a member in the actor's scope (404 otherwise)."""
    review = _get(ReturnReview.objects.select_related("member", "unit"), pk)
    member_get(actor, review.member_id)
    return review


def holds_of_member(member: Member) -> QuerySet[TransferHold]:
    return TransferHold.objects.filter(member=member).select_related("member")


def hold_get(actor: Actor, pk: int | str) -> TransferHold:
    """An inspection / complaint flag on a member in the actor's scope (404 otherwise)."""
    hold = _get(TransferHold.objects.select_related("member", "member__unit"), pk)
    member_get(actor, hold.member_id)
    return hold


def transfer_deadlines(member: Member) -> QuerySet[Deadline]:
    """The member's deadlines of this process (the member reached through ``member_get`` first)."""
    return deadlines_of_member(member, ["transfer.start", "transfer.report", "trip.report"])


def trips_visible(actor: Actor) -> QuerySet[Trip]:

    return Trip.objects.filter(member__in=members_visible(actor).values("pk")).select_related("member", "unit")


def declarations_visible(actor: Actor) -> QuerySet[Declaration]:

    return Declaration.objects.filter(member__in=members_visible(actor).values("pk")).select_related("member", "unit")


def exemptions_visible(actor: Actor) -> QuerySet[Exemption]:
    return Exemption.objects.filter(member__in=members_visible(actor).values("pk")).select_related("member", "unit")


def _get(qs: QuerySet[M], pk: int | str) -> M:
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(_("Không tìm thấy")) from exc


def trip_get(actor: Actor, pk: int | str) -> Trip:
    return _get(trips_visible(actor), pk)


def declaration_get(actor: Actor, pk: int | str) -> Declaration:
    return _get(declarations_visible(actor), pk)


def exemption_get(actor: Actor, pk: int | str) -> Exemption:
    return _get(exemptions_visible(actor), pk)


def delegations_visible(actor: Actor) -> QuerySet[Delegation]:
    """Delegation cells whose unit the actor may see, newest first."""

    return (Delegation.objects.filter(unit__in=units_visible(actor).values("pk")).select_related("unit")
            .order_by("-unit__opened_on", "-pk"))


def delegation_get(actor: Actor, unit_pk: int | str) -> Delegation:
    """The delegation of a delegation cell (keyed by the cell's unit), or 404 outside the scope."""
    return _get_by(delegations_visible(actor), unit_id=unit_pk)


def _get_by(qs: QuerySet[M], **lookup: Any) -> M:
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(_("Không tìm thấy")) from exc


def rotation_candidates(actor: Actor, unit: Unit) -> list[Member]:
    """The members on ``unit``'s own rolls a rotation may pick (active, in the actor's scope)."""
    return list(members_visible(actor).filter(unit=unit, status__in=ACTIVE_STATUSES).order_by("name_sort"))


def delegation_parents(actor: Actor) -> list[Unit]:
    """The upper committees (open tops of the tree) where the actor may set up temporary cells."""
    return [u for u in units_visible(actor).filter(depth=0, closed_on__isnull=True) if actor.can("units.edit", u)]


def delegation_team(actor: Actor, team: list[tuple[int, str]]) -> list[tuple]:
    """(member, role) for the picked members still in the actor's scope, in the order picked."""
    found = {m.pk: m for m in members_visible(actor).select_related("unit").filter(pk__in=[pk for pk, _r in team])}
    return [(found[pk], role) for pk, role in team if pk in found]


DELEGATION_SEARCH_LIMIT = 20


def delegation_candidates(actor: Actor, q: str, exclude: Iterable[object] = ()) -> list[Member]:
    """Members in scope matching ``q`` (a name, diacritics optional, or the start of a card number),
    at most ``DELEGATION_SEARCH_LIMIT``, each with ``busy``: why they cannot join (or "")."""

    text = clean(q)[:60]
    if len(text) < 2:
        return []
    qs = member_search(actor, MemberFilters(active_only=True))
    if any(ch.isdigit() for ch in text):
        qs = qs.filter(card_number__startswith=text.replace(" ", ""))
    else:
        qs = member_search(actor, MemberFilters(q=text, active_only=True))
    found = list(qs.exclude(pk__in=[pk for pk in exclude if isinstance(pk, int)])[:DELEGATION_SEARCH_LIMIT])
    pks = [m.pk for m in found]
    in_transfer = set(Transfer.objects.filter(member__in=pks, state__in=OPEN_STATES)
                      .values_list("member_id", flat=True))
    held = set(TransferHold.objects.filter(member__in=pks, closed_on__isnull=True).values_list("member_id", flat=True))
    attached = dict(DelegationMember.objects.filter(member__in=pks, detached_on__isnull=True)
                    .values_list("member_id", "delegation__unit__name"))
    for m in found:
        m.busy = (_("đang kiểm tra / khiếu nại") if m.pk in held else
                  _("đang chuyển sinh hoạt") if m.pk in in_transfer else
                  _("đang ở %(unit)s") % {"unit": attached[m.pk]} if m.pk in attached else
                  _("đình chỉ sinh hoạt") if m.status == Status.SUSPENDED else "")
    return found


# States in which a member on temporary transfer has left: the letter is issued (and later steps).
AWAY_STATES = (State.ISSUED, State.FORWARDED, State.RECEIVED, State.REPORTED)


def temporarily_away(unit: Unit, on: date, ids: Iterable[int] | None = None) -> set[int]:
    """Members of ``unit`` away on temporary transfer on ``on`` (of ``ids`` when given): a temporary
    transfer from this unit whose letter has been issued and whose period covers the day. The one
    definition every headcount and vote denominator uses."""
    qs = (Transfer.objects.filter(kind=Kind.TEMPORARY, from_unit=unit, state__in=AWAY_STATES)
          .filter(Q(period_from__isnull=True) | Q(period_from__lte=on))
          .filter(Q(period_to__isnull=True) | Q(period_to__gte=on)))
    if ids is not None:
        qs = qs.filter(member_id__in=list(ids))
    return set(qs.values_list("member_id", flat=True))


def temporary_members_at(unit: Unit, on: date) -> QuerySet[Member]:
    """Members of other units attending ``unit`` as temporary members on ``on``: a temporary transfer to this unit,
    reported in, whose period covers the day, of a member still active. They stay on their home cell's rolls
    (its headcounts, dues and vote denominators leave them out while away, see ``temporarily_away``); here they
    are listed and marked at meetings but do not vote on organization or personnel matters. In name order."""
    ids = (Transfer.objects.filter(kind=Kind.TEMPORARY, to_unit=unit, state=State.REPORTED)
           .filter(Q(period_from__isnull=True) | Q(period_from__lte=on))
           .filter(Q(period_to__isnull=True) | Q(period_to__gte=on)).values("member_id"))
    return active_members_among(ids, not_of=unit)


def temporary_panel(actor: Actor, unit: Unit) -> dict | None:
    """The unit page's panel of temporary transfers today, for whoever sees the unit's members: members of other
    units attending here (with their home unit and period) and the unit's own members away. None when neither."""
    if not actor.can("members.view", unit):
        return None
    on = clock.today()
    here = list(temporary_members_at(unit, on))
    periods = dict(Transfer.objects.filter(kind=Kind.TEMPORARY, to_unit=unit, state=State.REPORTED,
                                           member__in=[m.pk for m in here]).values_list("member_id", "period_to"))
    away_ids = temporarily_away(unit, on)
    away = list(Transfer.objects.filter(kind=Kind.TEMPORARY, from_unit=unit, member__in=away_ids,
                                        state__in=AWAY_STATES).select_related("member", "to_unit", "to_org")
                .order_by("member__name_sort"))
    if not here and not away:
        return None
    return {"here": [(m, periods.get(m.pk)) for m in here], "away": away}


def cell_voters_on(unit: Unit, on: date, *, exclude_ids: tuple[int, ...] = ()) -> list[int]:
    """The denominator of a cell's vote on ``on`` (admission, discipline): its full members that day, less those
    away on temporary transfer."""
    ids = full_members_on(unit, on, exclude_ids=exclude_ids)
    away = temporarily_away(unit, on, ids)
    return [pk for pk in ids if pk not in away]


# ------------------------------------------------------------------------------------------------
# Starting a transfer from the transfers page; the steps a transfer shows
# ------------------------------------------------------------------------------------------------
START_SEARCH_LIMIT = 20


def transfer_candidates(actor: Actor, q: str) -> list[Member]:
    """Members whose transfer the actor may start (``transfers.edit`` on the member's unit) matching ``q``: a name
    (diacritics optional) or the start of a card number; at most ``START_SEARCH_LIMIT``, none for fewer than two
    letters. Each carries ``busy``: why no transfer can start for them now ("" when one can)."""
    text = clean(q)[:60]
    if len(text) < 2:
        return []
    if any(ch.isdigit() for ch in text):
        qs = member_search(actor, MemberFilters(active_only=True)).filter(card_number__startswith=text.replace(" ", ""))
    else:
        qs = member_search(actor, MemberFilters(q=text, active_only=True))
    found = list(qs.filter(subtree_q(actor.paths_for("transfers.edit"), "unit__path"))[:START_SEARCH_LIMIT])
    pks = [m.pk for m in found]
    in_transfer = set(Transfer.objects.filter(member__in=pks, state__in=OPEN_STATES)
                      .values_list("member_id", flat=True))
    held = set(TransferHold.objects.filter(member__in=pks, closed_on__isnull=True).values_list("member_id", flat=True))
    for m in found:
        m.busy = (_("đang kiểm tra / khiếu nại") if m.pk in held else
                  _("đang có một việc chuyển sinh hoạt chưa xong") if m.pk in in_transfer else "")
    return found


# The steps of a transfer in their order: (name, words once done, words while to come, the date field saying it
# happened).
STEPS = (
    ("requested", gettext_noop("Chi bộ ghi đề nghị"), gettext_noop("Chi bộ ghi đề nghị"), "requested_on"),
    ("incoming", gettext_noop("Nhận giấy giới thiệu của nơi đi"),
      gettext_noop("Nhận giấy giới thiệu của nơi đi"), "issued_on"),
    ("approve", gettext_noop("Chi bộ đã đồng ý"), gettext_noop("Chi bộ xem xét, đồng ý"), "approved_on"),
    ("issue", gettext_noop("Đã cấp giấy giới thiệu"), gettext_noop("Cấp giấy giới thiệu"), "issued_on"),
    ("forward", gettext_noop("Cấp ủy cấp trên đã giới thiệu tiếp"),
      gettext_noop("Cấp ủy cấp trên giới thiệu tiếp đến nơi đến"), "forwarded_on"),
    ("receive", gettext_noop("Nơi đến đã nhận giấy"), gettext_noop("Nơi đến nhận giấy giới thiệu"), "received_on"),
    ("report", gettext_noop("Đảng viên đã đến sinh hoạt"),
      gettext_noop("Đảng viên đến sinh hoạt tại nơi đến"), "reported_on"),
)


def transfer_steps(t: Transfer) -> dict[str, list[dict[str, Any]]]:
    """The steps this transfer has taken (``done``, each with its day) and those still to come (``to_come``), in
    order: a transfer arriving with an outside letter starts at that letter (no request, no cell approval, no letter
    of ours) and is always introduced on by the committee; another letter is introduced on only when a level above
    wrote a box, so that step shows once it happened. A cancelled transfer has nothing to come."""
    incoming = t.kind in INCOMING
    names = ["incoming"] if incoming else ["requested", "approve", "issue"]
    if incoming or t.forwarded_on is not None:
        names.append("forward")
    names += ["receive", "report"]
    done: list[dict[str, Any]] = []
    to_come: list[dict[str, Any]] = []
    for name, done_words, coming_words, field in STEPS:
        if name not in names:
            continue
        on = getattr(t, field)
        if on is not None:
            done.append({"name": name, "label": done_words, "on": on, "field": field})
        elif t.state != State.CANCELLED:
            to_come.append({"name": name, "label": coming_words, "on": None, "field": field})
    return {"done": done, "to_come": to_come}


def transfers_per_year(actor: Actor, unit: Unit, first: int, last: int) -> dict[int, tuple[int, int]]:
    """(in, out) per year from ``first`` to ``last``: transfers completed (the member reported at the destination)
    that crossed the border of ``unit``'s subtree, into it or out of it, by the year the member reported; moves
    inside the subtree are neither. One grouped query; 404 when the unit is outside the actor's scope."""
    if not actor.can("members.view", unit):
        raise Http404(_("Không tìm thấy tổ chức"))
    # The years stored per unit (transfers.yearly) are read from the subtree's sums; the others are counted here.
    ready = yearly.ready_years(first, last)
    out = dict.fromkeys(range(first, last + 1), (0, 0)) | yearly.read(unit.path, ready)
    for run_first, run_last in runs([y for y in range(first, last + 1) if y not in ready]):
        out |= _transfers_counted(unit, run_first, run_last)
    return out


def _transfers_counted(unit: Unit, first: int, last: int) -> dict[int, tuple[int, int]]:
    """``transfers_per_year`` counted from the transfers (``transfers.yearly.count`` over the subtree's units, summed:
    arrivals and departures less those inside)."""
    out = dict.fromkeys(range(first, last + 1), (0, 0))
    for (_unit, year), (arrived, left, inside) in yearly.count(subtree_units([unit.path]).values("pk"), first,
                                                                last).items():
        out[year] = (out[year][0] + arrived - inside, out[year][1] + left - inside)
    return out


def transfers_across_stored(actor: Actor, unit: Unit, first: date, last: date) -> tuple[int, int] | None:
    """(in, out) of ``unit``'s subtree from ``first`` to ``last`` as the roll-up's live column counts them
    (transfers not cancelled: received in it from outside, issued from it to outside), read from the rows stored
    per month (``transfers.yearly.MONTHS``); None when the period is not whole stored months or the subtree not
    wholly in the actor's scope (the caller counts)."""
    if not (actor.sees_whole_tree() or any(unit.path.startswith(root) for root in actor.paths_for("members.view"))):
        return None
    months = whole_months(first, last)
    found = yearly.MONTHS.read_sum(unit.path, months) if months else None
    if found is None:
        return None
    received, received_inside, issued, issued_inside = found
    return received - received_inside, issued - issued_inside


def arrivals_from_outside() -> QuerySet[Transfer]:
    """Completed transfers from an organization outside the tree (posted abroad, taken in), each with
    ``arrived_on``, the day the member reported to their cell: before it the member was on no rolls here (the
    statistics of members at a past date date them from it)."""
    return Transfer.objects.filter(kind__in=INCOMING, state=State.REPORTED, reported_on__isnull=False).annotate(
        arrived_on=F("reported_on"))
