"""Admission API: cases through the same selectors as the board; their steps through the lifecycle's one
action endpoint (the same forms and services as the pages, so a refusal reads the same, field by field)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.admission import selectors, services
from chibo.admission.lifecycle import CASE
from chibo.admission.models import AdmissionCase, Stage, Vote
from chibo.core.access import actor_for, subtree_q
from chibo.core.lifecycle_api import AvailableActionsField, actions_view
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
    available_actions = AvailableActionsField(CASE)
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
                  "available_actions"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    votes = VoteSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "votes"]
        read_only_fields = fields


class CaseOpenSerializer(serializers.Serializer):
    """An outstanding person recorded by the cell, and their case opened (only what the regulations need)."""

    unit = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The cell (unit id)")
    full_name = serializers.CharField(max_length=120)
    gender = serializers.ChoiceField(choices=[("M", gettext_noop("Nam")), ("F", gettext_noop("Nữ"))])
    birth_date = serializers.DateField()
    citizen_id = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=200, required=False, allow_blank=True, default="")
    recorded_on = serializers.DateField(required=False, allow_null=True, default=None)
    invite = serializers.BooleanField(required=False, default=False,
                                      help_text="Also invite the applicant to their dossier page (needs the e-mail)")


class CaseList(generics.ListAPIView):
    """Admission cases in the caller's scope; POST records an applicant and opens their case (the cell)."""
    query_params = ("stage", "unit")

    serializer_class = CaseSerializer

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("admission.edit"):  # refused before the body is read
            raise PermissionDenied
        body = CaseOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        unit = unit_get(actor, fields.pop("unit"))
        applicant = services.applicant_record(actor=actor, unit=unit, **fields)
        return Response(CaseDetailSerializer(applicant.case, context={"actor": actor}).data, status=201)

    def get_queryset(self):
        actor = actor_for(self.request)
        qs = selectors.cases_visible(actor).order_by("pk")
        params = self.request.query_params
        if params.get("unit"):
            if not params["unit"].isdigit():
                raise serializers.ValidationError({"unit": [_("Mã tổ chức phải là số.")]})
            unit = unit_get(actor, int(params["unit"]))
            qs = qs.filter(subtree_q([unit.path], "unit__path"))
        stage = params.get("stage", "")
        if stage:
            if stage not in Stage.values:
                raise serializers.ValidationError({"stage": [_("Bước «%(step)s» không hợp lệ.")
                                                               % {"step": stage[:40]}]})
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


CaseActions = actions_view(lc=CASE, get_object=selectors.case_get, detail=CaseDetailSerializer, name="CaseActions")


class ApplicantInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254,
                                   help_text="Leave out to use the address recorded with the applicant.")


class CaseInviteApplicant(generics.GenericAPIView):
    """Invite the case's applicant to their dossier page: a one-time link by e-mail."""

    serializer_class = ApplicantInviteSerializer

    @extend_schema(request=ApplicantInviteSerializer, responses={201: inline_serializer("ApplicantInvitation", {
        "account": serializers.IntegerField(), "username": serializers.CharField(),
        "email": serializers.EmailField(), "expires_at": serializers.DateTimeField()})})
    def post(self, request, pk: int):
        actor = actor_for(request)
        case = selectors.case_get(actor, pk)
        body = ApplicantInviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = services.applicant_invite(actor=actor, case=case, email=body.validated_data.get("email", ""))
        return Response({"account": invitation.user_id, "username": invitation.user.username,
                         "email": invitation.email, "expires_at": invitation.expires_at}, status=201)
