"""Transfers API: scoped reads through transfers.selectors, writes through transfers.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for, require
from chibo.core.lifecycle_api import AvailableActionsField, actions_view, form_cleaned, form_serializer
from chibo.members.selectors import member_get
from chibo.transfers import selectors, services
from chibo.transfers.forms import (
    CertifyForm,
    DelegationForm,
    HoldCloseForm,
    HoldForm,
    IncomingForm,
    OrgActiveForm,
    OrgForm,
    ReasonForm,
    ReviewForm,
    RotationForm,
)
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
    OutsideOrganization,
    ReturnReview,
    State,
    Transfer,
    TransferHold,
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
    query_params = ("member", "state")
    serializer_class = TransferSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        qs = selectors.transfers_visible(actor).prefetch_related("letters__issuer")
        state = self.request.query_params.get("state", "")
        if state and state not in State.values:
            raise serializers.ValidationError({"state": [_("Tình trạng «%(state)s» không hợp lệ.")
                                                           % {"state": state[:40]}]})
        raw = self.request.query_params.get("member", "")
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID):
            raise serializers.ValidationError({"member": [_("Mã đảng viên phải là số.")]})
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
                raise serializers.ValidationError({"to_org": [_("Không có tổ chức này trong danh mục.")]})
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
        fields = [*REVIEW_FIELDS, "kind", "country", "subject", "event_on"]
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
            raise serializers.ValidationError({"member": [_("Tài khoản này không gắn với đảng viên nào; "
                                                            "cần mã đảng viên.")]})
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
    country = serializers.CharField(required=False, allow_blank=True, max_length=2, default="",
                                    help_text="Marriage to a foreigner: the spouse's nationality (required)")
    event_on = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="The day (expected); required for marriage and nationality")
    subject = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                    help_text="About the member themselves only; empty for marriage and nationality")


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


class DelegationTeamEntry(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Member id (in the caller's scope)")
    role = serializers.ChoiceField(choices=DelegationRole.choices, required=False, default=DelegationRole.MEMBER,
                                   help_text="The member's post in the cell (default: member)")


class DelegationTaskEntry(serializers.Serializer):
    text = serializers.CharField(max_length=500, allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class DelegationRowsSerializer(serializers.Serializer):
    members = DelegationTeamEntry(many=True, required=False, help_text="The delegation's members with their posts")
    tasks = DelegationTaskEntry(many=True, required=False, help_text="The cell's tasks while abroad")


DelegationCreateInput = type("DelegationCreateInput", (
    form_serializer(DelegationForm, "DelegationCreateFields", ""), DelegationRowsSerializer), {
    "__doc__": "The upper committee's decision setting up a temporary cell for a delegation: the cell, the "
               "members attached for the mission with their posts (one secretary), its tasks and the expected return."})


def _delegation_form(request) -> DelegationForm:
    """The JSON body as the page's form receives it (``member`` + ``role_<id>``, ``task_text`` / ``task_due``),
    validated by that form."""
    body = request.data
    if not isinstance(body, dict):
        raise serializers.ValidationError({"non_field_errors": [_("Cần một đối tượng JSON.")]})
    scalar = set(DelegationForm.base_fields)
    unknown = sorted(set(body) - scalar - set(DelegationRowsSerializer._declared_fields))
    if unknown:
        raise serializers.ValidationError({k: [_("Không có trường này.")] for k in unknown})
    nested = sorted(k for k in scalar & set(body) if isinstance(body[k], dict | list))
    if nested:
        raise serializers.ValidationError({k: [_("Cần một giá trị đơn (chữ, số, ngày).")] for k in nested})
    rows = DelegationRowsSerializer(data={k: body[k] for k in DelegationRowsSerializer._declared_fields if k in body})
    rows.is_valid(raise_exception=True)
    data = QueryDict(mutable=True)
    for name in scalar & set(body):
        data[name] = "" if body[name] is None else str(body[name])
    for row in rows.validated_data.get("members", []):
        data.appendlist("member", str(row["member"]))
        data[f"role_{row['member']}"] = row["role"]
    for task in rows.validated_data.get("tasks", []):
        data.appendlist("task_text", task["text"])
        data.appendlist("task_due", task["due_on"].isoformat() if task.get("due_on") else "")
    form = DelegationForm(data)
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form


class DelegationList(generics.ListAPIView):
    """Delegation cells in the caller's scope (a member: the one they are attached to); POST sets one up
    (the upper committee's organization officer), refused as a whole on any problem."""

    serializer_class = DelegationSerializer

    def get_queryset(self):
        return selectors.delegations_visible(actor_for(self.request)).prefetch_related(
            "tasks", "attached__member", "attached__from_unit")

    @extend_schema(request=DelegationCreateInput, responses={201: DelegationSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        parents = selectors.delegation_parents(actor)
        if not parents:
            raise PermissionDenied
        cleaned = _delegation_form(request).cleaned_data
        team = selectors.delegation_team(actor, cleaned["team"])
        if len(team) != len(cleaned["team"]):
            raise ValidationError({"members": _("Có đảng viên không tìm thấy trong phạm vi quản lý.")})
        fields = {k: v for k, v in cleaned.items() if k not in ("team", "tasks")}
        delegation = services.delegation_cell_create(actor=actor, parent=parents[0], team=team,
                                                     tasks=cleaned["tasks"], **fields)
        return Response(DelegationSerializer(selectors.delegation_get(actor, delegation.unit_id),
                                             context={"actor": actor}).data, status=201)


class DelegationDetail(generics.GenericAPIView):
    serializer_class = DelegationSerializer

    def get(self, request, pk):
        actor = actor_for(request)
        return Response(DelegationSerializer(selectors.delegation_get(actor, pk), context={"actor": actor}).data)


DelegationActions = actions_view(lc=DELEGATION, get_object=selectors.delegation_get, detail=DelegationSerializer)


# ------------------------------------------------------------------------------------------------
# The API twins of the other page actions: the page's form validates the body, the page's service writes.
# Outside the caller's scope: 404; a visible object the caller may not change: 403, before the body is read.
# ------------------------------------------------------------------------------------------------
def _declared(form_class: type[forms.Form], name: str, doc: str, *, ids=(), extra=None) -> type[serializers.Serializer]:
    """The body of a page form whose choices are filled in for the caller (units, organizations, members),
    described from its declared fields; ``ids`` are ids (the form checks them against the caller's scope)."""

    class Declared(form_class):  # type: ignore[misc, valid-type]  # a form class chosen at run time
        def __init__(self, *args, **kwargs):
            forms.Form.__init__(self, *args)

    base = form_serializer(Declared, f"{name}Fields", doc)
    attrs: dict = {}
    for field_name in ids:
        field = form_class.base_fields[field_name]
        attrs[field_name] = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=field.required,
                                                     allow_null=not field.required, help_text=str(field.label or ""))
    attrs.update(extra or {})
    attrs["__doc__"] = doc
    return type(name, (base,), attrs)


TransferIncomingInput = _declared(
    IncomingForm, "TransferIncomingInput",
    "The letter of an organization outside the tree (from its directory, by id) presenting the member, and the "
    "unit under the member's own to introduce them on to.", ids=("from_org", "to_unit"))


class TransferIncoming(generics.GenericAPIView):
    """Register the letter a member arrives with from an organization outside the tree: the transfer starts
    with its letter already issued, and its report deadline runs from the letter's date."""

    serializer_class = TransferDetailSerializer

    @extend_schema(request=TransferIncomingInput, responses={201: TransferDetailSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        member = member_get(actor, pk)
        require(actor, "transfers.edit", member.unit)
        orgs = selectors.organizations()
        data = form_cleaned(IncomingForm, request, actor=actor, under=member.unit, orgs=orgs)
        data["from_org"] = orgs.get(pk=data["from_org"])
        t = services.transfer_register_incoming(actor=actor, member=member, at_unit=member.unit, kind=Kind.ABROAD,
                                                **data)
        return Response(TransferDetailSerializer(selectors.transfer_get(actor, t.pk), context={"actor": actor}).data,
                        status=201)


class HoldSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)

    class Meta:
        model = TransferHold
        fields = ["id", "member", "member_name", "kind", "reference", "opened_on", "closed_on"]
        read_only_fields = fields


HoldOpenInput = form_serializer(HoldForm, "HoldOpenInput",
                                "The document putting the member under inspection or recording a pending complaint.")
HoldCloseInput = form_serializer(HoldCloseForm, "HoldCloseInput", "The day the inspection or complaint ended.")


class MemberHolds(generics.ListAPIView):
    """A member's inspection / complaint flags (while one is open, no transfer and no letter for the member);
    POST opens one (inspectors and organization officers)."""

    serializer_class = HoldSerializer

    def get_queryset(self):
        return selectors.holds_of_member(member_get(actor_for(self.request), self.kwargs["pk"]))

    @extend_schema(request=HoldOpenInput, responses={201: HoldSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        member = member_get(actor, pk)
        require(actor, "transfers.hold", member.unit)
        hold = services.hold_open(actor=actor, member=member, **form_cleaned(HoldForm, request))
        return Response(HoldSerializer(hold).data, status=201)


class HoldClose(generics.GenericAPIView):
    """End an inspection / complaint flag: the member may be transferred again."""

    serializer_class = HoldSerializer

    @extend_schema(request=HoldCloseInput, responses={200: HoldSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        hold = selectors.hold_get(actor, pk)
        require(actor, "transfers.hold", hold.member.unit)
        hold = services.hold_close(actor=actor, hold=hold, **form_cleaned(HoldCloseForm, request))
        return Response(HoldSerializer(hold).data)


class LetterVoidedSerializer(LetterSerializer):
    transfer_state = serializers.CharField(source="transfer.state", read_only=True,
                                           help_text="The transfer's state after the letter was voided")

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "voided_on", "transfer", "transfer_state"]
        read_only_fields = fields


LetterVoidInput = form_serializer(ReasonForm, "LetterVoidInput", "Why the letter is void (it stays in the book).")


class LetterVoid(generics.GenericAPIView):
    """Void a miswritten letter: it stays in its issuer's book, marked void. Box 1 of a 10-box letter voids
    the whole paper (the boxes written after it too); the transfer steps back to the last valid box."""

    serializer_class = LetterVoidedSerializer

    @extend_schema(request=LetterVoidInput, responses={200: LetterVoidedSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        letter = selectors.letter_get(actor, pk)
        require(actor, "transfers.edit", letter.issuer)
        services.letter_void(actor=actor, letter=letter, **form_cleaned(ReasonForm, request))
        return Response(LetterVoidedSerializer(selectors.letter_get(actor, pk)).data)


RotationInput = _declared(
    RotationForm, "RotationInput",
    "The members of the unit to transfer under one decision (all or nothing), and where to.",
    ids=("to_unit", "to_org"),
    extra={"members": serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                            help_text="Ids of active members on the unit's own rolls")})


class RotationRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.full_name")
    # DRF drops declared fields from the class when it builds the serializer: no clash with Serializer.errors.
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),  # type: ignore[assignment]
                                   help_text="Why this member's transfer would be refused (empty: it would go through)")
    start_due = serializers.DateField(allow_null=True)
    report_due = serializers.DateField(allow_null=True)


class UnitRotation(generics.GenericAPIView):
    """End of a term abroad: start the transfer of several members of the unit at once, all or nothing
    (one refusal names the member and writes nothing). ``preview=true`` answers what would happen to
    each member, writing nothing."""

    serializer_class = TransferSerializer

    @extend_schema(request=RotationInput,
                   parameters=[OpenApiParameter("preview", bool, description="Only show each member's transfer and "
                                                                             "deadlines; write nothing")],
                   responses={201: TransferSerializer(many=True), 200: RotationRowSerializer(many=True)})
    def post(self, request, pk: int):
        actor = actor_for(request)
        unit = unit_get(actor, pk)
        require(actor, "transfers.edit", unit)
        preview = request.query_params.get("preview", "").lower()
        if preview not in ("", "true", "false", "1", "0"):
            raise serializers.ValidationError({"preview": [_("Chỉ nhận true hoặc false.")]})
        members = selectors.rotation_candidates(actor, unit)
        orgs = list(selectors.organizations())
        data = form_cleaned(RotationForm, request, actor=actor, members=members, orgs=orgs)
        picked = set(data.pop("members"))
        chosen = [m for m in members if m.pk in picked]
        data["to_org"] = next((o for o in orgs if o.pk == data["to_org"]), None)
        if preview in ("true", "1"):
            rows = services.rotation_preview(actor=actor, members=chosen, **data)
            return Response(RotationRowSerializer(rows, many=True).data)
        done = services.rotation_commit(actor=actor, members=chosen, **data)
        return Response(TransferSerializer(done, many=True).data, status=201)


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutsideOrganization
        fields = ["id", "name", "kind", "upper_name", "address", "active"]
        read_only_fields = fields


class OrganizationDetailSerializer(OrganizationSerializer):
    transfers = serializers.SerializerMethodField(help_text="Transfers starting or ending there (they keep it)")

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "transfers"]
        read_only_fields = fields

    def get_transfers(self, org) -> int:
        return selectors.organization_uses(org)


OrganizationInput = form_serializer(OrgForm, "OrganizationInput",
                                    "A party organization outside the tree (a domestic committee, a mission, …).")
OrganizationActiveInput = form_serializer(
    OrgActiveForm, "OrganizationActiveInput",
    "Stop offering the organization for new transfers (with the reason: merged, dissolved…) or offer it again.")


class _Patched:
    """A PATCH body as the page's whole form sees it: the stored values under the fields it leaves out."""

    def __init__(self, request, stored: dict):
        self.data = {**stored, **request.data} if isinstance(request.data, dict) else request.data


class OrganizationList(generics.ListAPIView):
    """The directory of party organizations outside the tree that transfers start from or end at
    (``active``: only those offered for new transfers, or only the stopped ones); POST adds one (the
    organization officer)."""
    query_params = ("active",)

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        if not actor.can("members.view"):
            raise Http404
        qs = selectors.organizations(active_only=False)
        active = self.request.query_params.get("active", "").lower()
        if active not in ("", "true", "false", "1", "0"):
            raise serializers.ValidationError({"active": [_("Chỉ nhận true hoặc false.")]})
        return qs.filter(active=active in ("true", "1")) if active else qs

    @extend_schema(parameters=[OpenApiParameter("active", bool, description="Only active (true) or stopped (false)")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=OrganizationInput, responses={201: OrganizationDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.can("members.view"):
            raise Http404
        if not actor.can("transfers.orgs"):
            raise PermissionDenied
        org = services.org_create(actor=actor, **form_cleaned(OrgForm, request))
        return Response(OrganizationDetailSerializer(org).data, status=201)


class OrganizationDetail(generics.GenericAPIView):
    """One organization of the directory; PATCH corrects it (the transfers keep pointing at it)."""

    serializer_class = OrganizationDetailSerializer

    def get(self, request, pk: int):
        return Response(OrganizationDetailSerializer(selectors.organization_get(actor_for(request), pk)).data)

    @extend_schema(request=OrganizationInput, responses={200: OrganizationDetailSerializer})
    def patch(self, request, pk: int):
        actor = actor_for(request)
        org = selectors.organization_get(actor, pk)
        if not actor.can("transfers.orgs"):
            raise PermissionDenied
        stored = {f: getattr(org, f) for f in services.ORG_FIELDS}
        org = services.org_update(actor=actor, org=org, **form_cleaned(OrgForm, _Patched(request, stored)))
        return Response(OrganizationDetailSerializer(org).data)


class OrganizationActive(generics.GenericAPIView):
    """Stop offering an organization for new transfers (old transfers and the history keep it) or offer it again."""

    serializer_class = OrganizationDetailSerializer

    @extend_schema(request=OrganizationActiveInput, responses={200: OrganizationDetailSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        org = selectors.organization_get(actor, pk)
        if not actor.can("transfers.orgs"):
            raise PermissionDenied
        org = services.org_set_active(actor=actor, org=org, **form_cleaned(OrgActiveForm, request))
        return Response(OrganizationDetailSerializer(org).data)


class ReturnReviewSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    certified = serializers.BooleanField(source="is_certified", read_only=True)

    class Meta:
        model = ReturnReview
        fields = ["id", "member", "member_name", "unit", "period_from", "period_to", "text", "submitted_on",
                  "certified", "certified_by", "certifier_label", "certified_on", "certified_ref"]
        read_only_fields = fields


ReturnReviewInput = form_serializer(ReviewForm, "ReturnReviewInput",
                                    "The member's self-review of the time abroad, on return.")
ReturnReviewCertifyInput = form_serializer(CertifyForm, "ReturnReviewCertifyInput",
                                           "Who certified the self-review (the cell's committee or the mission), "
                                           "when and by which document.")


class MemberReturnReviews(generics.ListAPIView):
    """A member's self-reviews of the time abroad; POST files one (the member for themself, or the cell
    for a member of its scope)."""

    serializer_class = ReturnReviewSerializer

    def get_queryset(self):
        member = member_get(actor_for(self.request), self.kwargs["pk"])
        return selectors.reviews_of_member(member).select_related("member")

    @extend_schema(request=ReturnReviewInput, responses={201: ReturnReviewSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        member = member_get(actor, pk)
        if actor.member_id != member.pk and not actor.can("transfers.edit", member.unit):
            raise PermissionDenied
        review = services.return_review_submit(actor=actor, member=member, **form_cleaned(ReviewForm, request))
        return Response(ReturnReviewSerializer(review).data, status=201)


class ReturnReviewCertify(generics.GenericAPIView):
    """Record the certification of a self-review (by the cell's committee or the mission)."""

    serializer_class = ReturnReviewSerializer

    @extend_schema(request=ReturnReviewCertifyInput, responses={200: ReturnReviewSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        review = selectors.return_review_get(actor, pk)
        require(actor, "transfers.edit", review.unit)
        review = services.return_review_certify(actor=actor, review=review, **form_cleaned(CertifyForm, request))
        return Response(ReturnReviewSerializer(review).data)
