"""Members API: the same selectors and services as the pages; PATCH honours the version check."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for, require
from chibo.core.countries import is_country
from chibo.core.lifecycle_api import form_cleaned, form_serializer
from chibo.core.paging import BoundedPagination
from chibo.core.text import hidden_characters_problem
from chibo.members import accounts as member_accounts
from chibo.members import quality, services, timeline
from chibo.members.forms import PostEndForm, PostForm, StatusForm
from chibo.members.models import STATUS_TRANSITIONS, Category, Education, Gender, Member, Status, Theory
from chibo.members.selectors import (
    ALL_STATUSES,
    SORTS,
    MemberFilters,
    found_count,
    member_find,
    member_get,
    member_read_full,
    member_search,
    member_timeline,
    post_get,
    status_filter,
    timeline_entries,
    unit_committee,
)
from chibo.units.selectors import unit_get


class MemberSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    solitary = serializers.BooleanField(source="is_solitary", read_only=True,
                                        help_text="guided directly by the upper committee "
                                                  "(no organization where the member is)")

    class Meta:
        model = Member
        fields = ["id", "full_name", "gender", "birth_date", "home_town", "ethnicity", "education",
                  "political_theory", "job_title", "workplace", "card_number", "dossier_number",
                  "admission_decided_on", "admission_date", "confirmation_date", "unit", "unit_name", "solitary",
                  "status", "category",
                  "abroad_from", "abroad_to", "version"]
        read_only_fields = fields


class MemberDetailSerializer(MemberSerializer):
    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "citizen_id", "phone", "email"]
        read_only_fields = fields


def _text(max_length: int, required: bool = False):
    return serializers.CharField(max_length=max_length, required=required, allow_blank=not required)


class NameField(serializers.CharField):
    """A person's name: a hidden character (NUL included) is refused with the services' message, naming the
    character, before DRF's own "Null characters are not allowed." could answer in English."""

    def to_internal_value(self, data):
        if problem := hidden_characters_problem(data if isinstance(data, str) else None):
            raise serializers.ValidationError(problem, code="hidden_character")
        return super().to_internal_value(data)


