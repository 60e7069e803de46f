"""Grading API: periods (open one), their board and summary, members' and organizations' reviews, and every step
through the lifecycles' one action endpoint (the same forms and services as the pages, so a refusal reads the
same, field by field). The self-assessment's points go as ``p_<group>_<code>`` fields, one per criterion of the
review's form (``criteria`` in the review's detail lists them with their ranges)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.grading import selectors, services
from chibo.grading.enums import ReviewState
from chibo.grading.forms import PeriodOpenForm
from chibo.grading.lifecycle import PERIOD, REVIEW, UNIT_REVIEW
from chibo.grading.models import Decision, Period, Review, UnitReview
from chibo.grading.rules import criteria_for
from chibo.units.selectors import unit_get


class GradingPeriodOpenSerializer(form_serializer(PeriodOpenForm, "GradingPeriodOpenFields")):  # type: ignore[misc]
    """Open a review period for a unit's subtree (every member reviewed, every organization graded)."""

    unit = serializers.IntegerField(min_value=1, help_text="The unit (id): the period covers its whole subtree")


class GradingPeriodSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    available_actions = AvailableActionsField(PERIOD)

    class Meta:
        model = Period
        fields = ["id", "unit", "unit_name", "kind", "year", "quarter", "title", "starts_on", "ends_on", "self_due",
                  "cell_due", "decide_due", "state", "opened_on", "locked_on", "version", "available_actions"]
        read_only_fields = fields


class GradingBoardRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="review state → number")
    late = serializers.ListField(child=serializers.CharField(), help_text="steps past their deadline: self, cell, "
                                                                            "decide")


class GradingPeriodDetailSerializer(GradingPeriodSerializer):
    board = serializers.SerializerMethodField()

    class Meta(GradingPeriodSerializer.Meta):
        fields = [*GradingPeriodSerializer.Meta.fields, "board"]
        read_only_fields = fields

    @extend_schema_field(GradingBoardRowSerializer(many=True))
    def get_board(self, obj: Period) -> Any:
        return GradingBoardRowSerializer(selectors.board(self.context["actor"], obj), many=True).data


class GradeDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "grade", "score", "decision_no", "decided_on", "reason", "decided_by"]
        read_only_fields = fields


class GradingCriterionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="the body field of the self-assessment (p_<group>_<code>)")
    title = serializers.CharField(source="label")
    max_points = serializers.IntegerField()


class GradingReviewSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    available_actions = AvailableActionsField(REVIEW)

    class Meta:
        model = Review
        fields = ["id", "period", "member", "member_name", "unit", "unit_name", "form", "state", "state_since",
                  "score", "proposed_grade", "cell_grade", "grade", "final_score", "decision_no", "decided_on",
                  "version", "available_actions"]
        read_only_fields = fields


class GradingReviewDetailSerializer(GradingReviewSerializer):
    criteria = serializers.SerializerMethodField()
    decisions = GradeDecisionSerializer(many=True, read_only=True)

    class Meta(GradingReviewSerializer.Meta):
        fields = [*GradingReviewSerializer.Meta.fields, "points", "all_on_time", "exceeded_percent", "strengths",
                  "weaknesses", "remedies", "submitted_at", "meeting", "cell_comment", "cell_score", "cell_convened",
                  "cell_yes", "cell_no", "cell_needed", "cell_voted_on", "disciplined", "appraisal",
                  "appraised_grade", "appraised_on", "criteria", "decisions"]
        read_only_fields = fields

    @extend_schema_field(GradingCriterionSerializer(many=True))
    def get_criteria(self, obj: Review) -> list:
        rows = [{"key": f"p_{c.code}", "label": c.label, "max_points": c.max_points}
                for c in criteria_for(obj.form, obj.period.rules_on)]
        return list(GradingCriterionSerializer(rows, many=True).data)  # "title", as the schema says


class GradingUnitReviewSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    available_actions = AvailableActionsField(UNIT_REVIEW)
    decisions = GradeDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = UnitReview
        fields = ["id", "period", "unit", "unit_name", "state", "state_since", "points", "score", "all_on_time",
                  "exceeded_percent", "late_percent", "report", "proposed_grade", "submitted_on",
                  "members_disciplined", "grade", "final_score", "decision_no", "decided_on", "version",
                  "available_actions", "decisions"]
        read_only_fields = fields


class GradingSummaryRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    own = serializers.BooleanField(help_text="the level as a whole (first row)")
    members_total = serializers.IntegerField()
    members = serializers.DictField(child=serializers.IntegerField(), help_text="grade → members decided")
    undecided = serializers.IntegerField()
    units_total = serializers.IntegerField()
    units = serializers.DictField(child=serializers.IntegerField(), help_text="grade → organizations decided")


def _unit_param(request, actor, name: str = "unit"):
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    if not raw.isdigit():
        raise serializers.ValidationError({name: [_("Mã tổ chức phải là số.")]})
    return unit_get(actor, int(raw))


class PeriodList(generics.ListAPIView):
    """Review periods in the caller's scope; POST opens one for a unit's subtree (``grading.open``)."""

    serializer_class = GradingPeriodSerializer

    def get_queryset(self):
        return selectors.periods_visible(actor_for(self.request)).order_by("-year", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": actor_for(self.request)}

    @extend_schema(request=GradingPeriodOpenSerializer, responses={201: GradingPeriodDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("grading.open"):  # refused before the body is read
            raise PermissionDenied
        period = services.period_open(actor=actor, **form_cleaned(PeriodOpenForm, request, actor=actor))
        return Response(GradingPeriodDetailSerializer(period, context={"actor": actor}).data, status=201)


class PeriodDetail(generics.GenericAPIView):
    serializer_class = GradingPeriodDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(GradingPeriodDetailSerializer(selectors.period_get(actor, pk), context={"actor": actor}).data)


class PeriodReviews(generics.ListAPIView):
    """The members' reviews of a period in the caller's scope, by unit then name."""

    serializer_class = GradingReviewSerializer
    query_params = ("unit", "state")

    def get_queryset(self):
        actor = actor_for(self.request)
        period = selectors.period_get(actor, self.kwargs["pk"])
        state = self.request.query_params.get("state", "")
        if state and state not in ReviewState.values:
            raise serializers.ValidationError({"state": [_("Bước «%(step)s» không hợp lệ.") % {"step": state[:40]}]})
        return selectors.period_reviews(actor, period, unit=_unit_param(self.request, actor), state=state)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": actor_for(self.request)}

    @extend_schema(parameters=[OpenApiParameter("unit", int, description="Unit id: its whole subtree"),
                               OpenApiParameter("state", str, enum=ReviewState.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PeriodUnitReviews(generics.ListAPIView):
    """The organizations' reviews of a period in the caller's scope."""

    serializer_class = GradingUnitReviewSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        return selectors.period_unit_reviews(actor, selectors.period_get(actor, self.kwargs["pk"]))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": actor_for(self.request)}


class PeriodSummary(generics.GenericAPIView):
    """The official summary of a level (default: the unit that opened the period): the level as a whole, then one
    row per child subtree; members and organizations by grade. The same figures as the XLSX."""

    serializer_class = GradingSummaryRowSerializer
    query_params = ("unit",)
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("unit", int, description="The level (unit id)")],
                   responses={200: GradingSummaryRowSerializer(many=True)})
    def get(self, request, pk):
        actor = actor_for(request)
        period = selectors.period_get(actor, pk)
        level = _unit_param(request, actor) or period.unit
        if not actor.can("grading.view", level):
            raise Http404
        return Response(GradingSummaryRowSerializer(selectors.summary(actor, period, level), many=True).data)


class MyReviews(generics.ListAPIView):
    """The caller's own reviews (a member)."""

    serializer_class = GradingReviewSerializer

    def get_queryset(self):
        return selectors.my_reviews(actor_for(self.request))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": actor_for(self.request)}


class ReviewDetail(generics.GenericAPIView):
    serializer_class = GradingReviewDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(GradingReviewDetailSerializer(selectors.review_get(actor, pk), context={"actor": actor}).data)


class UnitReviewDetail(generics.GenericAPIView):
    serializer_class = GradingUnitReviewSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        unit_review = selectors.unit_review_get(actor, pk)
        return Response(GradingUnitReviewSerializer(unit_review, context={"actor": actor}).data)


PeriodActions = actions_view(lc=PERIOD, get_object=selectors.period_get, detail=GradingPeriodDetailSerializer,
                             name="GradingPeriodActions")
ReviewActions = actions_view(lc=REVIEW, get_object=selectors.review_get, detail=GradingReviewDetailSerializer,
                             name="GradingReviewActions")
UnitReviewActions = actions_view(lc=UNIT_REVIEW, get_object=selectors.unit_review_get,
                                 detail=GradingUnitReviewSerializer, name="GradingUnitReviewActions")
