"""Admission API: cases through the same selectors as the board, transitions through the same forms
and services as the pages (so a refusal reads the same, field by field)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.admission import selectors
from chibo.admission.forms import ACTIONS, CeremonyForm, IntroducersForm, actions_for
from chibo.admission.models import AdmissionCase, Stage, Vote
from chibo.core.access import actor_for, subtree_q
from chibo.units.selectors import unit_get


class VoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "kind", "held_on", "unit", "eligible", "yes", "no", "needed", "passed", "resolution_no"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    next_actions = serializers.SerializerMethodField()
    exit_stage = serializers.CharField(read_only=True, help_text="The stage the case left by a side exit")

    class Meta:
        model = AdmissionCase
        fields = ["id", "applicant", "applicant_name", "unit", "unit_name", "deciding_unit", "stage", "stage_label",
                  "stage_since", "course_certificate_no", "course_issuer", "course_on", "application_on", "cv_on",
                  "introducer1", "introducer1_since", "introducer2", "introducer2_since", "union_resolution",
                  "introducers_on", "mass_org_comment_on", "residence_comment_on", "verified_by", "verified_on",
                  "verification_ref", "cell_vote_on", "cell_yes", "cell_eligible", "cell_needed",
                  "cell_resolution_no", "age_months_at_vote", "over_age", "committee_vote_on", "committee_yes",
                  "committee_eligible", "committee_needed", "committee_resolution_no", "decision_extension_days",
                  "decision_extension_reason", "decision_no", "decision_on", "decision_received_on", "ceremony_on",
                  "member", "helper", "probation_end", "confirmation_resolution_no", "confirmation_voted_on",
                  "confirmation_decision_no", "confirmed_on", "exit_stage", "exit_reason", "exited_on", "version",
                  "next_actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text="Actions the case accepts next"))
    def get_next_actions(self, obj) -> list[str]:
        return actions_for(obj)


class CaseDetailSerializer(CaseSerializer):
    votes = VoteSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "votes"]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    """``action`` and the fields of that step (dates as YYYY-MM-DD; members by id)."""

    action = serializers.ChoiceField(choices=list(ACTIONS))
    certificate_no = serializers.CharField(required=False)
    issuer = serializers.CharField(required=False)
    on = serializers.DateField(required=False)
    application_on = serializers.DateField(required=False)
    cv_on = serializers.DateField(required=False)
    introducer1 = serializers.IntegerField(required=False)
    introducer1_since = serializers.DateField(required=False)
    introducer2 = serializers.IntegerField(required=False)
    introducer2_since = serializers.DateField(required=False)
    union_resolution = serializers.CharField(required=False)
    mass_org_on = serializers.DateField(required=False)
    residence_on = serializers.DateField(required=False)
    by = serializers.CharField(required=False)
    reference = serializers.CharField(required=False)
    held_on = serializers.DateField(required=False)
    yes = serializers.IntegerField(required=False)
    no = serializers.IntegerField(required=False)
    resolution_no = serializers.CharField(required=False)
    days = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False)
    decision_no = serializers.CharField(required=False)
    decided_on = serializers.DateField(required=False)
    received_on = serializers.DateField(required=False)
    helper = serializers.IntegerField(required=False)
    category = serializers.CharField(required=False)
    card_number = serializers.CharField(required=False)
    dossier_number = serializers.CharField(required=False)
    document = serializers.CharField(required=False)
    outcome = serializers.ChoiceField(choices=[Stage.WITHDRAWN, Stage.REJECTED], required=False)


class CaseList(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        qs = selectors.cases_visible(actor).order_by("pk")
        params = self.request.query_params
        if params.get("unit"):
            if not params["unit"].isdigit():
                raise serializers.ValidationError({"unit": ["Mã tổ chức phải là số."]})
            unit = unit_get(actor, int(params["unit"]))
            qs = qs.filter(subtree_q([unit.path], "unit__path"))
        stage = params.get("stage", "")
        if stage:
            if stage not in Stage.values:
                raise serializers.ValidationError({"stage": [f"Bước «{stage[:40]}» không hợp lệ."]})
            qs = qs.filter(stage=stage)
        return qs

    @extend_schema(parameters=[OpenApiParameter("unit", int, description="Unit id: its whole subtree"),
                               OpenApiParameter("stage", str, enum=Stage.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CaseDetail(generics.GenericAPIView):
    serializer_class = CaseDetailSerializer

    def get(self, request, pk):
        return Response(CaseDetailSerializer(selectors.case_get(actor_for(request), pk)).data)


class CaseTransition(generics.GenericAPIView):
    serializer_class = CaseDetailSerializer

    @extend_schema(request=TransitionSerializer, responses={200: CaseDetailSerializer})
    def post(self, request, pk):
        actor = actor_for(request)
        case = selectors.case_get(actor, pk)
        if not actor.can("admission.edit", case.unit) and not actor.can("admission.decide", case.deciding_unit or case.unit):
            raise PermissionDenied
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action = body.validated_data["action"]
        form_class = ACTIONS[action][1]
        kwargs = {"case": case} if form_class in (IntroducersForm, CeremonyForm) else {}
        data = {k: ("" if v is None else str(v)) for k, v in request.data.items() if k != "action"}
        form = form_class(data, **kwargs)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        form.run(actor, case)
        return Response(CaseDetailSerializer(selectors.case_get(actor, pk)).data)
