"""Privacy API: my requests (and those of the units an officer is in charge of), filing one, answering or refusing it
through the lifecycle's one action endpoint, the export archive, who opened my full record, and the breach register
(the same forms and services as the pages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core import clock
from chibo.core.access import actor_for
from chibo.core.documents import download
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.members.selectors import member_get
from chibo.privacy import selectors, services
from chibo.privacy.forms import AnonymiseForm, BreachForm, ExportForm, RequestForm
from chibo.privacy.lifecycle import BREACH, REQUEST
from chibo.privacy.models import Anonymisation, Breach, DataRequest
from chibo.privacy.processing import record_of_processing

RequestBody = form_serializer(RequestForm, "PrivacyRequestFile", "File a request about one's own data")
ExportBody = form_serializer(ExportForm, "PrivacyExport", "The password that will open the archive")
BreachBody = form_serializer(BreachForm, "PrivacyBreachRecord", "Record a personal data breach")


class PrivacyRequestSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(read_only=True)
    late = serializers.BooleanField(read_only=True)
    available_actions = AvailableActionsField(REQUEST)

    class Meta:
        model = DataRequest
        fields = ["id", "member", "applicant", "person_name", "unit", "kind", "details", "state", "filed_on",
                  "recorded_by_officer", "due_on", "answer", "answered_on", "late", "version", "available_actions"]
        read_only_fields = fields


class RequestList(generics.ListAPIView):
    """My requests about my data and those of the units I am in charge of; POST files one (about myself; an officer
    with ``privacy.handle``: for a former member, ``member``)."""

    serializer_class = PrivacyRequestSerializer

    def get_queryset(self):
        return selectors.requests_visible(actor_for(self.request)).order_by("-pk")

    @extend_schema(request=RequestBody, responses={201: PrivacyRequestSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not (actor.member_id or actor.applicant_id or actor.can("privacy.handle")):
            raise PermissionDenied
        data = form_cleaned(RequestForm, request)
        if data.get("member") is not None and data["member"] != actor.member_id:
            if not actor.can("privacy.handle"):
                raise PermissionDenied(_("Chỉ được gửi yêu cầu về dữ liệu của chính mình."))
            member_get(actor, data["member"])  # 404 outside the officer's scope
        req = services.request_file(actor=actor, **data)
        return Response(PrivacyRequestSerializer(req, context={"request": request}).data, status=201)


class RequestDetail(generics.GenericAPIView):
    serializer_class = PrivacyRequestSerializer

    def get(self, request, pk):
        return Response(PrivacyRequestSerializer(selectors.request_get(actor_for(request), pk),
                                                 context={"request": request}).data)


RequestActions = actions_view(lc=REQUEST, get_object=selectors.request_get, detail=PrivacyRequestSerializer,
                              name="PrivacyRequestActions")


class RequestExport(generics.GenericAPIView):
    """The complete export of the person the request is about: an AES-encrypted zip (data.json, tom-tat.pdf)."""

    serializer_class = ExportBody

    @extend_schema(request=ExportBody, responses={(200, "application/zip"): OpenApiTypes.BINARY,
                                                  400: OpenApiResponse(description="Bad input, field by field")})
    def post(self, request, pk):
        actor = actor_for(request)
        req = selectors.request_get(actor, pk)
        if not (selectors.is_own(actor, req) or selectors.can_handle(actor, req)):
            raise PermissionDenied
        data = form_cleaned(ExportForm, request)
        content = services.export_archive(actor=actor, request=req, password=data["password"])
        return download(actor=actor, content=content, filename=f"du-lieu-ca-nhan-{req.pk}.zip",
                        content_type="application/zip", action=None)


class RecordReadSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    role = serializers.CharField()
    unit = serializers.CharField()


class RecordReads(generics.GenericAPIView):
    """When my full record was opened, and by which role of which unit (never the reader's name)."""

    serializer_class = RecordReadSerializer
    pagination_class = None  # the whole list, never paged

    @extend_schema(responses={200: RecordReadSerializer(many=True)})
    def get(self, request):
        actor = actor_for(request)
        if not actor.member_id:
            raise Http404
        member = member_get(actor, actor.member_id)
        return Response(RecordReadSerializer(selectors.record_reads(member), many=True).data)


class PrivacyBreachSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(read_only=True)
    available_actions = AvailableActionsField(BREACH)

    class Meta:
        model = Breach
        fields = ["id", "unit", "detected_at", "due_at", "summary", "data_affected", "actions", "state",
                  "notified_at", "notified_to", "late", "version", "available_actions"]
        read_only_fields = fields


class BreachList(generics.ListAPIView):
    """The breach register (the top organization's officers, ``privacy.breach``); POST records one."""

    serializer_class = PrivacyBreachSerializer

    def get_queryset(self):
        return selectors.breaches_visible(actor_for(self.request)).order_by("-pk")

    @extend_schema(request=BreachBody, responses={201: PrivacyBreachSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if actor.top_grant("privacy.breach") is None:
            raise PermissionDenied
        data = form_cleaned(BreachForm, request)
        breach = services.breach_record(actor=actor, **data)
        return Response(PrivacyBreachSerializer(breach, context={"request": request}).data, status=201)


class BreachDetail(generics.GenericAPIView):
    serializer_class = PrivacyBreachSerializer

    def get(self, request, pk):
        return Response(PrivacyBreachSerializer(selectors.breach_get(actor_for(request), pk),
                                                context={"request": request}).data)


BreachActions = actions_view(lc=BREACH, get_object=selectors.breach_get, detail=PrivacyBreachSerializer,
                             name="PrivacyBreachActions")


AnonymiseBody = form_serializer(AnonymiseForm, "PrivacyAnonymise",
                                "Anonymise one person whose retention period has run out (confirm must be true)")


class AnonymiseCandidateSerializer(serializers.Serializer):
    kind = serializers.CharField()
    pk = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    status = serializers.CharField()
    since = serializers.DateField()
    kept_until = serializers.DateField()
    eligible = serializers.BooleanField()
    reason = serializers.CharField()


class AnonymisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Anonymisation
        fields = ["id", "kind", "person_id", "unit", "since", "kept_until", "done_at", "rows"]
        read_only_fields = fields


class Anonymise(generics.GenericAPIView):
    """GET: the dry run — every former member and applicant not admitted who is not anonymised yet, whether they
    may be today and why (eligible first). POST: anonymise one of them (``privacy.anonymise`` at the top)."""

    serializer_class = AnonymiseCandidateSerializer
    pagination_class = None  # the whole list, never paged

    @extend_schema(responses={200: AnonymiseCandidateSerializer(many=True)})
    def get(self, request):
        actor = actor_for(request)
        if not selectors.may_anonymise(actor):
            raise PermissionDenied
        return Response(AnonymiseCandidateSerializer(selectors.anonymisation_candidates(actor), many=True).data)

    @extend_schema(request=AnonymiseBody, responses={201: AnonymisationSerializer,
                                                     400: OpenApiResponse(description="Refused, with the reason")})
    def post(self, request):
        actor = actor_for(request)
        if not selectors.may_anonymise(actor):
            raise PermissionDenied
        data = form_cleaned(AnonymiseForm, request)
        done = services.anonymise_person(actor=actor, kind=data["kind"], person=data["person"])
        return Response(AnonymisationSerializer(done).data, status=201)


class ProcessingRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    category = serializers.CharField(source="label")
    models = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    basis = serializers.CharField()
    who = serializers.ListField(child=serializers.CharField())
    retention = serializers.CharField()


class Processing(generics.GenericAPIView):
    """The record of processing: each category of personal data, the models holding it, its purpose, legal basis,
    who may see it and how long it is kept (every signed-in user)."""

    serializer_class = ProcessingRowSerializer
    pagination_class = None  # the whole record, never paged

    @extend_schema(responses={200: ProcessingRowSerializer(many=True)})
    def get(self, request):
        return Response(ProcessingRowSerializer(record_of_processing(clock.today()), many=True).data)