class MemberWriteSerializer(serializers.Serializer):
    full_name = NameField(max_length=120, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    birth_date = serializers.DateField(required=False)
    home_town = _text(200)
    ethnicity = _text(40)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    political_theory = serializers.ChoiceField(choices=Theory.choices, required=False, allow_blank=True)
    job_title = _text(200)
    workplace = _text(200)
    card_number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    dossier_number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    admission_decided_on = serializers.DateField(required=False, allow_null=True)
    admission_date = serializers.DateField(required=False)
    confirmation_date = serializers.DateField(required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    abroad_from = serializers.DateField(required=False, allow_null=True)
    abroad_to = serializers.DateField(required=False, allow_null=True)
    citizen_id = _text(20)
    phone = _text(30)
    email = _text(254)


class MemberCreateSerializer(MemberWriteSerializer):
    unit = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[(Status.PROBATIONARY, Status.PROBATIONARY.label),
                                              (Status.FULL, Status.FULL.label)], default=Status.PROBATIONARY)
    full_name = NameField(max_length=120, required=True, allow_blank=False)
    gender = serializers.ChoiceField(choices=Gender.choices)
    birth_date = serializers.DateField()
    admission_date = serializers.DateField()
    category = serializers.ChoiceField(choices=Category.choices)


class MemberPatchSerializer(MemberWriteSerializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


SEARCH_PARAMS = [
    OpenApiParameter("q", str, description="Vietnamese name search, diacritics optional"),
    OpenApiParameter("unit", int, description="Unit id: its whole subtree"),
    OpenApiParameter("status", str, enum=[*Status.values, ALL_STATUSES],
                     description="Left out: the members on the rolls (probationary, full, exempt, suspended), "
                                 "counted as the dashboard counts them; 'all': every status"),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("country", str, description="ISO 3166 alpha-2 of the unit"),
    OpenApiParameter("solitary", bool, description="Only members alone abroad (on an upper committee's own rolls)"),
    OpenApiParameter("sort", str, enum=list(SORTS)),
]


def filters_from_query(actor, params) -> MemberFilters:
    """The filters of the member list from an API query string (``SEARCH_PARAMS``), each refused clearly; the
    list and its export read them the same way."""
    unit = None
    if params.get("unit"):
        if not (params["unit"].isascii() and params["unit"].isdigit()):
            raise serializers.ValidationError({"unit": [_("Mã tổ chức phải là số.")]})
        unit = unit_get(actor, int(params["unit"]))
    status = params.get("status", "")
    if status and status not in (*Status.values, ALL_STATUSES):
        raise serializers.ValidationError({"status": [_("Tình trạng «%(status)s» không hợp lệ.")
                                                        % {"status": status}]})
    category = params.get("category", "")
    if category and category not in Category.values:
        raise serializers.ValidationError({"category": [_("Diện «%(category)s» không hợp lệ.")
                                                          % {"category": category}]})
    country = params.get("country", "")
    if country and not is_country(country):
        raise serializers.ValidationError({"country": [_("Quốc gia phải là mã ISO 3166 hai chữ cái, ví dụ FR.")]})
    solitary = params.get("solitary", "").lower()
    if solitary not in ("", "true", "false", "1", "0"):
        raise serializers.ValidationError({"solitary": [_("Chỉ nhận true hoặc false.")]})
    sort = params.get("sort", "name")
    if sort not in SORTS:
        raise serializers.ValidationError({"sort": [_("Chọn một cách sắp xếp: %(choices)s.")
                                                      % {"choices": ", ".join(SORTS)}]})
    page = params.get("page", "1")
    if not (page.isascii() and page.isdigit() and 0 < int(page) < 10**6):
        raise serializers.ValidationError({"page": [_("Số trang phải là số nguyên dương.")]})
    status, active_only = status_filter(status)
    return MemberFilters(q=params.get("q", "")[:100], unit=unit, status=status, active_only=active_only,
                         category=category, country=country, solitary=solitary in ("true", "1"), sort=sort)


class MemberList(generics.ListCreateAPIView):
    query_params = ("category", "country", "q", "solitary", "sort", "status", "unit")
    serializer_class = MemberSerializer
    pagination_class = BoundedPagination

    def get_queryset(self):
        actor = actor_for(self.request)
        self.filters = filters_from_query(actor, self.request.query_params)
        self.found = member_find(actor, self.filters)
        return self.found.listed

    def known_count(self, queryset) -> dict:
        """What is known of the count without counting every row (core.paging)."""
        return found_count(actor_for(self.request), self.filters, self.found)

    @extend_schema(parameters=SEARCH_PARAMS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberDetailSerializer})
    def post(self, request, *args, **kwargs):
        actor = actor_for(request)
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        unit = unit_get(actor, fields.pop("unit"))
        member = services.member_create(actor=actor, unit=unit, **fields)
        return Response(MemberDetailSerializer(member).data, status=201)


class MemberDetail(generics.GenericAPIView):
    serializer_class = MemberDetailSerializer

    def get(self, request, pk):
        return Response(MemberDetailSerializer(member_read_full(actor_for(request), pk)).data)

    @extend_schema(request=MemberPatchSerializer, responses={200: MemberDetailSerializer})
    def patch(self, request, pk):
        actor = actor_for(request)
        member = member_get(actor, pk)
        require(actor, "members.edit", member.unit)  # 403 before any validation, like the edit page
        data = MemberPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "version" not in changes:
            raise serializers.ValidationError({"version": [_("Cần gửi version của hồ sơ đã đọc.")]})
        version = changes.pop("version")
        member = services.member_update(actor=actor, member=member, expected_version=version, changes=changes)
        return Response(MemberDetailSerializer(member).data)


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="The event type, e.g. transfer.letter_issued")
    label = serializers.CharField(read_only=True, help_text="The type's name in the caller's language")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stub sees Field.label
    text = serializers.CharField(read_only=True, help_text="The event's detail in the caller's language")
    occurred_on = serializers.DateField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    actor_label = serializers.CharField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True, allow_null=True)
    data = serializers.JSONField(read_only=True, help_text="The event's structured parameters")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stub sees Serializer.data


class TimelineQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[], required=False)
    process = serializers.ChoiceField(choices=[], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = timeline.event_types()
        self.fields["kind"].choices = sorted(t.kind for t in types)
        self.fields["process"].choices = sorted({t.process for t in types})


class MemberTimeline(generics.ListAPIView):
    """A member's timeline (lý lịch), newest first, filtered by event type or by process; reading it is
    audited like reading the full record."""
    query_params = ("kind", "process")

    serializer_class = TimelineEventSerializer

    def get_queryset(self):
        query = TimelineQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        member = member_read_full(actor_for(self.request), self.kwargs["pk"])
        return member_timeline(member, kind=query.validated_data.get("kind", ""),
                               process=query.validated_data.get("process", ""))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return timeline_entries(page if page is not None else queryset)

    @extend_schema(parameters=[
        OpenApiParameter("kind", str, description="Only this event type, e.g. transfer.letter_issued"),
        OpenApiParameter("process", str, description="Only the event types of one process, e.g. transfers")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- invitations to members' own pages -----------------------------------------------------------

class InviteEmailSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254,
                                   help_text="Leave out to use the address on the member's record.")


class InvitationResultSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField()


class MemberInvite(generics.GenericAPIView):
    """Invite the member to their own pages: a one-time link by e-mail (with the roles of their posts)."""

    serializer_class = InviteEmailSerializer

    @extend_schema(request=InviteEmailSerializer, responses={201: InvitationResultSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        member = member_get(actor, pk)
        body = InviteEmailSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = member_accounts.member_invite(actor=actor, member=member,
                                                   email=body.validated_data.get("email", ""))
        return Response(InvitationResultSerializer(invitation).data, status=201)


class BulkInvitationSerializer(serializers.Serializer):
    invited = serializers.ListField(child=serializers.IntegerField(), help_text="Member ids invited now")
    already_active = serializers.ListField(child=serializers.IntegerField())
    already_invited = serializers.ListField(child=serializers.IntegerField())
    without_email = serializers.ListField(child=serializers.IntegerField())


class UnitInviteMembers(generics.GenericAPIView):
    """Invite every member on the unit's own rolls who has no account yet (at the address on their
    record); the answer says who was left out and why."""

    serializer_class = BulkInvitationSerializer

    @extend_schema(request=None, responses=BulkInvitationSerializer)
    def post(self, request, pk: int):
        actor = actor_for(request)
        result = member_accounts.members_invite_unit(actor=actor, unit=unit_get(actor, pk))
        return Response(BulkInvitationSerializer({
            name: [m.pk for m in getattr(result, name)]
            for name in ("invited", "already_active", "already_invited", "without_email")}).data)


# --- status changes and committee posts ------------------------------------------------------------------

StatusChangeSerializer = form_serializer(
    StatusForm, "MemberStatusChangeInput",
    "A decision changing the member's status (the allowed next statuses follow the current one: see "
    "`next_statuses` of GET /members/{id}/status/).")


class MemberStatusOptionsSerializer(serializers.Serializer):
    status = serializers.CharField()
    next_statuses = serializers.ListField(child=serializers.CharField())


class MemberStatusChange(generics.GenericAPIView):
    """A member's status: GET the statuses it may change to; POST a decision changing it (struck off, left,
    deceased or transferred out also end their posts and their account's access at once)."""

    serializer_class = MemberStatusOptionsSerializer

    def _member(self, request, pk):
        actor = actor_for(request)
        member = member_get(actor, pk)
        require(actor, "members.status", member.unit)
        return actor, member

    def get(self, request, pk: int):
        _actor, member = self._member(request, pk)
        return Response({"status": member.status, "next_statuses": sorted(STATUS_TRANSITIONS[member.status])})

    @extend_schema(request=StatusChangeSerializer, responses={200: MemberDetailSerializer})
    def post(self, request, pk: int):
        actor, member = self._member(request, pk)
        data = form_cleaned(StatusForm, request, allowed=sorted(STATUS_TRANSITIONS[member.status]))
        return Response(MemberDetailSerializer(services.member_change_status(actor=actor, member=member, **data)).data)


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.full_name")
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    from_date = serializers.DateField()
    to_date = serializers.DateField(allow_null=True)
    decision_no = serializers.CharField()
    decision_date = serializers.DateField()


PostAppointSerializer = form_serializer(PostForm, "PostAppointInput",
                                        "A decision appointing a member of the unit (or below it) to its committee.")
PostEndSerializer = form_serializer(PostEndForm, "PostEndInput", "The end of a committee term.")


class UnitPosts(generics.GenericAPIView):
    """The unit's committee: GET the sitting posts (``all=1``: ended ones too); POST a decision appointing a
    member (a secretary's appointment grants the matching role on the unit and ends the sitting one's term).
    A committee is a few posts: the list comes whole, not in pages."""
    query_params = ("all",)

    serializer_class = PostSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("all", bool, description="Include ended terms")],
                   responses=PostSerializer(many=True))
    def get(self, request, pk: int):
        unit = unit_get(actor_for(request), pk)
        posts = unit_committee(unit, current_only=request.query_params.get("all") not in ("1", "true"))
        return Response(PostSerializer(posts, many=True).data)

    @extend_schema(request=PostAppointSerializer, responses={201: PostSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        unit = unit_get(actor, pk)
        require(actor, "posts.edit", unit)
        data = form_cleaned(PostForm, request)
        member_pk = data.pop("member")
        member = member_search(actor, MemberFilters(unit=unit, active_only=True)).filter(pk=member_pk).first()
        if member is None:
            raise serializers.ValidationError({"member": [_("Chọn một đảng viên của tổ chức này.")]})
        post = services.post_appoint(actor=actor, unit=unit, member=member, **data)
        return Response(PostSerializer(post).data, status=201)


class PostEnd(generics.GenericAPIView):
    """End a committee term (the role it carried is withdrawn the same day)."""

    serializer_class = PostSerializer

    @extend_schema(request=PostEndSerializer, responses={200: PostSerializer})
    def post(self, request, pk: int):
        actor = actor_for(request)
        post = post_get(actor, pk)
        require(actor, "posts.edit", post.unit)
        data = form_cleaned(PostEndForm, request)
        return Response(PostSerializer(services.post_end(actor=actor, post=post, **data)).data)


# --- data quality board (#21) -------------------------------------------------------------------------------------

class QualityProblemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stub sees Field.label


class QualityRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    own = serializers.BooleanField(help_text="true: the unit's own rolls only; false: the unit and its whole subtree")
    total = serializers.IntegerField(help_text="Members on the rolls")
    complete = serializers.IntegerField(help_text="Members with none of the problems")
    share_complete = serializers.FloatField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Members with each problem, by key")


class QualityBoardSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    problems = QualityProblemSerializer(many=True)
    rows = QualityRowSerializer(many=True, help_text="The unit's own rolls (when it has members of its own), then "
                                                     "each child unit with its subtree")
    total = QualityRowSerializer(help_text="The unit's whole subtree")


QUALITY_UNIT = OpenApiParameter("unit", int, description="Unit id (in the caller's member scope); left out: the top "
                                                         "of that scope")


def _quality_unit(actor, params):
    value = params.get("unit", "")
    if not value:
        return quality.default_unit(actor)
    if not (value.isascii() and value.isdigit()):
        raise serializers.ValidationError({"unit": [_("Mã tổ chức phải là số.")]})
    return quality.require_view(actor, unit_get(actor, int(value)))


def _require_members_view(actor) -> None:
    if not actor.can("members.view"):
        raise Http404


class MemberQuality(generics.GenericAPIView):
    """The data quality board: per unit, members on the rolls missing a citizen ID, a card number, a decision date
    or a dues profile, or with contradictory dates; the unit's own rolls and each child's subtree."""

    query_params = ("unit",)
    serializer_class = QualityBoardSerializer

    @extend_schema(parameters=[QUALITY_UNIT], responses=QualityBoardSerializer)
    def get(self, request):
        actor = actor_for(request)
        _require_members_view(actor)
        return Response(QualityBoardSerializer(quality.board(actor, _quality_unit(actor, request.query_params))).data)


class MemberQualityMembers(generics.ListAPIView):
    """The members behind one count of the board: one problem, one unit's subtree (or its own rolls)."""

    query_params = ("own", "unit")
    serializer_class = MemberSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        _require_members_view(actor)
        params = self.request.query_params
        own = params.get("own", "").lower()
        if own not in ("", "true", "false", "1", "0"):
            raise serializers.ValidationError({"own": [_("Chỉ nhận true hoặc false.")]})
        quality.problem_get(self.kwargs["key"])
        return quality.problem_members(actor, _quality_unit(actor, params), self.kwargs["key"],
                                       own=own in ("true", "1"))

    @extend_schema(parameters=[QUALITY_UNIT, OpenApiParameter(
        "own", bool, description="Only the unit's own rolls (not its subtree)")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
