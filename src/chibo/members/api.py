"""Members API: the same selectors and services as the pages; PATCH honours the version check."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from chibo.core.access import actor_for, require
from chibo.core.countries import is_country
from chibo.members import services, timeline
from chibo.members.models import Category, Education, Gender, Member, Status, Theory
from chibo.members.selectors import (
    MemberFilters,
    member_get,
    member_read_full,
    member_search,
    member_timeline,
    timeline_entries,
)
from chibo.units.selectors import unit_get


class MemberSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    solitary = serializers.BooleanField(source="is_solitary", read_only=True,
                                        help_text="guided directly by the upper committee (no organization where the member is)")

    class Meta:
        model = Member
        fields = ["id", "full_name", "gender", "birth_date", "home_town", "ethnicity", "education",
                  "political_theory", "job_title", "workplace", "card_number", "dossier_number",
                  "admission_date", "confirmation_date", "unit", "unit_name", "solitary", "status", "category",
                  "abroad_from", "abroad_to", "version"]
        read_only_fields = fields


class MemberDetailSerializer(MemberSerializer):
    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "citizen_id", "phone", "email"]
        read_only_fields = fields


def _text(max_length: int, required: bool = False):
    return serializers.CharField(max_length=max_length, required=required, allow_blank=not required)


class MemberWriteSerializer(serializers.Serializer):
    full_name = _text(120)
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
    full_name = _text(120, required=True)
    gender = serializers.ChoiceField(choices=Gender.choices)
    birth_date = serializers.DateField()
    admission_date = serializers.DateField()
    category = serializers.ChoiceField(choices=Category.choices)


class MemberPatchSerializer(MemberWriteSerializer):
    version = serializers.IntegerField(min_value=1)


SEARCH_PARAMS = [
    OpenApiParameter("q", str, description="Vietnamese name search, diacritics optional"),
    OpenApiParameter("unit", int, description="Unit id: its whole subtree"),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("country", str, description="ISO 3166 alpha-2 of the unit"),
    OpenApiParameter("solitary", bool, description="Only members alone abroad (on an upper committee's own rolls)"),
    OpenApiParameter("sort", str, enum=["name", "-name", "admission", "-admission", "birth", "-birth", "unit"]),
]


class MemberList(generics.ListCreateAPIView):
    serializer_class = MemberSerializer

    def get_queryset(self):
        actor = actor_for(self.request)
        params = self.request.query_params
        unit = None
        if params.get("unit"):
            if not params["unit"].isdigit():
                raise serializers.ValidationError({"unit": ["Mã tổ chức phải là số."]})
            unit = unit_get(actor, int(params["unit"]))
        status = params.get("status", "")
        if status and status not in Status.values:
            raise serializers.ValidationError({"status": [f"Tình trạng «{status}» không hợp lệ."]})
        category = params.get("category", "")
        if category and category not in Category.values:
            raise serializers.ValidationError({"category": [f"Diện «{category}» không hợp lệ."]})
        country = params.get("country", "")
        if country and not is_country(country):
            raise serializers.ValidationError({"country": ["Quốc gia phải là mã ISO 3166 hai chữ cái, ví dụ FR."]})
        solitary = params.get("solitary", "").lower()
        if solitary not in ("", "true", "false", "1", "0"):
            raise serializers.ValidationError({"solitary": ["Chỉ nhận true hoặc false."]})
        return member_search(actor, MemberFilters(q=params.get("q", "")[:100], unit=unit, status=status,
                                                  category=category, country=country,
                                                  solitary=solitary in ("true", "1"), sort=params.get("sort", "name")))

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
            raise serializers.ValidationError({"version": ["Cần gửi version của hồ sơ đã đọc."]})
        version = changes.pop("version")
        member = services.member_update(actor=actor, member=member, expected_version=version, changes=changes)
        return Response(MemberDetailSerializer(member).data)


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="The event type, e.g. transfer.letter_issued")
    label = serializers.CharField(read_only=True, help_text="The type's name in the caller's language")
    text = serializers.CharField(read_only=True, help_text="The event's detail in the caller's language")
    occurred_on = serializers.DateField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    actor_label = serializers.CharField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True, allow_null=True)
    data = serializers.JSONField(read_only=True, help_text="The event's structured parameters")


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
