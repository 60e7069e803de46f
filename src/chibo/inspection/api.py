"""Inspection API: the plans the caller may see (adopting one, adding items and supervision notes, each item's steps
through the lifecycle's one action endpoint), and the inspections the caller needs to know (404 for any other, the
attempt audited), opening one and each of its steps. The same forms and services as the pages. The subject reads
their own case without the signs and the team."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.inspection import selectors, services
from chibo.inspection.enums import Kind
from chibo.inspection.forms import InspectionOpenForm, NoteForm, PlanForm, PlanItemForm
from chibo.inspection.lifecycle import CASE, ITEM, is_subject
from chibo.inspection.models import Inspection, Plan, PlanItem, SupervisionNote


class InspectionPlanCreateSerializer(form_serializer(PlanForm, "InspectionPlanCreateFields")):  # type: ignore[misc]
    """Adopt a committee's yearly plan of inspection or of supervision."""

    unit = serializers.IntegerField(min_value=1, help_text="The committee (unit id) adopting the plan")


class InspectionPlanItemCreateSerializer(form_serializer(PlanItemForm, "InspectionPlanItemFields")):  # type: ignore[misc]
    """Add an item to a plan: a member (id) or an organization below the committee (id), exactly one."""

    subject_unit = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                            help_text="An organization below the committee (unit id)")


class InspectionNoteCreateSerializer(form_serializer(NoteForm, "InspectionNoteFields")):  # type: ignore[misc]
    """A note of day-to-day supervision: a member (id) or an organization below the committee (id), exactly one."""

    subject_unit = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                            help_text="An organization below the committee (unit id)")


InspectionOpenBody = form_serializer(InspectionOpenForm, "InspectionOpen",
                                     "Open an inspection of a member or an organization (exactly one subject)")


class PlanItemSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(read_only=True)
    officers = serializers.SerializerMethodField()
    available_actions = AvailableActionsField(ITEM)

    class Meta:
        model = PlanItem
        fields = ["id", "plan", "subject_unit", "subject_member", "subject_name", "topic", "starts_on", "ends_on",
                  "officers", "state", "conclusion", "concluded_on", "cancelled_reason", "version",
                  "available_actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_officers(self, item: PlanItem) -> list[str]:
        return [u.username for u in item.officers.all()]


class PlanSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "unit", "unit_name", "year", "kind", "reference", "adopted_on", "version"]
        read_only_fields = fields


class PlanProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Items not cancelled")
    by_state = serializers.DictField(child=serializers.IntegerField())


class PlanDetailSerializer(PlanSerializer):
    items = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "items", "progress"]
        read_only_fields = fields

    def _items(self, plan: Plan) -> list[PlanItem]:
        if not hasattr(plan, "_items_cache"):
            plan._items_cache = list(selectors.plan_items(plan))  # type: ignore[attr-defined]
        return plan._items_cache  # type: ignore[attr-defined]

    @extend_schema_field(PlanItemSerializer(many=True))
    def get_items(self, plan: Plan) -> Any:
        return PlanItemSerializer(self._items(plan), many=True, context=self.context).data

    @extend_schema_field(PlanProgressSerializer)
    def get_progress(self, plan: Plan) -> Any:
        p = selectors.progress(self._items(plan))
        return {"done": p.done, "total": p.total, "by_state": {s: n for s, _label, n in p.counts}}


class NoteSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(read_only=True)

    class Meta:
        model = SupervisionNote
        fields = ["id", "unit", "subject_unit", "subject_member", "subject_name", "on", "content", "follow_up",
                  "created_by"]
        read_only_fields = fields


class InspectionCaseSummarySerializer(serializers.ModelSerializer):
    """A case in a list: who, which committee, where it stands (the signs, the team, the explanation and the
    conclusion only on its own page, each read audited)."""

    subject_name = serializers.CharField(read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "unit", "subject_member", "subject_unit", "subject_name", "decision_no", "opened_on", "state",
                  "state_since", "explained_on", "concluded_on"]
        read_only_fields = fields


class InspectionCaseSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(read_only=True)
    team = serializers.SerializerMethodField()
    available_actions = AvailableActionsField(CASE)

    class Meta:
        model = Inspection
        fields = ["id", "unit", "subject_member", "subject_unit", "subject_name", "signs", "decision_no",
                  "opened_on", "plan_item", "state", "state_since", "team", "explanation", "explained_on",
                  "conclusion", "recommendations", "conclusion_no", "concluded_on", "dropped_reason", "version",
                  "available_actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text="The team (user names)"))
    def get_team(self, case: Inspection) -> list[str]:
        return [u.username for u in case.team.all()]

    def to_representation(self, instance: Inspection) -> Any:
        data = super().to_representation(instance)
        actor = self.context.get("actor")
        if actor is not None and is_subject(actor, instance):
            data.pop("signs")  # the committee's working papers
            data.pop("team")
        return data


class PlanList(generics.ListAPIView):
    """The plans the caller may see (``inspection.view`` on the committee or above); POST adopts one."""

    serializer_class = PlanSerializer

    def get_queryset(self):
        return selectors.plans_visible(actor_for(self.request)).order_by("-year", "unit__path", "kind", "pk")

    @extend_schema(request=InspectionPlanCreateSerializer, responses={201: PlanDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("inspection.plan"):  # refused before the body is read
            raise PermissionDenied
        plan = services.plan_create(actor=actor, **form_cleaned(PlanForm, request, actor=actor))
        return Response(PlanDetailSerializer(plan, context={"actor": actor}).data, status=201)


class PlanDetail(generics.GenericAPIView):
    serializer_class = PlanDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(PlanDetailSerializer(selectors.plan_get(actor, pk), context={"actor": actor}).data)


class PlanItems(generics.GenericAPIView):
    """Add an item to the plan (``inspection.plan`` on its committee)."""

    serializer_class = PlanItemSerializer

    @extend_schema(request=InspectionPlanItemCreateSerializer, responses={201: PlanItemSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        plan = selectors.plan_get(actor, pk)
        if plan.unit_id not in actor.units_holding("inspection.plan"):  # the plan's own committee writes it
            raise PermissionDenied
        data = form_cleaned(PlanItemForm, request, actor=actor, unit=plan.unit)
        item = services.plan_item_add(actor=actor, plan=plan, **data)
        return Response(PlanItemSerializer(selectors.item_get(actor, item.pk), context={"actor": actor}).data,
                        status=201)


class PlanNotes(generics.ListAPIView):
    """The committee's supervision notes of the year of a plan of supervision (404 for a plan of inspection); POST
    adds one (``inspection.plan`` on the plan's committee itself)."""

    serializer_class = NoteSerializer

    def get_queryset(self):
        return selectors.notes_of(selectors.plan_get(actor_for(self.request), self.kwargs["pk"],
                                                     kind=Kind.SUPERVISION))

    @extend_schema(request=InspectionNoteCreateSerializer, responses={201: NoteSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        plan = selectors.plan_get(actor, pk, kind=Kind.SUPERVISION)
        if plan.unit_id not in actor.units_holding("inspection.plan"):
            raise PermissionDenied
        data = form_cleaned(NoteForm, request, actor=actor, unit=plan.unit)
        note = services.note_add(actor=actor, plan=plan, **data)
        return Response(NoteSerializer(note).data, status=201)


ItemActions = actions_view(lc=ITEM, get_object=selectors.item_get, detail=PlanItemSerializer,
                           name="InspectionItemActions")


class CaseList(generics.ListAPIView):
    """The inspections the caller needs to know, summed up (each case's papers on its own page, the read audited);
    POST opens one (``inspection.open`` on the committee itself)."""

    serializer_class = InspectionCaseSummarySerializer

    def get_queryset(self):
        return (selectors.cases_visible(actor_for(self.request))
                .select_related("unit", "subject_member", "subject_unit").order_by("-pk"))

    @extend_schema(request=InspectionOpenBody, responses={201: InspectionCaseSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("inspection.open"):
            raise PermissionDenied
        # the committee, the subject and the plan's item are ids: the service looks each up once, in the caller's
        # scope (an id outside it answers as an unknown one)
        case = services.inspection_open(actor=actor, **form_cleaned(InspectionOpenForm, request))
        return Response(InspectionCaseSerializer(case, context={"actor": actor}).data, status=201)


class CaseDetail(generics.GenericAPIView):
    serializer_class = InspectionCaseSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(InspectionCaseSerializer(selectors.case_get(actor, pk), context={"actor": actor}).data)


CaseActions = actions_view(lc=CASE, get_object=selectors.case_get, detail=InspectionCaseSerializer,
                           name="InspectionCaseActions")
