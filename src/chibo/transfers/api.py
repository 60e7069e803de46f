"""Transfers API: scoped reads through transfers.selectors, writes through transfers.services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for
from chibo.core.lifecycle_api import AvailableActionsField, actions_view
from chibo.members.selectors import member_get
from chibo.transfers import selectors, services
from chibo.transfers.lifecycle import DECLARATION, DELEGATION, EXEMPTION, TRANSFER, TRIP
from chibo.transfers.models import (
    INCOMING,
    Declaration,
    DeclarationKind,
    DelegationRole,
    DelegationState,
    Exemption,
    Kind,
    Letter,
    State,
    Transfer,
    Trip,
)
from chibo.units.selectors import unit_get


class LetterSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = Letter
        fields = ["id", "number", "year", "seq", "form", "box", "issuer", "issuer_name", "issued_on", "addressee",
                  "dues_paid_through", "valid_until", "void_reason"]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    origin = serializers.CharField(read_only=True)
    destination = serializers.CharField(read_only=True)
    letters = LetterSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "kind", "state", "from_unit", "to_unit", "from_org", "to_org",
                  "origin", "destination", "decision_doc", "decision_date", "reason", "period_from", "period_to",
                  "requested_on", "approved_on", "issued_on", "forwarded_on", "received_on", "reported_on",
                  "start_due", "late_start", "late_start_reason", "report_due", "late_report", "late_report_reason",
                  "letters"]
        read_only_fields = fields


class TransferDetailSerializer(TransferSerializer):
    available_actions = AvailableActionsField(TRANSFER)

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "available_actions"]
        read_only_fields = fields


MAX_ID = 2**31 - 1  # ids beyond any row: refused as input, never sent to the database
REQUEST_KINDS = [(k.value, k.label) for k in Kind if k not in INCOMING]


class TransferCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=REQUEST_KINDS)
    to_unit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    to_org = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    decision_doc = serializers.CharField(max_length=120)
    decision_date = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    period_from = serializers.DateField(required=False, allow_null=True)
    period_to = serializers.DateField(required=False, allow_null=True)
    requested_on = serializers.DateField(required=False, allow_null=True)
    late_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class TransferList(generics.ListAPIView):
    serializer_class = TransferSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        qs = selectors.transfers_visible(actor).prefetch_related("letters__issuer")
        state = self.request.query_params.get("state", "")
        if state and state not in State.values:
            raise serializers.ValidationError({"state": [f"Tình trạng «{state[:40]}» không hợp lệ."]})
        raw = self.request.query_params.get("member", "")
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID):
            raise serializers.ValidationError({"member": ["Mã đảng viên phải là số."]})
        if raw:
            qs = qs.filter(member=member_get(actor, int(raw)))
        return qs.filter(state=state) if state else qs

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=State.values),
                               OpenApiParameter("member", int, description="Member id")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("transfers.edit"):  # refused before the body is read: nothing to learn from its errors
            raise PermissionDenied
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        member = member_get(actor, fields.pop("member"))
        to_unit, to_org = fields.pop("to_unit", None), fields.pop("to_org", None)
        if to_unit is not None:
            fields["to_unit"] = unit_get(actor, to_unit)
        if to_org is not None:
            org = selectors.organizations().filter(pk=to_org).first()
            if org is None:
                raise serializers.ValidationError({"to_org": ["Không có tổ chức này trong danh mục."]})
            fields["to_org"] = org
        transfer = services.transfer_request(actor=actor, member=member, **fields)
        return Response(TransferDetailSerializer(transfer, context={"actor": actor}).data, status=201)


class TransferDetail(generics.GenericAPIView):
    serializer_class = TransferDetailSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(TransferDetailSerializer(selectors.transfer_get(actor, pk), context={"actor": actor}).data)


TransferActions = actions_view(lc=TRANSFER, get_object=selectors.transfer_get, detail=TransferDetailSerializer,
                               name="TransferActions")


REVIEW_FIELDS = ["id", "member", "member_name", "unit", "state", "filed_on", "cell_opinion", "opinion_on",
                 "decision_doc", "decided_on", "available_actions"]


class TripSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    available_actions = AvailableActionsField(TRIP)

    class Meta:
        model = Trip
        fields = [*REVIEW_FIELDS, "country", "purpose", "depart_on", "return_on", "report_due", "reported_on",
                  "late_report"]
        read_only_fields = fields


class DeclarationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    available_actions = AvailableActionsField(DECLARATION)

    class Meta:
        model = Declaration
        fields = [*REVIEW_FIELDS, "kind", "country", "subject"]
        read_only_fields = fields


class ExemptionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    available_actions = AvailableActionsField(EXEMPTION)

    class Meta:
        model = Exemption
        fields = [*REVIEW_FIELDS, "period_from", "period_to", "reason"]
        read_only_fields = fields


class MemberRefSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                      help_text="Member id; the caller's own record when left out")


def _filer(actor, request):
    """The member a request is filed for: the one named (404 outside the scope) or the caller's own
    record; 403 unless it is the caller's own or the caller may act for the member's cell."""
    ref = MemberRefSerializer(data=request.data)
    ref.is_valid(raise_exception=True)
    pk = ref.validated_data.get("member")
    if pk is None:
        if not actor.member_id:
            raise serializers.ValidationError({"member": ["Tài khoản này không gắn với đảng viên nào; "
                                                          "cần mã đảng viên."]})
        pk = actor.member_id
    member = member_get(actor, pk)
    if actor.member_id != member.pk and not actor.can("transfers.edit", member.unit):
        raise PermissionDenied
    return member


class TripApplySerializer(MemberRefSerializer):
    country = serializers.CharField(max_length=2, help_text="ISO 3166 alpha-2, e.g. JP")
    purpose = serializers.CharField(max_length=300)
    depart_on = serializers.DateField()
    return_on = serializers.DateField()


class DeclarationFileSerializer(MemberRefSerializer):
    kind = serializers.ChoiceField(choices=DeclarationKind.choices)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2, default="")
    subject = serializers.CharField(max_length=300, help_text="About the member themselves only")


class ExemptionApplySerializer(MemberRefSerializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    reason = serializers.CharField(max_length=300)


def _review_list(*, serializer, body, visible, file, doc: str):
    """The list of one kind of reviewed request in the caller's scope; POST files one (the member for
    themself, the cell for a member of its scope)."""

    class ReviewList(generics.ListAPIView):
        serializer_class = serializer

        def get_queryset(self):
            return visible(actor_for(self.request))

        @extend_schema(request=body, responses={201: serializer})
        def post(self, request, *args, **kwargs):
            actor = actor_for(request)
            member = _filer(actor, request)
            data = body(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
            fields.pop("member", None)
            obj = file(actor=actor, member=member, **fields)
            return Response(serializer(obj, context={"actor": actor}).data, status=201)

    ReviewList.__doc__ = doc
    ReviewList.__name__ = ReviewList.__qualname__ = f"{serializer.Meta.model.__name__}List"
    return ReviewList


TripList = _review_list(serializer=TripSerializer, body=TripApplySerializer, visible=selectors.trips_visible,
                        file=services.trip_apply, doc="Trips abroad of the members in the caller's scope.")
DeclarationList = _review_list(serializer=DeclarationSerializer, body=DeclarationFileSerializer,
                               visible=selectors.declarations_visible, file=services.declaration_file,
                               doc="Declarations of the members in the caller's scope.")
ExemptionList = _review_list(serializer=ExemptionSerializer, body=ExemptionApplySerializer,
                             visible=selectors.exemptions_visible, file=services.exemption_apply,
                             doc="Exemptions from party work and meetings of the members in the caller's scope.")
TripActions = actions_view(lc=TRIP, get_object=selectors.trip_get, detail=TripSerializer)
DeclarationActions = actions_view(lc=DECLARATION, get_object=selectors.declaration_get, detail=DeclarationSerializer)
ExemptionActions = actions_view(lc=EXEMPTION, get_object=selectors.exemption_get, detail=ExemptionSerializer)


class DelegationTaskSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)


class DelegationMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    role = serializers.ChoiceField(choices=DelegationRole.choices, read_only=True)
    from_unit = serializers.IntegerField(source="from_unit_id", read_only=True)
    from_unit_name = serializers.CharField(source="from_unit.name", read_only=True)
    attached_on = serializers.DateField(read_only=True)
    detached_on = serializers.DateField(read_only=True, allow_null=True)


class DelegationSerializer(serializers.Serializer):
    """A delegation cell: keyed by its unit; the deciding document, tasks and attached members with
    their posts (the committee: secretary, deputy secretaries, committee members)."""

    unit = serializers.IntegerField(source="unit_id", read_only=True)
    name = serializers.CharField(source="unit.name", read_only=True)
    country = serializers.CharField(source="unit.country", read_only=True)
    opened_on = serializers.DateField(source="unit.opened_on", read_only=True)
    document = serializers.CharField(source="unit.opened_by_doc", read_only=True)
    return_on = serializers.DateField(read_only=True, allow_null=True)
    closed_on = serializers.DateField(source="unit.closed_on", read_only=True, allow_null=True)
    tasks = DelegationTaskSerializer(many=True, read_only=True)
    members = DelegationMemberSerializer(source="attached", many=True, read_only=True)
    state = serializers.ChoiceField(choices=DelegationState.choices, read_only=True)
    available_actions = AvailableActionsField(DELEGATION)


class DelegationList(generics.ListAPIView):
    """Delegation cells in the caller's scope (a member: the one they are attached to)."""

    serializer_class = DelegationSerializer

    def get_queryset(self):
        return selectors.delegations_visible(actor_for(self.request)).prefetch_related(
            "tasks", "attached__member", "attached__from_unit")


class DelegationDetail(generics.GenericAPIView):
    serializer_class = DelegationSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(DelegationSerializer(selectors.delegation_get(actor, pk), context={"actor": actor}).data)


DelegationActions = actions_view(lc=DELEGATION, get_object=selectors.delegation_get, detail=DelegationSerializer)
