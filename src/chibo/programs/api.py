"""Programs API: the work programs the caller sees (creating one, adding items, each item's steps through the
lifecycle's one action endpoint: start, complete, hand down, remind, drop), the follow-up board, and the proposals
raised to the upper committee (raising one, receiving, answering, withdrawing). The same forms and services as the
pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.programs import selectors, services
from chibo.programs.enums import EDIT, VIEW
from chibo.programs.forms import ItemForm, ProgramForm, ProposalForm
from chibo.programs.lifecycle import ITEM, PROPOSAL, raising_units
from chibo.programs.models import Item, Program, Proposal
from chibo.units.selectors import unit_get

ProgramCreateBody = form_serializer(ProgramForm, "ProgramCreate", "A unit's work program for a year (quarter 0) or "
                                    "a quarter")
ItemCreateBody = form_serializer(ItemForm, "ProgramItemCreate", "An item: its owner is a member (id) of the unit "
                                 "or a post or role (text), exactly one")
ProposalRaiseBody = form_serializer(ProposalForm, "ProposalRaise", "A proposal or question to the committee directly "
                                    "above the unit")


def _viewer(request):
    actor = actor_for(request)
    if not actor.can(VIEW):
        raise Http404
    return actor


class ProgramItemSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)
    unit = serializers.IntegerField(source="program.unit_id", read_only=True)
    unit_name = serializers.CharField(source="program.unit.name", read_only=True)
    available_actions = AvailableActionsField(ITEM)

    class Meta:
        model = Item
        fields = ["id", "program", "unit", "unit_name", "parent", "title", "owner_member", "owner_role", "owner_name",
                  "due_on", "state", "evidence", "document", "done_on", "dropped_reason", "reminded_on", "version",
                  "available_actions"]
        read_only_fields = fields


class ProgramHandedSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="program.unit_id", read_only=True)
    unit_name = serializers.CharField(source="program.unit.name", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "unit", "unit_name", "state", "done_on"]
        read_only_fields = fields


class ProgramItemDetailSerializer(ProgramItemSerializer):
    handed = serializers.SerializerMethodField()

    class Meta(ProgramItemSerializer.Meta):
        fields = [*ProgramItemSerializer.Meta.fields, "handed"]
        read_only_fields = fields

    @extend_schema_field(ProgramHandedSerializer(many=True))
    def get_handed(self, item: Item) -> Any:
        return ProgramHandedSerializer(selectors.handed_items(item), many=True).data


class ProgramSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Program
        fields = ["id", "unit", "unit_name", "year", "quarter", "title", "version"]
        read_only_fields = fields


class ProgramProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Items not dropped")
    overdue = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())


class ProgramDetailSerializer(ProgramSerializer):
    items = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "items", "progress"]
        read_only_fields = fields

    def _items(self, program: Program) -> list[Item]:
        if not hasattr(program, "_items_cache"):
            program._items_cache = list(selectors.program_items(program))  # type: ignore[attr-defined]
        return program._items_cache  # type: ignore[attr-defined]

    @extend_schema_field(ProgramItemSerializer(many=True))
    def get_items(self, program: Program) -> Any:
        return ProgramItemSerializer(self._items(program), many=True, context=self.context).data

    @extend_schema_field(ProgramProgressSerializer)
    def get_progress(self, program: Program) -> Any:
        p = selectors.progress(self._items(program), clock.today())
        return {"done": p.done, "total": p.total, "overdue": p.overdue, "by_state": {s: n for s, _l, n in p.counts}}


class ProgramProposalSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    available_actions = AvailableActionsField(PROPOSAL)

    class Meta:
        model = Proposal
        fields = ["id", "unit", "unit_name", "to_unit", "to_unit_name", "title", "body", "raised_on", "due_on",
                  "state", "received_on", "answer", "answered_on", "withdrawn_reason", "version", "available_actions"]
        read_only_fields = fields


class ProgramBoardItemSerializer(ProgramItemSerializer):
    class Meta(ProgramItemSerializer.Meta):
        fields = ["id", "program", "unit", "unit_name", "title", "owner_name", "due_on", "state", "reminded_on"]
        read_only_fields = fields


class ProgramBoardProposalSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "unit", "unit_name", "to_unit", "title", "raised_on", "due_on", "state"]
        read_only_fields = fields


class ProgramBoardSerializer(serializers.Serializer):
    soon_days = serializers.IntegerField(help_text="Items due within this many days count as due soon")
    overdue = ProgramBoardItemSerializer(many=True)
    due_soon = ProgramBoardItemSerializer(many=True)
    proposals = ProgramBoardProposalSerializer(many=True,
                                               help_text="Open proposals addressed to the caller's committees")


class ProgramList(generics.ListAPIView):
    """The work programs the caller sees (``meetings.view`` on the unit or above); POST creates one
    (``meetings.manage`` on the unit itself)."""

    serializer_class = ProgramSerializer

    def get_queryset(self):
        return selectors.programs_visible(actor_for(self.request)).order_by("-year", "-quarter", "unit__path", "pk")

    @extend_schema(request=ProgramCreateBody, responses={201: ProgramDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.units_holding(EDIT):  # refused before the body is read
            raise PermissionDenied
        # the unit is an id: the service looks it up in the caller's scope (outside it: as an unknown one)
        program = services.program_create(actor=actor, **form_cleaned(ProgramForm, request))
        return Response(ProgramDetailSerializer(program, context={"actor": actor}).data, status=201)


class ProgramDetail(generics.GenericAPIView):
    serializer_class = ProgramDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(ProgramDetailSerializer(selectors.program_get(actor, pk), context={"actor": actor}).data)


class ProgramItems(generics.GenericAPIView):
    """Add an item to the program (``meetings.manage`` on its unit itself)."""

    serializer_class = ProgramItemSerializer

    @extend_schema(request=ItemCreateBody, responses={201: ProgramItemSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        program = selectors.program_get(actor, pk)
        if program.unit_id not in actor.units_holding(EDIT):
            raise PermissionDenied
        item = services.item_add(actor=actor, program=program, **form_cleaned(ItemForm, request))
        fresh = selectors.item_get(actor, item.pk)
        return Response(ProgramItemSerializer(fresh, context={"actor": actor}).data, status=201)


class ItemDetail(generics.GenericAPIView):
    """An item, and when handed down, the items of the units below carrying it out."""

    serializer_class = ProgramItemDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(ProgramItemDetailSerializer(selectors.item_get(actor, pk), context={"actor": actor}).data)


ItemActions = actions_view(lc=ITEM, get_object=selectors.item_get, detail=ProgramItemSerializer,
                           name="ProgramItemActions")


class Board(generics.GenericAPIView):
    """The follow-up board: the open items of the caller's scope overdue or due soon, and the open proposals
    addressed to the caller's committees (``unit``: one unit's subtree)."""

    serializer_class = ProgramBoardSerializer
    query_params = ("unit",)

    @extend_schema(parameters=[OpenApiParameter("unit", int, description="A unit id: its subtree only")],
                   responses={200: ProgramBoardSerializer})
    def get(self, request):
        actor = _viewer(request)
        raw = request.query_params.get("unit", "")
        unit = unit_get(actor, raw) if raw else None
        if unit is not None and not actor.can(VIEW, unit):
            raise Http404
        data = selectors.board(actor, clock.today(), unit=unit)
        return Response(ProgramBoardSerializer({"soon_days": data.soon_days, "overdue": data.overdue,
                                         "due_soon": data.due_soon, "proposals": data.proposals},
                                        context={"actor": actor}).data)


class ProposalList(generics.ListAPIView):
    """The proposals the caller sees (raised by a unit of the caller's scope, or addressed to it); POST raises one
    (the secretary or a committee member of the unit)."""

    serializer_class = ProgramProposalSerializer

    def get_queryset(self):
        return (selectors.proposals_visible(actor_for(self.request)).select_related("unit", "to_unit")
                .order_by("-raised_on", "-pk"))

    @extend_schema(request=ProposalRaiseBody, responses={201: ProgramProposalSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not raising_units(actor):
            raise PermissionDenied
        proposal = services.proposal_raise(actor=actor, **form_cleaned(ProposalForm, request))
        return Response(ProgramProposalSerializer(proposal, context={"actor": actor}).data, status=201)


class ProposalDetail(generics.GenericAPIView):
    serializer_class = ProgramProposalSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(ProgramProposalSerializer(selectors.proposal_get(actor, pk), context={"actor": actor}).data)


ProposalActions = actions_view(lc=PROPOSAL, get_object=selectors.proposal_get, detail=ProgramProposalSerializer,
                               name="ProposalActions")
