"""Discipline API: the cases the caller needs to know (404 for any other, the attempt audited), opening one, and
every step through the lifecycle's one action endpoint (the same forms and services as the pages). The member
concerned reads their own case without the committee's working details."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.discipline import selectors, services
from chibo.discipline.forms import CaseOpenForm, NoticeForm
from chibo.discipline.lifecycle import CASE, NOTICE
from chibo.discipline.models import Appeal, Case, Notice
from chibo.members.selectors import member_get

CaseOpenBody = form_serializer(CaseOpenForm, "DisciplineCaseOpen", "Open a discipline case on a member")
NoticeBody = form_serializer(NoticeForm, "DisciplineNoticeRecord", "Record a state body's notice of discipline")


class DisciplineAppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["instance", "filed_on", "late_reason", "outcome", "new_form", "decision_no", "decided_on"]
        read_only_fields = fields


class DisciplineCaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    available_actions = AvailableActionsField(CASE)
    appeal = DisciplineAppealSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "member", "member_name", "unit", "deciding_unit", "violation", "violated_on", "area",
                  "considered", "state", "state_since", "explanation", "explained_on", "proposed", "voted_on",
                  "eligible", "yes", "no", "needed", "form", "decision_no", "decided_on", "effective_on",
                  "received_on", "dropped_reason", "appeal", "reference", "opened_on", "version", "available_actions"]
        read_only_fields = fields

    def to_representation(self, instance: Case) -> Any:
        data = super().to_representation(instance)
        actor = self.context.get("actor")
        if actor is not None and selectors.is_subject_only(actor, instance):
            data.pop("reference")  # the committee's working papers
        return data


class CaseList(generics.ListAPIView):
    """The cases the caller needs to know; POST opens one (``discipline.open`` on the member's unit)."""

    serializer_class = DisciplineCaseSerializer

    def get_queryset(self):
        return (selectors.cases_visible(actor_for(self.request))
                .select_related("member", "unit", "deciding_unit", "appeal__instance").order_by("-pk"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": actor_for(self.request)}

    @extend_schema(request=CaseOpenBody, responses={201: DisciplineCaseSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("discipline.open"):
            raise PermissionDenied
        data = form_cleaned(CaseOpenForm, request)
        member = member_get(actor, data.pop("member"))
        if not actor.can("discipline.open", member.unit):
            raise PermissionDenied
        case = services.case_open(actor=actor, member=member, **data)
        return Response(DisciplineCaseSerializer(case, context={"actor": actor}).data, status=201)


class CaseDetail(generics.GenericAPIView):
    serializer_class = DisciplineCaseSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(DisciplineCaseSerializer(selectors.case_get(actor, pk), context={"actor": actor}).data)


CaseActions = actions_view(lc=CASE, get_object=selectors.case_get, detail=DisciplineCaseSerializer,
                           name="DisciplineCaseActions")



class DisciplineNoticeSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    late = serializers.BooleanField(read_only=True)
    available_actions = AvailableActionsField(NOTICE)

    class Meta:
        model = Notice
        fields = ["id", "member", "member_name", "unit", "body", "state_form", "decision_no", "decided_on", "summary",
                  "received_on", "due_on", "late", "state", "case", "closed_reason", "recorded_on", "version",
                  "available_actions"]
        read_only_fields = fields


class NoticeList(generics.ListAPIView):
    """The state bodies' notices the caller needs to know; POST records one (``discipline.open`` on the member's
    unit)."""

    serializer_class = DisciplineNoticeSerializer

    def get_queryset(self):
        return selectors.notices_visible(actor_for(self.request)).select_related("member").order_by("-pk")

    @extend_schema(request=NoticeBody, responses={201: DisciplineNoticeSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("discipline.open"):
            raise PermissionDenied
        data = form_cleaned(NoticeForm, request)
        member = member_get(actor, data.pop("member"))
        if not actor.can("discipline.open", member.unit):
            raise PermissionDenied
        notice = services.notice_record(actor=actor, member=member, **data)
        return Response(DisciplineNoticeSerializer(notice, context={"request": request}).data, status=201)


class NoticeDetail(generics.GenericAPIView):
    serializer_class = DisciplineNoticeSerializer

    def get(self, request, pk):
        return Response(DisciplineNoticeSerializer(selectors.notice_get(actor_for(request), pk),
                                                   context={"request": request}).data)


NoticeActions = actions_view(lc=NOTICE, get_object=selectors.notice_get, detail=DisciplineNoticeSerializer,
                             name="DisciplineNoticeActions")
